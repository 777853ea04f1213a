/** How numbers, durations and times read in the editor (rates are fractions, durations seconds). */

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function int(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : intFormat.format(n);
}

/** 0.9166 -> "92%"; null -> "–". */
export function pct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '–';
  return `${Math.round(rate * 100)}%`;
}

export function num(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return n.toFixed(digits);
}

/** Seconds as "0.4 s", "12.3 s", "2m 05s", "1h 02m". */
export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined || Number.isNaN(s)) return '–';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago" (relative to `now`). */
export function ago(date: Date | null | undefined, now: Date = new Date()): string {
  if (!date) return 'never';
  const s = Math.max(0, (now.getTime() - date.getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  const days = Math.round(s / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** "2026-11-21 14:05" in `zone`. */
export function dateTime(date: Date | null | undefined, zone: string): string {
  if (!date) return '–';
  const parts = partsIn(date, zone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Short and relative: "Today 14:05", "Yesterday 09:12", "Nov 19 18:21", "Dec 30, 2025 18:21" (in `zone`). */
export function shortDateTime(date: Date | null | undefined, zone: string, now: Date = new Date()): string {
  if (!date) return '–';
  const p = partsIn(date, zone);
  const hm = `${p.hour}:${p.minute}`;
  const today = day(now, zone);
  const yesterday = day(new Date(now.getTime() - 86_400_000), zone);
  const d = `${p.year}-${p.month}-${p.day}`;
  if (d === today) return `Today ${hm}`;
  if (d === yesterday) return `Yesterday ${hm}`;
  const monthDay = `${MONTHS[Number(p.month) - 1]} ${Number(p.day)}`;
  return p.year === today.slice(0, 4) ? `${monthDay} ${hm}` : `${monthDay}, ${p.year} ${hm}`;
}

/** "14:05:03" in `zone`. */
export function time(date: Date | null | undefined, zone: string): string {
  if (!date) return '–';
  const parts = partsIn(date, zone);
  return `${parts.hour}:${parts.minute}:${parts.second}`;
}

/** "YYYY-MM-DD" of the day `date` falls on in `zone`. */
export function day(date: Date, zone: string): string {
  const parts = partsIn(date, zone);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(date: Date, zone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(date)) out[p.type] = p.value;
  return out as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;
}

/** Escapes text for Markdown (tooltips) so names cannot inject links or formatting. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** Escapes text for HTML. */
export function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
