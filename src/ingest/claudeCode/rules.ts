/**
 * The rules of DESIGN.md section 8 over the records of one transcript file, in file order: invocations
 * (Skill tool calls and slash commands), their outcome, window, duration and tokens. Incremental: the
 * state after a read is a plain value (`RuleState`) the next read of a grown file starts from, and it
 * stays small (windows still open, results still awaited, and the last few responses and invocations
 * a later record can still change), however long the file.
 *
 * - A window is the records of the invocation's chain after it, up to (not including) the next real user
 *   prompt or the next invocation of that chain, or the end of the file (then `windowOpen` is true: the
 *   next read may extend it). A record of another session closes every window (a resumed or copied file
 *   begins with another session's records).
 * - Outcome: a tool invocation is `pending` until its tool_result: `is_error` -> failed (error type from a
 *   closed list), else completed. An "[Request interrupted by user…]" prompt (or result) abandons the
 *   invocation whose window it ends (a failed one stays failed); a real prompt abandons the tool calls of
 *   its chain that never got a result. A slash command is completed unless abandoned so.
 * - Tokens: a response (message.id, requestId) counts once, in the window where its first record lies,
 *   with the usage of its last record; a record that issues an invocation lies in no window (it closes
 *   the previous one and is not in its own). `attributionSkill` sends the response to that skill's latest
 *   invocation in the file (same chain first) or, when there is none, to a usage row of its own.
 */
import type { Chain, EventRecord, TokenCounts } from './records';
import type { SkillErrorType } from './vocabulary';
import { isBuiltinCommand } from './vocabulary';

export type Outcome = 'completed' | 'failed' | 'abandoned' | 'pending';

export interface ModelTokens extends TokenCounts {
  model: string;
}

/** One Skill or slash-command run as read from a transcript. No field can hold prompt, argument or tool text. */
export interface TranscriptInvocation {
  /** `tool:<tool_use id>` or `slash:<session id>:<record uuid>`: the same run in another file has the same id. */
  id: string;
  kind: 'tool' | 'slash';
  /** The skill or command name, one leading `/` removed (e.g. `pdf`, `plugin:review`, `compact`). */
  skill: string;
  /** A Claude Code built-in command (`/compact`, `/model`, ...): counted, never rated or recommended. */
  builtin: boolean;
  sessionId: string;
  chain: Chain;
  /** The uuid of the record that holds the invocation. */
  recordUuid: string | null;
  /** ISO timestamps as written by Claude Code (UTC). */
  invokedAt: string;
  /** The last timestamp in the window (null while the window holds no timestamped record). */
  endedAt: string | null;
  /** endedAt - invokedAt in seconds (never negative); null when the window holds no timestamped record. */
  durationSeconds: number | null;
  outcome: Outcome;
  errorType: SkillErrorType | null;
  /** The window reaches the end of what was read: a later read of the grown file may change the figures. */
  windowOpen: boolean;
  /** API responses counted for this run, and their tokens (input, output, cache write, cache read). */
  responses: number;
  tokens: TokenCounts;
  tokensByModel: ModelTokens[];
  /** The working directory of the invocation's record (maps the run to a project). */
  cwd: string | null;
  /** 1-based line of the invocation's record in its file. */
  line: number;
}

/** Tokens of responses that carry `attributionSkill` for a skill with no invocation in the file. */
export interface AttributedUsage {
  /** `usage:<message.id>:<requestId>`. */
  id: string;
  skill: string;
  sessionId: string;
  chain: Chain;
  at: string | null;
  model: string;
  tokens: TokenCounts;
  cwd: string | null;
  line: number;
}

interface LiveInvocation {
  inv: TranscriptInvocation;
  atMs: number;
  endMs: number | null;
  awaiting: boolean;
}

interface ResponseEntry {
  key: string;
  /** An invocation id, or an AttributedUsage id. */
  target: string;
  model: string;
  usage: TokenCounts;
}

