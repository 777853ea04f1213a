/**
 * Timestamps as the writers put them on disk (FORMATS.md section 1.9): naive local ISO from the JSON
 * writers, naive UTC `YYYY-MM-DD HH:MM:SS` from SQLite, aware UTC (`+00:00` or `Z`) from newer writers.
 *
 * Only the shape is decided here; the instant is computed in DuckDB (ICU) from the raw string, so that
 * naive values are read in the configured source zone with correct DST rules. Every string accepted
 * here is one DuckDB casts without error (tested), which is what keeps one bad value from failing a
 * whole file's insert.
 *
 * Accepted: `YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM]`, from 2000-01-01 to a day from now (a time
 * outside that is a wrong clock or a typo: reported as an invalid record). This runs once per record on
 * millions of records, so it reads character codes instead of using a regular expression, and allocates nothing.
 */

export interface TimestampShape {
  /** The string has a zone designator (Z or an offset): it is an instant as written. */
  readonly hasOffset: boolean;
}

const NAIVE: TimestampShape = Object.freeze({ hasOffset: false });
const AWARE: TimestampShape = Object.freeze({ hasOffset: true });
const SHAPE = 'not an ISO 8601 date-time (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM])';
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Returns the shape of a writer's timestamp, or a reason why it is not one. */
export function checkTimestamp(raw: string): TimestampShape | string {
  const n = raw.length;
  if (n < 16 || n > 40) return SHAPE;
  const century = two(raw, 0);
  const yy = two(raw, 2);
  const month = two(raw, 5);
  const day = two(raw, 8);
  const hour = two(raw, 11);
  const minute = two(raw, 14);
  const sep = raw.charCodeAt(10);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) return SHAPE;
  if (raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45 || raw.charCodeAt(13) !== 58 || (sep !== 84 && sep !== 32)) return SHAPE;
  let i = 16;
  if (i < n && raw.charCodeAt(i) === 58) {
    const second = two(raw, i + 1);
    if (second < 0) return SHAPE;
    if (second > 59) return 'time of day is out of range';
    i += 3;
    if (i < n && raw.charCodeAt(i) === 46) {
      let j = i + 1;
      while (j < n && raw.charCodeAt(j) >= 48 && raw.charCodeAt(j) <= 57) j++;
      if (j === i + 1 || j - i - 1 > 9) return SHAPE;
      i = j;
    }
  }
  let shape = NAIVE;
  let offsetMinutes = 0;
  if (i < n) {
    const c = raw.charCodeAt(i);
    if (c === 90 && i + 1 === n) {
      shape = AWARE; // Z
    } else if (c === 43 || c === 45) {
      const hh = two(raw, i + 1);
      const colon = raw.charCodeAt(i + 3) === 58;
      const mm = two(raw, colon ? i + 4 : i + 3);
      if (hh < 0 || mm < 0 || i + (colon ? 6 : 5) !== n) return SHAPE;
      if (hh > 18 || mm > 59) return `offset ${raw.slice(i)} is out of range`;
      offsetMinutes = (c === 45 ? -1 : 1) * (hh * 60 + mm);
      shape = AWARE;
    } else {
      return SHAPE;
    }
  }
  const year = century * 100 + yy;
  if (month < 1 || month > 12) return `month ${month} is out of range`;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > maxDay) return `day ${day} does not exist in ${raw.slice(0, 7)}`;
  if (hour > 23 || minute > 59) return 'time of day is out of range';
  if (year < EARLIEST_YEAR) return `${raw.slice(0, 10)} is before ${EARLIEST_YEAR}-01-01: not a plausible time for a record`;
  // Later than a day from now (for a naive time: even if written in the easternmost zone, UTC+14).
  const utc = Date.UTC(year, month - 1, day, hour, minute) - (shape === NAIVE ? NAIVE_SLACK_MS : offsetMinutes * 60_000);
  if (utc > Date.now() + MAX_AHEAD_MS) return `${raw.slice(0, 16)} is more than a day in the future: not a plausible time for a record`;
  return shape;
}

/** Records before this year are reported as invalid (no writer existed; a clock reset or a typo). */
export const EARLIEST_YEAR = 2000;
/** Records more than this far in the future are reported as invalid (a wrong clock). */
export const MAX_AHEAD_MS = 24 * 3600_000;
/** A naive time may have been written in any zone up to UTC+14. */
const NAIVE_SLACK_MS = 14 * 3600_000;

/** For a string `checkTimestamp` accepted: does it carry a zone designator? (cheap: looks at the end) */
export function hasZoneDesignator(valid: string): boolean {
  const n = valid.length;
  const last = valid.charCodeAt(n - 1);
  if (last === 90) return true; // Z
  // ±HH:MM or ±HHMM after the time of day (position 16 or later)
  for (const k of [6, 5]) {
    const c = valid.charCodeAt(n - k);
    if (n - k >= 16 && (c === 43 || c === 45)) return true;
  }
  return false;
}
