/**
 * Which skills to use next, and in which order (the agent tool `recommend_workflow_skills`): from what
 * usually follows what (transitions within sessions, DESIGN section 4) and how well each skill works.
 *
 * The plan is built one step at a time from the last skill used so far (or from the start of a session):
 * 1. the skills that followed the current skill, most frequent transition first (`usual_next`);
 * 2. with nothing used yet, the skills that start sessions, most frequent first (`usual_start`);
 * 3. for a workflow, its remaining skills in their usual position within sessions (`typical_order`).
 * The first candidate in that ranking that is not a low-success skill is taken and becomes the current
 * skill. A low-success skill (at least `minEvidence` invocations and a success rate below
 * RULES.lowSuccessRate) is passed over and listed as excluded with the reason, unless nothing else fits
 * at all: then the best of them is suggested, with a warning. Skills already used are not suggested again.
 *
 * With a workflow (a workflow path as invocations record it, or a workflow node that sessions ran), only
 * the skills used in that workflow are candidates and their figures are the workflow's own, so a skill
 * is suggested where it works and left out where it does not. Reads derived data: call `ensureDerived`
 * first.
 */
import { UsageError } from '../common/errors';
import type { ProjectRef } from './scope';
import { int } from '../common/format';
import { RULES, pct } from './definitions';
import { projectScope } from './scope';
import type { Db } from './store';
import { workflowSkills } from './workflows';

export interface SkillFigures {
  skill_name: string;
  total: number;
  completed: number;
}

export interface TransitionCount {
  from: string;
  to: string;
  count: number;
}

export interface SkillOrder {
  skill_name: string;
  /** Sessions that used the skill. */
  sessions: number;
  /** Sessions whose first skill it was. */
  starts: number;
  /** Mean 1-based position among a session's skills (by first use). */
  avg_position: number;
}

export interface NextSkillsData {
  /** The skills that may be suggested, with their figures in scope (the workflow's own for a workflow). */
  candidates: SkillFigures[];
  transitions: TransitionCount[];
  order: SkillOrder[];
  /** Sessions in scope that used a skill. */
  sessions: number;
}

export interface NextSkillsOptions {
  skillsSoFar: readonly string[];
  limit: number;
  minEvidence: number;
  /** When no transition leads on, continue with the remaining candidates in their usual order (a workflow). */
  fillInOrder: boolean;
}

export type NextSkillReason = 'usual_next' | 'usual_start' | 'typical_order';

export interface NextSkill {
  position: number;
  skill_name: string;
  reason: NextSkillReason;
  /** The reason in a sentence, with the numbers. */
  why: string;
  success_rate: number | null;
  total_invocations: number;
  completed_invocations: number;
  /** At least `minEvidence` invocations: the success rate can be trusted. */
  enough_evidence: boolean;
  /** P(this skill | previous skill) within sessions, when a transition is the reason. */
  transition: { from: string; count: number; from_total: number; probability: number } | null;
  /** How often the skill starts a session, when that is the reason. */
  starts: { sessions: number; of_sessions: number } | null;
  /** Mean position within sessions (1 = first), when known. */
  typical_position: number | null;
  /** Suggested although its success rate is low, because nothing else fits. */
  low_success: boolean;
  warning: string | null;
}

export interface ExcludedSkill {
  skill_name: string;
  success_rate: number;
  total_invocations: number;
  reason: string;
}

export interface NextSkillsPlan {
  next: NextSkill[];
  excluded: ExcludedSkill[];
  notes: string[];
}

interface Ranked {
  skill: string;
  reason: NextSkillReason;
  transition: NextSkill['transition'];
  starts: NextSkill['starts'];
}