/** What a later read needs: plain data, JSON-serialisable, bounded. */
export interface RuleState {
  lastSession: string | null;
  open: { main: string | null; side: string | null };
  live: LiveInvocation[];
  responses: ResponseEntry[];
  usage: AttributedUsage[];
  latestBySkill: [string, string][];
}

const MAX_LIVE = 256;
const MAX_RESPONSES = 512;
const MAX_USAGE = 256;
const MAX_SKILLS = 1000;

export const zeroTokens = (): TokenCounts => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0 });

function addTokens(into: TokenCounts, t: TokenCounts, sign: 1 | -1): void {
  into.input += sign * t.input;
  into.output += sign * t.output;
  into.cacheCreation += sign * t.cacheCreation;
  into.cacheRead += sign * t.cacheRead;
}

export class TranscriptRules {
  private lastSession: string | null;
  private readonly open: { main: string | null; side: string | null };
  private readonly live = new Map<string, LiveInvocation>();
  private readonly responses = new Map<string, ResponseEntry>();
  private readonly usage = new Map<string, AttributedUsage>();
  private readonly latestBySkill = new Map<string, string>();
  private readonly changed = new Map<string, TranscriptInvocation>();
  private readonly changedUsage = new Map<string, AttributedUsage>();
  private ownResponses = 0;
  /** Records the rules could not use, by line (drained by the reader into its problem list). */
  readonly notes: { line: number; message: string }[] = [];

  constructor(
    /** The session id the file's name gives (records without one belong to it). */
    private readonly fileSession: string,
    state: RuleState | null = null,
  ) {
    this.lastSession = state?.lastSession ?? null;
    this.open = { main: state?.open.main ?? null, side: state?.open.side ?? null };
    for (const l of state?.live ?? []) this.live.set(l.inv.id, l);
    for (const r of state?.responses ?? []) this.responses.set(r.key, r);
    for (const u of state?.usage ?? []) this.usage.set(u.id, u);
    for (const [k, v] of state?.latestBySkill ?? []) this.latestBySkill.set(k, v);
  }

  apply(r: EventRecord, line: number): void {
    const h = r.head;
    const chain = h.chain;
    if (h.sessionId !== null) {
      if (this.lastSession !== null && h.sessionId !== this.lastSession) {
        this.close('main', 'window');
        this.close('side', 'window');
      }
      this.lastSession = h.sessionId;
    }
    for (const t of r.toolResults) this.settle(t.toolUseId, t.isError, t.interrupted, t.errorType);

    if (r.slash !== null) {
      this.close(chain, 'window');
      this.invoke(r, 'slash', r.slash, h.uuid ? `slash:${this.session(r)}:${h.uuid}` : `slash:${this.session(r)}:line:${line}`, line);
      return;
    }
    if (r.prompt !== 'none') {
      this.close(chain, r.prompt === 'interrupt' ? 'interrupt' : 'prompt');
      return;
    }
    if (h.type === 'assistant') {
      if (r.skillCalls.length) this.close(chain, 'window');
      else this.extend(chain, h.at, h.timestamp);
      this.count(r, line);
      for (const call of r.skillCalls) {
        this.close(chain, 'window');
        this.invoke(r, 'tool', call.skill, call.id ? `tool:${call.id}` : `tool:${this.session(r)}:${h.uuid ?? `line:${line}`}`, line);
      }
      return;
    }
    this.extend(chain, h.at, h.timestamp);
  }

  /** The invocations and attributed usage new or changed since the rules were made. */
  changes(): { invocations: TranscriptInvocation[]; usage: AttributedUsage[] } {
    return { invocations: [...this.changed.values()].map(clone), usage: [...this.changedUsage.values()].map(cloneUsage) };
  }

