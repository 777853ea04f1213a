/**
 * `get_skill_summary`: a compact overview for an agent that has one question, "how are my skills doing?",
 * in one call: the key figures of a time window (with the change against the period of equal length just
 * before), the most used skills, the rated skills that fail too often, the single most useful
 * recommendation, and whether the data is healthy. Reads derived data: call `ensureDerived` first.
 */
import { RULES } from '../analytics/definitions';
import { health } from '../analytics/health';
import { keyFigures } from '../analytics/overview';
import { resolveProject } from '../analytics/projects';
import { resolved } from '../analytics/scope';
import type { Recommendation } from '../analytics/recommendations';
import { recommendations } from '../analytics/recommendations';
import type { Db } from '../analytics/store';
import type { Window } from '../analytics/timeRange';
import { resolveRange } from '../analytics/timeRange';
import { topSkills } from '../analytics/topSkills';

export interface SummarySkill {
  skill_name: string;
  total_invocations: number;
  success_rate: number;
  avg_duration_seconds: number | null;
  /** At least minEvidence invocations in the window: the success rate can be trusted. */
  enough_evidence: boolean;
}

export interface SkillSummary {
  project_id: string | null;
  project_name: string | null;
  window: Window;
  /** The window's bounds (from inclusive, to exclusive); null when open. */
  from: Date | null;
  to: Date | null;
  invocations: number;
  completed: number;
  success_rate: number | null;
  median_duration_seconds: number | null;
  skills: number;
  active_projects: number;
  /** Against the period of equal length just before: invocations now / before - 1, success rate now - before. */
  change: { invocations: number | null; success_rate: number | null } | null;
  /** The most used skills in the window. */
  top_skills: SummarySkill[];
  /** Skills with enough evidence in the window whose success rate is below RULES.lowSuccessRate, most used first. */
  needs_attention: SummarySkill[];
  /** The most useful recommendation (all time, as get_workflow_recommendations ranks them), or null. */
  best_recommendation: Recommendation | null;
  /** How many recommendations there are in all. */
  recommendations: number;
  health: { ok: boolean; problems: number; aggregates_fresh: boolean; last_collection: Date | null };
}

export interface SummaryQuery {
  project?: string;
  window?: string;
  minEvidence: number;
  sessionGapMinutes: number;
  /** How many top skills (default 5). */
  top?: number;
  now?: Date;
}

export async function skillSummary(db: Db, q: SummaryQuery): Promise<SkillSummary> {
  const project = q.project ? await resolveProject(db, q.project) : null;
  // Resolved once for the whole summary: the questions below take the resolved project.
  const ref = project ? resolved(project.project_id) : undefined;
  const range = await resolveRange(db, { window: q.window ?? '30d', now: q.now });
  const figures = await keyFigures(db, { project: ref, from: range.from, to: range.to, now: q.now });
  const skills = await topSkills(db, { project: ref, window: range.window, limit: 10_000, now: q.now });
  const shape = (s: (typeof skills)[number]): SummarySkill => ({
    skill_name: s.skill_name,
    total_invocations: s.total_invocations,
    success_rate: s.success_rate,
    avg_duration_seconds: s.avg_duration_seconds,
    enough_evidence: s.total_invocations >= q.minEvidence,
  });
  const recs = await recommendations(db, { project: ref, minEvidence: q.minEvidence, now: q.now });
  const h = await health(db, undefined, q.sessionGapMinutes);
  return {
    project_id: project?.project_id ?? null,
    project_name: project?.project_name ?? null,
    window: range.window,
    from: range.from,
    to: range.to,
    invocations: figures.invocations,
    completed: figures.completed,
    success_rate: figures.success_rate,
    median_duration_seconds: figures.median_duration_seconds,
    skills: figures.skills,
    active_projects: figures.active_projects,
    change: figures.change,
    top_skills: skills.slice(0, q.top ?? 5).map(shape),
    needs_attention: skills.filter((s) => s.total_invocations >= q.minEvidence && s.success_rate < RULES.lowSuccessRate).slice(0, 3).map(shape),
    best_recommendation: recs[0] ?? null,
    recommendations: recs.length,
    health: { ok: h.ok, problems: h.problems.length, aggregates_fresh: h.aggregates_fresh, last_collection: h.last_collection?.finished_at ?? null },
  };
}
