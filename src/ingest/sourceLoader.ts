/**
 * Loads one input file: stat, size limit, read, hash, decode, parse, validate. Pure (no database),
 * so it runs on the main thread for small jobs and in a worker thread for large ones.
 *
 * The writers rewrite their files in place without a lock (B1): a read can catch a file truncated or
 * half-written. Such a read is retried a few times before the file is reported; a parse failure is
 * never taken to mean "no records".
 */
import { constants as fsc, promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { BatchBuilder } from '../common/recordBatch';
import type { SealedBatch } from '../common/recordBatch';
import type { InvalidSummary } from './invalidRecords';
import { InvalidRecords } from './invalidRecords';
import { readCorrelatedSessions } from './readers/correlatedSessionJson';
import { readInvocationList, readSkillMetrics } from './readers/skillMetricsJson';
import type { KnownPrefix } from './knownPrefix';
import { hashes, knownPrefix, parseTail, prefixCut } from './knownPrefix';
import { readSkillsDb } from './readers/skillsDb';
import { SourceProblem } from './readers/sourceProblem';
import { readWorkflowEvents } from './readers/workflowEventsJson';
import type { SourceKind } from './sourceKinds';

export interface LoadJob {
  path: string;
  kind: SourceKind;
  maxBytes: number;
  /** Hash of the content ingested last time: equal content is not parsed again. */
  previousHash: string | null;
  /** For a large skill_metrics.json: the prefix known from last time, and the format it had (knownPrefix.ts). */
  previousPrefix?: (KnownPrefix & { format: string }) | null;
  /** Delays between attempts when a file looks half-written; default 150, 400, 1000 ms. */
  retryDelaysMs?: number[];
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/**
 * What decides whether a file changed: size and mtime. A SQLite database's WAL sidecar changes without
 * touching the database file, so for `skills_db` the sidecar's size and mtime are folded in.
 */
export async function fileStamp(path: string, kind: SourceKind): Promise<FileStamp & { isFile: boolean }> {
  const st = await fsp.stat(path);
  const stamp = { size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile() };
  if (kind === 'skills_db') {
    try {
      const wal = await fsp.stat(`${path}-wal`);
      stamp.size += wal.size;
      stamp.mtimeMs = Math.max(stamp.mtimeMs, wal.mtimeMs);
    } catch {
      // no sidecar
    }
  }
  return stamp;
}

export type LoadResult =
  | ({ status: 'unchanged'; hash: string } & FileStamp)
  | ({
      status: 'parsed';
      hash: string;
      format: string;
      seen: number;
      invalid: InvalidSummary;
      batch: SealedBatch;
      attempts: number;
      /** Only the tail after the known prefix was parsed. */
      tailOnly: boolean;
      /** The prefix to remember for next time (null: parse whole next time). */
      prefix: KnownPrefix | null;
    } & FileStamp)
  | ({ status: 'problem'; hash: string | null; message: string } & FileStamp);

export const DEFAULT_RETRY_DELAYS_MS = [150, 400, 1000];

export async function loadSource(job: LoadJob, onRetry?: (attempt: number, reason: string) => void): Promise<LoadResult> {
  const delays = job.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 1; ; attempt++) {
    const { result, transient } = await loadOnce(job, attempt);
    if (!transient) return result;
    if (attempt > delays.length) {
      const failed = result as Extract<LoadResult, { status: 'problem' }>;
      return { ...failed, message: attempt > 1 ? `${failed.message} (still so after ${attempt} reads)` : failed.message };
    }
    onRetry?.(attempt, (result as Extract<LoadResult, { status: 'problem' }>).message);
    await sleep(delays[attempt - 1]!);
  }
}

interface Attempt {
  result: LoadResult;
  /** The file may be caught mid-rewrite: worth reading again in a moment. */
  transient: boolean;
}

async function loadOnce(job: LoadJob, attempt: number): Promise<Attempt> {
  let stamp: FileStamp = { size: 0, mtimeMs: 0 };
  const fail = (hash: string | null, message: string, transient = false): Attempt => ({
    result: { status: 'problem', hash, message, ...stamp },
    transient,
  });
  try {
    const before = await fileStamp(job.path, job.kind);
    stamp = { size: before.size, mtimeMs: before.mtimeMs };
    if (!before.isFile) return fail(null, 'not a regular file');
    if (before.size > job.maxBytes) return fail(null, tooLarge('file', before.size, job.maxBytes));
    const bytes = await readInputFile(job.path, job.maxBytes, 'file');
    const wal = job.kind === 'skills_db' ? await readOptional(`${job.path}-wal`, job.maxBytes - bytes.length) : undefined;
    const after = await fileStamp(job.path, job.kind);
    if (bytes.length + (wal?.length ?? 0) !== after.size || after.mtimeMs !== before.mtimeMs) {
      return fail(null, 'file changed while it was read', true);
    }
    const prior = job.kind === 'skill_metrics' && job.previousPrefix && job.previousPrefix.bytes < bytes.length ? job.previousPrefix : null;
    const cut = job.kind === 'skill_metrics' ? prefixCut(bytes) : null;
    const { full: hash, at } = hashes(bytes, [prior?.bytes ?? -1, cut ?? -1], wal);
    if (hash === job.previousHash) return { result: { status: 'unchanged', hash, ...stamp }, transient: false };
    try {
      const tail = prior && at.get(prior.bytes) === prior.hash ? parseKnownTail(bytes, prior) : null;
      const parsed = tail ?? (await parse(job.kind, bytes, wal));
      const prefix = cut !== null ? knownPrefix(bytes, cut, at.get(cut)!, parsed.seen) : null;
      return { result: { status: 'parsed', hash, ...stamp, ...parsed, attempts: attempt, tailOnly: tail !== null, prefix }, transient: false };
    } catch (err) {
      if (err instanceof SourceProblem) return fail(hash, err.message, err.transient);
      throw err;
    }
  } catch (err) {
    if (err instanceof SourceProblem) return fail(null, err.message, err.transient);
    return fail(null, fileErrorMessage(err));
  }
}

async function parse(
  kind: SourceKind,
  bytes: Buffer,
  wal: Buffer | undefined,
): Promise<{ format: string; seen: number; invalid: InvalidSummary; batch: SealedBatch }> {
  const out = new BatchBuilder();
  const invalid = new InvalidRecords();
  let result: { format: string; seen: number };
  if (kind === 'skills_db') {
    result = await readSkillsDb(bytes, wal, out, invalid);
  } else {
    const doc = parseJson(bytes);
    if (kind === 'skill_metrics') result = readSkillMetrics(doc, out, invalid);
    else if (kind === 'workflow_events') result = readWorkflowEvents(doc, out, invalid);
    else result = readCorrelatedSessions(doc, out, invalid);
  }
  return { ...result, invalid: invalid.summary(), batch: out.seal() };
}

/** The invocations after a known, unchanged prefix; null when the tail is not as expected (then: parse whole). */
function parseKnownTail(
  bytes: Buffer,
  prior: KnownPrefix & { format: string },
): { format: string; seen: number; invalid: InvalidSummary; batch: SealedBatch } | null {
  if (!isUtf8(bytes.subarray(prior.bytes))) return null;
  const items = parseTail(bytes, prior);
  if (!items) return null;
  const out = new BatchBuilder();
  const invalid = new InvalidRecords();
  const tail = readInvocationList(items, prior.format === 'v3', prior.records, out, invalid);
  const formats = new Set([...prior.format.split('+'), ...tail.format.split('+')].filter((f) => f.startsWith('v') && f !== 'v1/v2'));
  const format = formats.size ? [...formats].sort().join('+') : prior.format;
  return { format, seen: prior.records + tail.seen, invalid: invalid.summary(), batch: out.seal() };
}

/** Decodes and parses a JSON file; truncation-like failures are transient (the writer may be mid-rewrite). */
export function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new SourceProblem('file is empty (0 bytes)', true);
  if (!isUtf8(bytes)) {
    throw new SourceProblem(`not UTF-8 text: invalid byte sequence at offset ${firstInvalidUtf8Offset(bytes)}`, true);
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new SourceProblem(`file is empty (${bytes.length} bytes of whitespace)`, true);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SourceProblem(`not valid JSON: ${describeJsonError((err as Error).message, text)}`, true);
  }
}

