/**
 * Recommendations (DESIGN section 4): what to do, each with a priority, a message, a suggested action and
 * the numbers behind it. Nothing is rated with fewer than `minEvidence` invocations. Most useful first:
 * by priority, then by how much use the evidence covers. Reads derived data: call `ensureDerived` first.
 */
import type { SkillStats } from './definitions';
import type { ProjectRef } from './scope';
import { int } from '../common/format';
import { RULES, betterPath, errorHotspot, pct } from './definitions';
import { projectScope } from './scope';
import type { Db } from './store';
import { trends } from './trends';

export type Priority = 'high' | 'medium' | 'low';

export type RecommendationType =
  | 'low_success_rate'
  | 'error_hotspot'
  | 'high_follow_ups'
  | 'prefer_workflow_path'
  | 'declining'
  | 'try_here'
  | 'usual_successor'
  | 'stale'
  | 'well_tuned';

export interface Recommendation {
  type: RecommendationType;
  priority: Priority;
  skill_name: string | null;
  project_id: string | null;
  message: string;
  action: string;
  evidence: Record<string, unknown>;
}

export interface RecommendationQuery {
  project?: ProjectRef;
  minEvidence: number;
  now?: Date;
  limit?: number;
}

const RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

interface SkillRow {
  skill_name: string;
  total: number;
  completed: number;
  avg_follow_ups: number;
  follow_up_share: number;
  last_used: Date;
  failures: number;
}

