/** Top skills: the most used skills with their success and duration figures (DESIGN sections 4, 5). */
import { PENDING_SQL } from './definitions';
import type { Db } from './store';
import type { ProjectRef } from './scope';
import { projectScope } from './scope';
import type { AggregateWindow } from './derived';
import { derivedFreshness } from './derived';
import type { RangeQuery, Window } from './timeRange';
import { parseWindow, resolveRange } from './timeRange';

export interface TopSkill {
  skill_name: string;
  total_invocations: number;
  completed_invocations: number;
  /** Of total_invocations, saved before they finished: in progress, not in success rate or durations (PENDING_SQL). */
  pending_invocations: number;
  success_rate: number;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  avg_follow_ups: number;
  projects: number;
  first_used: Date | null;
  last_used: Date | null;
}

export interface TopQuery extends RangeQuery {
  limit?: number;
  /** Project id, path or name; default: every active project. */
  project?: ProjectRef;
}

/** Windows that are one aggregate bucket: answered from `skill_aggregates` when it is fresh. */
const BUCKET_WINDOWS: Partial<Record<Window, { window: AggregateWindow; bucket: string }>> = {
  // (references $3 like the others: DuckDB refuses a parameter the statement does not use)
  all: { window: 'all', bucket: "CASE WHEN $3::TIMESTAMPTZ IS NULL THEN TIMESTAMPTZ '1970-01-01 00:00:00+00' ELSE TIMESTAMPTZ '1970-01-01 00:00:00+00' END" },
  today: { window: 'daily', bucket: "date_trunc('day', coalesce($3::TIMESTAMPTZ, now()))" },
  daily: { window: 'daily', bucket: "date_trunc('day', coalesce($3::TIMESTAMPTZ, now()))" },
  weekly: { window: 'weekly', bucket: "date_trunc('week', coalesce($3::TIMESTAMPTZ, now()))" },
  monthly: { window: 'monthly', bucket: "date_trunc('month', coalesce($3::TIMESTAMPTZ, now()))" },
};

export async function topSkills(db: Db, query: TopQuery = {}): Promise<TopSkill[]> {
  const projectId = await projectScope(db, query.project);
  const bucketed = BUCKET_WINDOWS[parseWindow(query.window)];
  if (bucketed && !query.since && !query.until && (await derivedFreshness(db)).fresh) {
    return db.all<TopSkill>(
      `SELECT skill_name, total_invocations, completed_invocations, pending_invocations,
              completed_invocations / (total_invocations - pending_invocations) AS success_rate, avg_duration_seconds, p95_duration_seconds, avg_follow_ups, projects, first_used, last_used
       FROM skill_aggregates
       WHERE project_id = $1 AND time_window = $2 AND bucket_start = ${bucketed.bucket} AND total_invocations > pending_invocations
       ORDER BY total_invocations DESC, skill_name LIMIT $4`,
      [projectId ?? '*', bucketed.window, query.now ?? null, query.limit ?? 10],
    );
  }
  const range = await resolveRange(db, query);
  return db.all<TopSkill>(
    `SELECT skill_name,
            count(*) AS total_invocations,
            count(*) FILTER (WHERE completed) AS completed_invocations,
            count(*) FILTER (WHERE ${PENDING_SQL('u.')}) AS pending_invocations,
            count(*) FILTER (WHERE completed) / nullif(count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}), 0) AS success_rate,
            avg(duration_seconds) FILTER (WHERE completed) AS avg_duration_seconds,
            quantile_cont(duration_seconds, 0.95) FILTER (WHERE completed) AS p95_duration_seconds,
            avg(len(follow_up_actions)) AS avg_follow_ups,
            count(DISTINCT project_id) AS projects,
            min(invoked_at) AS first_used,
            max(invoked_at) AS last_used
     FROM skill_usage u
     JOIN projects p USING (project_id)
     WHERE p.is_active
       AND ($1::VARCHAR IS NULL OR u.project_id = $1)
       AND ($2::TIMESTAMPTZ IS NULL OR u.invoked_at >= $2)
       AND ($3::TIMESTAMPTZ IS NULL OR u.invoked_at < $3)
     GROUP BY skill_name
     HAVING count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}) > 0 -- a skill is listed once one of its invocations finished
     ORDER BY total_invocations DESC, skill_name
     LIMIT $4`,
    [projectId, range.from, range.to, query.limit ?? 10],
  );
}
