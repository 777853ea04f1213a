/**
 * Timestamps as the writers put them on disk (FORMATS.md section 1.9): naive local ISO from the JSON
 * writers, naive UTC `YYYY-MM-DD HH:MM:SS` from SQLite, aware UTC (`+00:00` or `Z`) from newer writers.
 *
 * Only the shape is decided here; the instant is computed in DuckDB (ICU) from the raw string, so that
 * naive values are read in the configured source zone with correct DST rules. Every string accepted
 * here is one DuckDB casts without error (tested), which is what keeps one bad value from failing a
 * whole file's insert.
 */

const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}|[+-]\d{4})?$/;

export interface TimestampShape {
  /** The string has a zone designator (Z or an offset): it is an instant as written. */
  hasOffset: boolean;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Returns the shape of a writer's timestamp, or a reason why it is not one. */
export function checkTimestamp(raw: string): TimestampShape | string {
  const m = TIMESTAMP_RE.exec(raw);
  if (!m) return 'not an ISO 8601 date-time (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM])';
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1900 || year > 2999) return `year ${year} is out of range`;
  if (month < 1 || month > 12) return `month ${month} is out of range`;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > maxDay) return `day ${day} does not exist in ${m[1]}-${m[2]}`;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59)) return 'time of day is out of range';
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const hh = Number(zone.slice(1, 3));
    const mm = Number(zone.slice(-2));
    if (hh > 18 || mm > 59) return `offset ${zone} is out of range`;
  }
  return { hasOffset: zone !== undefined };
}
