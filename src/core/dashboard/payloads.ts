/**
 * What each dashboard view shows, assembled from the analytics (no SQL of its own, no `vscode`): only
 * aggregated data, shaped for the webview (protocol.ts). The core (service.ts) makes derived data fresh
 * first. The queries of one view run in parallel, each its own unit of work on the store.
 */
import { toCsv } from '../../common/csv';
import { UsageError } from '../../common/errors';
import { evidenceLabel, evidenceValue } from '../../common/format';
import { formatIsoInZone } from '../../common/zonedTime';
import { compareSkill } from '../../analytics/compare';
import { effectiveness } from '../../analytics/effectiveness';
import { skillGraph } from '../../analytics/graph';
import type { KeyFigures, PeriodFigures, UsageSeries } from '../../analytics/overview';
import { errorHotspots, keyFigures, skillDurations, skillProjectMatrix, usageOverTime } from '../../analytics/overview';
import { listProjects } from '../../analytics/projects';
import type { Recommendation } from '../../analytics/recommendations';
import { recommendations } from '../../analytics/recommendations';
import type { CorrelatedSession } from '../../analytics/sessions';
import { sessionInferred, sessionTimeline, sessions } from '../../analytics/sessions';
import type { ProjectRef } from '../../analytics/scope';
import { resolved } from '../../analytics/scope';
import type { Store } from '../../analytics/store';
import type { TimeRange } from '../../analytics/timeRange';
import { resolveRange } from '../../analytics/timeRange';
import { topSkills } from '../../analytics/topSkills';
import type { SkillTrend } from '../../analytics/trends';
import { trends } from '../../analytics/trends';
import type {
  ChartId, EmptyReason, Figures, Filters, KeyFiguresPayload, OverviewPayload, Payload, ProjectOption, RecommendationRow, Scope, SessionRow,
  SkillPayload, TimelinePayload, TrendRow, UsagePayload,
} from './protocol';
import { RANGE_LABELS } from './protocol';

export interface ViewContext {
  minEvidence: number;
  /** The display zone (the store's). */
  zone: string;
  /** The present, for tests. */
  now?: Date;
}

/** How many skills the usage chart stacks (the rest is "other"), and how many rows the tables list. */
export const LIMITS = { usageSeries: 6, topSkills: 15, durations: 12, matrixSkills: 12, matrixProjects: 12, hotspots: 8, recommendations: 12, sessions: 20, graph: 40 };

export async function projectOptions(store: Store): Promise<ProjectOption[]> {
  const projects = await store.read((db) => listProjects(db));
  return projects.map((p) => ({ id: p.project_id, name: p.project_name, invocations: p.total_invocations }));
}

/** Resolves the filters: the range in the display zone, and the project (dropped when it is no longer active). */
async function resolveScope(store: Store, filters: Filters, ctx: ViewContext): Promise<{ scope: Scope; range: TimeRange; project?: ProjectRef; projects: ProjectOption[] }> {
  const custom = filters.range === 'custom';
  // Both at once: every later query needs the range and a project that is still active.
  const [projects, range] = await Promise.all([
    projectOptions(store),
    store.read((db) =>
      resolveRange(db, { window: custom ? 'all' : filters.range, since: custom ? filters.since : undefined, until: custom ? filters.until : undefined, now: ctx.now }),
    ),
  ]);
  const project = filters.project ? projects.find((p) => p.id === filters.project) : undefined;
  let label = RANGE_LABELS[filters.range];
  if (custom) label = `${filters.since ?? '…'} to ${filters.until ?? '…'}`;
  return {
    scope: { projectId: project?.id ?? null, projectName: project?.name ?? null, from: ms(range.from), to: ms(range.to), label, zone: ctx.zone },
    range,
    // Resolved here, once: the parallel queries below do not look the project up again.
    project: project ? resolved(project.id) : undefined,
    projects,
  };
}

function emptyReason(projects: ProjectOption[], invocations: number): EmptyReason {
  if (!projects.length) return 'noProjects';
  if (!projects.some((p) => p.invocations > 0)) return 'noData';
  return invocations === 0 ? 'noDataInRange' : null;
}

