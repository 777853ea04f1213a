/**
 * The composition root: activate() creates the log, settings, services, views, status bar and commands,
 * and returns. The database (DuckDB), the first collection and the file watchers start afterwards
 * (setImmediate), never on the activation path.
 */
import * as vscode from 'vscode';
import { describeError, logger } from './common/log';
import type { SkillMetricsApi, SkillMetricsInternals } from './views/api';
import { registerAgentTools } from './views/agentTools';
import { registerCommands } from './views/commands';
import { ConfigService } from './views/config';
import { DatabaseWatcher } from './views/databaseWatcher';
import { ContextKeys, StateKeys } from './views/constants';
import { ReportDocuments } from './views/documents';
import * as fmt from './common/format';
import { createLogChannel, detachLogChannel } from './views/logging';
import { MetricsService } from './views/metrics';
import type { ServiceState } from './views/metrics';
import { ProjectSync } from './views/projectSync';
import { DashboardPanels } from './views/dashboard/dashboardPanel';
import { SessionStartNotifier } from './views/sessionStart';
import { StatusBar } from './views/statusBar';
import { ProjectsTree } from './views/trees/projectsTree';
import { RecommendationsTree } from './views/trees/recommendationsTree';
import { SessionsTree } from './views/trees/sessionsTree';
import { TopSkillsTree } from './views/trees/topSkillsTree';
import { ViewState } from './views/viewState';
import { ProjectWatchers } from './views/watchers';

const log = logger('extension');

let service: MetricsService | undefined;

export function activate(context: vscode.ExtensionContext): SkillMetricsApi {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const marks: string[] = [];
  let lap = started;
  const mark = (what: string): void => {
    const now = performance.now();
    marks.push(`${what} ${(now - lap).toFixed(1)}`);
    lap = now;
  };
  const channel = createLogChannel();
  context.subscriptions.push(channel, { dispose: detachLogChannel });
  mark('log');

  const config = new ConfigService();
  mark('config');
  const viewState = new ViewState(context.workspaceState, config);
  mark('settings');
  const metrics = (service = new MetricsService(context.globalStorageUri.fsPath, config));
  const projectSync = new ProjectSync(metrics, config, context.globalState);
  const watchers = new ProjectWatchers(metrics);
  const databaseWatcher = new DatabaseWatcher(metrics);
  mark('services');
  const trees = {
    topSkills: new TopSkillsTree(metrics, config, viewState),
    projects: new ProjectsTree(metrics),
    recommendations: new RecommendationsTree(metrics, config, viewState),
    sessions: new SessionsTree(metrics, viewState),
  };
  mark('trees');
  const statusBar = new StatusBar(metrics, config, viewState);
  const documents = new ReportDocuments();
  const dashboard = new DashboardPanels(metrics, config, context.extensionUri, context.globalState);
  const sessionStart = new SessionStartNotifier(metrics, config, context.workspaceState);
  mark('views');
  // Disposed in reverse: commands and views first, the service (and its events) last.
  context.subscriptions.push(config, viewState, metrics, projectSync, watchers, databaseWatcher, ...Object.values(trees), statusBar, documents, dashboard);
  context.subscriptions.push(
    ...registerCommands({ service: metrics, config, viewState, projectSync, watchers, trees: Object.values(trees), statusBar, dashboard, documents, channel }),
  );
  context.subscriptions.push(mirrorContextKeys(metrics), clearStaleFilter(metrics, viewState));
  // A new retention applies at once, not only at the next start.
  context.subscriptions.push(
    config.onDidChange((c) => {
      if (c.changed('retentionDays')) void metrics.track(startup.then(() => applyRetention(metrics, config, context.globalState, true)));
    }),
  );
  context.subscriptions.push(...registerAgentTools({ service: metrics, config, projectSync, extensionPath: context.extensionPath, version: context.extension.packageJSON.version }));
  mark('commands');

  const activationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const activationCpuMs = (cpu.user + cpu.system) / 1000;
  const duckdbLoadedAtActivation = Object.keys(require.cache).some((file) => /[\\/]@duckdb[\\/]/.test(file));
  log.info(
    `activated in ${activationMs.toFixed(1)} ms (${activationCpuMs.toFixed(1)} ms CPU; DuckDB ${duckdbLoadedAtActivation ? 'already loaded!' : 'not loaded yet'}); starting in the background`,
  );
  log.debug(`activation ms by step: ${marks.join(', ')}`);

  const startup = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    metrics.track(startInBackground(metrics, projectSync, watchers, databaseWatcher, sessionStart, config, context.globalState)),
  );

  const internals: SkillMetricsInternals = { service: metrics, config, viewState, projectSync, watchers, databaseWatcher, trees, statusBar, dashboard, documents, sessionStart, startup };
  const exposeInternals = context.extensionMode === vscode.ExtensionMode.Test || context.extensionMode === vscode.ExtensionMode.Development;
  return {
    activationMs,
    activationCpuMs,
    activationSteps: marks.join(', '),
    duckdbLoadedAtActivation,
    whenIdle: async () => {
      await startup;
      await metrics.whenIdle();
    },
    internals: exposeInternals ? internals : undefined,
  };
}

