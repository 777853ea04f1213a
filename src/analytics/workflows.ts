/**
 * The workflow-skill view: for each workflow path (as invocations record it) and each workflow node (the
 * nodes a session ran, joined by session id), the skills used there with their success and duration.
 */
import { PENDING_SQL } from './definitions';
import { projectScope } from './scope';
import type { ProjectRef } from './scope';
import type { Db } from './store';

export interface WorkflowSkill {
  kind: 'path' | 'node';
  workflow: string;
  skill_name: string;
  invocations: number;
  success_rate: number;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
}

export async function workflowSkills(db: Db, q: { project?: ProjectRef; limit?: number } = {}): Promise<WorkflowSkill[]> {
  const projectId = await projectScope(db, q.project);
  return db.all<WorkflowSkill>(
    `WITH usage AS (
       SELECT u.* FROM skill_usage u JOIN projects p USING (project_id)
       WHERE p.is_active AND ($1::VARCHAR IS NULL OR u.project_id = $1) AND NOT ${PENDING_SQL('u.')} -- pending: not a run yet
     ),
     nodes AS (
       SELECT DISTINCT e.project_id, e.session_id, e.node_id FROM workflow_events e JOIN projects p USING (project_id)
       WHERE p.is_active AND e.node_id IS NOT NULL AND e.session_id IS NOT NULL AND ($1::VARCHAR IS NULL OR e.project_id = $1)
     ),
     tagged AS (
       SELECT 'path' AS kind, workflow_path AS workflow, skill_name, completed, duration_seconds FROM usage WHERE workflow_path IS NOT NULL
       UNION ALL
       SELECT 'node', n.node_id, u.skill_name, u.completed, u.duration_seconds
       FROM nodes n JOIN usage u ON u.project_id = n.project_id AND u.session_id = n.session_id
     )
     SELECT kind, workflow, skill_name, count(*) AS invocations, count(*) FILTER (WHERE completed) / count(*) AS success_rate,
            avg(duration_seconds) FILTER (WHERE completed) AS avg_duration_seconds,
            quantile_cont(duration_seconds, 0.95) FILTER (WHERE completed) AS p95_duration_seconds
     FROM tagged GROUP BY ALL
     ORDER BY kind DESC, workflow, invocations DESC, skill_name
     LIMIT $2`,
    [projectId, q.limit ?? 200],
  );
}
