/**
 * Reads one Claude Code transcript (DESIGN.md section 8) incrementally: streamed line by line from the
 * byte offset the previous read stopped at, the rules' state carried over, the result being the
 * invocations that are new or changed (upsert them by id: reads are idempotent).
 *
 * A file that is shorter than what was read, or whose bytes before the offset changed (the first and the
 * last 4 KB before it are fingerprinted), was rewritten: it is read again from byte 0 with fresh rules and
 * `reset` says so. The same runs get the same ids, so nothing is counted twice.
 *
 * A last line without a newline is used when it is a whole JSON record (copies without a final newline);
 * otherwise it is a line being written, kept for the next read (`offset` stays before it).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fileErrorMessage } from '../sourceLoader';
import { ScanError, skipSpace, skipValue } from './jsonScan';
import type { LineReadOptions } from './lineReader';
import { DEFAULT_MAX_LINE_BYTES, readLines } from './lineReader';
import type { ParsedLine } from './records';
import { LineProblem, parseLine } from './records';
import type { AttributedUsage, RuleState, TranscriptInvocation } from './rules';
import { TranscriptRules } from './rules';

export const STATE_VERSION = 1;
/** Bytes fingerprinted at the start of a file and before the read offset. */
const FINGERPRINT_BYTES = 4096;
const DEFAULT_MAX_PROBLEMS = 50;

/** Where a read stopped: a plain JSON value the caller stores per file and passes to the next read. */
export interface TranscriptFileState {
  version: typeof STATE_VERSION;
  /** Bytes consumed: the next read starts here. */
  offset: number;
  /** Lines consumed (the last one may lack its newline, see lineOpen). */
  line: number;
  /** The last line read had no newline yet (it was a whole record); its newline is still to come. */
  lineOpen: boolean;
  /** sha256 of the first and of the last (up to) 4 KB before `offset`. */
  fingerprint: string;
  /** The rules' state (open windows, awaited results, recent responses); null before the first read. */
  rules: RuleState | null;
}

export interface TranscriptProblem {
  file: string;
  /** 1-based line, or null for the file as a whole. */
  line: number | null;
  /** Why, never with the file's contents. */
  message: string;
}

export interface TranscriptReadStats {
  /** Bytes read in this read (not counting fingerprints). */
  bytes: number;
  lines: number;
  /** Records by what became of them. */
  used: number;
  skipped: number;
  unknownType: number;
  invalid: number;
  tooLong: number;
  /** Records whose session id is not the file's (copies, resumed sessions). */
  otherSession: number;
  /** Bytes after the last newline kept for the next read (a line being written). */
  partialBytes: number;
}

export interface TranscriptRead {
  file: string;
  /** The state to store and pass to the next read of this file. */
  state: TranscriptFileState;
  /** The byte offset this read started at. */
  from: number;
  /** The file was rewritten or truncated since the previous read: it was read from 0 (its runs all come again). */
  reset: boolean;
  /** Runs new or changed by this read (upsert by id). */
  invocations: TranscriptInvocation[];
  /** Tokens attributed (attributionSkill) to a skill with no run in the file; upsert by id. */
  usage: AttributedUsage[];
  problems: TranscriptProblem[];
  stats: TranscriptReadStats;
}

export interface TranscriptReadOptions extends LineReadOptions {
  /** At most this many problems are listed per read (then one line says how many more). */
  maxProblems?: number;
}

/** The session a transcript belongs to by its path: `<session>.jsonl` or `<session>/subagents/agent-*.jsonl`. */
export function sessionOfPath(file: string): string {
  const dir = path.dirname(file);
  if (path.basename(dir) === 'subagents') return path.basename(path.dirname(dir));
  return path.basename(file).replace(/\.jsonl$/i, '');
}

export function initialState(): TranscriptFileState {
  return { version: STATE_VERSION, offset: 0, line: 0, lineOpen: false, fingerprint: '', rules: null };
}

async function fingerprint(handle: fsp.FileHandle, offset: number): Promise<string> {
  const h = createHash('sha256');
  const headLength = Math.min(FINGERPRINT_BYTES, offset);
  const tailStart = Math.max(headLength, offset - FINGERPRINT_BYTES);
  const buf = Buffer.alloc(headLength + (offset - tailStart));
  if (headLength) await handle.read(buf, 0, headLength, 0);
  if (offset > tailStart) await handle.read(buf, headLength, offset - tailStart, tailStart);
  h.update(buf);
  return `${offset}:${h.digest('hex')}`;
}