export async function recommendations(db: Db, query: RecommendationQuery): Promise<Recommendation[]> {
  const projectId = await projectScope(db, query.project);
  const scope = projectId ?? '*';
  const min = query.minEvidence;
  const skills = await db.all<SkillRow>(
    // Rated on finished invocations (a pending one says nothing about success yet).
    `SELECT skill_name, total_invocations - pending_invocations AS total, completed_invocations AS completed, avg_follow_ups,
            with_follow_ups / total_invocations AS follow_up_share, last_used, failed_invocations AS failures
     FROM skill_aggregates WHERE project_id = $1 AND time_window = 'all' AND total_invocations - pending_invocations >= $2`,
    [scope, min],
  );
  const errors = await db.all<{ skill_name: string; error_type: string; failures: number }>(
    `SELECT skill_name, error_type, failures FROM skill_errors WHERE project_id = $1
     QUALIFY row_number() OVER (PARTITION BY skill_name ORDER BY failures DESC, error_type) = 1`,
    [scope],
  );
  const paths = await db.all<{ skill_name: string; workflow_path: string; invocations: number; completed: number }>(
    'SELECT skill_name, workflow_path, invocations, completed FROM skill_paths WHERE project_id = $1',
    [scope],
  );
  const topError = new Map(errors.map((e) => [e.skill_name, e]));
  const out: Recommendation[] = [];
  const add = (r: Omit<Recommendation, 'project_id'>) => out.push({ ...r, project_id: projectId });

  for (const s of skills) {
    const rate = s.completed / s.total;
    const evidence = { total_invocations: s.total, completed_invocations: s.completed, success_rate: rate };
    const skillPaths = paths
      .filter((p) => p.skill_name === s.skill_name)
      .map((p) => ({ workflow_path: p.workflow_path, count: p.invocations, success_rate: p.completed / p.invocations }))
      .filter((p) => p.count >= min)
      .sort((a, b) => b.success_rate - a.success_rate || b.count - a.count);
    const e = topError.get(s.skill_name);
    const stats: SkillStats = {
      skill_name: s.skill_name,
      total_invocations: s.total,
      success_rate: rate,
      avg_follow_ups: s.avg_follow_ups,
      failures: s.failures,
      top_error: e ? { error_type: e.error_type, count: e.failures } : null,
      best_path: skillPaths[0] ?? null,
      worst_path: skillPaths[skillPaths.length - 1] ?? null,
    };
    if (rate < RULES.lowSuccessRate) {
      add({
        type: 'low_success_rate', priority: 'high', skill_name: s.skill_name,
        message: `${s.skill_name} succeeds in only ${pct(rate)} of ${int(s.total)} invocations.`,
        action: `Review ${s.skill_name}: its prompts, its inputs and the failures below.`,
        evidence,
      });
    }
    const hotspot = errorHotspot(stats);
    if (hotspot) {
      // Impact: a dominant error of a skill that rarely fails matters less than one behind frequent failures.
      const failureRate = s.failures / s.total;
      const priority: Priority =
        hotspot.share >= RULES.errorHotspotHighShare && failureRate >= RULES.hotspotHighFailureRate ? 'high'
        : failureRate >= RULES.hotspotMediumFailureRate ? 'medium' : 'low';
      add({
        type: 'error_hotspot', priority, skill_name: s.skill_name,
        message: `${hotspot.error_type} causes ${pct(hotspot.share)} of the failures of ${s.skill_name} (${int(hotspot.count)} of ${int(s.failures)}).`,
        action: `Fix what makes ${s.skill_name} fail with ${hotspot.error_type}.`,
        evidence: { error_type: hotspot.error_type, count: hotspot.count, failures: s.failures, share: hotspot.share, failure_rate: failureRate, total_invocations: s.total },
      });
    }
    if (s.avg_follow_ups > RULES.highFollowUps) {
      add({
        type: 'high_follow_ups', priority: 'medium', skill_name: s.skill_name,
        message: `${s.skill_name} is followed by ${s.avg_follow_ups.toFixed(1)} actions per use on average.`,
        action: `Refine ${s.skill_name} so that fewer follow-up steps are needed.`,
        evidence: { avg_follow_ups: s.avg_follow_ups, follow_up_share: s.follow_up_share, total_invocations: s.total },
      });
    }
    const path = betterPath(stats, min);
    if (path) {
      add({
        type: 'prefer_workflow_path', priority: 'medium', skill_name: s.skill_name,
        message: `${s.skill_name} succeeds ${pct(path.best.success_rate)} on ${path.best.workflow_path} but ${pct(path.worst.success_rate)} on ${path.worst.workflow_path}.`,
        action: `Prefer the ${path.best.workflow_path} workflow path for ${s.skill_name}.`,
        evidence: { best: path.best, worst: path.worst, total_invocations: s.total },
      });
    }
    // "Keep it" would contradict advice to refine it, fix its errors, or that it is no longer used.
    const stale = s.last_used.getTime() < (query.now ?? new Date()).getTime() - RULES.staleDays * 86_400_000;
    if (rate > RULES.highSuccessRate && !stale && !hotspot && s.avg_follow_ups <= RULES.highFollowUps) {
      add({
        type: 'well_tuned', priority: 'low', skill_name: s.skill_name,
        message: `${s.skill_name} succeeds in ${pct(rate)} of ${int(s.total)} invocations.`,
        action: `Keep ${s.skill_name}; it is a good default in workflows.`,
        evidence,
      });
    }
  }

  // Trends: declining and stale skills (trends() leaves out what lacks evidence itself).
  const trendRows = await trends(db, { project: projectId ?? undefined, now: query.now });
  for (const t of trendRows) {
    if (t.total < min) continue;
    if (t.direction === 'declining') {
      add({
        type: 'declining', priority: 'medium', skill_name: t.skill_name,
        message: `Use of ${t.skill_name} is declining: ${t.weekly_counts.join(', ')} per week over the last ${t.weeks.length} weeks.`,
        action: `Check whether ${t.skill_name} was replaced or started failing.`,
        evidence: { weekly_counts: t.weekly_counts, slope_per_week: t.slope_per_week, relative_change: t.relative_change, total_invocations: t.total },
      });
    } else if (t.direction === 'stale') {
      add({
        type: 'stale', priority: 'low', skill_name: t.skill_name,
        message: `${t.skill_name} has not been used for more than ${RULES.staleDays} days (${int(t.total)} uses before).`,
        action: `Drop ${t.skill_name} from your workflows, or find out why it stopped being used.`,
        evidence: { last_used: t.last_used, total_invocations: t.total },
      });
    }
  }

  // "You usually use B after A": strong, well-evidenced transitions between different skills.
  const successors = await db.all<{ from_skill: string; to_skill: string; transitions: number; probability: number; from_total: number }>(
    `SELECT from_skill, to_skill, transitions, transitions / sum(transitions) OVER (PARTITION BY from_skill) AS probability,
            sum(transitions) OVER (PARTITION BY from_skill) AS from_total
     FROM skill_transitions WHERE project_id = $1
     QUALIFY from_skill <> to_skill AND transitions >= $2 AND probability >= $3
     ORDER BY transitions DESC`,
    [scope, min, RULES.usualSuccessorProbability],
  );
  for (const t of successors) {
    add({
      type: 'usual_successor', priority: 'low', skill_name: t.from_skill,
      message: `After ${t.from_skill} you usually run ${t.to_skill} (${pct(t.probability)} of ${int(t.from_total)} times).`,
      action: `Chain ${t.to_skill} after ${t.from_skill} in your workflow.`,
      evidence: { from: t.from_skill, to: t.to_skill, count: t.transitions, probability: t.probability },
    });
  }

  // Skills that work well in other projects but are not used in this one (only with a project).
  if (projectId) {
    const elsewhere = await db.all<{ skill_name: string; projects: number; total: number; success_rate: number }>(
      `SELECT a.skill_name, count(*) AS projects, sum(a.total_invocations - a.pending_invocations) AS total,
              sum(a.completed_invocations) / sum(a.total_invocations - a.pending_invocations) AS success_rate
       FROM skill_aggregates a JOIN projects p USING (project_id)
       WHERE a.time_window = 'all' AND a.project_id <> '*' AND a.project_id <> $1 AND p.is_active
         AND a.skill_name NOT IN (SELECT skill_name FROM skill_aggregates WHERE project_id = $1 AND time_window = 'all')
       GROUP BY a.skill_name
       HAVING sum(a.total_invocations - a.pending_invocations) >= $2
          AND sum(a.completed_invocations) / sum(a.total_invocations - a.pending_invocations) >= $3
       ORDER BY total DESC LIMIT 3`,
      [projectId, min, RULES.worksElsewhereSuccessRate],
    );
    for (const e of elsewhere) {
      add({
        type: 'try_here', priority: 'medium', skill_name: e.skill_name,
        message: `${e.skill_name} succeeds ${pct(e.success_rate)} over ${int(e.total)} uses in ${int(e.projects)} other project(s), but is not used here.`,
        action: `Try ${e.skill_name} in this project.`,
        evidence: { other_projects: e.projects, total_invocations: e.total, success_rate: e.success_rate },
      });
    }
  }

  const weight = (r: Recommendation) => Number(r.evidence.total_invocations ?? r.evidence.count ?? 0);
  out.sort((a, b) => RANK[a.priority] - RANK[b.priority] || weight(b) - weight(a) || (a.skill_name ?? '').localeCompare(b.skill_name ?? ''));
  return query.limit ? out.slice(0, query.limit) : out;
}
