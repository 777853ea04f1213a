/**
 * One transcript line -> the few facts the rules of DESIGN.md section 8 need, and nothing else: no text
 * of a prompt, a tool's input or output, or a file is kept (only how a text begins is looked at, to tell
 * a prompt from an automatic message or a command). Only top-level records count (FORMATS section 4:
 * never grep, tool results hold whole other transcripts); the walk never enters tool inputs, tool
 * results' bodies, `progress` data or `file-history-snapshot` contents.
 *
 * The small values that are read are validated with zod; a record that fails is reported by line.
 */
import { z } from 'zod';
import { describeIssue, timestampString } from '../schemas';
import { checkTimestamp, hasZoneDesignator } from '../timestamps';
import { STOP, decode, decodeStringHead, forEachElement, forEachField, keyText, kindAt, skipSpace, skipValue } from './jsonScan';
import type { SkillErrorType } from './vocabulary';
import { classifyError, isAutomaticText, isInterrupt, modelName, skillName } from './vocabulary';

export type Chain = 'main' | 'side';

export interface TokenCounts {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

export interface RecordHead {
  type: 'user' | 'assistant' | 'system' | 'progress';
  uuid: string | null;
  sessionId: string | null;
  cwd: string | null;
  chain: Chain;
  /** The timestamp as written, and its instant (ms); null when the record has none. */
  timestamp: string | null;
  at: number | null;
}

export interface ToolResultFact {
  toolUseId: string;
  isError: boolean;
  /** For an error: its type from the closed list; "[Request interrupted…]" results are `interrupted`. */
  errorType: SkillErrorType | null;
  interrupted: boolean;
}

export interface SkillCallFact {
  /** The tool_use block's id (null when the block has none). */
  id: string | null;
  skill: string;
}

export type PromptKind = 'real' | 'interrupt' | 'none';

export interface EventRecord {
  kind: 'event';
  head: RecordHead;
  /** user and system (local_command) records: the command's name when the record is a slash command. */
  slash: string | null;
  /** user records: a real prompt (ends windows), an interrupt (ends and abandons), or neither. */
  prompt: PromptKind;
  toolResults: ToolResultFact[];
  /** assistant records. */
  responseKey: string | null;
  model: string | null;
  usage: TokenCounts | null;
  skillCalls: SkillCallFact[];
  attributionSkill: string | null;
  /** Parts of the record the rules could not use (e.g. a Skill call without a usable name): reported by line. */
  notes: string[];
}

/** Types that carry nothing a rule uses (FORMATS section 4), skipped without reading further. */
export const SKIPPED_TYPES: ReadonlySet<string> = new Set(['summary', 'file-history-snapshot', 'pr-link', 'last-prompt', 'queue-operation']);

export type ParsedLine =
  | EventRecord
  | { kind: 'skipped'; type: string }
  | { kind: 'unknown' };

const EVENT_TYPES = new Set(['user', 'assistant', 'system', 'progress']);
/** Small values only: a top-level value larger than this where a short one belongs is invalid. */
const SMALL = 16 * 1024;
const TOO_LONG = Symbol('too long');

const id = z.string().min(1).max(300);
const flag = z.boolean().nullish();

export const recordHeadSchema = z.object({
  type: z.string(),
  uuid: id.nullish(),
  sessionId: id.nullish(),
  cwd: z.string().max(4096).nullish(),
  timestamp: timestampString.nullish(),
  isSidechain: flag,
  isMeta: flag,
  isCompactSummary: flag,
  isVisibleInTranscriptOnly: flag,
  requestId: id.nullish(),
  attributionSkill: z.string().max(300).nullish(),
  subtype: z.string().max(100).nullish(),
});

const count = z.number().finite().nonnegative().nullish();
export const usageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
});

export const messageHeadSchema = z.object({ id: id.nullish(), model: z.string().max(300).nullish() });

export const skillInputSchema = z.object({
  skill: z.string().max(300).nullish(),
  command: z.string().max(300).nullish(),
  name: z.string().max(300).nullish(),
});

export const toolResultHeadSchema = z.object({ tool_use_id: id, is_error: z.boolean().nullish() });

/** A line failed: the reason (no file contents in it). */
export class LineProblem extends Error {}

