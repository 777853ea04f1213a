/**
 * Overview queries for the dashboard (and any other caller): key figures with the change against the
 * previous period, usage over time by skill, a skills x projects matrix, error hotspots and duration
 * percentiles. Bucketed figures come from `skill_aggregates` (call `ensureDerived` first); the rest scans
 * only the columns it needs.
 */
import { PENDING_SQL } from './definitions';
import { derivedFreshness } from './derived';
import type { ProjectRef } from './scope';
import { projectScope } from './scope';
import type { Db } from './store';

export interface PeriodFigures {
  invocations: number;
  completed: number;
  success_rate: number | null;
  median_duration_seconds: number | null;
  active_projects: number;
  skills: number;
}

export interface KeyFigures extends PeriodFigures {
  from: Date | null;
  to: Date | null;
  /** The same figures for the period of equal length just before (null for an open range). */
  previous: PeriodFigures | null;
  /** invocations now / before - 1; success rate now - before (fraction points). */
  change: { invocations: number | null; success_rate: number | null } | null;
}

const FIGURES = `SELECT count(*) AS invocations, count(*) FILTER (WHERE completed) AS completed,
       count(*) FILTER (WHERE completed) / nullif(count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}), 0) AS success_rate,
       quantile_cont(duration_seconds, 0.5) FILTER (WHERE completed) AS median_duration_seconds,
       count(DISTINCT project_id) AS active_projects, count(DISTINCT skill_name) AS skills
  FROM skill_usage u JOIN projects p USING (project_id)
  WHERE p.is_active AND ($1::VARCHAR IS NULL OR u.project_id = $1)
    AND ($2::TIMESTAMPTZ IS NULL OR u.invoked_at >= $2) AND ($3::TIMESTAMPTZ IS NULL OR u.invoked_at < $3)`;

export interface FiguresQuery {
  project?: ProjectRef;
  from: Date | null;
  to: Date | null;
  now?: Date;
}

/**
 * Key figures of a period and the one before it. With fresh aggregates and bounds that are whole days in
 * the display zone (what resolveRange gives), the counts come from the daily buckets and one scan of the
 * records yields both medians and the previous period; otherwise everything is read from the records.
 * Both plans give the same answers (tested); the first took the dashboard's all-time view on 10 million
 * records from ~0.8 s to well under it.
 */
export async function keyFigures(db: Db, q: FiguresQuery): Promise<KeyFigures> {
  const wholeDays = (!q.from || (await isDayStart(db, q.from))) && (!q.to || (await isDayStart(db, q.to)));
  return wholeDays && (await derivedFreshness(db)).fresh ? keyFiguresFromAggregates(db, q) : keyFiguresFromRecords(db, q);
}

/** True when `d` is the start of a day in the connection's (display) zone. */
async function isDayStart(db: Db, d: Date): Promise<boolean> {
  const row = await db.one<{ ok: boolean }>("SELECT date_trunc('day', $1::TIMESTAMPTZ) = $1::TIMESTAMPTZ AS ok", [d]);
  return row?.ok ?? false;
}

const EMPTY: PeriodFigures = { invocations: 0, completed: 0, success_rate: null, median_duration_seconds: null, active_projects: 0, skills: 0 };