/**
 * What is wrong with a JSON text and where (line, column), never what it holds: the engine's own message
 * quotes the text (`Unexpected token 'r', "root:x:0:0"...`), and problems are stored and shown.
 */
export function describeJsonError(engineMessage: string, text: string): string {
  const position = /at position (\d+)/.exec(engineMessage);
  let what: string;
  if (/Unexpected end of JSON input/.test(engineMessage)) what = 'it ends in the middle of a value (cut off?)';
  else if (/^Unexpected token/.test(engineMessage)) what = 'unexpected character';
  else if (/^Unexpected non-whitespace character after JSON/.test(engineMessage)) what = 'more text after the JSON value';
  else {
    // The engine's grammar messages (`Expected ',' or '}' after property value`, `Bad control character in
    // string literal`) quote grammar characters only; anything else is not repeated.
    const head = engineMessage.split(/ in JSON| at position/)[0]!.trim();
    what = /^[A-Za-z][A-Za-z ,'{}[\]:]*$/.test(head) && !/^Unexpected/.test(head) ? lowerFirst(head) : 'syntax error';
  }
  const at = position ? Number(position[1]) : (unexpectedTokenPosition(engineMessage, text) ?? text.length);
  return `${what} at ${lineColumn(text, at)}`;
}

/**
 * Where V8's `Unexpected token 'x', "<context>"... is not valid JSON` points. The context is the text from
 * 10 characters before the token to 10 after, cut at either end (`"...` / `..."`), or the whole text.
 */
function unexpectedTokenPosition(message: string, text: string): number | undefined {
  const m = /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (!m) return undefined;
  const [, token, before, context, after] = m as unknown as [string, string, string | undefined, string, string | undefined];
  if (!before && after) return Math.max(0, context.length - 10); // the start of the text
  if (before && !after) return Math.max(0, text.length - context.length + 10); // the end
  if (before && after) {
    const i = text.indexOf(context);
    return i === -1 ? undefined : i + 10;
  }
  const i = text.indexOf(token); // the whole text is short: its first such character
  return i === -1 ? undefined : i;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** `line L, column C` (1-based) of a UTF-16 offset in `text`. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function firstInvalidUtf8Offset(bytes: Buffer): number {
  // Binary search for the shortest invalid prefix would miss a split multi-byte tail; scan instead.
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (len === 0) return i;
    if (len > 1 && !isUtf8(bytes.subarray(i, i + len))) return i;
    i += len;
  }
  return bytes.length;
}

/** A sidecar file (SQLite's -wal), checked as the main file is; undefined when there is none. */
async function readOptional(path: string, maxBytes: number): Promise<Buffer | undefined> {
  try {
    return await readInputFile(path, maxBytes, 'its -wal file');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof SourceProblem) throw err;
    throw new SourceProblem(`its -wal file: ${fileErrorMessage(err)}`);
  }
}