/** A small value decoded; the common shapes (plain strings, booleans) without JSON.parse. */
function small(b: Buffer, s: number, e: number): unknown {
  if (e - s > SMALL) return TOO_LONG;
  const c = b[s];
  if (c === 0x22) {
    let plain = true;
    for (let i = s + 1; i < e - 1; i++) {
      if (b[i] === 0x5c) {
        plain = false;
        break;
      }
    }
    if (plain) return b.toString('utf8', s + 1, e - 1);
  } else if (c === 0x74 && e - s === 4 && b[s + 1] === 0x72 && b[s + 2] === 0x75 && b[s + 3] === 0x65) {
    return true;
  } else if (c === 0x66 && e - s === 5 && b[s + 1] === 0x61 && b[s + 2] === 0x6c && b[s + 3] === 0x73 && b[s + 4] === 0x65) {
    return false;
  }
  return decode(b, s, e);
}

function reason(error: z.ZodError, what: string): string {
  return `${what}${describeIssue(error).replace(/symbol/g, 'a value that is too long')}`;
}

/*
 * zod decides and explains what is valid. Most records are, and zod costs microseconds a record (a large
 * share of a 700 MB read), so the common shapes are first checked by these plain tests of exactly the same
 * rules; anything they do not pass goes to zod, which accepts it or says why not (tested to agree).
 */
const optString = (v: unknown, min: number, max: number) => v === undefined || v === null || (typeof v === 'string' && v.length >= min && v.length <= max);
const optBool = (v: unknown) => v === undefined || v === null || typeof v === 'boolean';
const optCount = (v: unknown) => v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

export function quickHead(h: Record<string, unknown>): z.infer<typeof recordHeadSchema> | null {
  const ts = h.timestamp;
  const ok =
    typeof h.type === 'string' && optString(h.uuid, 1, 300) && optString(h.sessionId, 1, 300) && optString(h.cwd, 0, 4096) &&
    (ts === undefined || ts === null || (typeof ts === 'string' && typeof checkTimestamp(ts) !== 'string')) &&
    optBool(h.isSidechain) && optBool(h.isMeta) && optBool(h.isCompactSummary) && optBool(h.isVisibleInTranscriptOnly) &&
    optString(h.requestId, 1, 300) && optString(h.attributionSkill, 0, 300) && optString(h.subtype, 0, 100);
  return ok ? (h as z.infer<typeof recordHeadSchema>) : null;
}

export function quickUsage(u: unknown): z.infer<typeof usageSchema> | null {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return null;
  const v = u as Record<string, unknown>;
  return optCount(v.input_tokens) && optCount(v.output_tokens) && optCount(v.cache_creation_input_tokens) && optCount(v.cache_read_input_tokens)
    ? (v as z.infer<typeof usageSchema>)
    : null;
}

export function quickMessageHead(m: { id: unknown; model: unknown }): z.infer<typeof messageHeadSchema> | null {
  return optString(m.id, 1, 300) && optString(m.model, 0, 300) ? (m as z.infer<typeof messageHeadSchema>) : null;
}

/** The value when valid; else null, with the reason noted (the rest of the record is still used). */
function check<T>(schema: z.ZodType<T>, value: unknown, what: string, notes: string[]): T | null {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  notes.push(reason(r.error, what));
  return null;
}

/** What a user message holds, before the record's flags (which may follow it) are known. */
interface UserFacts {
  firstText: string | null;
  firstTextRange: [number, number] | null;
  hasImage: boolean;
  toolResults: ToolResultFact[];
}

/** What an assistant message holds. */
interface AssistantFacts {
  id: unknown;
  model: unknown;
  usage: unknown;
  skillCalls: SkillCallFact[];
}

