/**
 * Wall-clock time in an IANA zone, without a time-zone library: offsets come from Intl and are cached
 * per zone and hour, which keeps formatting millions of timestamps cheap.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();
const HOUR = 3_600_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in minutes (east positive, e.g. +60 for CET). */
export function offsetMinutes(zone: string, epochMs: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let byHour = offsetCache.get(zone);
  if (!byHour) offsetCache.set(zone, (byHour = new Map()));
  const hour = Math.floor(epochMs / HOUR);
  let offset = byHour.get(hour);
  if (offset === undefined) {
    const parts: Record<string, string> = {};
    for (const p of formatter(zone).formatToParts(new Date(hour * HOUR))) parts[p.type] = p.value;
    const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
    offset = Math.round((asUtc - hour * HOUR) / 60_000);
    byHour.set(hour, offset);
  }
  return offset;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS[.fff…]` as the wall clock in `zone` shows the instant (no zone designator). */
export function formatNaiveLocal(epochMs: number, zone: string, fractionDigits = 6, separator = 'T'): string {
  const local = new Date(epochMs + offsetMinutes(zone, epochMs) * 60_000);
  const base =
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}${separator}` +
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
    const candidate = naiveMsAsUtc - offsetMinutes(zone, probe) * 60_000;
    if (candidate + offsetMinutes(zone, candidate) * 60_000 === naiveMsAsUtc) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b);
}