/**
 * Reads one input file whole, with the checks every input gets: a regular file only (a FIFO would block
 * for ever, a device such as /dev/zero never ends, also behind a symbolic link), and at most `maxBytes`.
 * The type and size are taken from the opened file itself, so a swap between a check and the read cannot
 * slip past; opening does not block (O_NONBLOCK), and no more than the size measured is read.
 */
export async function readInputFile(path: string, maxBytes: number, what: string): Promise<Buffer> {
  const handle = await fsp.open(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new SourceProblem(`${what === 'file' ? 'not' : `${what} is not`} a regular file (${fileType(st)})`);
    if (st.size > maxBytes) throw new SourceProblem(tooLarge(what, st.size, maxBytes));
    const buffer = Buffer.alloc(st.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length !== st.size) throw new SourceProblem(`${what} changed while it was read`, true);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function fileType(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a file';
}

function tooLarge(what: string, size: number, maxBytes: number): string {
  const limit = what === 'file' ? `the limit is ${mb(maxBytes)} MB` : `more than the ${mb(maxBytes)} MB the database file leaves of the limit`;
  return `${what} is too large: ${mb(size)} MB, ${limit} (raise skillMetrics.maxFileSizeMB or --max-file-mb to read it)`;
}

/** A file-system error as a sentence: permission denied, vanished, symlink loop, ... */
export function fileErrorMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the file cannot be read by this user)';
    case 'ENOENT':
      return 'file disappeared before it could be read';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENXIO':
      return 'not a regular file (a socket or a device without a reader)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files; try again';
    default:
      return `cannot be read: ${(err as Error)?.message ?? String(err)}`;
  }
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