async function keyFiguresFromAggregates(db: Db, q: FiguresQuery): Promise<KeyFigures> {
  const projectId = await projectScope(db, q.project);
  const scope = projectId ?? '*';
  const window = q.from || q.to ? 'daily' : 'all';
  const counts = (await db.one<{ invocations: number; completed: number; finished: number; skills: number; active_projects: number }>(
    `WITH buckets AS (
       SELECT project_id, skill_name, total_invocations, completed_invocations, pending_invocations FROM skill_aggregates
       WHERE time_window = $1 AND ($2::TIMESTAMPTZ IS NULL OR bucket_start >= $2) AND ($3::TIMESTAMPTZ IS NULL OR bucket_start < $3)
     )
     SELECT coalesce(sum(total_invocations) FILTER (WHERE project_id = $4), 0) AS invocations,
            coalesce(sum(completed_invocations) FILTER (WHERE project_id = $4), 0) AS completed,
            coalesce(sum(total_invocations - pending_invocations) FILTER (WHERE project_id = $4), 0) AS finished,
            count(DISTINCT skill_name) FILTER (WHERE project_id = $4) AS skills,
            count(DISTINCT project_id) FILTER (WHERE project_id <> '*' AND ($4 = '*' OR project_id = $4)) AS active_projects
     FROM buckets`,
    [window, q.from, q.to, scope],
  ))!;
  const to = q.to ?? (q.from ? (q.now ?? new Date()) : null);
  const prevFrom = q.from && to ? new Date(q.from.getTime() - (to.getTime() - q.from.getTime())) : null;
  // One scan: the current period's median, and the previous period's figures (counted as keyFiguresFromRecords counts them).
  const raw = (await db.one<{ median: number | null } & PeriodFigures>(
    `SELECT quantile_cont(duration_seconds, 0.5) FILTER (WHERE completed AND u.invoked_at >= coalesce($2::TIMESTAMPTZ, u.invoked_at)) AS median,
            count(*) FILTER (WHERE u.invoked_at < $2) AS invocations,
            count(*) FILTER (WHERE u.invoked_at < $2 AND completed) AS completed,
            count(*) FILTER (WHERE u.invoked_at < $2 AND completed) / nullif(count(*) FILTER (WHERE u.invoked_at < $2 AND NOT ${PENDING_SQL('u.')}), 0) AS success_rate,
            quantile_cont(duration_seconds, 0.5) FILTER (WHERE completed AND u.invoked_at < $2) AS median_duration_seconds,
            count(DISTINCT project_id) FILTER (WHERE u.invoked_at < $2) AS active_projects,
            count(DISTINCT skill_name) FILTER (WHERE u.invoked_at < $2) AS skills
     FROM skill_usage u
     WHERE u.project_id IN (SELECT project_id FROM projects WHERE is_active) AND ($1::VARCHAR IS NULL OR u.project_id = $1)
       AND ($3::TIMESTAMPTZ IS NULL OR u.invoked_at >= $3) AND ($4::TIMESTAMPTZ IS NULL OR u.invoked_at < $4)`,
    [projectId, q.from, prevFrom ?? q.from, q.to],
  ))!;
  const current: PeriodFigures = {
    invocations: counts.invocations,
    completed: counts.completed,
    success_rate: counts.finished > 0 ? counts.completed / counts.finished : null,
    median_duration_seconds: raw.median,
    active_projects: counts.active_projects,
    skills: counts.skills,
  };
  const { median: _median, ...prev } = raw;
  const previous: PeriodFigures | null = prevFrom ? { ...EMPTY, ...prev } : null;
  return { ...current, from: q.from, to: q.to, previous, change: changeAgainst(current, previous) };
}

/** Key figures from the records alone (any bounds). */
export async function keyFiguresFromRecords(db: Db, q: FiguresQuery): Promise<KeyFigures> {
  const projectId = await projectScope(db, q.project);
  const to = q.to ?? (q.from ? (q.now ?? new Date()) : null);
  const current = (await db.one<PeriodFigures>(FIGURES, [projectId, q.from, q.to]))!;
  let previous: PeriodFigures | null = null;
  if (q.from && to) {
    const length = to.getTime() - q.from.getTime();
    previous = (await db.one<PeriodFigures>(FIGURES, [projectId, new Date(q.from.getTime() - length), q.from]))!;
  }
  return { ...current, from: q.from, to: q.to, previous, change: changeAgainst(current, previous) };
}

export interface UsageSeries {
  granularity: 'daily' | 'weekly';
  buckets: Date[];
  series: { skill_name: string; counts: number[]; completed: number[] }[];
  /** Everything outside the top skills, per bucket. */
  other: number[];
}

/** Invocations per day or week, for the top skills of the range and the rest as "other". */
export async function usageOverTime(
  db: Db,
  q: { project?: ProjectRef; from: Date | null; to: Date | null; granularity: 'daily' | 'weekly'; top?: number },
): Promise<UsageSeries> {
  const scope = (await projectScope(db, q.project)) ?? '*';
  const rows = await db.all<{ skill_name: string; bucket_start: Date; total: number; completed: number }>(
    `SELECT skill_name, bucket_start, total_invocations AS total, completed_invocations AS completed FROM skill_aggregates
     WHERE project_id = $1 AND time_window = $2
       AND ($3::TIMESTAMPTZ IS NULL OR bucket_start >= date_trunc(CASE $2 WHEN 'weekly' THEN 'week' ELSE 'day' END, $3::TIMESTAMPTZ))
       AND ($4::TIMESTAMPTZ IS NULL OR bucket_start < $4)
     ORDER BY bucket_start`,
    [scope, q.granularity, q.from, q.to],
  );
  const first = rows[0]?.bucket_start ?? q.from;
  const last = rows[rows.length - 1]?.bucket_start;
  const buckets = first && last
    ? (await db.all<{ b: Date }>(
        `SELECT unnest(generate_series($1::TIMESTAMPTZ, $2::TIMESTAMPTZ, CASE $3 WHEN 'weekly' THEN INTERVAL 1 WEEK ELSE INTERVAL 1 DAY END)) AS b`,
        [first, last, q.granularity],
      )).map((r) => r.b)
    : [];
  // Bucket starts in the display zone can differ from a fixed step across DST: match by calendar position.
  const index = new Map(buckets.map((b, i) => [b.getTime(), i]));
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.skill_name, (totals.get(r.skill_name) ?? 0) + r.total);
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, q.top ?? 6).map(([s]) => s);
  const series = top.map((skill_name) => ({ skill_name, counts: new Array<number>(buckets.length).fill(0), completed: new Array<number>(buckets.length).fill(0) }));
  const bySkill = new Map(series.map((s) => [s.skill_name, s]));
  const other = new Array<number>(buckets.length).fill(0);
  for (const r of rows) {
    const i = index.get(r.bucket_start.getTime()) ?? nearest(buckets, r.bucket_start);
    const s = bySkill.get(r.skill_name);
    if (s) {
      s.counts[i]! += r.total;
      s.completed[i]! += r.completed;
    } else {
      other[i]! += r.total;
    }
  }
  return { granularity: q.granularity, buckets, series, other };
}

