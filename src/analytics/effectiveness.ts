/**
 * How well one skill works (DESIGN sections 4 and 5, `effectiveness`), from the raw records, over all time
 * or a window / date range (the same windows and dates as top skills).
 */
import { PENDING_SQL } from './definitions';
import type { SkillStats } from './definitions';
import type { ProjectRef } from './scope';
import { skillInsights } from './definitions';
import { projectScope } from './scope';
import type { RangeQuery } from './timeRange';
import { resolveRange } from './timeRange';
import type { Db } from './store';

export interface Effectiveness {
  skill_name: string;
  found: boolean;
  total_invocations: number;
  completed_invocations: number;
  /** Saved before they finished: in progress, left out of every other figure. */
  pending_invocations: number;
  success_rate: number | null;
  avg_duration_seconds: number | null;
  p50_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  avg_follow_ups: number | null;
  follow_up_share: number | null;
  top_errors: { error_type: string; count: number }[];
  workflow_paths: { workflow_path: string; count: number; success_rate: number }[];
  first_used: Date | null;
  last_used: Date | null;
  enough_evidence: boolean;
  insights: string[];
}

export interface EffectivenessQuery extends RangeQuery {
  project?: ProjectRef;
  minEvidence: number;
}

/** The filter every query of this module shares: the skill, active projects, optionally one project and a time range. */
const SCOPE = `FROM skill_usage u JOIN projects p USING (project_id)
  WHERE p.is_active AND u.skill_name = $1 AND ($2::VARCHAR IS NULL OR u.project_id = $2)
    AND ($3::TIMESTAMPTZ IS NULL OR u.invoked_at >= $3) AND ($4::TIMESTAMPTZ IS NULL OR u.invoked_at < $4)`;
/** The same, without pending invocations (in progress: not in success rates until they finish). */
const FINISHED = `${SCOPE} AND NOT ${PENDING_SQL('u.')}`;

export async function effectiveness(db: Db, skill: string, query: EffectivenessQuery): Promise<Effectiveness> {
  const projectId = await projectScope(db, query.project);
  const range = await resolveRange(db, query);
  const params = [skill, projectId, range.from, range.to];
  const totals = (await db.one<Omit<Effectiveness, 'skill_name' | 'found' | 'top_errors' | 'workflow_paths' | 'enough_evidence' | 'insights'> & { failures: number }>(
    `SELECT count(*) AS total_invocations,
            count(*) FILTER (WHERE completed) AS completed_invocations,
            count(*) FILTER (WHERE ${PENDING_SQL('u.')}) AS pending_invocations,
            count(*) FILTER (WHERE completed) / nullif(count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}), 0) AS success_rate,
            avg(duration_seconds) FILTER (WHERE completed) AS avg_duration_seconds,
            quantile_cont(duration_seconds, 0.5) FILTER (WHERE completed) AS p50_duration_seconds,
            quantile_cont(duration_seconds, 0.95) FILTER (WHERE completed) AS p95_duration_seconds,
            avg(len(follow_up_actions)) AS avg_follow_ups,
            avg(CASE WHEN len(follow_up_actions) > 0 THEN 1 ELSE 0 END) AS follow_up_share,
            count(*) FILTER (WHERE NOT completed AND error_type IS NOT NULL) AS failures,
            min(invoked_at) AS first_used, max(invoked_at) AS last_used
     ${SCOPE}`,
    params,
  ))!;
  const topErrors = await db.all<{ error_type: string; count: number }>(
    `SELECT error_type, count(*) AS count ${SCOPE} AND NOT completed AND error_type IS NOT NULL
     GROUP BY error_type ORDER BY count DESC, error_type LIMIT 5`,
    params,
  );
  const paths = await db.all<{ workflow_path: string; count: number; success_rate: number }>(
    `SELECT workflow_path, count(*) AS count, count(*) FILTER (WHERE completed) / count(*) AS success_rate
     ${FINISHED} AND workflow_path IS NOT NULL GROUP BY workflow_path ORDER BY count DESC, workflow_path`,
    params,
  );
  const { failures, ...figures } = totals;
  const found = figures.total_invocations > 0;
  // Rated on finished invocations: a pending one says nothing about success yet.
  const finished = figures.total_invocations - figures.pending_invocations;
  const enough = finished >= query.minEvidence;
  const ranked = [...paths].sort((a, b) => b.success_rate - a.success_rate || b.count - a.count);
  const stats: SkillStats = {
    skill_name: skill,
    total_invocations: finished,
    success_rate: figures.success_rate,
    avg_follow_ups: figures.avg_follow_ups,
    failures,
    top_error: topErrors[0] ?? null,
    best_path: ranked[0] ?? null,
    worst_path: ranked[ranked.length - 1] ?? null,
  };
  const insights = skillInsights(stats, query.minEvidence);
  if (!found) {
    const similar = await db.all<{ skill_name: string }>(
      `SELECT DISTINCT skill_name FROM skill_usage WHERE jaro_winkler_similarity(lower(skill_name), lower($1)) > 0.8
       ORDER BY jaro_winkler_similarity(lower(skill_name), lower($1)) DESC LIMIT 3`,
      [skill],
    );
    if (similar.length) insights.push(`Did you mean: ${similar.map((s) => s.skill_name).join(', ')}?`);
  }
  return {
    skill_name: skill,
    found,
    ...figures,
    top_errors: topErrors,
    workflow_paths: paths,
    enough_evidence: enough,
    insights,
  };
}
