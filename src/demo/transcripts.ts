/**
 * Writes Claude Code transcripts (FORMATS.md section 4) deterministically from a seed, with the runs it
 * wrote as ground truth: every Skill call and slash command with the outcome, window end, duration and
 * tokens that follow from how the generator built the session (DESIGN.md section 8), computed here from
 * the generator's own decisions, never by reading the files back.
 *
 * Shapes written: prompts (text, image), streamed responses (several records per message id and request
 * id, output tokens growing), Skill calls (input.skill / input.command, plugin names, a leading slash)
 * with success and error results (Unknown skill, not a prompt-based skill, Bash command failed) and the
 * skill body as an isMeta record, slash commands (custom and built-in, tags in either order, with
 * args), `/model` as a system local_command, a command followed by the Skill it invokes, interrupts,
 * calls that never got a result (abandoned; pending at the end of a file), subagents inline (1.0.x) and
 * in `subagents/` files with `progress` records nesting their messages, attributionSkill, `<synthetic>`
 * records, summary / file-history-snapshot / pr-link / last-prompt / queue-operation records,
 * automatic user messages, tool results that hold whole other transcripts, prompts with pasted JSONL,
 * timestamps out of file order, a resumed session whose file begins with the previous session's last
 * turn, large tool results, and a file without a final newline.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { dirname } from 'node:path';
import { Random } from './random';

export interface TranscriptGenerateOptions {
  /** The projects dir to write into (`<outDir>/<slug>/<session>.jsonl`). */
  outDir: string;
  projects?: number;
  /** Sessions per project. */
  sessions?: number;
  /** Turns per session. */
  turns?: number;
  seed?: number;
  /** The first session's start (default 2026-10-01T09:00Z). */
  start?: Date;
  /** Placed in every text position (prompts, args, tool inputs and outputs, file contents...): privacy tests. */
  marker?: string;
  /** The size of the occasional large tool result (default 400 KB; 0: none). */
  bigResultBytes?: number;
}

export interface GeneratedTokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

/** One run as the generator wrote it: what a reader must find. */
export interface GeneratedRun {
  id: string;
  kind: 'tool' | 'slash';
  skill: string;
  builtin: boolean;
  sessionId: string;
  chain: 'main' | 'side';
  invokedAt: string;
  /** The latest timestamp written in its window (null: none). */
  endedAt: string | null;
  durationSeconds: number | null;
  outcome: 'completed' | 'failed' | 'abandoned' | 'pending';
  errorType: string | null;
  responses: number;
  tokens: GeneratedTokens;
  cwd: string;
}

/** Tokens a response attributes (attributionSkill) to a skill with no run in its file. */
export interface GeneratedAttribution {
  skill: string;
  sessionId: string;
  file: string;
  tokens: GeneratedTokens;
}

export interface GeneratedTranscriptFile {
  path: string;
  sessionId: string;
  subagent: boolean;
  /** The last line has no newline. */
  noFinalNewline: boolean;
  bytes: number;
}

export interface GeneratedTranscripts {
  files: GeneratedTranscriptFile[];
  /** Every run once (a run copied into a resumed session's file is the same run). */
  runs: GeneratedRun[];
  attributions: GeneratedAttribution[];
}

const SKILLS = ['pdf', 'code-review', 'test-writer', 'refactor', 'docs-update', 'superpowers:brainstorming', 'frontend-design:frontend-design', 'security-review-plus', 'changelog', 'commit-message'];
const CUSTOM_COMMANDS = ['deploy-check', 'release-notes-draft', 'team:standup'];
const BUILTINS = ['compact', 'clear', 'init', 'cost', 'context'];
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];
const ERRORS: [string, string][] = [
  ['Unknown skill', '<tool_use_error>Unknown skill: %s</tool_use_error>'],
  ['not a prompt-based skill', '<tool_use_error>Skill %s is not a prompt-based skill</tool_use_error>'],
  ['Bash command failed', '<tool_use_error>Bash command failed for pattern "!`npm test`": exit code 1</tool_use_error>'],
];

interface Run extends GeneratedRun {
  endMs: number | null;
}

/** Buffered line writer (a file is never held whole in memory). */
class LineFile {
  private fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  bytes = 0;
  lines = 0;
  /** Lines of the current turn (for a resumed session's copy). */
  turn: string[] = [];

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  write(record: object): void {
    const line = JSON.stringify(record);
    this.raw(line);
    this.turn.push(line);
  }