/** Parses one line (without its newline). Throws `ScanError` (not JSON) or `LineProblem` (an unusable record). */
export function parseLine(b: Buffer): ParsedLine {
  const end = b.length;
  const start = skipSpace(b, 0, end);
  if (kindAt(b, start) !== 'object') throw new LineProblem('not a JSON object');
  const head: Record<string, unknown> = {};
  const notes: string[] = [];
  let message: [number, number] | null = null;
  let user: UserFacts | null = null;
  let assistant: AssistantFacts | null = null;
  let content: [number, number] | null = null;
  let skip: string | null = null;
  const stop = forEachField(b, start, end, (ks, ke, vs) => {
    const key = keyText(b, ks, ke);
    switch (key) {
      case 'type': {
        const ve = skipValue(b, vs, end);
        const type = small(b, vs, ve);
        head.type = type;
        if (typeof type === 'string' && SKIPPED_TYPES.has(type)) {
          skip = type;
          return STOP; // no deeper look (file-history-snapshot can be very large)
        }
        return ve;
      }
      case 'message':
        // Walked once, as it is read (Claude Code writes "type" before "message"); else read after.
        if (head.type === 'user') return readUser(b, vs, end, (user = emptyUser()), notes);
        if (head.type === 'assistant') return readAssistant(b, vs, end, (assistant = emptyAssistant()), notes);
        if (head.type === undefined) {
          const ve = skipValue(b, vs, end);
          message = [vs, ve];
          return ve;
        }
        return;
      case 'content': {
        const ve = skipValue(b, vs, end);
        content = [vs, ve];
        return ve;
      }
      case 'uuid': case 'sessionId': case 'cwd': case 'timestamp': case 'isSidechain': case 'isMeta': case 'isCompactSummary':
      case 'isVisibleInTranscriptOnly': case 'requestId': case 'attributionSkill': case 'subtype': {
        const ve = skipValue(b, vs, end);
        head[key] = small(b, vs, ve);
        return ve;
      }
      default:
        return;
    }
  });
  if (skip !== null) return { kind: 'skipped', type: skip };
  if (skipSpace(b, stop, end) !== end) throw new LineProblem('text after the JSON object');
  if (head.type === undefined) throw new LineProblem('record without a "type"');
  if (typeof head.type === 'string' && !EVENT_TYPES.has(head.type)) return { kind: 'unknown' };
  let h = quickHead(head);
  if (!h) {
    const parsed = recordHeadSchema.safeParse(head);
    if (!parsed.success) throw new LineProblem(reason(parsed.error, ''));
    h = parsed.data;
  }
  const late = message as [number, number] | null;
  if (late && h.type === 'user') readUser(b, late[0], late[1], (user = emptyUser()), notes);
  if (late && h.type === 'assistant') readAssistant(b, late[0], late[1], (assistant = emptyAssistant()), notes);
  const timestamp = h.timestamp ?? null;
  const record: EventRecord = {
    kind: 'event',
    head: {
      type: h.type as RecordHead['type'],
      uuid: h.uuid ?? null,
      sessionId: h.sessionId ?? null,
      cwd: h.cwd ?? null,
      chain: h.isSidechain ? 'side' : 'main',
      timestamp,
      at: timestamp === null ? null : instant(timestamp),
    },
    slash: null,
    prompt: 'none',
    toolResults: [],
    responseKey: null,
    model: null,
    usage: null,
    skillCalls: [],
    attributionSkill: null,
    notes,
  };
  const meta = h.isMeta === true || h.isCompactSummary === true || h.isVisibleInTranscriptOnly === true;
  if (h.type === 'user' && user) userRecord(b, user, meta, record);
  else if (h.type === 'assistant' && assistant) assistantRecord(assistant, h.requestId ?? null, h.attributionSkill ?? null, record);
  else if (h.type === 'system' && h.subtype === 'local_command' && content) {
    const [s, e] = content as [number, number];
    if (kindAt(b, s) === 'string') record.slash = slashName(b, s, e, decodeStringHead(b, s, e), notes);
  }
  return record;
}

/** Naive timestamps (Claude Code writes UTC with Z) are read as UTC. */
function instant(raw: string): number {
  return Date.parse(hasZoneDesignator(raw) ? raw : `${raw.replace(' ', 'T')}Z`);
}

const COMMAND_NAME_OPEN = Buffer.from('<command-name>');
const COMMAND_NAME_CLOSE = Buffer.from('</command-name>');

const startsCommand = (text: string) => {
  const t = text.trimStart();
  return t.startsWith('<command-name>') || t.startsWith('<command-message>');
};

/**
 * The command of a text that begins with `<command-name>` or `<command-message>` and holds
 * `<command-name>/NAME</command-name>` (either order); null for any other text. `head` is how it begins.
 */
