/**
 * Trends (DESIGN section 4): weekly counts per skill over the last N complete ISO weeks (display zone),
 * from the weekly aggregates. A skill is rising or declining only with at least `trendMinPoints` weeks of
 * use and a real slope: the least-squares slope's t statistic is at least `trendMinT`, the fitted change
 * over the period is at least `trendMinRelativeChange` of the mean, and the later half of the weeks differs
 * from the earlier half by more than counting noise (`trendMinCountZ`). Stale: used before, not in the last
 * `staleDays` days. Call `ensureDerived` first.
 */
import { RULES } from './definitions';
import type { ProjectRef } from './scope';
import { projectScope } from './scope';
import type { Db } from './store';

export type TrendDirection = 'rising' | 'declining' | 'steady' | 'stale' | 'not enough data';

export interface SkillTrend {
  skill_name: string;
  direction: TrendDirection;
  /** Start of each week (Monday, display zone), oldest first. */
  weeks: Date[];
  weekly_counts: number[];
  total: number;
  /** Change in weekly invocations per week (least squares), null below the minimum points. */
  slope_per_week: number | null;
  /** Fitted change over the period relative to the weekly mean. */
  relative_change: number | null;
  t_statistic: number | null;
  last_used: Date | null;
}

export interface TrendQuery {
  project?: ProjectRef;
  weeks?: number;
  now?: Date;
}

export async function trends(db: Db, query: TrendQuery = {}): Promise<SkillTrend[]> {
  const scope = (await projectScope(db, query.project)) ?? '*';
  const weeks = query.weeks ?? RULES.trendWeeks;
  const frame = await db.one<{ first_week: Date; this_week: Date; stale_before: Date }>(
    `WITH n AS (SELECT coalesce($1::TIMESTAMPTZ, now()) AS now)
     SELECT date_trunc('week', now) - to_weeks($2::BIGINT) AS first_week, date_trunc('week', now) AS this_week,
            now - to_days($3::BIGINT) AS stale_before FROM n`,
    [query.now ?? null, weeks, RULES.staleDays],
  );
  const { first_week, this_week, stale_before } = frame!;
  const weekStarts = await db.all<{ w: Date }>(
    'SELECT unnest(generate_series($1::TIMESTAMPTZ, $2::TIMESTAMPTZ - INTERVAL 1 WEEK, INTERVAL 1 WEEK)) AS w',
    [first_week, this_week],
  );
  const rows = await db.all<{ skill_name: string; counts: { bucket: Date; n: number }[] | null; last_used: Date; total: number }>(
    `WITH weekly AS (
       SELECT skill_name, bucket_start, total_invocations FROM skill_aggregates
       WHERE project_id = $1 AND time_window = 'weekly' AND bucket_start >= $2 AND bucket_start < $3
     )
     SELECT a.skill_name, a.last_used, a.total_invocations AS total,
            (SELECT list({'bucket': w.bucket_start, 'n': w.total_invocations}) FROM weekly w WHERE w.skill_name = a.skill_name) AS counts
     FROM skill_aggregates a WHERE a.project_id = $1 AND a.time_window = 'all'
     ORDER BY a.total_invocations DESC, a.skill_name`,
    [scope, first_week, this_week],
  );
  const index = new Map(weekStarts.map((w, i) => [w.w.getTime(), i]));
  return rows.map((r) => {
    const counts = new Array<number>(weekStarts.length).fill(0);
    for (const c of r.counts ?? []) {
      const i = index.get(c.bucket.getTime());
      if (i !== undefined) counts[i] = c.n;
    }
    const fit = fitTrend(counts);
    let direction: TrendDirection = fit.direction;
    if (r.last_used < stale_before) direction = 'stale';
    return {
      skill_name: r.skill_name,
      direction,
      weeks: weekStarts.map((w) => w.w),
      weekly_counts: counts,
      total: r.total,
      slope_per_week: fit.slope,
      relative_change: fit.relativeChange,
      t_statistic: fit.t,
      last_used: r.last_used,
    };
  });
}

export interface TrendFit {
  direction: Exclude<TrendDirection, 'stale'>;
  slope: number | null;
  relativeChange: number | null;
  t: number | null;
}

/**
 * Least-squares fit of counts over week index 0..n-1, and what it says: rising or declining only when the
 * slope is significant (|t| >= trendMinT), material (fitted change >= trendMinRelativeChange of the mean)
 * and more than counting noise (the later half of the weeks against the earlier half, trendMinCountZ;
 * an odd middle week is left out). Otherwise steady.
 */
export function fitTrend(counts: readonly number[]): TrendFit {
  const n = counts.length;
  const points = counts.filter((c) => c > 0).length;
  if (points < RULES.trendMinPoints || n < 3) return { direction: 'not enough data', slope: null, relativeChange: null, t: null };
  const meanX = (n - 1) / 2;
  const meanY = counts.reduce((s, c) => s + c, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - meanX) ** 2;
    sxy += (i - meanX) * (counts[i]! - meanY);
  }
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (counts[i]! - (meanY + slope * (i - meanX))) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const t = se === 0 ? (slope === 0 ? 0 : Math.sign(slope) * Infinity) : slope / se;
  const relativeChange = meanY === 0 ? 0 : (slope * (n - 1)) / meanY;
  const half = Math.floor(n / 2);
  const earlier = counts.slice(0, half).reduce((s, c) => s + c, 0);
  const later = counts.slice(n - half).reduce((s, c) => s + c, 0);
  const countZ = earlier + later === 0 ? 0 : Math.abs(later - earlier) / Math.sqrt(later + earlier);
  const real =
    Math.abs(t) >= RULES.trendMinT && Math.abs(relativeChange) >= RULES.trendMinRelativeChange && countZ >= RULES.trendMinCountZ && Math.sign(later - earlier) === Math.sign(slope);
  return { direction: real ? (slope > 0 ? 'rising' : 'declining') : 'steady', slope, relativeChange, t: Number.isFinite(t) ? t : null };
}