/**
 * Everything that may take time: the database, the workspace folders, the watchers (projects' files, and
 * the database file for what other windows and the CLI write), the first collection.
 */
async function startInBackground(
  metrics: MetricsService,
  projectSync: ProjectSync,
  watchers: ProjectWatchers,
  databaseWatcher: DatabaseWatcher,
  sessionStart: SessionStartNotifier,
  config: ConfigService,
  globalState: vscode.Memento,
): Promise<void> {
  const t0 = performance.now();
  try {
    const engine = await metrics.engineOrUndefined();
    if (!engine) return; // the state (welcome views, status bar) says why; Refresh retries
    await projectSync.start();
    await watchers.update();
    databaseWatcher.start();
    const result = await metrics.requestCollect();
    log.info(`started in ${(performance.now() - t0).toFixed(0)} ms${result ? `: ${result.records_added} new record(s)` : ''}`);
    await sessionStart.maybeShow();
    await applyRetention(metrics, config, globalState);
  } catch (err) {
    log.error('start-up failed', err);
  }
}

/** Deletes records older than `skillMetrics.retentionDays` (when set) once a day, or now when `force`. */
async function applyRetention(metrics: MetricsService, config: ConfigService, globalState: vscode.Memento, force = false): Promise<void> {
  const days = config.get('retentionDays');
  if (!days) return;
  const today = fmt.day(new Date(), 'UTC');
  if (!force && globalState.get<string>(StateKeys.lastRetentionRun) === today) return;
  try {
    const result = await metrics.exclusive((engine) => engine.cleanup(days));
    await globalState.update(StateKeys.lastRetentionRun, today);
    log.info(`retention (${days} days): deleted ${fmt.plural(result.usage_deleted, 'invocation')}, ${fmt.plural(result.events_deleted, 'event')}, ${fmt.plural(result.aggregates_deleted, 'aggregate row')}`);
  } catch (err) {
    log.warn(`retention clean-up failed: ${describeError(err)}`);
  }
}

/** Keeps the context keys (welcome views, menus, palette) in line with the service state. */
function mirrorContextKeys(metrics: MetricsService): vscode.Disposable {
  const last = new Map<string, boolean>();
  const set = (key: string, value: boolean): void => {
    if (last.get(key) === value) return;
    last.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const apply = (s: ServiceState): void => {
    set(ContextKeys.hasProjects, s.hasProjects);
    set(ContextKeys.hasData, s.hasData);
    set(ContextKeys.collecting, s.collecting);
    set(ContextKeys.hasProblems, (s.health?.problems.length ?? 0) > 0);
    set(ContextKeys.databaseError, !!s.databaseError);
    set(ContextKeys.ready, s.ready);
  };
  apply(metrics.state);
  return metrics.onDidChangeState(apply);
}

/** A project filter on a project that was unregistered (here or in another window) is dropped. */
function clearStaleFilter(metrics: MetricsService, viewState: ViewState): vscode.Disposable {
  return metrics.onDidChangeData(async (e) => {
    const filter = viewState.projectFilter;
    if (!filter || (e.reason !== 'projects' && e.reason !== 'external')) return;
    const engine = await metrics.engineOrUndefined();
    const active = await engine?.listProjects().catch(() => undefined);
    if (active && !active.some((p) => p.project_id === filter.id)) await viewState.setProjectFilter(undefined);
  });
}

export async function deactivate(): Promise<void> {
  await service?.shutdownAndClose();
  service = undefined;
}