function slashName(b: Buffer, s: number, e: number, head: string, notes: string[]): string | null {
  if (!startsCommand(head)) return null;
  const open = b.indexOf(COMMAND_NAME_OPEN, s);
  const close = open < 0 ? -1 : b.indexOf(COMMAND_NAME_CLOSE, open);
  if (open < 0 || open >= e || close < 0 || close >= e || close - open > 1024) {
    notes.push('a command record without a closed <command-name>');
    return null;
  }
  // The name's bytes as a JSON string body (escapes decoded), e.g. /review or /plugin:cmd
  let name: unknown;
  try {
    name = JSON.parse(`"${b.toString('utf8', open + COMMAND_NAME_OPEN.length, close)}"`);
  } catch {
    name = null;
  }
  const clean = skillName(name);
  if (clean === null) notes.push('a command record whose command name is not a name');
  return clean;
}

const emptyUser = (): UserFacts => ({ firstText: null, firstTextRange: null, hasImage: false, toolResults: [] });
const emptyAssistant = (): AssistantFacts => ({ id: undefined, model: undefined, usage: undefined, skillCalls: [] });

/** Walks a user message once; returns the index after it. */
function readUser(b: Buffer, ms: number, end: number, out: UserFacts, notes: string[]): number {
  if (kindAt(b, ms) !== 'object') return skipValue(b, ms, end);
  return forEachField(b, ms, end, (ks, ke, cs) => {
    if (keyText(b, ks, ke) !== 'content') return;
    if (kindAt(b, cs) === 'string') {
      const ce = skipValue(b, cs, end);
      out.firstText = decodeStringHead(b, cs, ce);
      out.firstTextRange = [cs, ce];
      return ce;
    }
    if (kindAt(b, cs) !== 'array') return;
    return forEachElement(b, cs, end, (es) => {
      if (kindAt(b, es) !== 'object') return;
      let type: unknown = null;
      let text: [number, number] | null = null;
      let inner: [number, number] | null = null;
      const fields: Record<string, unknown> = {};
      const ee = forEachField(b, es, end, (ks2, ke2, vs) => {
        const key = keyText(b, ks2, ke2);
        if (key !== 'type' && key !== 'text' && key !== 'content' && key !== 'tool_use_id' && key !== 'is_error') return;
        const ve = skipValue(b, vs, end);
        if (key === 'type') type = small(b, vs, ve);
        else if (key === 'text') text = [vs, ve];
        else if (key === 'content') inner = [vs, ve];
        else fields[key] = small(b, vs, ve);
        return ve;
      });
      if (type === 'tool_result') {
        const r = check(toolResultHeadSchema, fields, 'tool_result.', notes);
        if (!r) return ee;
        const isError = r.is_error === true;
        const resultText = isError && inner ? firstTextOf(b, inner) : '';
        const interrupted = isError && isInterrupt(resultText);
        out.toolResults.push({ toolUseId: r.tool_use_id, isError, interrupted, errorType: isError && !interrupted ? classifyError(resultText) : null });
      } else if (type === 'text' && text && out.firstText === null) {
        const [ts, te] = text as [number, number];
        if (kindAt(b, ts) === 'string') {
          out.firstText = decodeStringHead(b, ts, te);
          out.firstTextRange = [ts, te];
        }
      } else if (type === 'image') {
        out.hasImage = true;
      }
      return ee;
    });
  });
}

/** Decides what a user record is once its flags are known (DESIGN section 8: real prompt, command, neither). */
function userRecord(b: Buffer, u: UserFacts, meta: boolean, out: EventRecord): void {
  out.toolResults = u.toolResults;
  if (u.toolResults.length) return;
  const text = u.firstText ?? '';
  if (u.firstTextRange && startsCommand(text)) {
    out.slash = slashName(b, u.firstTextRange[0], u.firstTextRange[1], text, out.notes);
    return; // a command record (usable or not) is no prompt
  }
  if (meta) return;
  if (text.trim() === '' && !u.hasImage) return;
  if (text && isAutomaticText(text)) return;
  out.prompt = text && isInterrupt(text) ? 'interrupt' : 'real';
}