/** The plan for hand-made or loaded data (pure: the same data always gives the same plan). */
export function planNextSkills(data: NextSkillsData, options: NextSkillsOptions): NextSkillsPlan {
  const figures = new Map(data.candidates.map((c) => [c.skill_name, c]));
  const order = new Map(data.order.map((o) => [o.skill_name, o]));
  const rate = (skill: string): number | null => {
    const f = figures.get(skill);
    return f && f.total > 0 ? f.completed / f.total : null;
  };
  const enough = (skill: string): boolean => (figures.get(skill)?.total ?? 0) >= options.minEvidence;
  const isLow = (skill: string): boolean => enough(skill) && (rate(skill) ?? 1) < RULES.lowSuccessRate;
  const bySuccessThenName = (a: string, b: string): number => (rate(b) ?? -1) - (rate(a) ?? -1) || a.localeCompare(b);

  const used = new Set(options.skillsSoFar);
  const next: NextSkill[] = [];
  const excluded = new Map<string, ExcludedSkill>();
  const notes: string[] = [];
  let current: string | null = options.skillsSoFar.length ? options.skillsSoFar[options.skillsSoFar.length - 1]! : null;

  while (next.length < options.limit) {
    const remaining = data.candidates.map((c) => c.skill_name).filter((s) => !used.has(s));
    if (!remaining.length) break;
    const ranked: Ranked[] = [];
    if (current !== null) {
      const from = current;
      const out = data.transitions.filter((t) => t.from === from);
      const fromTotal = out.reduce((sum, t) => sum + t.count, 0);
      const followers = out
        .filter((t) => t.to !== from && t.count > 0 && remaining.includes(t.to))
        .sort((a, b) => b.count - a.count || bySuccessThenName(a.to, b.to));
      for (const t of followers) {
        ranked.push({ skill: t.to, reason: 'usual_next', transition: { from, count: t.count, from_total: fromTotal, probability: t.count / fromTotal }, starts: null });
      }
    } else {
      const starters = remaining
        .filter((s) => (order.get(s)?.starts ?? 0) > 0)
        .sort((a, b) => order.get(b)!.starts - order.get(a)!.starts || bySuccessThenName(a, b));
      for (const s of starters) ranked.push({ skill: s, reason: 'usual_start', transition: null, starts: { sessions: order.get(s)!.starts, of_sessions: data.sessions } });
    }
    if (options.fillInOrder) {
      const listed = new Set(ranked.map((r) => r.skill));
      const position = (s: string): number => order.get(s)?.avg_position ?? Number.POSITIVE_INFINITY;
      const rest = remaining
        .filter((s) => !listed.has(s))
        .sort((a, b) => position(a) - position(b) || (figures.get(b)?.total ?? 0) - (figures.get(a)?.total ?? 0) || a.localeCompare(b));
      for (const s of rest) ranked.push({ skill: s, reason: 'typical_order', transition: null, starts: null });
    }

    let pick = ranked.find((r) => !isLow(r.skill));
    for (const r of ranked) {
      if (r === pick) break;
      if (!excluded.has(r.skill)) {
        const f = figures.get(r.skill)!;
        excluded.set(r.skill, {
          skill_name: r.skill,
          success_rate: rate(r.skill)!,
          total_invocations: f.total,
          reason: `${describeRank(r, order.get(r.skill))}, but it succeeds in only ${pct(rate(r.skill)!)} of ${int(f.total)} invocations (below ${pct(RULES.lowSuccessRate)}).`,
        });
      }
    }
    let lowSuccess = false;
    if (!pick && !next.length && ranked.length) {
      pick = ranked[0]!;
      lowSuccess = true;
      excluded.delete(pick.skill);
      notes.push(`Every skill that fits here has a low success rate; ${pick.skill} is suggested only because nothing else fits.`);
    }
    if (!pick) {
      if (current === null) notes.push('No session is recorded, so there is no usual first skill.');
      else if (ranked.length) notes.push(`The plan ends after ${current}: what could follow it has a low success rate (see excluded).`);
      else if (next.length) notes.push(`The plan ends after ${current}: nothing that may still be suggested is recorded after it.`);
      else notes.push(`Nothing that may be suggested is recorded after ${current}.`);
      break;
    }

    const f = figures.get(pick.skill)!;
    const r = rate(pick.skill);
    const o = order.get(pick.skill);
    next.push({
      position: next.length + 1,
      skill_name: pick.skill,
      reason: pick.reason,
      why: `${describeRank(pick, o)}. ${describeSuccess(f, r, options.minEvidence)}`,
      success_rate: r,
      total_invocations: f.total,
      completed_invocations: f.completed,
      enough_evidence: f.total >= options.minEvidence,
      transition: pick.transition,
      starts: pick.starts,
      typical_position: o ? o.avg_position : null,
      low_success: lowSuccess,
      warning: lowSuccess
        ? `Its success rate (${pct(r ?? 0)}) is below ${pct(RULES.lowSuccessRate)}: review ${pick.skill} before relying on it.`
        : null,
    });
    used.add(pick.skill);
    current = pick.skill;
  }
  return { next, excluded: [...excluded.values()], notes };
}

function describeRank(r: Ranked, o?: SkillOrder): string {
  if (r.reason === 'usual_next' && r.transition) {
    const t = r.transition;
    return `After ${t.from} comes ${r.skill} in ${pct(t.probability)} of ${int(t.from_total)} recorded transitions (${t.count})`;
  }
  if (r.reason === 'usual_start' && r.starts) return `${r.skill} starts ${r.starts.sessions} of ${r.starts.of_sessions} sessions`;
  return o ? `${r.skill} is part of this workflow and usually comes at position ${o.avg_position.toFixed(1)} of a session` : `${r.skill} is part of this workflow`;
}

