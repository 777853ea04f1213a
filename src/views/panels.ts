/**
 * The one place that opens the dashboard (command skillMetrics.openDashboard, the status bar, the
 * session-start notification all come here): on a skill's page and/or a project's scope when asked,
 * else as it was left (src/views/dashboard).
 */
import type * as vscode from 'vscode';
import type { ConfigService } from './config';
import type { MetricsService } from './metrics';
import type { DashboardPanels } from './dashboard/dashboardPanel';
import type { ReportPanels } from './reportPanel';
import type { StatusBar } from './statusBar';

export interface DashboardTarget {
  /** The skill to focus on. */
  skill?: string;
  /** Project id to filter to. */
  project?: string;
}

export interface DashboardDeps {
  service: MetricsService;
  config: ConfigService;
  panels: ReportPanels;
  statusBar: StatusBar;
  dashboard: DashboardPanels;
}

export async function openDashboard(deps: DashboardDeps, target: DashboardTarget = {}): Promise<vscode.WebviewPanel | undefined> {
  return deps.dashboard.show({ skill: typeof target.skill === 'string' ? target.skill : undefined, project: typeof target.project === 'string' ? target.project : undefined });
}