/** How a tool result's content begins: a string, or the first text block of an array. */
function firstTextOf(b: Buffer, [s, e]: [number, number]): string {
  if (kindAt(b, s) === 'string') return decodeStringHead(b, s, e, 1024);
  if (kindAt(b, s) !== 'array') return '';
  let found = '';
  forEachElement(b, s, e, (es) => {
    if (found || kindAt(b, es) !== 'object') return;
    let type: unknown = null;
    let text: [number, number] | null = null;
    const ee = forEachField(b, es, e, (ks, ke, vs) => {
      const key = keyText(b, ks, ke);
      if (key !== 'type' && key !== 'text') return;
      const ve = skipValue(b, vs, e);
      if (key === 'type') type = small(b, vs, ve);
      else text = [vs, ve];
      return ve;
    });
    if (type === 'text' && text && kindAt(b, (text as [number, number])[0]) === 'string') found = decodeStringHead(b, text[0], text[1], 1024);
    return ee;
  });
  return found;
}

/** Walks an assistant message once; returns the index after it. */
function readAssistant(b: Buffer, ms: number, end: number, out: AssistantFacts, notes: string[]): number {
  if (kindAt(b, ms) !== 'object') return skipValue(b, ms, end);
  return forEachField(b, ms, end, (ks, ke, vs) => {
    const key = keyText(b, ks, ke);
    if (key === 'id' || key === 'model' || key === 'usage') {
      const ve = skipValue(b, vs, end);
      out[key] = small(b, vs, ve);
      return ve;
    }
    if (key !== 'content' || kindAt(b, vs) !== 'array') return;
    return forEachElement(b, vs, end, (es) => {
      if (kindAt(b, es) !== 'object') return;
      const fields: Record<string, unknown> = {};
      let input: [number, number] | null = null;
      const ee = forEachField(b, es, end, (ks2, ke2, bs) => {
        const k = keyText(b, ks2, ke2);
        if (k !== 'type' && k !== 'name' && k !== 'id' && k !== 'input') return;
        const be = skipValue(b, bs, end);
        if (k === 'input') input = [bs, be];
        else fields[k] = small(b, bs, be);
        return be;
      });
      if (fields.type !== 'tool_use' || fields.name !== 'Skill') return ee;
      const names: Record<string, unknown> = {};
      if (input && kindAt(b, (input as [number, number])[0]) === 'object') {
        const [is, ie] = input as [number, number];
        forEachField(b, is, ie, (ks3, ke3, vs3) => {
          const k = keyText(b, ks3, ke3);
          if (k !== 'skill' && k !== 'command' && k !== 'name') return;
          const ve3 = skipValue(b, vs3, ie);
          names[k] = small(b, vs3, ve3);
          return ve3;
        });
      }
      const given = check(skillInputSchema, names, 'Skill input.', notes);
      const skill = given ? skillName(given.skill ?? given.command ?? given.name) : null;
      if (skill === null) {
        if (given) notes.push('a Skill call without a usable skill name');
        return ee;
      }
      out.skillCalls.push({ id: typeof fields.id === 'string' && fields.id && fields.id.length <= 300 ? fields.id : null, skill });
      return ee;
    });
  });
}

function assistantRecord(a: AssistantFacts, requestId: string | null, attribution: string | null, out: EventRecord): void {
  const m = quickMessageHead(a) ?? check(messageHeadSchema, { id: a.id, model: a.model }, 'message.', out.notes);
  out.model = m?.model ? modelName(m.model) : null;
  out.responseKey = m?.id && requestId ? `${m.id}\u0000${requestId}` : null;
  const u = a.usage === undefined || a.usage === null ? null : (quickUsage(a.usage) ?? check(usageSchema, a.usage, 'message.usage.', out.notes));
  if (u) {
    out.usage = {
      input: u.input_tokens ?? 0,
      output: u.output_tokens ?? 0,
      cacheCreation: u.cache_creation_input_tokens ?? 0,
      cacheRead: u.cache_read_input_tokens ?? 0,
    };
  }
  if (attribution !== null) {
    out.attributionSkill = skillName(attribution);
    if (out.attributionSkill === null) out.notes.push('attributionSkill is not a skill name (the window rule applies)');
  }
  out.skillCalls = a.skillCalls;
}