  state(): RuleState {
    return structuredClone({
      lastSession: this.lastSession,
      open: this.open,
      live: [...this.live.values()],
      responses: [...this.responses.values()],
      usage: [...this.usage.values()],
      latestBySkill: [...this.latestBySkill.entries()],
    });
  }

  private session(r: EventRecord): string {
    return r.head.sessionId ?? this.fileSession;
  }

  private touch(l: LiveInvocation): void {
    this.changed.set(l.inv.id, l.inv);
  }

  private invoke(r: EventRecord, kind: 'tool' | 'slash', skill: string, id: string, line: number): void {
    const h = r.head;
    if (this.live.has(id)) return; // the same record again (a copy within the file): the same invocation
    if (h.timestamp === null || h.at === null || Number.isNaN(h.at)) {
      this.notes.push({ line, message: `a ${kind === 'tool' ? 'Skill call' : 'command'} without a timestamp (not counted)` });
      return;
    }
    const inv: TranscriptInvocation = {
      id,
      kind,
      skill,
      builtin: kind === 'slash' && isBuiltinCommand(skill),
      sessionId: this.session(r),
      chain: h.chain,
      recordUuid: h.uuid,
      invokedAt: h.timestamp,
      endedAt: null,
      durationSeconds: null,
      outcome: kind === 'tool' ? 'pending' : 'completed',
      errorType: null,
      windowOpen: true,
      responses: 0,
      tokens: zeroTokens(),
      tokensByModel: [],
      cwd: h.cwd,
      line,
    };
    const l: LiveInvocation = { inv, atMs: h.at, endMs: null, awaiting: kind === 'tool' };
    this.live.set(id, l);
    this.open[h.chain] = id;
    const key = `${h.chain}\u0000${skill}`;
    this.latestBySkill.delete(key);
    this.latestBySkill.set(key, id);
    if (this.latestBySkill.size > MAX_SKILLS) this.latestBySkill.delete(this.latestBySkill.keys().next().value!);
    this.touch(l);
    this.evict();
  }

  /** Ends the chain's open window: by a real prompt, an interrupt, or a new invocation / session. */
  private close(chain: Chain, why: 'window' | 'prompt' | 'interrupt'): void {
    const id = this.open[chain];
    if (id !== null) {
      this.open[chain] = null;
      const l = this.live.get(id);
      if (l) {
        l.inv.windowOpen = false;
        if (why === 'interrupt' && l.inv.outcome !== 'failed') {
          l.inv.outcome = 'abandoned';
          l.inv.errorType = null;
          l.awaiting = false;
        }
        this.touch(l);
      }
    }
    if (why === 'window') return;
    // The turn ended: a tool call of this chain still without a result never got one.
    for (const l of this.live.values()) {
      if (l.awaiting && l.inv.chain === chain) {
        l.awaiting = false;
        l.inv.outcome = 'abandoned';
        this.touch(l);
      }
    }
  }

  private extend(chain: Chain, at: number | null, raw: string | null): void {
    const id = this.open[chain];
    if (id === null || at === null || raw === null || Number.isNaN(at)) return;
    const l = this.live.get(id);
    if (!l || (l.endMs !== null && at <= l.endMs)) return;
    l.endMs = at;
    l.inv.endedAt = raw;
    l.inv.durationSeconds = Math.max(0, at - l.atMs) / 1000;
    this.touch(l);
  }

  private settle(toolUseId: string, isError: boolean, interrupted: boolean, errorType: SkillErrorType | null): void {
    const l = this.live.get(`tool:${toolUseId}`);
    if (!l || !l.awaiting) return;
    l.awaiting = false;
    l.inv.outcome = interrupted ? 'abandoned' : isError ? 'failed' : 'completed';
    l.inv.errorType = isError && !interrupted ? errorType : null;
    this.touch(l);
  }

