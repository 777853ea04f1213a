/**
 * The one place that opens "the dashboard" (command skillMetrics.openDashboard, the status bar, the
 * session-start notification all come here). Until the dashboard webview exists (src/views/dashboard),
 * it shows the effectiveness of the requested skill: the status-bar skill, else the most used one.
 * The dashboard replaces the body of openDashboard(); callers stay as they are.
 */
import type * as vscode from 'vscode';
import type { ConfigService } from './config';
import type { MetricsService } from './metrics';
import { pickSkill } from './pickers';
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
}

export async function openDashboard(deps: DashboardDeps, target: DashboardTarget = {}): Promise<vscode.WebviewPanel | undefined> {
  let skill = target.skill;
  let project = target.project;
  if (!skill) {
    const status = deps.statusBar.snapshot.skill ? deps.statusBar.snapshot : await deps.statusBar.update();
    skill = status.skill;
    project ??= status.projectId;
  }
  skill ??= await pickSkill(deps.service, { title: 'Open Dashboard: which skill?', project, minEvidence: deps.config.get('minEvidence') });
  if (!skill) return undefined;
  return deps.panels.show({ kind: 'effectiveness', skill, project });
}
