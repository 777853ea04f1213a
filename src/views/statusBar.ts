/**
 * The status-bar item: the current project's top skill and its success rate (`$(graph) code-review 92%`),
 * a tooltip with the summary, a warning state when collection had problems; a click opens the dashboard.
 * The current project is the workspace folder of the active editor, else the first workspace folder.
 */
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import type { ConfigService } from './config';
import { Commands } from './constants';
import type { TopSkill } from '../core/service';
import * as fmt from '../common/format';
import { Disposable } from './lifecycle';
import type { MetricsService } from './metrics';
import { successText } from './trees/topSkillsTree';
import { problemsOf } from './trees/projectsTree';
import type { ViewState } from './viewState';

const log = logger('status');

/** What the item shows, for tests. */
export interface StatusSnapshot {
  visible: boolean;
  text: string;
  tooltip: string;
  warning: boolean;
  command?: string;
  commandArgs?: unknown[];
  projectId?: string;
  skill?: string;
}

/** The folder whose project the status bar speaks for. */
export function currentFolder(): vscode.WorkspaceFolder | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  const folder = fromEditor ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder : undefined;
}

export class StatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;
  private timer?: NodeJS.Timeout;
  private folder?: string;
  private snapshotValue: StatusSnapshot = { visible: false, text: '', tooltip: '', warning: false };
  private updates = 0;
  private readonly updatedEmitter = this._register(new vscode.EventEmitter<StatusSnapshot>());
  readonly onDidUpdate = this.updatedEmitter.event;

  constructor(
    private readonly service: MetricsService,
    private readonly config: ConfigService,
    private readonly viewState: ViewState,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('skillMetrics.status', vscode.StatusBarAlignment.Left, 20));
    this.item.name = 'Skill Metrics';
    this.item.text = '$(graph) Skill Metrics';
    this.item.command = Commands.openDashboard;
    this._register(service.onDidChangeData((e) => e.reason !== 'aggregate' && this.schedule()));
    this._register(service.onDidChangeState(() => this.schedule()));
    this._register(viewState.onDidChange(() => this.schedule(0)));
    this._register(config.onDidChange((c) => (c.changed('statusBar.enabled') || c.changed('minEvidence')) && this.schedule(0)));
    this._register(
      vscode.window.onDidChangeActiveTextEditor(() => {
        if (currentFolder()?.uri.fsPath !== this.folder) this.schedule(0);
      }),
    );
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule(0)));
  }

  get snapshot(): StatusSnapshot {
    return this.snapshotValue;
  }

  schedule(delayMs = 200): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delayMs);
  }

  /** Recomputes and shows (or hides) the item; resolves with what the newest update showed. */
  update(): Promise<StatusSnapshot> {
    const seq = ++this.updates;
    const run = (async (): Promise<StatusSnapshot> => {
      try {
        const snapshot = await this.compute();
        if (seq === this.updates) this.apply(snapshot);
      } catch (err) {
        log.warn(`status bar update failed: ${describeError(err)}`);
      }
      // A newer update started meanwhile: its result is the one on screen.
      return seq === this.updates ? this.snapshotValue : this.latest!;
    })();
    this.latest = run;
    return run;
  }
  private latest?: Promise<StatusSnapshot>;

  private async compute(): Promise<StatusSnapshot> {
    const hidden: StatusSnapshot = { visible: false, text: '', tooltip: '', warning: false };
    if (!this.config.get('statusBar.enabled')) return hidden;
    const state = this.service.state;
    if (state.databaseError) {
      return {
        visible: true,
        text: '$(error) Skill Metrics',
        tooltip: `Skill Metrics cannot open its database: ${state.databaseError}`,
        warning: true,
        command: Commands.showLog,
      };
    }
    if (!state.ready || !state.hasData) return hidden; // nothing to say yet: no item rather than an empty one
    const engine = await this.service.engineOrUndefined();
    if (!engine) return hidden;
    const folder = currentFolder();
    this.folder = folder?.uri.fsPath;
    const projects = await engine.listProjects();
    const project = folder ? projects.find((p) => p.project_id === engine.projectIdForPath(folder.uri.fsPath)) : undefined;
    if (folder && !project) return hidden; // this folder is not a project (auto-registration off or opted out)
    const minEvidence = this.config.get('minEvidence');
    const window = this.viewState.window;
    let top = await engine.topSkills({ window, project: project?.project_id, limit: 3 });
    let windowLabel = this.viewState.windowLabel;
    if (!top.length && window !== 'all') {
      top = await engine.topSkills({ window: 'all', project: project?.project_id, limit: 3 });
      windowLabel = 'All time';
    }
    const problems = project ? problemsOf(project, state.health) : (state.health?.problems ?? []);
    const scope = project?.project_name ?? 'all projects';
    const first: TopSkill | undefined = top[0];

    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = { enabledCommands: [Commands.openDashboard, Commands.showRecommendations, Commands.collectNow, 'skillMetrics.projects.focus'] };
    tip.appendMarkdown(`$(graph) **Skill Metrics** · ${fmt.md(scope)} · ${fmt.md(windowLabel)}\n\n`);
    if (top.length) {
      tip.appendMarkdown(`| Skill | Uses | Success |\n|---|--:|--:|\n`);
      for (const s of top) tip.appendMarkdown(`| ${fmt.md(s.skill_name)} | ${fmt.int(s.total_invocations)} | ${fmt.md(successText(s.success_rate, s.total_invocations, minEvidence))} |\n`);
    } else {
      tip.appendMarkdown(`No skill records yet.\n`);
    }
    const records = project ? project.total_invocations : (state.health?.records ?? 0);
    const lastSync = project?.last_sync_at ?? state.health?.last_collection?.finished_at ?? null;
    tip.appendMarkdown(`\n${fmt.plural(records, 'record')} · last sync ${fmt.ago(lastSync)}\n`);
    if (problems.length) {
      tip.appendMarkdown(`\n$(warning) **${fmt.plural(problems.length, 'problem')}** in the last collection:\n`);
      for (const p of problems.slice(0, 3)) tip.appendMarkdown(`- ${fmt.md(p.message)}\n`);
      tip.appendMarkdown(`\n[Show Projects](command:skillMetrics.projects.focus)`);
    }
    tip.appendMarkdown(`\n\n[Open Dashboard](command:${Commands.openDashboard}) · [Recommendations](command:${Commands.showRecommendations})`);

    const warning = problems.length > 0;
    let text: string;
    if (first) {
      const rate = first.total_invocations >= minEvidence ? ` ${fmt.pct(first.success_rate)}` : '';
      text = `${warning ? '$(warning)' : '$(graph)'} ${first.skill_name}${rate}`;
    } else {
      text = `${warning ? '$(warning)' : '$(graph)'} Skill Metrics`;
    }
    const args = first ? [{ skill: first.skill_name, project: project?.project_id }] : [];
    return {
      visible: true,
      text,
      tooltip: tip.value,
      warning,
      command: Commands.openDashboard,
      commandArgs: args,
      projectId: project?.project_id,
      skill: first?.skill_name,
    };
  }

  private apply(s: StatusSnapshot): void {
    this.snapshotValue = s;
    if (!s.visible) {
      this.item.hide();
      this.updatedEmitter.fire(s);
      return;
    }
    this.item.text = s.text;
    const tip = new vscode.MarkdownString(s.tooltip, true);
    tip.isTrusted = { enabledCommands: [Commands.openDashboard, Commands.showRecommendations, Commands.collectNow, Commands.showLog, 'skillMetrics.projects.focus'] };
    this.item.tooltip = tip;
    this.item.backgroundColor = s.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = s.command ? { command: s.command, title: 'Open Dashboard', arguments: s.commandArgs } : undefined;
    this.item.accessibilityInformation = { label: `Skill Metrics: ${s.text.replace(/\$\([^)]+\)\s*/g, '')}${s.warning ? ', collection had problems' : ''}` };
    this.item.show();
    this.updatedEmitter.fire(s);
  }

  override dispose(): void {
    clearTimeout(this.timer);
    super.dispose();
  }
}