function nearest(buckets: Date[], at: Date): number {
  let best = 0;
  for (let i = 0; i < buckets.length; i++) if (Math.abs(buckets[i]!.getTime() - at.getTime()) < Math.abs(buckets[best]!.getTime() - at.getTime())) best = i;
  return best;
}

export interface SkillProjectMatrix {
  skills: string[];
  projects: { project_id: string; project_name: string }[];
  cells: { skill_name: string; project_id: string; total: number; success_rate: number }[];
}

/** Use and success of the most used skills in each active project (all time). */
export async function skillProjectMatrix(db: Db, q: { skills?: number; projects?: number } = {}): Promise<SkillProjectMatrix> {
  const skills = (await db.all<{ skill_name: string }>(
    `SELECT skill_name FROM skill_aggregates WHERE project_id = '*' AND time_window = 'all' ORDER BY total_invocations DESC, skill_name LIMIT $1`,
    [q.skills ?? 12],
  )).map((r) => r.skill_name);
  const projects = await db.all<{ project_id: string; project_name: string }>(
    `SELECT p.project_id, p.project_name FROM projects p JOIN skill_aggregates a USING (project_id)
     WHERE p.is_active AND a.time_window = 'all' GROUP BY ALL ORDER BY sum(a.total_invocations) DESC, p.project_name LIMIT $1`,
    [q.projects ?? 12],
  );
  const cells = await db.all<{ skill_name: string; project_id: string; total: number; success_rate: number }>(
    `SELECT skill_name, project_id, total_invocations AS total, completed_invocations / (total_invocations - pending_invocations) AS success_rate
     FROM skill_aggregates WHERE time_window = 'all' AND list_contains($1, skill_name) AND list_contains($2, project_id)
       AND total_invocations > pending_invocations`,
    [skills, projects.map((p) => p.project_id)],
  );
  return { skills, projects, cells };
}

export interface ErrorHotspot {
  error_type: string;
  failures: number;
  share: number;
  skills: { skill_name: string; failures: number }[];
}

/** The error types behind most failures, with the skills that hit them. */
export async function errorHotspots(db: Db, q: { project?: ProjectRef; limit?: number } = {}): Promise<ErrorHotspot[]> {
  const scope = (await projectScope(db, q.project)) ?? '*';
  const rows = await db.all<{ error_type: string; failures: number; share: number; skills: { skill_name: string; failures: number }[] }>(
    `SELECT error_type, sum(failures) AS failures, sum(failures) / (SELECT sum(failures) FROM skill_errors WHERE project_id = $1) AS share,
            list({'skill_name': skill_name, 'failures': failures} ORDER BY failures DESC, skill_name)[1:5] AS skills
     FROM skill_errors WHERE project_id = $1 GROUP BY error_type ORDER BY failures DESC, error_type LIMIT $2`,
    [scope, q.limit ?? 8],
  );
  return rows;
}

export interface SkillDurations {
  skill_name: string;
  total_invocations: number;
  success_rate: number;
  avg_duration_seconds: number | null;
  p50_duration_seconds: number | null;
  p95_duration_seconds: number | null;
}

/** Success and duration percentiles of the most used skills (all time). */
export async function skillDurations(db: Db, q: { project?: ProjectRef; limit?: number } = {}): Promise<SkillDurations[]> {
  const scope = (await projectScope(db, q.project)) ?? '*';
  return db.all<SkillDurations>(
    `SELECT skill_name, total_invocations, completed_invocations / (total_invocations - pending_invocations) AS success_rate, avg_duration_seconds,
            p50_duration_seconds, p95_duration_seconds
     FROM skill_aggregates WHERE project_id = $1 AND time_window = 'all' AND total_invocations > pending_invocations ORDER BY total_invocations DESC, skill_name LIMIT $2`,
    [scope, q.limit ?? 12],
  );
}

/** Relative change of invocations and the success-rate difference against the previous period (none without one). */
function changeAgainst(current: PeriodFigures, previous: PeriodFigures | null): KeyFigures['change'] {
  if (!previous || previous.invocations === 0) return null;
  return {
    invocations: current.invocations / previous.invocations - 1,
    success_rate: current.success_rate !== null && previous.success_rate !== null ? current.success_rate - previous.success_rate : null,
  };
}
