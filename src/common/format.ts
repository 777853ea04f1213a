/**
 * The one formatter: how numbers, rates, durations and instants read on every surface (CLI tables, the
 * editor's trees, status bar and notifications, the dashboard webview, which bundles this module). Rates are
 * fractions, durations seconds, instants Dates or epoch milliseconds shown in the display zone. No DOM, no
 * Node, no `vscode`.
 *
 * Style: whole numbers with thousands separators ("1,834"); percentages whole ("92%"), with one decimal only
 * where rounding would claim 0% or 100% ("99.6%"); durations "0.4 s", "12 s", "2m 05s", "1h 02m"; instants
 * "2026-11-21 14:05"; nothing known: "–".
 */
import { formatIsoInZone } from './zonedTime';

/** What a figure reads when there is none (no duration known, no rate yet). */
export const NONE = '–';

type Instant = Date | number | null | undefined;

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const missing = (n: number | null | undefined): n is null | undefined => n === null || n === undefined || !Number.isFinite(n);

/** 1834 -> "1,834". */
export function int(n: number | null | undefined): string {
  return missing(n) ? NONE : intFormat.format(n);
}

/** 0.9166 -> "92%"; 0.996 -> "99.6%", 0.0004 -> "0.1%" (never a rounded 100% or 0%); null -> "–". */
export function pct(rate: number | null | undefined): string {
  if (missing(rate)) return NONE;
  const whole = Math.round(rate * 100);
  if (whole === 100 && rate < 1) return `${(Math.floor(rate * 1000) / 10).toFixed(1)}%`;
  if (whole === 0 && rate > 0) return `${(Math.ceil(rate * 1000) / 10).toFixed(1)}%`;
  return `${whole}%`;
}

/** A number with `digits` decimals; never "-0.0". */
export function num(n: number | null | undefined, digits = 1): string {
  if (missing(n)) return NONE;
  const text = n.toFixed(digits);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** Seconds as "0.4 s", "12.3 s", "32 s", "2m 05s", "1h 02m". */
export function seconds(s: number | null | undefined): string {
  if (missing(s)) return NONE;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

/** Milliseconds of work (a collection, an aggregation), as seconds() reads them. */
export function millis(ms: number | null | undefined): string {
  return missing(ms) ? NONE : seconds(ms / 1000);
}

/** "1 session", "3 sessions", "1,834 records". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

/** "+12%" / "−8%" / "±0%" of a relative change. */
export function signedPct(change: number): string {
  const v = Math.round(change * 100);
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v)}%`;
}

/** "+3.5 pts" of a change in a rate. */
export function signedPoints(change: number): string {
  const v = Math.round(change * 1000) / 10;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v)} pts`;
}

const ms = (t: Instant): number | undefined => (t === null || t === undefined ? undefined : typeof t === 'number' ? t : t.getTime());

/** "just now", "5 min ago", "3 h ago", "2 days ago" (relative to `now`). */
export function ago(t: Instant, now: Date | number = Date.now()): string {
  const at = ms(t);
  if (at === undefined) return 'never';
  const sec = Math.max(0, (ms(now)! - at) / 1000);
  if (sec < 45) return 'just now';
  if (sec < 3600) return `${Math.max(1, Math.round(sec / 60))} min ago`;
  if (sec < 86_400) return `${Math.round(sec / 3600)} h ago`;
  const days = Math.round(sec / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

type Parts = Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(t: number, zone: string): Parts {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t))) out[p.type] = p.value;
  return out as Parts;
}