function describeSuccess(f: SkillFigures, r: number | null, minEvidence: number): string {
  if (f.total < minEvidence) return `Only ${int(f.total)} invocation${f.total === 1 ? '' : 's'}: not enough data to rate it (${minEvidence} needed).`;
  return `It succeeds in ${pct(r ?? 0)} of ${int(f.total)} invocations.`;
}

export interface NextSkillsQuery {
  skillsSoFar?: readonly string[];
  /** A workflow path (as invocations record it) or a workflow node (as workflow events record it). */
  workflow?: string;
  /** Project id, path or name; default: every active project. */
  project?: ProjectRef;
  limit?: number;
  minEvidence: number;
}

export interface NextSkillsAnswer {
  project_id: string | null;
  workflow: { name: string; kind: 'path' | 'node' } | null;
  skills_so_far: string[];
  /** Where the success rates come from. */
  figures_scope: 'workflow' | 'project' | 'all projects';
  min_evidence: number;
  low_success_threshold: number;
  next: NextSkill[];
  excluded: ExcludedSkill[];
  notes: string[];
}

export const DEFAULT_NEXT_SKILLS_LIMIT = 5;

/** Loads the data for a scope (project, workflow) and plans. Reads derived data: call `ensureDerived` first. */
export async function nextSkills(db: Db, query: NextSkillsQuery): Promise<NextSkillsAnswer> {
  const projectId = await projectScope(db, query.project);
  const scope = projectId ?? '*';
  const skillsSoFar = [...(query.skillsSoFar ?? [])];
  const overall = await db.all<SkillFigures>(
    `SELECT skill_name, total_invocations - pending_invocations AS total, completed_invocations AS completed -- rated on finished runs
     FROM skill_aggregates WHERE project_id = $1 AND time_window = 'all' ORDER BY skill_name`,
    [scope],
  );
  let candidates = overall;
  let workflow: NextSkillsAnswer['workflow'] = null;
  if (query.workflow !== undefined) {
    const rows = await workflowSkills(db, { project: projectId ?? undefined, limit: 100_000 });
    const kind = rows.some((r) => r.kind === 'path' && r.workflow === query.workflow) ? 'path' : rows.some((r) => r.kind === 'node' && r.workflow === query.workflow) ? 'node' : null;
    if (!kind) {
      const known = [...new Set(rows.map((r) => r.workflow))].sort();
      throw new UsageError(
        `No workflow path or node "${query.workflow}" is recorded${projectId ? ' in this project' : ''}` +
          (known.length ? `. Known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : ': no workflow is recorded at all'),
      );
    }
    workflow = { name: query.workflow, kind };
    candidates = rows
      .filter((r) => r.kind === kind && r.workflow === query.workflow)
      .map((r) => ({ skill_name: r.skill_name, total: r.invocations, completed: Math.round(r.success_rate * r.invocations) }));
  }
  const transitions = await db.all<TransitionCount>(
    'SELECT from_skill AS "from", to_skill AS "to", transitions AS count FROM skill_transitions WHERE project_id = $1 ORDER BY "from", "to"',
    [scope],
  );
  const inScope = `FROM session_summaries s JOIN projects p USING (project_id)
     WHERE p.is_active AND s.invocations > 0 AND ($1::VARCHAR IS NULL OR s.project_id = $1)`;
  const order = await db.all<SkillOrder>(
    `WITH positions AS (SELECT unnest(s.skills_used) AS skill_name, unnest(range(1, len(s.skills_used) + 1)) AS position ${inScope})
     SELECT skill_name, count(*) AS sessions, count(*) FILTER (WHERE position = 1) AS starts, avg(position) AS avg_position
     FROM positions GROUP BY skill_name ORDER BY skill_name`,
    [projectId],
  );
  const sessions = (await db.one<{ n: number }>(`SELECT count(*) AS n ${inScope}`, [projectId]))!.n;

  const plan = planNextSkills(
    { candidates, transitions, order, sessions },
    { skillsSoFar, limit: query.limit ?? DEFAULT_NEXT_SKILLS_LIMIT, minEvidence: query.minEvidence, fillInOrder: workflow !== null },
  );
  const known = new Set(overall.map((s) => s.skill_name));
  const unknown = [...new Set(skillsSoFar.filter((s) => !known.has(s)))];
  const notes = [...plan.notes];
  if (unknown.length) notes.unshift(`Not recorded${projectId ? ' in this project' : ''}: ${unknown.join(', ')}.`);
  return {
    project_id: projectId,
    workflow,
    skills_so_far: skillsSoFar,
    figures_scope: workflow ? 'workflow' : projectId ? 'project' : 'all projects',
    min_evidence: query.minEvidence,
    low_success_threshold: RULES.lowSuccessRate,
    next: plan.next,
    excluded: plan.excluded,
    notes,
  };
}
