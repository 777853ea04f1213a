/**
 * The thresholds behind every rating, insight and recommendation (DESIGN section 4), in one place so the
 * trees, the dashboard (the webview bundles this file), the CLI and the agent tools all mean the same thing.
 * No imports.
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