  /** Counts an assistant record's response (DESIGN section 8, Tokens). */
  private count(r: EventRecord, line: number): void {
    const usage = r.usage ?? zeroTokens();
    const model = r.model ?? 'unknown';
    const key = r.responseKey;
    const known = key === null ? undefined : this.responses.get(key);
    if (known) {
      // A later record of a response already counted: its usage replaces the earlier one.
      this.retarget(known, known.usage, -1);
      known.usage = usage;
      known.model = model;
      this.retarget(known, usage, 1);
      this.responses.delete(known.key);
      this.responses.set(known.key, known);
      return;
    }
    const chain = r.head.chain;
    let target: string | null;
    if (r.attributionSkill !== null) {
      target = this.latestBySkill.get(`${chain}\u0000${r.attributionSkill}`) ?? this.latestBySkill.get(`${other(chain)}\u0000${r.attributionSkill}`) ?? null;
      if (target !== null && !this.live.has(target)) target = null;
      if (target === null) target = this.attributedRow(r, key ?? `line:${line}`, line);
    } else {
      target = r.skillCalls.length ? null : this.open[chain];
    }
    if (target === null) return;
    const entry: ResponseEntry = { key: key ?? `own:${line}:${this.ownResponses++}`, target, model, usage };
    this.retarget(entry, usage, 1, true);
    if (key === null) return; // its own response: no later record can update it
    this.responses.set(key, entry);
    if (this.responses.size > MAX_RESPONSES) this.responses.delete(this.responses.keys().next().value!);
  }

  private attributedRow(r: EventRecord, key: string, line: number): string {
    const id = `usage:${key.replace('\u0000', ':')}`;
    if (!this.usage.has(id)) {
      this.usage.set(id, {
        id,
        skill: r.attributionSkill!,
        sessionId: this.session(r),
        chain: r.head.chain,
        at: r.head.timestamp,
        model: r.model ?? 'unknown',
        tokens: zeroTokens(),
        cwd: r.head.cwd,
        line,
      });
      if (this.usage.size > MAX_USAGE) this.usage.delete(this.usage.keys().next().value!);
    }
    return id;
  }

  /** Adds (sign 1) or removes (-1) a response's usage at its target. */
  private retarget(entry: ResponseEntry, usage: TokenCounts, sign: 1 | -1, first = false): void {
    const row = this.usage.get(entry.target);
    if (row) {
      addTokens(row.tokens, usage, sign);
      row.model = entry.model;
      this.changedUsage.set(row.id, row);
      return;
    }
    const l = this.live.get(entry.target);
    if (!l) return; // the invocation left the window of things a record can still change
    addTokens(l.inv.tokens, usage, sign);
    if (first) l.inv.responses++;
    let m = l.inv.tokensByModel.find((x) => x.model === entry.model);
    if (!m) {
      m = { model: entry.model, ...zeroTokens() };
      l.inv.tokensByModel.push(m);
    }
    addTokens(m, usage, sign);
    if (m.input === 0 && m.output === 0 && m.cacheCreation === 0 && m.cacheRead === 0) {
      l.inv.tokensByModel = l.inv.tokensByModel.filter((x) => x !== m);
    }
    this.touch(l);
  }

  /** Keeps the live set bounded: the oldest invocations no later record can change leave first. */
  private evict(): void {
    if (this.live.size <= MAX_LIVE) return;
    for (const [id, l] of this.live) {
      if (this.live.size <= MAX_LIVE) break;
      if (id === this.open.main || id === this.open.side) continue;
      if (l.awaiting && this.live.size <= MAX_LIVE * 4) continue;
      this.live.delete(id);
    }
  }
}

function other(chain: Chain): Chain {
  return chain === 'main' ? 'side' : 'main';
}

function clone(inv: TranscriptInvocation): TranscriptInvocation {
  return { ...inv, tokens: { ...inv.tokens }, tokensByModel: inv.tokensByModel.map((m) => ({ ...m })) };
}

function cloneUsage(u: AttributedUsage): AttributedUsage {
  return { ...u, tokens: { ...u.tokens } };
}
