/**
 * The thresholds behind every rating, insight and recommendation (DESIGN section 4), in one place so the
 * trees, the dashboard, the CLI and the agent tools all mean the same thing.
 */
export const RULES = {
  /** success_rate below this: review the skill (high priority). */
  lowSuccessRate: 0.6,
  /** success_rate above this: well-tuned. */
  highSuccessRate: 0.9,
  /** avg_follow_ups above this: the skill may need refinement. */
  highFollowUps: 2,
  /** One error type causing at least this share of failures is a hotspot (high priority from 0.7). */
  errorHotspotShare: 0.5,
  errorHotspotHighShare: 0.7,
  /** A hotspot needs at least this many failures. */
  errorHotspotMinFailures: 3,
  /** Hotspot priority follows impact: high when the skill fails this often (and the share is high), medium from the next. */
  hotspotHighFailureRate: 0.2,
  hotspotMediumFailureRate: 0.1,
  /** A workflow path is clearly better when its success rate is at least this much higher. */
  betterPathMargin: 0.2,
  /** Used before but not within this many days: stale. */
  staleDays: 30,
  /** "You usually use B after A" from this probability on. */
  usualSuccessorProbability: 0.5,
  /** A skill that works this well elsewhere is suggested for projects that do not use it. */
  worksElsewhereSuccessRate: 0.8,
  /** Trends: weeks looked at, and at least this many weeks with use before a direction is claimed. */
  trendWeeks: 8,
  trendMinPoints: 3,
  /** A trend is real when |t| of the slope is at least this and the change is at least this share of the mean. */
  trendMinT: 2,
  trendMinRelativeChange: 0.3,
  /**
   * ...and when the uses of the later half of the weeks differ from those of the earlier half by at least
   * this many standard deviations of counting noise: |later - earlier| / sqrt(later + earlier) (counts of
   * independent uses vary by about their square root). 3,3,4,3,4,4,4,5 (13 vs 17: 0.7) is steady; the same
   * shape at ten times the use (130 vs 170: 2.3) is rising.
   */
  trendMinCountZ: 2,
} as const;

/**
 * A pending invocation: saved by its writer before it finished (not completed, no duration, no error,
 * no follow-ups; FORMATS B8). It is a use (counted in invocations) that is in progress: counted apart
 * too (`pending_invocations`), and left out of success rate and durations until a later save finishes it
 * (the collector then updates it in place): success rate = completed / finished invocations.
 * `p` is a table alias with its dot, e.g. `u.`.
 */
export const PENDING_SQL = (p = ''): string =>
  `(NOT ${p}completed AND ${p}duration_seconds IS NULL AND ${p}error_raw IS NULL AND len(${p}follow_up_actions) = 0)`;

export const pct = (f: number): string => `${Math.round(f * 100)}%`;

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
    return [`Not enough data: ${s.total_invocations} invocation${s.total_invocations === 1 ? '' : 's'}; at least ${minEvidence} are needed to rate a skill.`];
  }
  const out: string[] = [];
  const rate = s.success_rate ?? 0;
  if (rate < RULES.lowSuccessRate) out.push(`Low success rate (${pct(rate)}): review the skill's prompts, inputs and failure cases.`);
  if (rate > RULES.highSuccessRate) out.push(`Excellent success rate (${pct(rate)}): the skill is well-tuned.`);
  if ((s.avg_follow_ups ?? 0) > RULES.highFollowUps) {
    out.push(`High follow-up rate (${(s.avg_follow_ups ?? 0).toFixed(1)} actions per use): the skill may need refinement.`);
  }
  const hotspot = errorHotspot(s);
  if (hotspot) out.push(`Error hotspot: ${hotspot.error_type} causes ${pct(hotspot.share)} of failures (${hotspot.count} of ${s.failures}).`);
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