/** Reads what is new in `file` since `previous` (null: never read). */
export async function readTranscript(file: string, previous: TranscriptFileState | null, options: TranscriptReadOptions = {}): Promise<TranscriptRead> {
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const problems: TranscriptProblem[] = [];
  let omitted = 0;
  const problem = (line: number | null, message: string): void => {
    if (problems.length < maxProblems) problems.push({ file, line, message });
    else omitted++;
  };
  const stats: TranscriptReadStats = { bytes: 0, lines: 0, used: 0, skipped: 0, unknownType: 0, invalid: 0, tooLong: 0, otherSession: 0, partialBytes: 0 };
  const usable = previous && previous.version === STATE_VERSION && previous.offset > 0 ? previous : null;

  // Resume or start over?
  let resume = usable;
  try {
    if (usable) {
      const handle = await fsp.open(file, 'r');
      try {
        const size = (await handle.stat()).size;
        if (size < usable.offset || (await fingerprint(handle, usable.offset)) !== usable.fingerprint) resume = null;
      } finally {
        await handle.close();
      }
    }
  } catch (err) {
    problem(null, `cannot be read: ${fileErrorMessage(err)}`);
    return { file, state: previous ?? initialState(), from: previous?.offset ?? 0, reset: false, invocations: [], usage: [], problems, stats };
  }
  const reset = usable !== null && resume === null;
  const from = resume?.offset ?? 0;
  const fileSession = sessionOfPath(file);
  const rules = new TranscriptRules(fileSession, resume?.rules ?? null);
  let lineOpen = resume?.lineOpen ?? false;
  let line = resume?.line ?? 0;

  const use = (bytes: Buffer, lineNumber: number): boolean => {
    let parsed: ParsedLine;
    try {
      parsed = parseLine(bytes);
    } catch (err) {
      if (err instanceof ScanError || err instanceof SyntaxError) {
        problem(lineNumber, `not JSON (${err instanceof ScanError ? err.message : 'invalid JSON value'}); skipped`);
      } else if (err instanceof LineProblem) {
        problem(lineNumber, `${err.message}; skipped`);
      } else {
        throw err;
      }
      stats.invalid++;
      return false;
    }
    if (parsed.kind === 'skipped') {
      stats.skipped++;
    } else if (parsed.kind === 'unknown') {
      stats.unknownType++;
      problem(lineNumber, 'a record of a type this version does not know; skipped');
    } else {
      stats.used++;
      if (parsed.head.sessionId !== null && parsed.head.sessionId !== fileSession) stats.otherSession++;
      for (const note of parsed.notes) problem(lineNumber, note);
      rules.apply(parsed, lineNumber);
    }
    return true;
  };

  let read;
  try {
    read = await readLines(
      file,
      from,
      lineOpen ? line : line + 1,
      {
        line: (bytes, lineNumber) => {
          stats.lines++;
          line = lineNumber;
          if (lineOpen) {
            // The rest of a line already read whole: only its newline is expected.
            lineOpen = false;
            if (bytes.length) problem(lineNumber, 'more text after a record that was read as complete; skipped');
            return;
          }
          if (bytes.length === 0 || (bytes.length < 8 && bytes.toString('latin1').trim() === '')) return;
          use(bytes, lineNumber);
        },
        tooLong: (lineNumber, _offset, length) => {
          stats.lines++;
          line = lineNumber;
          stats.tooLong++;
          lineOpen = false;
          problem(lineNumber, `a line of ${(length / 1048576).toFixed(1)} MB, longer than ${((options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES) / 1048576).toFixed(0)} MB; skipped`);
        },
      },
      options,
    );
  } catch (err) {
    problem(null, `cannot be read: ${fileErrorMessage(err)}`);
    return { file, state: previous ?? initialState(), from, reset: false, invocations: [], usage: [], problems, stats };
  }
  stats.bytes = read.size - from;
  let offset = read.end;
  if (read.partialBytes > 0) {
    // A last line without a newline: a whole record (a copy without a final newline) is used now;
    // anything else is a line being written, read again next time.
    const whole = read.partial !== null && !lineOpen && isWholeRecord(read.partial);
    if (whole) {
      line++;
      use(read.partial!, line);
      offset = read.size;
      lineOpen = true;
    } else {
      stats.partialBytes = read.partialBytes;
    }
  }
  for (const n of rules.notes) problem(n.line, n.message);
  if (omitted) problems.push({ file, line: null, message: `${omitted} more problem${omitted === 1 ? '' : 's'} in this file not listed` });

  let print: string;
  try {
    const handle = await fsp.open(file, 'r');
    try {
      print = await fingerprint(handle, offset);
    } finally {
      await handle.close();
    }
  } catch (err) {
    problems.push({ file, line: null, message: `cannot be read: ${fileErrorMessage(err)}` });
    return { file, state: previous ?? initialState(), from, reset: false, invocations: [], usage: [], problems, stats };
  }
  const changes = rules.changes();
  return {
    file,
    state: { version: STATE_VERSION, offset, line, lineOpen, fingerprint: print, rules: rules.state() },
    from,
    reset,
    invocations: changes.invocations,
    usage: changes.usage,
    problems,
    stats,
  };
}

/** A tail without newline is a whole record when it is one complete JSON value (a prefix of one never is). */
function isWholeRecord(bytes: Buffer): boolean {
  try {
    return skipSpace(bytes, skipValue(bytes, skipSpace(bytes, 0, bytes.length), bytes.length), bytes.length) === bytes.length;
  } catch {
    return false;
  }
}
