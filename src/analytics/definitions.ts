/**
 * What the figures of a skill say (insights, hotspots, better paths), by the thresholds of
 * src/common/rules.ts (DESIGN section 4), so the trees, the dashboard, the CLI and the agent tools all mean
 * the same thing.
 */
import { int, pct } from '../common/format';
import { RULES } from '../common/rules';

/** Rates in sentences read as everywhere else (the one formatter). */
export { RULES, pct };

/**
 * A pending invocation: saved by its writer before it finished (not completed, no duration, no error,
 * no follow-ups; FORMATS B8). It is a use (counted in invocations) that is in progress: counted apart
 * too (`pending_invocations`), and left out of success rate and durations until a later save finishes it
 * (the collector then updates it in place): success rate = completed / finished invocations.
 * `p` is a table alias with its dot, e.g. `u.`.
 */
export const PENDING_SQL = (p = ''): string =>
  `(NOT ${p}completed AND ${p}duration_seconds IS NULL AND ${p}error_raw IS NULL AND len(${p}follow_up_actions) = 0)`;


/** What the numbers of one skill say, as sentences (effectiveness insights). */
export interface SkillStats {
  skill_name: string;
  total_invocations: number;
  success_rate: number | null;
  avg_follow_ups: number | null;
  failures: number;
  top_error: { error_type: string; count: number } | null;
  best_path: { workflow_path: string; count: number; success_rate: number } | null;
  worst_path: { workflow_path: string; count: number; success_rate: number } | null;
}

export function skillInsights(s: SkillStats, minEvidence: number): string[] {
  if (s.total_invocations === 0) return [`No invocations of ${s.skill_name} are recorded.`];
  if (s.total_invocations < minEvidence) {
    return [`Not enough data: ${int(s.total_invocations)} invocation${s.total_invocations === 1 ? '' : 's'}; at least ${minEvidence} are needed to rate a skill.`];
  }
  const out: string[] = [];
  const rate = s.success_rate ?? 0;
  if (rate < RULES.lowSuccessRate) out.push(`Low success rate (${pct(rate)}): review the skill's prompts, inputs and failure cases.`);
  if (rate > RULES.highSuccessRate) out.push(`Excellent success rate (${pct(rate)}): the skill is well-tuned.`);
  if ((s.avg_follow_ups ?? 0) > RULES.highFollowUps) {
    out.push(`High follow-up rate (${(s.avg_follow_ups ?? 0).toFixed(1)} actions per use): the skill may need refinement.`);
  }
  const hotspot = errorHotspot(s);
  if (hotspot) out.push(`Error hotspot: ${hotspot.error_type} causes ${pct(hotspot.share)} of failures (${int(hotspot.count)} of ${int(s.failures)}).`);
  const path = betterPath(s, minEvidence);
  if (path) {
    out.push(
      `Workflow path ${path.best.workflow_path} succeeds ${pct(path.best.success_rate)} vs ${pct(path.worst.success_rate)} on ${path.worst.workflow_path}: prefer ${path.best.workflow_path}.`,
    );
  }
  return out;
}

export function errorHotspot(s: Pick<SkillStats, 'failures' | 'top_error'>): { error_type: string; count: number; share: number } | null {
  if (!s.top_error || s.failures < RULES.errorHotspotMinFailures) return null;
  const share = s.top_error.count / s.failures;
  return share >= RULES.errorHotspotShare ? { ...s.top_error, share } : null;
}

export function betterPath(
  s: Pick<SkillStats, 'best_path' | 'worst_path'>,
  minEvidence: number,
): { best: NonNullable<SkillStats['best_path']>; worst: NonNullable<SkillStats['worst_path']> } | null {
  const { best_path: best, worst_path: worst } = s;
  if (!best || !worst || best.workflow_path === worst.workflow_path) return null;
  if (best.count < minEvidence || worst.count < minEvidence) return null;
  return best.success_rate - worst.success_rate >= RULES.betterPathMargin ? { best, worst } : null;
}
