/**
 * The known prefix of a large `skill_metrics.json`: a grown file is parsed from where it changed, not from
 * the start (a writer appending one invocation rewrites a file of 100k).
 *
 * The writers produce `json.dumps(indent=2)`: each invocation starts a line with exactly four spaces and
 * `{`, and the array closes with a line of two spaces and `]`. A JSON string cannot hold a raw newline, so
 * these byte patterns are element and array boundaries, nothing else. After each read the loader remembers
 * a boundary P about 64 KB before the end (recent invocations, the ones a writer may still update, always
 * lie after it), the hash of bytes [0, P) and how many array elements start before P. When the next
 * version's first P bytes hash the same, every element before P is unchanged and only [P, array end) is
 * parsed. Anything else (another layout, a changed prefix, a tail that does not parse) means a full parse.
 */
import { createHash } from 'node:crypto';

export interface KnownPrefix {
  /** P: bytes before the boundary. */
  bytes: number;
  /** sha256 of bytes [0, P). */
  hash: string;
  /** Array elements that start before P. */
  records: number;
}

const ELEMENT = Buffer.from('\n    {');
const ARRAY_END = Buffer.from('\n  ]');
/** The known prefix stops this far before the end of the file. */
export const TAIL_WINDOW = 64 * 1024;
/** Smaller files are parsed whole: it is cheap. */
export const MIN_PREFIX_FILE = 256 * 1024;

/** The boundary to remember for this content, or null when the file is small or not laid out as expected. */
export function prefixCut(bytes: Buffer): number | null {
  if (bytes.length < MIN_PREFIX_FILE) return null;
  const cut = bytes.lastIndexOf(ELEMENT, bytes.length - TAIL_WINDOW);
  return cut > 0 && arrayEnd(bytes, cut) > cut ? cut : null;
}

/** The offset of the array's closing line at or after `from`, or -1. */
export function arrayEnd(bytes: Buffer, from: number): number {
  return bytes.indexOf(ARRAY_END, from);
}

/** Array elements that start in [from, to). */
export function countElements(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(ELEMENT, from); i >= 0 && i < to; i = bytes.indexOf(ELEMENT, i + 1)) n++;
  return n;
}

export interface Hashes {
  /** sha256 of everything (and the WAL sidecar, for databases). */
  full: string;
  /** sha256 of bytes [0, cut) for each cut asked for. */
  at: Map<number, string>;
}

/** One pass over the bytes for the file's hash and the prefix hashes at the cuts. */
export function hashes(bytes: Buffer, cuts: readonly number[], wal?: Buffer): Hashes {
  const h = createHash('sha256');
  const at = new Map<number, string>();
  let done = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c >= 0 && c <= bytes.length).sort((a, b) => a - b)) {
    h.update(bytes.subarray(done, cut));
    done = cut;
    at.set(cut, h.copy().digest('hex'));
  }
  h.update(bytes.subarray(done));
  if (wal) h.update(wal);
  return { full: h.digest('hex'), at };
}

/** The elements after a known prefix, parsed; null when the tail is not what the layout promises. */
export function parseTail(bytes: Buffer, prefix: KnownPrefix): unknown[] | null {
  if (!bytes.subarray(prefix.bytes, prefix.bytes + ELEMENT.length).equals(ELEMENT)) return null;
  const end = arrayEnd(bytes, prefix.bytes);
  if (end < 0) return null;
  try {
    const items = JSON.parse(`[${bytes.toString('utf8', prefix.bytes, end)}]`) as unknown;
    return Array.isArray(items) ? items : null;
  } catch {
    return null;
  }
}

/** The prefix to remember for content whose array has `elements` elements in all. */
export function knownPrefix(bytes: Buffer, cut: number, hash: string, elements: number): KnownPrefix | null {
  const end = arrayEnd(bytes, cut);
  if (end < 0) return null;
  const records = elements - countElements(bytes, cut, end);
  return records > 0 ? { bytes: cut, hash, records } : null;
}
