/**
 * Wall-clock time in an IANA zone, from the platform's time-zone data (Intl.DateTimeFormat), without a
 * time-zone library.
 *
 * Asking Intl costs microseconds, too much for the millions of timestamps an export formats, so offsets
 * are remembered per zone and UTC hour, exactly: an hour whose start and end have the same offset has it
 * throughout (offsets change at most once an hour); an hour in which the offset changes remembers the
 * instant of the change, found to the second. So a change at a half hour (America/St_Johns,
 * Australia/Adelaide) or by half an hour (Australia/Lord_Howe) is right to the second, not to the hour.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const hours = new Map<string, Map<number, HourOffsets>>();
const HOUR = 3_600_000;
const SECOND = 1000;
/** How many hours are remembered per zone before the memory is dropped (bounds memory, not correctness). */
const MAX_HOURS_PER_ZONE = 200_000;

/** The offsets (ms) within one UTC hour: `before` until `changeAt`, `after` from then on. */
interface HourOffsets {
  before: number;
  after: number;
  changeAt: number;
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset (ms, to the second) at the whole second `ms` falls in, straight from Intl. */
function offsetFromIntl(zone: string, ms: number): number {
  const second = Math.floor(ms / SECOND) * SECOND;
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(second))) parts[p.type] = p.value;
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - +parts.year! : +parts.year!;
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(year, +parts.month! - 1, +parts.day!);
  asUtc.setUTCHours(+parts.hour!, +parts.minute!, +parts.second!, 0);
  return asUtc.getTime() - second;
}

function hourOffsets(zone: string, hour: number): HourOffsets {
  let byHour = hours.get(zone);
  if (!byHour || byHour.size >= MAX_HOURS_PER_ZONE) hours.set(zone, (byHour = new Map()));
  let h = byHour.get(hour);
  if (h) return h;
  const start = hour * HOUR;
  const before = offsetFromIntl(zone, start);
  const after = offsetFromIntl(zone, start + HOUR);
  if (before === after) {
    h = { before, after, changeAt: start + HOUR };
  } else {
    // The first second of the hour with the new offset: lo has the old one, hi the new one.
    let lo = start;
    let hi = start + HOUR;
    while (hi - lo > SECOND) {
      const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
      if (offsetFromIntl(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    h = { before, after, changeAt: hi };
  }
  byHour.set(hour, h);
  return h;
}

/** The zone's offset from UTC at an instant, in ms (east positive), exact to the second. */
function offsetMs(zone: string, epochMs: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const h = hourOffsets(zone, Math.floor(epochMs / HOUR));
  return epochMs < h.changeAt ? h.before : h.after;
}

/** The zone's offset from UTC at an instant, in minutes (east positive, e.g. +60 for CET; rounded for the few historical offsets with seconds). */
export function offsetMinutes(zone: string, epochMs: number): number {
  return Math.round(offsetMs(zone, epochMs) / 60_000);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS[.fff…]` as the wall clock in `zone` shows the instant (no zone designator). */
export function formatNaiveLocal(epochMs: number, zone: string, fractionDigits = 6, separator = 'T'): string {
  const local = new Date(epochMs + offsetMs(zone, epochMs));
  const base =
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}${separator}` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (fractionDigits === 0) return base;
  return `${base}.${pad(local.getUTCMilliseconds(), 3)}${'0'.repeat(Math.max(0, fractionDigits - 3))}`.slice(0, base.length + 1 + fractionDigits);
}

/** ISO 8601 with the zone's offset, e.g. `2026-02-11T09:12:03.481+01:00` (what JSON outputs carry). */
export function formatIsoInZone(date: Date | number, zone: string): string {
  const ms = typeof date === 'number' ? date : date.getTime();
  const offset = offsetMinutes(zone, ms);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${formatNaiveLocal(ms, zone, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The instants a naive wall-clock time in `zone` can mean: one normally, two in a repeated hour
 * (clocks going back), none in a skipped hour (clocks going forward).
 */
export function instantsOfLocal(naiveMsAsUtc: number, zone: string): number[] {
  const out = new Set<number>();
  for (const probe of [naiveMsAsUtc - 14 * HOUR, naiveMsAsUtc, naiveMsAsUtc + 14 * HOUR]) {
    const candidate = naiveMsAsUtc - offsetMs(zone, probe);
    if (candidate + offsetMs(zone, candidate) === naiveMsAsUtc) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The instant a naive wall-clock time in `zone` means as Python's writers meant it (fold=0): in a
 * repeated hour the earlier occurrence; in a skipped hour the offset from before the change, which
 * lands the instant as far after the change as the time was after its start (02:30 on a spring-forward
 * night in Berlin is 03:30 CEST). DuckDB's reading (ingestWriter.ts) follows the same rule.
 */
export function instantOfLocal(naiveMsAsUtc: number, zone: string): number {
  const found = instantsOfLocal(naiveMsAsUtc, zone);
  if (found.length) return found[0]!;
  return naiveMsAsUtc - offsetMs(zone, naiveMsAsUtc - 24 * HOUR);
}
