/**
 * Co-usage and transitions (DESIGN section 4), from what the aggregate step derives (derived.ts):
 * - pairs: for skills A and B, the sessions that used both, support = P(A and B) and
 *   lift = P(A and B) / (P(A) P(B)) over the sessions in scope;
 * - transitions: P(next skill = B | skill = A) within a session, ordered by time.
 */
import { projectScope } from './scope';
import type { ProjectRef } from './scope';
import type { Db } from './store';

export interface SkillPair {
  a: string;
  b: string;
  sessions: number;
  support: number;
  lift: number;
}

export interface SkillTransition {
  from: string;
  to: string;
  count: number;
  probability: number;
}

export interface SkillGraph {
  pairs: SkillPair[];
  transitions: SkillTransition[];
}

export interface GraphQuery {
  project?: ProjectRef;
  /** Pairs seen in fewer sessions, and transitions seen fewer times, are left out (default 2). */
  minCount?: number;
  limit?: number;
}

export async function skillGraph(db: Db, query: GraphQuery = {}): Promise<SkillGraph> {
  const scope = (await projectScope(db, query.project)) ?? '*';
  const minCount = query.minCount ?? 2;
  const limit = query.limit ?? 50;
  const pairs = await db.all<SkillPair>(
    `WITH n AS (
       SELECT count(*) AS total FROM session_summaries s JOIN projects p USING (project_id)
       WHERE p.is_active AND s.invocations > 0 AND ($1 = '*' OR s.project_id = $1)
     )
     SELECT pr.skill_a AS a, pr.skill_b AS b, pr.sessions, pr.sessions / n.total AS support,
            pr.sessions * n.total / (sa.sessions * sb.sessions) AS lift
     FROM skill_pairs pr, n
     JOIN skill_sessions sa ON sa.project_id = $1 AND sa.skill_name = pr.skill_a
     JOIN skill_sessions sb ON sb.project_id = $1 AND sb.skill_name = pr.skill_b
     WHERE pr.project_id = $1 AND pr.sessions >= $2
     ORDER BY pr.sessions DESC, lift DESC, a, b LIMIT $3`,
    [scope, minCount, limit],
  );
  const transitions = await db.all<SkillTransition>(
    `SELECT from_skill AS "from", to_skill AS "to", transitions AS count,
            transitions / sum(transitions) OVER (PARTITION BY from_skill) AS probability
     FROM skill_transitions WHERE project_id = $1
     QUALIFY count >= $2
     ORDER BY count DESC, "from", "to" LIMIT $3`,
    [scope, minCount, limit],
  );
  return { pairs, transitions };
}
