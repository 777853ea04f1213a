/**
 * Byte-level walking of one JSON line without decoding it (FORMATS.md section 4: lines reach hundreds of
 * KB of tool output, which `JSON.parse` decodes at a few tens of MB/s). Only the small values a rule needs
 * are decoded (with `JSON.parse`, strictly); everything else is skipped by structure: strings are jumped
 * over with a native `indexOf` of the next quote, containers by counting brackets with a bounded stack.
 *
 * Skipped values are checked for structure (balanced brackets, terminated strings, sensible scalars), not
 * for every escape sequence: a skipped value is never read, so nothing wrong can reach a record.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Containers nested deeper than this are junk (real records nest < 30 levels). */
export const MAX_DEPTH = 512;

/** Why a line could not be walked. */
export class ScanError extends Error {}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isSpace(b[i]!)) i++;
  return i;
}

/** `i` at an opening quote; returns the index after the closing quote. */
export function skipString(b: Buffer, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = b[j];
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j++;
  }
  throw new ScanError('unterminated string');
}

function isScalarByte(c: number): boolean {
  // digits, letters of true/false/null, sign, dot, exponent
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

function skipScalar(b: Buffer, i: number, end: number): number {
  let j = i;
  while (j < end && isScalarByte(b[j]!)) j++;
  if (j === i) throw new ScanError('unexpected character');
  return j;
}

/** Skips any value starting at `i` (after spaces); returns the index after it. */
export function skipValue(b: Buffer, i: number, end: number): number {
  i = skipSpace(b, i, end);
  if (i >= end) throw new ScanError('value expected');
  const c = b[i]!;
  if (c === QUOTE) return skipString(b, i, end);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return skipScalar(b, i, end);
  // A container: walk to its matching close, strings jumped over, bracket kinds checked on a stack.
  const stack: number[] = [c];
  let j = i + 1;
  while (j < end) {
    const d = b[j]!;
    if (d === QUOTE) {
      j = skipString(b, j, end);
      continue;
    }
    if (d === OPEN_OBJECT || d === OPEN_ARRAY) {
      if (stack.length >= MAX_DEPTH) throw new ScanError(`nested deeper than ${MAX_DEPTH} levels`);
      stack.push(d);
    } else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
      const open = stack.pop();
      if (open !== (d === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY)) throw new ScanError('brackets do not match');
      if (stack.length === 0) return j + 1;
    }
    j++;
  }
  throw new ScanError('unterminated container');
}

/** Returned by a field callback to stop walking the object (the rest is not checked). */
export const STOP = -2;

/**
 * Calls `field` for each member of the object at `i` with the key's byte range (inside the quotes) and
 * where the value starts; returns the index after the object (or STOP). The callback either walks the
 * value itself and returns the index after it (so a large value is walked once), returns STOP, or
 * returns nothing and the value is skipped; `valueEnd` is then the end it was skipped to.
 */
export function forEachField(
  b: Buffer,
  i: number,
  end: number,
  field: (keyStart: number, keyEnd: number, valueStart: number) => number | void,
): number {
  i = skipSpace(b, i, end);
  if (b[i] !== OPEN_OBJECT) throw new ScanError('object expected');
  i = skipSpace(b, i + 1, end);
  if (b[i] === CLOSE_OBJECT) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) throw new ScanError('key expected');
    const keyEnd = skipString(b, i, end);
    let j = skipSpace(b, keyEnd, end);
    if (b[j] !== COLON) throw new ScanError('colon expected');
    const valueStart = skipSpace(b, j + 1, end);
    const walked = field(i + 1, keyEnd - 1, valueStart);
    if (walked === STOP) return STOP;
    const valueEnd = walked === undefined ? skipValue(b, valueStart, end) : walked;
    j = skipSpace(b, valueEnd, end);
    if (b[j] === CLOSE_OBJECT) return j + 1;
    if (b[j] !== COMMA) throw new ScanError('comma expected');
    i = skipSpace(b, j + 1, end);
  }
}

/** Calls `element` for each element of the array at `i` (walking it or not, as for fields); returns the index after the array. */
export function forEachElement(b: Buffer, i: number, end: number, element: (valueStart: number) => number | void): number {
  i = skipSpace(b, i, end);
  if (b[i] !== OPEN_ARRAY) throw new ScanError('array expected');
  i = skipSpace(b, i + 1, end);
  if (b[i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    const walked = element(i);
    const valueEnd = walked === undefined ? skipValue(b, i, end) : walked;
    const j = skipSpace(b, valueEnd, end);
    if (b[j] === CLOSE_ARRAY) return j + 1;
    if (b[j] !== COMMA) throw new ScanError('comma expected');
    i = skipSpace(b, j + 1, end);
  }
}

/** The key's bytes as text (keys are short ASCII; an escaped key simply matches nothing). */
export function keyText(b: Buffer, start: number, end: number): string {
  return b.toString('latin1', start, end);
}

/** What kind of JSON value starts at `i`. */
export function kindAt(b: Buffer, i: number): 'string' | 'object' | 'array' | 'other' {
  const c = b[i];
  return c === QUOTE ? 'string' : c === OPEN_OBJECT ? 'object' : c === OPEN_ARRAY ? 'array' : 'other';
}

/** Decodes the value in [start, end) strictly. */
export function decode(b: Buffer, start: number, end: number): unknown {
  return JSON.parse(b.toString('utf8', start, end));
}

/**
 * The first `maxChars`-ish characters of the JSON string at [start, end), decoded; the whole string
 * when it is short. Used to look at how a text begins without decoding 400 KB of it.
 */
export function decodeStringHead(b: Buffer, start: number, end: number, maxBytes = 4096): string {
  if (end - start <= maxBytes + 2) return JSON.parse(b.toString('utf8', start, end)) as string;
  let cut = start + 1 + maxBytes;
  // Do not cut an escape sequence: step back over a partial \uXXXX or a lone backslash.
  for (let k = cut - 1; k >= cut - 6 && k > start; k--) {
    if (b[k] === BACKSLASH) {
      let run = 0;
      while (k - run > start && b[k - run] === BACKSLASH) run++;
      if (run % 2 === 1) cut = k;
      break;
    }
  }
  // Do not cut a UTF-8 sequence: step back to a lead byte.
  while (cut > start + 1 && (b[cut]! & 0xc0) === 0x80) cut--;
  return JSON.parse(`${b.toString('utf8', start, cut)}"`) as string;
}
