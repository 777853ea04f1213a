/**
 * Time windows and date filters, in the display time zone (the connection's TimeZone, see store.ts).
 *
 * Windows: `all`; `today`, `7d`, `30d` (rolling, whole days including today: what the Top Skills view
 * offers); `daily`, `weekly`, `monthly` (the current bucket: today, this ISO week from Monday, this
 * month). `--since`/`--until` are YYYY-MM-DD dates in the display zone, both inclusive.
 */
import { ScopeError } from '../common/errors';
import type { Db } from './store';

import type { Window } from '../common/windows';
import { WINDOWS } from '../common/windows';

export { WINDOWS };
export type { Window };

export interface RangeQuery {
  window?: string;
  since?: string;
  until?: string;
  /** The present, for tests and reproducible reports (default: now). */
  now?: Date;
}

export interface TimeRange {
  /** Inclusive lower bound, or null. */
  from: Date | null;
  /** Exclusive upper bound, or null. */
  to: Date | null;
  window: Window;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function parseWindow(value: string | undefined): Window {
  const w = (value ?? 'all').toLowerCase();
  if (!(WINDOWS as readonly string[]).includes(w)) throw new ScopeError(() => `Unknown window "${value}": use one of ${WINDOWS.join(', ')}`);
  return w as Window;
}

function isDate(value: string): boolean {
  const at = Date.parse(`${value}T00:00:00Z`);
  return DATE_RE.test(value) && !Number.isNaN(at) && new Date(at).toISOString().startsWith(value);
}

/** Checks the dates of a range (YYYY-MM-DD, since not after until); throws ScopeError naming the field. */
export function checkDates(since: string | undefined, until: string | undefined): void {
  for (const [field, value] of [['since', since], ['until', until]] as const) {
    if (value !== undefined && !isDate(value)) throw new ScopeError((n) => `${n(field)} must be a date as YYYY-MM-DD, got "${value}"`);
  }
  if (since && until && since > until) throw new ScopeError((n) => `${n('since')} ${since} is after ${n('until')} ${until}`);
}

export async function resolveRange(db: Db, query: RangeQuery): Promise<TimeRange> {
  const window = parseWindow(query.window);
  checkDates(query.since, query.until);
  const since = query.since ?? null;
  const until = query.until ?? null;
  const row = await db.one<{ w_from: Date | null; since_from: Date | null; until_to: Date | null }>(
    `WITH n AS (SELECT coalesce($1::TIMESTAMPTZ, now()) AS now)
     SELECT CASE $2
              WHEN 'today' THEN date_trunc('day', now)
              WHEN 'daily' THEN date_trunc('day', now)
              WHEN '7d' THEN date_trunc('day', now) - INTERVAL 6 DAY
              WHEN '30d' THEN date_trunc('day', now) - INTERVAL 29 DAY
              WHEN 'weekly' THEN date_trunc('week', now)
              WHEN 'monthly' THEN date_trunc('month', now)
            END AS w_from,
            $3::DATE::TIMESTAMPTZ AS since_from,
            ($4::DATE + INTERVAL 1 DAY)::DATE::TIMESTAMPTZ AS until_to
     FROM n`,
    [query.now ?? null, window, since, until],
  );
  const candidates = [row?.w_from ?? null, row?.since_from ?? null].filter((d): d is Date => d !== null);
  const from = candidates.length ? new Date(Math.max(...candidates.map((d) => d.getTime()))) : null;
  return { from, to: row?.until_to ?? null, window };
}
