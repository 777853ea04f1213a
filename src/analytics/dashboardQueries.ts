/**
 * Cheaper plans for two answers the dashboard needs on every view, with the same results as the core
 * functions they stand in for (unit tests compare them on generated data):
 *
 * - `dashboardFigures` = `keyFigures` (overview.ts). The counts of the current period come from the
 *   aggregates (its bounds are whole days in the display zone, or all time: exactly the buckets), and one
 *   scan of the raw records yields both medians and the previous period's counts (whose bounds need not
 *   be whole days). keyFigures scans the records twice, joined with the projects; on 10 million records
 *   the all-time figures took ~0.8 s of the dashboard's 1 s.
 * - `recentSessions` = `sessions` (sessions.ts) without a skill filter: the active projects as a
 *   semi-join, which lets DuckDB take the top rows without joining every session (~2x faster).
 *
 * Reads derived data: call `ensureDerived` first.
 */
import type { KeyFigures, PeriodFigures } from './overview';
import { keyFigures } from './overview';
import { projectScope } from './scope';
import type { CorrelatedSession } from './sessions';
import type { Db } from './store';

const EMPTY: PeriodFigures = { invocations: 0, completed: 0, success_rate: null, median_duration_seconds: null, active_projects: 0, skills: 0 };

/** True when `d` is the start of a day in the connection's (display) zone. */
async function isDayStart(db: Db, d: Date): Promise<boolean> {
  const row = await db.one<{ ok: boolean }>("SELECT date_trunc('day', $1::TIMESTAMPTZ) = $1::TIMESTAMPTZ AS ok", [d]);
  return row?.ok ?? false;
}

export async function dashboardFigures(db: Db, q: { project?: string; from: Date | null; to: Date | null; now?: Date }): Promise<KeyFigures> {
  // Bounds that are not whole days (never from resolveRange) are answered by keyFigures itself.
  if ((q.from && !(await isDayStart(db, q.from))) || (q.to && !(await isDayStart(db, q.to)))) return keyFigures(db, q);
  const projectId = await projectScope(db, q.project);
  const scope = projectId ?? '*';
  const window = q.from || q.to ? 'daily' : 'all';
  const counts = (await db.one<{ invocations: number; completed: number; skills: number; active_projects: number }>(
    `WITH buckets AS (
       SELECT project_id, skill_name, total_invocations, completed_invocations FROM skill_aggregates
       WHERE time_window = $1 AND ($2::TIMESTAMPTZ IS NULL OR bucket_start >= $2) AND ($3::TIMESTAMPTZ IS NULL OR bucket_start < $3)
     )
     SELECT coalesce(sum(total_invocations) FILTER (WHERE project_id = $4), 0) AS invocations,
            coalesce(sum(completed_invocations) FILTER (WHERE project_id = $4), 0) AS completed,
            count(DISTINCT skill_name) FILTER (WHERE project_id = $4) AS skills,
            count(DISTINCT project_id) FILTER (WHERE project_id <> '*' AND ($4 = '*' OR project_id = $4)) AS active_projects
     FROM buckets`,
    [window, q.from, q.to, scope],
  ))!;
  const to = q.to ?? (q.from ? (q.now ?? new Date()) : null);
  const prevFrom = q.from && to ? new Date(q.from.getTime() - (to.getTime() - q.from.getTime())) : null;
  // One scan: the current period's median, and the previous period's figures (as keyFigures counts them).
  const raw = (await db.one<{ median: number | null } & PeriodFigures>(
    `SELECT approx_quantile(duration_seconds, 0.5) FILTER (WHERE completed AND u.invoked_at >= coalesce($2::TIMESTAMPTZ, u.invoked_at)) AS median,
            count(*) FILTER (WHERE u.invoked_at < $2) AS invocations,
            count(*) FILTER (WHERE u.invoked_at < $2 AND completed) AS completed,
            CASE WHEN count(*) FILTER (WHERE u.invoked_at < $2) > 0
                 THEN count(*) FILTER (WHERE u.invoked_at < $2 AND completed) / count(*) FILTER (WHERE u.invoked_at < $2) END AS success_rate,
            approx_quantile(duration_seconds, 0.5) FILTER (WHERE completed AND u.invoked_at < $2) AS median_duration_seconds,
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
    success_rate: counts.invocations > 0 ? counts.completed / counts.invocations : null,
    median_duration_seconds: raw.median,
    active_projects: counts.active_projects,
    skills: counts.skills,
  };
  const { median: _median, ...prev } = raw;
  const previous: PeriodFigures | null = prevFrom ? { ...EMPTY, ...prev } : null;
  const change =
    previous && previous.invocations > 0
      ? {
          invocations: current.invocations / previous.invocations - 1,
          success_rate: current.success_rate !== null && previous.success_rate !== null ? current.success_rate - previous.success_rate : null,
        }
      : null;
  return { ...current, from: q.from, to: q.to, previous, change };
}

/** The most recent sessions first (sessions() without a skill filter). */
export async function recentSessions(db: Db, q: { project?: string; limit?: number } = {}): Promise<CorrelatedSession[]> {
  const projectId = await projectScope(db, q.project);
  return db.all<CorrelatedSession>(
    `SELECT session_id, inferred, project_id, start_time, end_time, skills_used, skills_completed, workflow_nodes_completed,
            total_skill_duration, total_workflow_duration
     FROM session_summaries s
     WHERE s.project_id IN (SELECT project_id FROM projects WHERE is_active) AND ($1::VARCHAR IS NULL OR s.project_id = $1)
     ORDER BY start_time DESC, session_id LIMIT $2`,
    [projectId, q.limit ?? 20],
  );
}
