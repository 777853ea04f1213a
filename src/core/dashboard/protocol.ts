/**
 * The dashboard's message protocol, shared by the extension host (dashboardPanel.ts) and the webview
 * (media/dashboard). Types and constants only: no `vscode`, no zod (the host validates what arrives
 * with the schemas in inbound.ts, which are checked against these types at compile time).
 *
 * Flow: the webview posts `ready` (with the UI state it restored, if any); the host answers `init`
 * (projects, settings, the state to show). Every view change is a `query` with an id; the host answers
 * `result` (or `failed`) with the same id and only the aggregated data that view needs. The host posts
 * `refresh` when the data changed, and `navigate` when something outside the panel asks for a skill or
 * a project. Exports go through the host: `export` -> save dialog -> `exported`.
 *
 * Times are epoch milliseconds; rates are fractions 0..1; durations seconds (DESIGN section 4).
 */

import type { ViewWindow } from '../../common/windows';
import { VIEW_WINDOWS, WINDOW_LABELS } from '../../common/windows';

export const DASHBOARD_VIEW_TYPE = 'skillMetrics.dashboard';

/** Bumped when the persisted UI state changes shape; older states are replaced by the default. */
export const STATE_VERSION = 1;

/** The presets are the editor's view windows (one list, in scope.ts). */
export const RANGE_PRESETS = VIEW_WINDOWS;
export type RangePreset = ViewWindow;
export const GRANULARITIES = ['daily', 'weekly'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const RANGE_LABELS: Record<RangePreset | 'custom', string> = { ...WINDOW_LABELS, custom: 'Custom dates' };

/** What the user filtered to. */
export interface Filters {
  /** Project id, or null for every active project. */
  project: string | null;
  range: RangePreset | 'custom';
  /** YYYY-MM-DD (display zone), inclusive; only with range 'custom'. */
  since?: string;
  until?: string;
  granularity: Granularity;
}

/** Which page is shown: the overview of the scope, or one skill's page (drill-down). */
export type Page = { kind: 'overview' } | { kind: 'skill'; skill: string };

/** What the webview persists with setState (UI and navigation only, never data). */
export interface DashboardState {
  v: typeof STATE_VERSION;
  filters: Filters;
  page: Page;
  /** The session shown on the timeline (null: the most recent one). */
  session: { projectId: string; sessionId: string } | null;
  /** Sort of the top-skills table. */
  sort: { column: TopSkillColumn; descending: boolean };
}

export const TOP_SKILL_COLUMNS = ['skill', 'total', 'successRate', 'p95', 'projects', 'lastUsed'] as const;
export type TopSkillColumn = (typeof TOP_SKILL_COLUMNS)[number];

export const DEFAULT_STATE: DashboardState = {
  v: STATE_VERSION,
  filters: { project: null, range: '30d', granularity: 'daily' },
  page: { kind: 'overview' },
  session: null,
  sort: { column: 'total', descending: true },
};

/** The charts (and tables) that can be exported. */
export const CHART_IDS = [
  'usage', 'topSkills', 'success', 'durations', 'matrix', 'graph', 'transitions', 'trends', 'hotspots', 'recommendations', 'timeline',
  'skillUsage', 'skillProjects', 'skillErrors', 'skillPaths', 'skillSessions',
] as const;
export type ChartId = (typeof CHART_IDS)[number];
export const EXPORT_FORMATS = ['png', 'svg', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Commands the webview may ask the host to run (empty states, "what to do"). */
export const HOST_COMMANDS = ['collectNow', 'registerFolder', 'openFolder', 'showLog', 'minEvidenceSetting'] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

// ------------------------------------------------------------------------------------------------
// webview -> host

export type WebviewMessage =
  | { type: 'ready'; state: DashboardState | null }
  | { type: 'query'; id: number; filters: Filters; page: Page; session: DashboardState['session'] }
  | { type: 'session'; id: number; projectId: string; sessionId: string }
  | { type: 'export'; chart: ChartId; format: ExportFormat; /** PNG as a data: URL, SVG as text; none for CSV. */ image?: string }
  | { type: 'command'; command: HostCommand }
  | { type: 'state'; state: DashboardState };

// ------------------------------------------------------------------------------------------------
// host -> webview

export type HostMessage =
  | { type: 'init'; state: DashboardState; projects: ProjectOption[]; zone: string; minEvidence: number }
  | { type: 'result'; id: number; payload: Payload }
  | { type: 'sessionResult'; id: number; timeline: TimelinePayload }
  | { type: 'failed'; id: number; message: string }
  | { type: 'refresh'; projects: ProjectOption[] }
  | { type: 'navigate'; filters?: Partial<Filters>; page?: Page }
  | { type: 'exported'; chart: ChartId; format: ExportFormat; file: string }
  | { type: 'exportFailed'; chart: ChartId; format: ExportFormat; message: string };

export interface ProjectOption {
  id: string;
  name: string;
  invocations: number;
}

/** Why a view has nothing to show, so it can say what to do. */
export type EmptyReason = 'noProjects' | 'noData' | 'noDataInRange' | null;

export interface Scope {
  projectId: string | null;
  projectName: string | null;
  /** Resolved range: inclusive start, exclusive end (null: open). */
  from: number | null;
  to: number | null;
  label: string;
  zone: string;
}

export interface Figures {
  invocations: number;
  completed: number;
  successRate: number | null;
  medianDuration: number | null;
  activeProjects: number;
  skills: number;
}

export interface KeyFiguresPayload extends Figures {
  previous: Figures | null;
  /** invocations now / before - 1; success rate now - before (fraction points); null without a previous period. */
  change: { invocations: number | null; successRate: number | null } | null;
}

export interface UsagePayload {
  granularity: Granularity;
  /** Bucket starts (epoch ms) and their labels in the display zone (YYYY-MM-DD, the Monday for weeks). */
  buckets: number[];
  labels: string[];
  series: { skill: string; counts: number[] }[];
  /** Everything outside the listed skills, per bucket. */
  other: number[];
}

export interface TopSkillRow {
  skill: string;
  total: number;
  completed: number;
  successRate: number;
  avgDuration: number | null;
  p95: number | null;
  avgFollowUps: number;
  projects: number;
  firstUsed: number | null;
  lastUsed: number | null;
  /** Invocations per bucket of the usage chart (same buckets). */
  spark: number[];
  /** Fewer invocations than minEvidence: not rated. */
  enoughEvidence: boolean;
}

export interface DurationRow {
  skill: string;
  total: number;
  successRate: number;
  avg: number | null;
  p50: number | null;
  p95: number | null;
  enoughEvidence: boolean;
}

export interface MatrixPayload {
  skills: string[];
  projects: { id: string; name: string }[];
  cells: { skill: string; projectId: string; total: number; successRate: number }[];
}

export interface GraphPayload {
  pairs: { a: string; b: string; sessions: number; support: number; lift: number }[];
  transitions: { from: string; to: string; count: number; probability: number }[];
}

export interface TrendRow {
  skill: string;
  direction: 'rising' | 'declining' | 'steady' | 'stale' | 'not enough data';
  counts: number[];
  total: number;
  slopePerWeek: number | null;
  relativeChange: number | null;
  lastUsed: number | null;
}

export interface TrendsPayload {
  /** Week starts (Monday, display zone) as YYYY-MM-DD. */
  weeks: string[];
  rows: TrendRow[];
}

export interface HotspotRow {
  errorType: string;
  failures: number;
  share: number;
  skills: { skill: string; failures: number }[];
}

export interface RecommendationRow {
  type: string;
  priority: 'high' | 'medium' | 'low';
  skill: string | null;
  message: string;
  action: string;
  /** The numbers behind it, as label/value pairs ready to show. */
  evidence: { label: string; value: string }[];
}

export interface SessionRow {
  projectId: string;
  projectName: string;
  sessionId: string;
  inferred: boolean;
  start: number;
  end: number | null;
  skills: string[];
  skillsCompleted: number;
  nodesCompleted: number;
  skillSeconds: number;
  workflowSeconds: number;
}

export interface TimelinePayload {
  projectId: string;
  sessionId: string;
  inferred: boolean;
  /** pending: saved before it finished, shown as in progress. */
  invocations: { skill: string; at: number; completed: boolean; pending: boolean; duration: number | null; error: string | null; workflowPath: string | null }[];
  events: { type: string; node: string | null; at: number; success: boolean | null; duration: number | null }[];
}

export interface OverviewPayload {
  kind: 'overview';
  scope: Scope;
  empty: EmptyReason;
  figures: KeyFiguresPayload;
  usage: UsagePayload;
  topSkills: TopSkillRow[];
  durations: DurationRow[];
  matrix: MatrixPayload;
  graph: GraphPayload;
  trends: TrendsPayload;
  hotspots: HotspotRow[];
  recommendations: RecommendationRow[];
  sessions: SessionRow[];
  timeline: TimelinePayload | null;
  /** How long the host took to assemble this (ms). */
  elapsedMs: number;
}

export interface SkillPayload {
  kind: 'skill';
  scope: Scope;
  skill: string;
  empty: EmptyReason;
  found: boolean;
  effectiveness: {
    total: number;
    completed: number;
    successRate: number | null;
    avg: number | null;
    p50: number | null;
    p95: number | null;
    avgFollowUps: number | null;
    followUpShare: number | null;
    firstUsed: number | null;
    lastUsed: number | null;
    enoughEvidence: boolean;
    insights: string[];
  };
  usage: UsagePayload;
  projects: { id: string; name: string; total: number; successRate: number; avgDuration: number | null }[];
  errors: { errorType: string; count: number }[];
  paths: { path: string; count: number; successRate: number }[];
  trend: TrendRow | null;
  trendWeeks: string[];
  transitions: GraphPayload['transitions'];
  recommendations: RecommendationRow[];
  sessions: SessionRow[];
  timeline: TimelinePayload | null;
  elapsedMs: number;
}

export type Payload = OverviewPayload | SkillPayload;