  raw(line: string): void {
    this.pending.push(line, '\n');
    this.pendingBytes += line.length + 1;
    this.lines++;
    if (this.pendingBytes > 1 << 20) this.flush();
  }

  flush(): void {
    if (!this.pending.length) return;
    const text = this.pending.join('');
    this.bytes += Buffer.byteLength(text);
    writeSync(this.fd, text);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Closes the file; returns whether its last newline was left out (as asked). */
  close(noFinalNewline: boolean): boolean {
    const dropped = noFinalNewline && this.pending.length > 0 && this.pending[this.pending.length - 1] === '\n';
    if (dropped) this.pending.pop();
    this.flush();
    closeSync(this.fd);
    return dropped;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const zero = (): GeneratedTokens => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0 });

function uuid(rng: Random): string {
  const h = () => Math.floor(rng.next() * 0x10000).toString(16).padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}

/** Writes transcripts under `outDir` and returns what they hold. */
export function generateTranscripts(options: TranscriptGenerateOptions): GeneratedTranscripts {
  const seed = options.seed ?? 7;
  const marker = options.marker ?? '';
  const bigBytes = options.bigResultBytes ?? 400_000;
  const out: GeneratedTranscripts = { files: [], runs: [], attributions: [] };
  const runsById = new Map<string, Run>();
  let clock = (options.start ?? new Date(Date.UTC(2026, 9, 1, 9))).getTime();
  const text = (words: string) => (marker ? `${words} ${marker}` : words);

  for (let p = 0; p < (options.projects ?? 2); p++) {
    const rng = new Random(seed, p, 'transcripts');
    const cwd = `/home/dev/code/app-${p + 1}${p % 2 ? '/packages/web' : ''}`;
    const slug = cwd.replace(/[^A-Za-z0-9]/g, '-');
    let previous: { sessionId: string; lastTurn: string[] } | null = null;
    const sessions = options.sessions ?? 3;
    for (let s = 0; s < sessions; s++) {
      const sessionId = uuid(rng);
      const file = new LineFile(path.join(options.outDir, slug, `${sessionId}.jsonl`));
      const oldStyle = s === 0 && p === 0; // 1.0.x: subagent records inline in the main file
      const version = oldStyle ? '1.0.98' : '2.1.80';
      // A resumed session: its file begins with the previous session's last turn, as written there.
      const resumed = previous !== null && s === sessions - 1;
      if (resumed) for (const line of previous!.lastTurn) file.raw(line);
      const endsPending = sessions >= 3 && s === sessions - 3; // never the session a later one resumes
      const noFinalNewline = s === 0 && p === 1;
      const last: Record<'main' | 'side', string | null> = { main: null, side: null };
      const open: Record<'main' | 'side', Run | null> = { main: null, side: null };
      const latest = new Map<string, Run>(); // `${chain}:${skill}` -> run, for attributionSkill
      const skillsThisSession: string[] = [];
      let awaiting: Run[] = []; // tool runs of this session still without a result
      const subagentFiles: LineFile[] = [];
      let target: LineFile = file;
      let agentId: string | null = null;

      const tick = (min = 300, max = 4000): number => (clock += rng.int(min, max));
      const stamp = (): number => (rng.chance(0.04) ? clock - rng.int(1, 40) : tick()); // a few out of order
      const extend = (chain: 'main' | 'side', ms: number) => {
        const run = open[chain];
        if (run && (run.endMs === null || ms > run.endMs)) {
          run.endMs = ms;
          run.endedAt = iso(ms);
          run.durationSeconds = Math.max(0, ms - Date.parse(run.invokedAt)) / 1000;
        }
      };
      const base = (chain: 'main' | 'side', type: string, ms: number, extra: object = {}) => {
        const id = uuid(rng);
        const r = {
          parentUuid: last[chain], isSidechain: chain === 'side', userType: 'external', cwd, sessionId, version,
          gitBranch: marker ? `feature/${marker}` : 'main', ...(agentId && chain === 'side' ? { agentId } : {}), type, ...extra, uuid: id, timestamp: iso(ms),
        };
        last[chain] = id;
        return r;
      };
      const endWindow = (chain: 'main' | 'side', abandon: boolean) => {
        const run = open[chain];
        if (run && abandon && run.outcome !== 'failed') {
          run.outcome = 'abandoned';
          run.errorType = null;
        }
        open[chain] = null;
      };
      const newRun = (r: Omit<Run, 'endedAt' | 'durationSeconds' | 'responses' | 'tokens' | 'endMs' | 'cwd' | 'sessionId'>): Run => {
        const run: Run = { ...r, sessionId, cwd, endedAt: null, durationSeconds: null, responses: 0, tokens: zero(), endMs: null };
        if (!runsById.has(run.id)) runsById.set(run.id, run);
        if (run.outcome === 'pending') awaiting.push(run);
        open[run.chain] = run;
        // attributionSkill finds the latest run of a skill in the same file: subagent files are their own.
        if (target === file) {
          latest.set(`${run.chain}:${run.skill}`, run);
          if (run.kind === 'tool' || !run.builtin) skillsThisSession.push(run.skill);
        }
        return run;
      };
      const addTokens = (to: GeneratedTokens, u: GeneratedTokens) => {
        to.input += u.input;
        to.output += u.output;
        to.cacheCreation += u.cacheCreation;
        to.cacheRead += u.cacheRead;
      };

      const prompt = (chain: 'main' | 'side', kind: 'text' | 'image' | 'interrupt' | 'jsonl' = 'text') => {
        const ms = tick(5000, 60000);
        endWindow(chain, kind === 'interrupt');
        // A real prompt also abandons this chain's calls still without a result.
        for (const run of awaiting) if (run.chain === chain && run.outcome === 'pending') run.outcome = 'abandoned';
        awaiting = awaiting.filter((run) => run.outcome === 'pending');
        const content =
          kind === 'interrupt' ? [{ type: 'text', text: '[Request interrupted by user]' }]
          : kind === 'image' ? [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: `iVBORw0KGgo${marker}` } }, { type: 'text', text: text('what is wrong in this screenshot?') }]
          : kind === 'jsonl' ? text(`why does this fail? {"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_fake","name":"Skill","input":{"skill":"pdf"}}]}}\n<command-name>/fake</command-name>`)
          : text('please look at the payment module and fix the failing test');
        target.write(base(chain, 'user', ms, { message: { role: 'user', content } }));
      };
      /** A non-prompt user or system record in the chain (automatic messages, meta). */
      const automatic = (chain: 'main' | 'side') => {
        const ms = stamp();
        const pick = rng.int(0, 4);
        if (pick === 4) {
          target.write(base(chain, 'system', ms, { subtype: 'informational', content: text('Conversation compacted'), level: 'info' }));
        } else {
          const body = [
            `<local-command-stdout>${text('Set model to sonnet')}</local-command-stdout>`,
            `<bash-stdout>${text('total 0')}</bash-stdout><bash-stderr></bash-stderr>`,
            `<task-notification>${text('background task finished')}</task-notification>`,
            `Operation stopped by hook: ${text('lint failed')}`,
          ][pick]!;
          target.write(base(chain, 'user', ms, { message: { role: 'user', content: body } }));
        }
        extend(chain, ms);
      };
      /** One streamed response: one record per block, output tokens growing; returns its final usage. */
      const respond = (chain: 'main' | 'side', blocks: object[], owner: Run | null, extra: { attribution?: string; synthetic?: boolean } = {}): GeneratedTokens => {
        const synthetic = extra.synthetic === true;
        const usage: GeneratedTokens = synthetic ? zero() : { input: rng.int(1, 40), output: rng.int(20, 900), cacheCreation: rng.int(0, 5000), cacheRead: rng.int(1000, 90000) };
        const messageId = `msg_${uuid(rng).replace(/-/g, '').slice(0, 24)}`;
        const requestId = synthetic ? undefined : `req_${uuid(rng).replace(/-/g, '').slice(0, 24)}`;
        const model = synthetic ? '<synthetic>' : rng.pick(MODELS);
        blocks.forEach((block, j) => {
          const ms = stamp();
          const output = j === blocks.length - 1 ? usage.output : Math.max(1, Math.floor((usage.output * (j + 1)) / (blocks.length + 1)));
          target.write(base(chain, 'assistant', ms, {
            message: { id: messageId, type: 'message', role: 'assistant', model, content: [block], stop_reason: null, stop_sequence: null,
              usage: { input_tokens: usage.input, cache_creation_input_tokens: usage.cacheCreation, cache_read_input_tokens: usage.cacheRead, output_tokens: output, service_tier: 'standard' } },
            ...(requestId ? { requestId } : {}),
            ...(extra.attribution ? { attributionSkill: extra.attribution } : {}),
          }));
          extend(chain, ms);
        });
        if (owner) {
          owner.responses++;
          addTokens(owner.tokens, usage);
        }
        return usage;
      };
      const textBlock = (words: string) => ({ type: 'text', text: text(words) });
      const toolBlock = (name: string, input: object) => ({ type: 'tool_use', id: `toolu_${uuid(rng).replace(/-/g, '').slice(0, 24)}`, name, input });
      const result = (chain: 'main' | 'side', toolUseId: string, content: unknown, isError = false, toolUseResult: unknown = { stdout: text('ok'), stderr: '' }) => {
        const ms = stamp();
        target.write(base(chain, 'user', ms, { message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content, ...(isError ? { is_error: true } : {}) }] }, toolUseResult }));
        extend(chain, ms);
      };
      /** A few ordinary tool calls and answers inside whatever window is open. */
      const work = (chain: 'main' | 'side', n: number) => {
        for (let k = 0; k < n; k++) {
          const owner = open[chain];
          const attribution = owner && owner.kind === 'tool' && rng.chance(0.3) ? owner.skill : undefined;
          const call = rng.chance(0.5) ? toolBlock('Read', { file_path: `/home/dev/code/${marker}secret.ts` }) : toolBlock('Bash', { command: text('npm test'), description: text('run tests') });
          const blocks = rng.chance(0.4) ? [{ type: 'thinking', thinking: text('let me think'), signature: 'sig' }, textBlock('Looking.'), call] : [textBlock('Checking.'), call];
          respond(chain, blocks, owner, { attribution });
          const big = bigBytes > 0 && rng.chance(0.05);
          const content = big
            ? `${text('export const data = [')}\n${'  "line of a large file with \\"quotes\\" and ünïcode",\n'.repeat(Math.ceil(bigBytes / 56))}];`
            : rng.chance(0.1)
              ? text('{"type":"user","message":{"content":"<command-name>/not-a-run</command-name>"}}\n{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Skill","input":{"skill":"ghost"}}]}}')
              : rng.chance(0.5) ? [{ type: 'text', text: text('file contents') }] : text('exit 0');
          result(chain, (call as { id: string }).id, content);
          if (rng.chance(0.15)) automatic(chain);
        }
        if (rng.chance(0.8)) respond(chain, [textBlock('Done: the test passes now.')], open[chain]);
      };
      /** A Skill call; `lead` writes a text block first (its response then lies in the window before). */
      const skillCall = (chain: 'main' | 'side', skill: string, fate: 'ok' | 'error' | 'interrupted-result' | 'no-result') => {
        const lead = rng.chance(0.5);
        const before = open[chain];
        const input = rng.chance(0.8) ? { skill: rng.chance(0.1) ? `/${skill}` : skill, args: text('focus on the parser') } : { command: skill, args: text('x') };
        const call = toolBlock('Skill', input);
        const blocks = lead ? [textBlock(`I will use the ${skill} skill.`), call] : [call];
        // The issuing response: in the window before when its first record is (lead), else in none.
        const usage: GeneratedTokens = { input: rng.int(1, 40), output: rng.int(20, 300), cacheCreation: rng.int(0, 3000), cacheRead: rng.int(1000, 50000) };
        const messageId = `msg_${uuid(rng).replace(/-/g, '').slice(0, 24)}`;
        const requestId = `req_${uuid(rng).replace(/-/g, '').slice(0, 24)}`;
        let run: Run | null = null;
        blocks.forEach((block, j) => {
          const ms = stamp();
          const isCall = block === call;
          const rec = base(chain, 'assistant', ms, {
            message: { id: messageId, type: 'message', role: 'assistant', model: MODELS[0], content: [block],
              usage: { input_tokens: usage.input, cache_creation_input_tokens: usage.cacheCreation, cache_read_input_tokens: usage.cacheRead, output_tokens: j === blocks.length - 1 ? usage.output : 5 } },
            requestId,
          });
          target.write(rec);
          if (isCall) {
            open[chain] = null;
            run = newRun({ id: `tool:${(call as { id: string }).id}`, kind: 'tool', skill, builtin: false, chain, invokedAt: rec.timestamp, outcome: 'pending', errorType: null });
          } else {
            extend(chain, ms);
          }
        });
        if (lead && before) {
          before.responses++;
          addTokens(before.tokens, usage);
        }
        const r = run as unknown as Run;
        const id = (call as { id: string }).id;
        if (fate === 'ok') {
          result(chain, id, `Launching skill: ${skill}`, false, { success: true, commandName: skill });
          const ms = stamp();
          target.write(base(chain, 'user', ms, { isMeta: true, message: { role: 'user', content: [{ type: 'text', text: text(`Base directory for this skill: /home/dev/.claude/skills/${skill}\n\n# Instructions`) }] } }));
          extend(chain, ms);
          r.outcome = 'completed';
        } else if (fate === 'error') {
          const [type, template] = rng.pick(ERRORS);
          result(chain, id, text(template.replace('%s', skill)), true, `Error: ${text(template.replace('%s', skill))}`);
          r.outcome = 'failed';
          r.errorType = type;
        } else if (fate === 'interrupted-result') {
          result(chain, id, '[Request interrupted by user for tool use]', true, 'Error: [Request interrupted by user for tool use]');
          r.outcome = 'abandoned';
        }
        return r;
      };
      const slash = (chain: 'main' | 'side', name: string, builtin: boolean) => {
        const ms = tick(5000, 60000);
        endWindow(chain, false);
        const args = rng.chance(0.5) ? `<command-args>${text('--fast')}</command-args>` : '<command-args></command-args>';
        const body = rng.chance(0.5)
          ? `<command-message>${name} is running…</command-message>\n<command-name>/${name}</command-name>\n${args}`
          : `<command-name>/${name}</command-name>\n<command-message>${name}</command-message>\n${args}`;
        const rec = base(chain, 'user', ms, { message: { role: 'user', content: rng.chance(0.5) ? body : [{ type: 'text', text: body }] } });
        target.write(rec);
        newRun({ id: `slash:${sessionId}:${rec.uuid}`, kind: 'slash', skill: name, builtin, chain, invokedAt: rec.timestamp, outcome: 'completed', errorType: null });
        if (!builtin) {
          const ms2 = stamp();
          target.write(base(chain, 'user', ms2, { isMeta: true, message: { role: 'user', content: [{ type: 'text', text: text(`Run the ${name} checklist.`) }] } }));
          extend(chain, ms2);
        }
      };
      const subagent = (inline: boolean) => {
        const task = toolBlock('Task', { description: text('explore'), prompt: text('find the bug'), subagent_type: 'general-purpose' });
        respond('main', [textBlock('Delegating.'), task], open.main);
        const saved = target;
        agentId = uuid(rng).slice(0, 8);
        if (!inline) {
          target = new LineFile(path.join(options.outDir, slug, sessionId, 'subagents', `agent-${agentId}.jsonl`));
          subagentFiles.push(target);
          last.side = null;
        }
        const progress = (message: object) => {
          if (inline) return;
          const ms = stamp();
          saved.write(base('main', 'progress', ms, { data: { message: { type: 'assistant', message }, type: 'agent_progress', prompt: text('find the bug') }, toolUseID: (task as { id: string }).id, parentToolUseID: (task as { id: string }).id }));
          extend('main', ms);
        };
        prompt('side', 'text');
        const n = rng.int(1, 2);
        for (let k = 0; k < n; k++) {
          const u = respond('side', [textBlock('Searching.')], open.side);
          progress({ id: 'msg_progress', model: MODELS[2], content: [{ type: 'text', text: text('Searching.') }], usage: { input_tokens: u.input, output_tokens: u.output } });
        }
        if (rng.chance(0.6)) {
          const skill = rng.pick(SKILLS);
          skillCall('side', skill, 'ok');
          work('side', 1);
        }
        respond('side', [textBlock('Found it.')], open.side);
        target = saved;
        agentId = null;
        result('main', (task as { id: string }).id, [{ type: 'text', text: text('The bug is in parse().') }], false, { status: 'completed', content: [{ type: 'text', text: text('The bug is in parse().') }] });
      };

      if (resumed) {
        // The copied turn's records belong to the previous session; this session starts a new turn.
        clock += 60_000;
      }
      const turns = options.turns ?? 12;
      for (let t = 0; t < turns; t++) {
        file.turn = [];
        const lastTurn = t === turns - 1;
        const shape = lastTurn ? (endsPending ? 'pending' : 'skill') : rng.pick(['skill', 'skill', 'skill2', 'slash', 'slash-skill', 'builtin', 'model', 'plain', 'interrupt', 'error', 'subagent', 'noresult', 'attrib', 'misc']);
        if (shape === 'slash' || shape === 'slash-skill' || shape === 'builtin') {
          const builtin = shape === 'builtin';
          slash('main', builtin ? rng.pick(BUILTINS) : rng.pick(CUSTOM_COMMANDS), builtin);
          if (builtin) {
            automatic('main');
            continue;
          }
          work('main', rng.int(0, 2));
          if (shape === 'slash-skill') {
            skillCall('main', rng.pick(SKILLS), 'ok');
            work('main', rng.int(1, 2));
          }
          continue;
        }
        if (shape === 'model') {
          endWindow('main', false);
          const ms = tick(5000, 60000);
          const rec = base('main', 'system', ms, { subtype: 'local_command', content: '<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args></command-args>', level: 'info' });
          target.write(rec);
          newRun({ id: `slash:${sessionId}:${rec.uuid}`, kind: 'slash', skill: 'model', builtin: true, chain: 'main', invokedAt: rec.timestamp, outcome: 'completed', errorType: null });
          automatic('main');
          continue;
        }
        prompt('main', rng.chance(0.1) ? 'image' : rng.chance(0.1) ? 'jsonl' : 'text');
        if (shape === 'plain') {
          work('main', rng.int(1, 3));
        } else if (shape === 'misc') {
          // Records no rule counts, between ordinary work.
          target.write({ type: 'summary', summary: text('Fixing the parser'), leafUuid: last.main });
          target.write({ type: 'file-history-snapshot', messageId: uuid(rng), snapshot: { messageId: uuid(rng), trackedFileBackups: { 'src/a.ts': { backupFileName: `${marker}abc@v1`, content: text('x'.repeat(20000)) } }, timestamp: iso(clock) }, isSnapshotUpdate: false });
          target.write({ type: 'queue-operation', operation: 'enqueue', timestamp: iso(clock), sessionId, content: text('queued prompt') });
          target.write({ type: 'last-prompt', lastPrompt: text('the last prompt'), sessionId });
          target.write({ type: 'pr-link', prUrl: `https://github.com/acme/app/pull/1?${marker}`, sessionId, timestamp: iso(clock) });
          respond('main', [textBlock('API Error: overloaded')], open.main, { synthetic: true });
          target.write(base('main', 'user', stamp(), { isCompactSummary: true, message: { role: 'user', content: text('This session is being continued from a previous conversation.') } }));
          work('main', 1);
        } else if (shape === 'subagent') {
          if (rng.chance(0.5)) skillCall('main', rng.pick(SKILLS), 'ok');
          subagent(oldStyle);
          work('main', 1);
        } else if (shape === 'attrib') {
          // A response outside any window that names a skill used before in this session (or never used in this file).
          const used = skillsThisSession.length && rng.chance(0.7) ? rng.pick(skillsThisSession) : null;
          // The rule's target: the latest run of that skill in the file, the same chain first.
          const owner = used ? (latest.get(`main:${used}`) ?? latest.get(`side:${used}`) ?? null) : null;
          const skill = owner ? owner.skill : `never-used-${rng.int(1, 3)}`;
          const u = respond('main', [textBlock('Following the skill.')], owner, { attribution: skill });
          if (!owner) out.attributions.push({ skill, sessionId, file: file.path, tokens: u });
        } else if (shape === 'pending') {
          skillCall('main', rng.pick(SKILLS), 'no-result');
        } else {
          const fate = shape === 'error' ? 'error' : shape === 'noresult' ? 'no-result' : rng.chance(0.1) ? 'interrupted-result' : 'ok';
          skillCall('main', rng.pick(SKILLS), fate);
          if (fate !== 'interrupted-result') work('main', rng.int(1, 3));
          if (shape === 'skill2') {
            skillCall('main', rng.pick(SKILLS), 'ok');
            work('main', rng.int(1, 2));
          }
          if (shape === 'interrupt' || fate === 'interrupted-result') prompt('main', 'interrupt');
        }
      }
      for (const f of subagentFiles) {
        f.close(false);
        out.files.push({ path: f.path, sessionId, subagent: true, noFinalNewline: false, bytes: f.bytes });
      }
      const dropped = file.close(noFinalNewline);
      out.files.push({ path: file.path, sessionId, subagent: false, noFinalNewline: dropped, bytes: file.bytes });
      previous = { sessionId, lastTurn: file.turn };
      clock += rng.int(3_600_000, 30 * 3_600_000);
    }
  }
  for (const run of runsById.values()) {
    const { endMs: _endMs, ...pub } = run;
    out.runs.push(pub);
  }
  return out;
}