/** "2026-11-21 14:05" in `zone`. */
export function dateTime(t: Instant, zone: string): string {
  const at = ms(t);
  if (at === undefined) return NONE;
  const p = partsIn(at, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "YYYY-MM-DD" of the day `t` falls on in `zone`. */
export function day(t: Instant, zone: string): string {
  const at = ms(t);
  if (at === undefined) return NONE;
  const p = partsIn(at, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "14:05:03" in `zone`. */
export function clock(t: Instant, zone: string): string {
  const at = ms(t);
  if (at === undefined) return NONE;
  const p = partsIn(at, zone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11-03" -> "Nov 3". */
export function shortDate(label: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  return m ? `${MONTHS[Number(m[2]) - 1]} ${Number(m[3])}` : label;
}

/** Short and relative: "Today 14:05", "Yesterday 09:12", "Nov 19 18:21", "Dec 30, 2025 18:21" (in `zone`). */
export function shortDateTime(t: Instant, zone: string, now: Date | number = Date.now()): string {
  const at = ms(t);
  if (at === undefined) return NONE;
  const p = partsIn(at, zone);
  const hm = `${p.hour}:${p.minute}`;
  const today = day(now, zone);
  const yesterday = day(ms(now)! - 86_400_000, zone);
  const d = `${p.year}-${p.month}-${p.day}`;
  if (d === today) return `Today ${hm}`;
  if (d === yesterday) return `Yesterday ${hm}`;
  const monthDay = shortDate(d);
  return p.year === today.slice(0, 4) ? `${monthDay} ${hm}` : `${monthDay}, ${p.year} ${hm}`;
}

/** ISO 8601 with the zone's offset (what JSON outputs carry). */
export function iso(t: Date | number, zone: string): string {
  return formatIsoInZone(t, zone);
}

/** JSON with instants as ISO 8601 with the display zone's offset (DESIGN section 5); bigints as text. */
export function toJson(value: unknown, zone: string): string {
  return JSON.stringify(
    value,
    function replacer(this: Record<string, unknown>, key: string, v: unknown) {
      const original = this[key];
      if (original instanceof Date) return formatIsoInZone(original, zone);
      if (typeof v === 'bigint') return v.toString();
      return v;
    },
    2,
  );
}

// ---- the evidence behind a recommendation (trees, dashboard, CLI) ----

const EVIDENCE_LABELS: Record<string, string> = {
  total_invocations: 'Invocations',
  completed_invocations: 'Completed',
  success_rate: 'Success rate',
  error_type: 'Error',
  count: 'Count',
  failures: 'Failures',
  share: 'Share of failures',
  failure_rate: 'Failure rate',
  avg_follow_ups: 'Follow-ups per use',
  follow_up_share: 'Uses with follow-ups',
  best: 'Best path',
  worst: 'Worst path',
  weekly_counts: 'Per week',
  slope_per_week: 'Change per week',
  relative_change: 'Change over the period',
  last_used: 'Last used',
  from: 'From',
  to: 'To',
  probability: 'Probability',
  other_projects: 'Other projects',
};
const PERCENT_KEY = /(rate|share|probability|relative_change)$/;

/** "Success rate" for success_rate: the words a person reads for an evidence key. */
export function evidenceLabel(key: string): string {
  const words = key.replace(/_/g, ' ');
  return EVIDENCE_LABELS[key] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

/** An evidence value as a person reads it: rates as percents, durations, instants in `zone`, lists and paths in words. */
export function evidenceValue(key: string, value: unknown, zone: string): string {
  if (value === null || value === undefined) return NONE;
  if (value instanceof Date) return dateTime(value, zone);
  if (typeof value === 'number') {
    if (PERCENT_KEY.test(key)) return pct(value);
    if (/seconds$/.test(key)) return seconds(value);
    return Number.isInteger(value) ? int(value) : num(value, 2);
  }
  if (Array.isArray(value)) return value.map((v) => evidenceValue(key, v, zone)).join(', ');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.workflow_path === 'string') return `${o.workflow_path}: ${evidenceValue('success_rate', o.success_rate, zone)} of ${evidenceValue('count', o.count, zone)}`;
    return Object.entries(o).map(([k, v]) => `${k} ${evidenceValue(k, v, zone)}`).join(', ');
  }
  return String(value);
}

/** Escapes text for Markdown (tooltips) so names cannot inject links or formatting. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** Escapes text for HTML. */
export function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
