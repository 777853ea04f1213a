/** How numbers and times read in the dashboard (rates are fractions, durations seconds, times epoch ms). */

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const int = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : intFormat.format(n));

export function pct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '–';
  return `${Math.round(rate * 100)}%`;
}

export function seconds(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v < 60) return `${v < 10 ? v.toFixed(1) : Math.round(v)} s`;
  const total = Math.round(v);
  if (total < 3600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

/** "+12%" / "−8%" of a relative change. */
export function signedPct(change: number): string {
  const v = Math.round(change * 100);
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v)}%`;
}

/** "+3.5 pts" of a change in a rate. */
export function signedPoints(change: number): string {
  const v = Math.round(change * 1000) / 10;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v)} pts`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(t: number, zone: string): Record<string, string> {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t))) out[p.type] = p.value;
  return out;
}

/** "2026-11-21 14:05" in the display zone. */
export function dateTime(t: number | null | undefined, zone: string): string {
  if (t === null || t === undefined) return '–';
  const p = parts(t, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function day(t: number | null | undefined, zone: string): string {
  if (t === null || t === undefined) return '–';
  const p = parts(t, zone);
  return `${p.year}-${p.month}-${p.day}`;
}

export function clock(t: number, zone: string): string {
  const p = parts(t, zone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11-03" -> "Nov 3". */
export function shortDate(label: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  return m ? `${MONTHS[Number(m[2]) - 1]} ${Number(m[3])}` : label;
}

export function ago(t: number | null | undefined, now = Date.now()): string {
  if (t === null || t === undefined) return 'never';
  const sec = Math.max(0, (now - t) / 1000);
  if (sec < 45) return 'just now';
  if (sec < 3600) return `${Math.max(1, Math.round(sec / 60))} min ago`;
  if (sec < 86_400) return `${Math.round(sec / 3600)} h ago`;
  const days = Math.round(sec / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}
