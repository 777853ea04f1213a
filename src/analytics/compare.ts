/** One skill across projects (DESIGN section 5, `compare`): how each active project fares with it. */
import { PENDING_SQL } from './definitions';
import type { Db } from './store';

export interface CompareRow {
  project_id: string;
  project_name: string;
  total_invocations: number;
  pending_invocations: number;
  success_rate: number;
  avg_duration_seconds: number | null;
}

export async function compareSkill(db: Db, skill: string, _options: { minEvidence?: number } = {}): Promise<CompareRow[]> {
  return db.all<CompareRow>(
    `SELECT project_id, p.project_name, count(*) AS total_invocations,
            count(*) FILTER (WHERE ${PENDING_SQL('u.')}) AS pending_invocations,
            count(*) FILTER (WHERE completed) / nullif(count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}), 0) AS success_rate,
            avg(duration_seconds) FILTER (WHERE completed) AS avg_duration_seconds
     FROM skill_usage u JOIN projects p USING (project_id)
     WHERE p.is_active AND u.skill_name = $1
     GROUP BY project_id, p.project_name
     HAVING count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}) > 0 -- only pending so far: nothing to compare yet
     ORDER BY total_invocations DESC, p.project_name`,
    [skill],
  );
}