/** Everything the overview of a scope (all projects or one) shows. */
export async function overviewPayload(
  store: Store,
  filters: Filters,
  session: { projectId: string; sessionId: string } | null,
  ctx: ViewContext,
): Promise<OverviewPayload> {
  const started = performance.now();
  const { scope, range, project, projects } = await resolveScope(store, filters, ctx);
  const now = ctx.now;
  const [figures, usage, top, durations, matrix, graph, trendRows, hotspots, recs, recent] = await Promise.all([
    store.read((db) => keyFigures(db, { project, from: range.from, to: range.to, now })),
    store.read((db) => usageOverTime(db, { project, from: range.from, to: range.to, granularity: filters.granularity, top: LIMITS.topSkills })),
    store.read((db) => topSkills(db, { project, window: range.window, since: filters.range === 'custom' ? filters.since : undefined, until: filters.range === 'custom' ? filters.until : undefined, now, limit: LIMITS.topSkills })),
    store.read((db) => skillDurations(db, { project, limit: LIMITS.durations })),
    store.read((db) => skillProjectMatrix(db, { skills: LIMITS.matrixSkills, projects: LIMITS.matrixProjects })),
    store.read((db) => skillGraph(db, { project, limit: LIMITS.graph })),
    store.read((db) => trends(db, { project, now })),
    store.read((db) => errorHotspots(db, { project, limit: LIMITS.hotspots })),
    store.read((db) => recommendations(db, { project, minEvidence: ctx.minEvidence, now, limit: LIMITS.recommendations })),
    store.read((db) => sessions(db, { project, limit: LIMITS.sessions })),
  ]);
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const sessionRows = recent.map((s) => sessionRow(s, names));
  const timeline = await timelineFor(store, sessionRows, session);
  const usagePayload = shapeUsage(usage, ctx.zone);
  const sparks = new Map(usagePayload.series.map((s) => [s.skill, s.counts]));
  return {
    kind: 'overview',
    scope,
    empty: emptyReason(projects, figures.invocations),
    figures: shapeFigures(figures),
    usage: stackTop(usagePayload, LIMITS.usageSeries),
    topSkills: top.map((t) => ({
      skill: t.skill_name,
      total: t.total_invocations,
      completed: t.completed_invocations,
      successRate: t.success_rate,
      avgDuration: t.avg_duration_seconds,
      p95: t.p95_duration_seconds,
      avgFollowUps: t.avg_follow_ups,
      projects: t.projects,
      firstUsed: ms(t.first_used),
      lastUsed: ms(t.last_used),
      spark: sparks.get(t.skill_name) ?? new Array<number>(usagePayload.buckets.length).fill(0),
      enoughEvidence: t.total_invocations >= ctx.minEvidence,
    })),
    durations: durations.map((d) => ({
      skill: d.skill_name, total: d.total_invocations, successRate: d.success_rate, avg: d.avg_duration_seconds,
      p50: d.p50_duration_seconds, p95: d.p95_duration_seconds, enoughEvidence: d.total_invocations >= ctx.minEvidence,
    })),
    matrix: {
      skills: matrix.skills,
      projects: matrix.projects.map((p) => ({ id: p.project_id, name: p.project_name })),
      cells: matrix.cells.map((c) => ({ skill: c.skill_name, projectId: c.project_id, total: c.total, successRate: c.success_rate })),
    },
    graph,
    trends: shapeTrends(trendRows, ctx.zone),
    hotspots: hotspots.map((h) => ({ errorType: h.error_type, failures: h.failures, share: h.share, skills: h.skills.map((s) => ({ skill: s.skill_name, failures: s.failures })) })),
    recommendations: recs.map((r) => shapeRecommendation(r, ctx.zone)),
    sessions: sessionRows,
    timeline,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** One skill's page within the scope (drill-down). */
export async function skillPayload(
  store: Store,
  skill: string,
  filters: Filters,
  session: { projectId: string; sessionId: string } | null,
  ctx: ViewContext,
): Promise<SkillPayload> {
  const started = performance.now();
  const { scope, range, project, projects } = await resolveScope(store, filters, ctx);
  const [eff, compare, usage, trendRows, graph, recs, recent] = await Promise.all([
    store.read((db) => effectiveness(db, skill, { project, minEvidence: ctx.minEvidence })),
    store.read((db) => compareSkill(db, skill)),
    // Every skill of the scope (a few thousand aggregate rows at most), then this one.
    store.read((db) => usageOverTime(db, { project, from: range.from, to: range.to, granularity: filters.granularity, top: 100_000 })),
    store.read((db) => trends(db, { project, now: ctx.now })),
    store.read((db) => skillGraph(db, { project, minCount: 1, limit: 100_000 })),
    store.read((db) => recommendations(db, { project, minEvidence: ctx.minEvidence, now: ctx.now })),
    store.read((db) => sessions(db, { project, skill, limit: LIMITS.sessions })),
  ]);
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const sessionRows = recent.map((s) => sessionRow(s, names));
  const timeline = await timelineFor(store, sessionRows, session);
  const allUsage = shapeUsage(usage, ctx.zone);
  const mine = allUsage.series.find((s) => s.skill === skill);
  const shapedTrends = shapeTrends(trendRows, ctx.zone);
  const inRange = mine ? mine.counts.reduce((a, b) => a + b, 0) : 0;
  return {
    kind: 'skill',
    scope,
    skill,
    empty: !eff.found ? emptyReason(projects, 0) ?? 'noDataInRange' : emptyReason(projects, inRange),
    found: eff.found,
    effectiveness: {
      total: eff.total_invocations,
      completed: eff.completed_invocations,
      successRate: eff.success_rate,
      avg: eff.avg_duration_seconds,
      p50: eff.p50_duration_seconds,
      p95: eff.p95_duration_seconds,
      avgFollowUps: eff.avg_follow_ups,
      followUpShare: eff.follow_up_share,
      firstUsed: ms(eff.first_used),
      lastUsed: ms(eff.last_used),
      enoughEvidence: eff.enough_evidence,
      insights: eff.insights,
    },
    usage: { ...allUsage, series: [{ skill, counts: mine?.counts ?? new Array<number>(allUsage.buckets.length).fill(0) }], other: new Array<number>(allUsage.buckets.length).fill(0) },
    projects: compare.map((c) => ({ id: c.project_id, name: c.project_name, total: c.total_invocations, successRate: c.success_rate, avgDuration: c.avg_duration_seconds })),
    errors: eff.top_errors.map((e) => ({ errorType: e.error_type, count: e.count })),
    paths: eff.workflow_paths.map((p) => ({ path: p.workflow_path, count: p.count, successRate: p.success_rate })),
    trend: shapedTrends.rows.find((t) => t.skill === skill) ?? null,
    trendWeeks: shapedTrends.weeks,
    transitions: graph.transitions.filter((t) => t.from === skill || t.to === skill),
    recommendations: recs.filter((r) => r.skill_name === skill || (r.evidence.to as string | undefined) === skill).map((r) => shapeRecommendation(r, ctx.zone)),
    sessions: sessionRows,
    timeline,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The timeline of one session (skills and workflow events on one time axis). */
export async function timelinePayload(store: Store, projectId: string, sessionId: string): Promise<TimelinePayload> {
  const [inferred, t] = await store.read(async (db) => [await sessionInferred(db, projectId, sessionId), await sessionTimeline(db, { projectId, sessionId })] as const);
  if (inferred === undefined) throw new UsageError(`No session ${sessionId} in this project (it may have been re-aggregated).`);
  return {
    projectId,
    sessionId,
    inferred,
    invocations: t.invocations.map((i) => ({
      skill: i.skill_name, at: i.invoked_at.getTime(), completed: i.completed, pending: i.pending, duration: i.duration_seconds, error: i.error_type, workflowPath: i.workflow_path,
    })),
    events: t.events.map((e) => ({ type: e.event_type, node: e.node_id, at: e.ts.getTime(), success: e.success, duration: e.duration_seconds })),
  };
}

async function timelineFor(store: Store, rows: SessionRow[], wanted: { projectId: string; sessionId: string } | null): Promise<TimelinePayload | null> {
  const pick = (wanted && rows.find((s) => s.projectId === wanted.projectId && s.sessionId === wanted.sessionId)) || rows[0];
  if (!pick) return null;
  return timelinePayload(store, pick.projectId, pick.sessionId);
}

// ------------------------------------------------------------------------------------------------
// shaping

const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

function shapePeriod(p: PeriodFigures): Figures {
  return {
    invocations: p.invocations,
    completed: p.completed,
    successRate: p.success_rate,
    medianDuration: p.median_duration_seconds,
    activeProjects: p.active_projects,
    skills: p.skills,
  };
}

export function shapeFigures(k: KeyFigures): KeyFiguresPayload {
  return {
    ...shapePeriod(k),
    previous: k.previous ? shapePeriod(k.previous) : null,
    change: k.change ? { invocations: k.change.invocations, successRate: k.change.success_rate } : null,
  };
}

export function shapeUsage(u: UsageSeries, zone: string): UsagePayload {
  return {
    granularity: u.granularity,
    buckets: u.buckets.map((b) => b.getTime()),
    labels: u.buckets.map((b) => formatIsoInZone(b, zone).slice(0, 10)),
    series: u.series.map((s) => ({ skill: s.skill_name, counts: s.counts })),
    other: u.other,
  };
}

/** Keeps the first `n` series and adds the rest to "other" (the stacked chart stays readable). */
export function stackTop(u: UsagePayload, n: number): UsagePayload {
  const other = [...u.other];
  for (const s of u.series.slice(n)) s.counts.forEach((c, i) => (other[i] = (other[i] ?? 0) + c));
  return { ...u, series: u.series.slice(0, n), other };
}

export function shapeTrends(rows: SkillTrend[], zone: string): { weeks: string[]; rows: TrendRow[] } {
  return {
    weeks: (rows[0]?.weeks ?? []).map((w) => formatIsoInZone(w, zone).slice(0, 10)),
    rows: rows.map((t) => ({
      skill: t.skill_name,
      direction: t.direction,
      counts: t.weekly_counts,
      total: t.total,
      slopePerWeek: t.slope_per_week,
      relativeChange: t.relative_change,
      lastUsed: ms(t.last_used),
    })),
  };
}

function sessionRow(s: CorrelatedSession, names: Map<string, string>): SessionRow {
  return {
    projectId: s.project_id,
    projectName: names.get(s.project_id) ?? s.project_id,
    sessionId: s.session_id,
    inferred: s.inferred,
    start: s.start_time.getTime(),
    end: ms(s.end_time),
    skills: s.skills_used,
    skillsCompleted: s.skills_completed,
    nodesCompleted: s.workflow_nodes_completed,
    skillSeconds: s.total_skill_duration,
    workflowSeconds: s.total_workflow_duration,
  };
}

export function shapeRecommendation(r: Recommendation, zone: string): RecommendationRow {
  return {
    type: r.type,
    priority: r.priority,
    skill: r.skill_name,
    message: r.message,
    action: r.action,
    evidence: Object.entries(r.evidence).map(([k, v]) => ({ label: evidenceLabel(k), value: evidenceValue(k, v, zone) })),
  };
}

// ------------------------------------------------------------------------------------------------
// CSV: the data behind a chart, as shown

const iso = (t: number | null, zone: string): string => (t === null ? '' : formatIsoInZone(t, zone));

/** The rows behind chart `chart` of `payload`, or undefined when that view does not show it. */
export function csvFor(chart: ChartId, payload: Payload): string | undefined {
  const zone = payload.scope.zone;
  const usageCsv = (u: UsagePayload): string =>
    toCsv(['bucket_start', ...u.series.map((s) => s.skill), ...(u.series.length && payload.kind === 'overview' ? ['other'] : [])],
      u.labels.map((label, i) => [label, ...u.series.map((s) => s.counts[i] ?? 0), ...(u.series.length && payload.kind === 'overview' ? [u.other[i] ?? 0] : [])]));
  const sessionsCsv = (rows: SessionRow[]): string =>
    toCsv(['project', 'session_id', 'inferred', 'start_time', 'end_time', 'skills_used', 'skills_completed', 'workflow_nodes_completed', 'total_skill_duration', 'total_workflow_duration'],
      rows.map((s) => [s.projectName, s.sessionId, s.inferred, iso(s.start, zone), iso(s.end, zone), s.skills.join(' > '), s.skillsCompleted, s.nodesCompleted, s.skillSeconds, s.workflowSeconds]));
  const timelineCsv = (t: TimelinePayload | null): string =>
    toCsv(['kind', 'name', 'time', 'completed_or_success', 'duration_seconds', 'error_type'], [
      ...(t?.invocations ?? []).map((i) => ['skill', i.skill, iso(i.at, zone), i.completed, i.duration, i.error]),
      ...(t?.events ?? []).map((e) => [e.type, e.node ?? '', iso(e.at, zone), e.success, e.duration, '']),
    ].sort((a, b) => String(a[2]).localeCompare(String(b[2]))));
  const recsCsv = (rows: RecommendationRow[]): string =>
    toCsv(['priority', 'type', 'skill', 'message', 'action', 'evidence'], rows.map((r) => [r.priority, r.type, r.skill, r.message, r.action, r.evidence.map((e) => `${e.label}: ${e.value}`).join('; ')]));

  if (payload.kind === 'overview') {
    switch (chart) {
      case 'usage': return usageCsv(payload.usage);
      case 'topSkills':
        return toCsv(['skill_name', 'total_invocations', 'completed_invocations', 'success_rate', 'avg_duration_seconds', 'p95_duration_seconds', 'avg_follow_ups', 'projects', 'first_used', 'last_used'],
          payload.topSkills.map((t) => [t.skill, t.total, t.completed, t.successRate, t.avgDuration, t.p95, t.avgFollowUps, t.projects, iso(t.firstUsed, zone), iso(t.lastUsed, zone)]));
      case 'success':
      case 'durations':
        return toCsv(['skill_name', 'total_invocations', 'success_rate', 'avg_duration_seconds', 'p50_duration_seconds', 'p95_duration_seconds'],
          payload.durations.map((d) => [d.skill, d.total, d.successRate, d.avg, d.p50, d.p95]));
      case 'matrix': {
        const names = new Map(payload.matrix.projects.map((p) => [p.id, p.name]));
        return toCsv(['skill_name', 'project_id', 'project_name', 'total_invocations', 'success_rate'],
          payload.matrix.cells.map((c) => [c.skill, c.projectId, names.get(c.projectId) ?? '', c.total, c.successRate]));
      }
      case 'graph': return toCsv(['skill_a', 'skill_b', 'sessions', 'support', 'lift'], payload.graph.pairs.map((p) => [p.a, p.b, p.sessions, p.support, p.lift]));
      case 'transitions': return toCsv(['from', 'to', 'count', 'probability'], payload.graph.transitions.map((t) => [t.from, t.to, t.count, t.probability]));
      case 'trends':
        return toCsv(['skill_name', 'direction', 'total', 'slope_per_week', 'relative_change', 'last_used', ...payload.trends.weeks],
          payload.trends.rows.map((t) => [t.skill, t.direction, t.total, t.slopePerWeek, t.relativeChange, iso(t.lastUsed, zone), ...t.counts]));
      case 'hotspots':
        return toCsv(['error_type', 'failures', 'share', 'skills'], payload.hotspots.map((h) => [h.errorType, h.failures, h.share, h.skills.map((s) => `${s.skill} (${s.failures})`).join('; ')]));
      case 'recommendations': return recsCsv(payload.recommendations);
      case 'timeline': return timelineCsv(payload.timeline);
      default: return undefined;
    }
  }
  switch (chart) {
    case 'skillUsage': return usageCsv(payload.usage);
    case 'skillProjects': return toCsv(['project_id', 'project_name', 'total_invocations', 'success_rate', 'avg_duration_seconds'], payload.projects.map((p) => [p.id, p.name, p.total, p.successRate, p.avgDuration]));
    case 'skillErrors': return toCsv(['error_type', 'count'], payload.errors.map((e) => [e.errorType, e.count]));
    case 'skillPaths': return toCsv(['workflow_path', 'count', 'success_rate'], payload.paths.map((p) => [p.path, p.count, p.successRate]));
    case 'skillSessions': return sessionsCsv(payload.sessions);
    case 'transitions': return toCsv(['from', 'to', 'count', 'probability'], payload.transitions.map((t) => [t.from, t.to, t.count, t.probability]));
    case 'recommendations': return recsCsv(payload.recommendations);
    case 'timeline': return timelineCsv(payload.timeline);
    default: return undefined;
  }
}
