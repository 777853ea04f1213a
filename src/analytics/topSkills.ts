/** Top skills: the most used skills with their success and duration figures (DESIGN sections 4, 5). */
import type { Db } from './store';
import type { RangeQuery } from './timeRange';
import { resolveRange } from './timeRange';
import { resolveProject } from './projects';

export interface TopSkill {
  skill_name: string;
  total_invocations: number;
  completed_invocations: number;
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
  project?: string;
}

export async function topSkills(db: Db, query: TopQuery = {}): Promise<TopSkill[]> {
  const range = await resolveRange(db, query);
  const projectId = query.project ? (await resolveProject(db, query.project)).project_id : null;
  return db.all<TopSkill>(
    `SELECT skill_name,
            count(*) AS total_invocations,
            count(*) FILTER (WHERE completed) AS completed_invocations,
            count(*) FILTER (WHERE completed) / count(*) AS success_rate,
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
     ORDER BY total_invocations DESC, skill_name
     LIMIT $4`,
    [projectId, range.from, range.to, query.limit ?? 10],
  );
}
