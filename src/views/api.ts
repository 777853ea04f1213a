/**
 * What `activate()` returns. Other extensions get the activation figures and `whenIdle()`; the
 * extension's own tests (extension mode Test or Development) also get the live parts to look into.
 */
import type { ConfigService } from './config';
import type { DatabaseWatcher } from './databaseWatcher';
import type { ReportDocuments } from './documents';
import type { MetricsService } from './metrics';
import type { ProjectSync } from './projectSync';
import type { DashboardPanels } from './dashboard/dashboardPanel';
import type { SessionStartNotifier } from './sessionStart';
import type { StatusBar } from './statusBar';
import type { ProjectsTree } from './trees/projectsTree';
import type { RecommendationsTree } from './trees/recommendationsTree';
import type { SessionsTree } from './trees/sessionsTree';
import type { TopSkillsTree } from './trees/topSkillsTree';
import type { ViewState } from './viewState';
import type { ProjectWatchers } from './watchers';

export interface SkillMetricsInternals {
  service: MetricsService;
  config: ConfigService;
  viewState: ViewState;
  projectSync: ProjectSync;
  watchers: ProjectWatchers;
  databaseWatcher: DatabaseWatcher;
  trees: { topSkills: TopSkillsTree; projects: ProjectsTree; recommendations: RecommendationsTree; sessions: SessionsTree };
  statusBar: StatusBar;
  dashboard: DashboardPanels;
  documents: ReportDocuments;
  sessionStart: SessionStartNotifier;
  /** Settles when the deferred start (database, projects, first collection, watchers) is done. */
  startup: Promise<void>;
}

export interface SkillMetricsApi {
  /** How long activate() took, in milliseconds (it only wires things up). */
  readonly activationMs: number;
  /** CPU time of the extension host process during activate() (wall time minus waiting for a core). */
  readonly activationCpuMs: number;
  /** Where that time went: "step ms, ...". */
  readonly activationSteps: string;
  /** Whether the DuckDB binding was already loaded when activate() returned (it should not be). */
  readonly duckdbLoadedAtActivation: boolean;
  /** Resolves when no background work (start-up, collection, aggregation) is queued or running. */
  whenIdle(): Promise<void>;
  /** Only in extension modes Test and Development. */
  readonly internals?: SkillMetricsInternals;
}
