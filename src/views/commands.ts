/**
 * The commands of DESIGN section 1 (category "Skill Metrics") and the views' own. Each takes optional
 * arguments (tree nodes, ids, or an options object) so that tree items, links and tests can call it
 * without its pickers; long work shows progress and can be cancelled; results are things a person
 * reads (a rendered view, a read-only document, a saved file). Handlers return what they produced.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, DatabaseUnavailableError, UsageError } from '../common/errors';
import { describeError, logger } from '../common/log';
import type { ConfigService, ViewWindow } from './config';
import { VIEW_WINDOWS, WINDOW_LABELS } from './config';
import { Commands, Views } from './constants';
import type { ReportDocuments } from './documents';
import type { CleanupResult, CollectResult, ExportResult, Health, ProjectWithCounts, Registration } from '../core/service';
import * as fmt from '../common/format';
import type { MetricsService } from './metrics';
import { pickProject, pickSkill } from './pickers';
import type { ProjectSync } from './projectSync';
import type { DashboardPanels, DashboardTarget } from './dashboard/dashboardPanel';
import type { StatusBar } from './statusBar';
import { ProjectNode } from './trees/projectsTree';
import { RecommendationNode } from './trees/recommendationsTree';
import { SkillNode } from './trees/topSkillsTree';
import type { TreeProvider } from './trees/treeNode';
import type { ViewState } from './viewState';
import type { ProjectWatchers } from './watchers';

const log = logger('commands');

export interface CommandDeps {
  service: MetricsService;
  config: ConfigService;
  viewState: ViewState;
  projectSync: ProjectSync;
  watchers: ProjectWatchers;
  trees: TreeProvider[];
  statusBar: StatusBar;
  dashboard: DashboardPanels;
  documents: ReportDocuments;
  channel: vscode.LogOutputChannel;
}

/** A command's handler: VS Code passes whatever the caller gave (a tree node, a URI, a test's options): each narrows it. */
type Handler = (...args: unknown[]) => Promise<unknown> | unknown;

/** An options object a caller passed (a link, a test), or none. */
function optionsOf(arg: unknown): Record<string, unknown> {
  return arg && typeof arg === 'object' && !Array.isArray(arg) ? (arg as Record<string, unknown>) : {};
}

const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Shows what went wrong in words a person can act on; never a stack. */
async function reportFailure(title: string, err: unknown): Promise<void> {
  if (err instanceof CancelledError) {
    void vscode.window.showInformationMessage(`Skill Metrics: ${title} cancelled. What was done so far is kept.`);
    return;
  }
  if (err instanceof UsageError) {
    void vscode.window.showWarningMessage(`Skill Metrics: ${err.message}`);
    return;
  }
  log.error(`${title} failed`, err);
  const detail = err instanceof DatabaseUnavailableError ? err.message : describeError(err);
  const choice = await vscode.window.showErrorMessage(`Skill Metrics: ${title} failed: ${detail}`, 'Show Log');
  if (choice) void vscode.commands.executeCommand(Commands.showLog);
}

/** Runs `task` with a cancellable notification progress; the signal aborts the core's work. */
function withProgress<T>(title: string, task: (signal: AbortSignal, report: (message: string, increment?: number) => void) => Promise<T>, cancellable = true): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Skill Metrics: ${title}`, cancellable }, (progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    return task(controller.signal, (message, increment) => progress.report({ message, increment })).finally(() => sub.dispose());
  });
}

function projectIdOf(arg: unknown): string | undefined {
  if (arg instanceof ProjectNode) return arg.project.project_id;
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { project_id?: unknown }).project_id === 'string') return (arg as { project_id: string }).project_id;
  return undefined;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { service, config, viewState, projectSync, watchers, trees, statusBar, dashboard, documents, channel } = deps;

  const refreshViews = (): void => {
    for (const t of trees) t.refresh(0);
    statusBar.schedule(0);
  };

  const collectWithProgress = async (projects: string[] | undefined, label: string): Promise<CollectResult> =>
    withProgress(label, async (signal, report) => {
      if (service.state.collecting) report('waiting for the collection in progress…');
      let last = 0;
      const result = await service.collect({
        projects,
        explicit: true,
        signal,
        onProgress: (p) => {
          const done = p.filesToRead ? Math.floor((p.filesDone / p.filesToRead) * 100) : 0;
          report(`${p.project}: file ${p.filesDone + 1} of ${p.filesToRead}`, done - last);
          last = done;
        },
      });
      return result;
    });

  const summarize = (r: CollectResult): string =>
    `${fmt.plural(r.records_added, 'new record')} from ${fmt.plural(r.files_read, 'changed file')} in ${fmt.plural(r.projects, 'project')}` +
    (r.skipped_invalid ? `; ${fmt.plural(r.skipped_invalid, 'invalid record')} skipped` : '');

  const showCollectResult = (r: CollectResult): void => {
    if (r.problems.length) {
      void vscode.window
        .showWarningMessage(`Skill Metrics: collected ${summarize(r)}. ${fmt.plural(r.problems.length, 'problem')}: ${r.problems[0]!.message}`, 'Show Projects', 'Show Log')
        .then((a) => {
          if (a === 'Show Projects') void vscode.commands.executeCommand(`${Views.projects}.focus`);
          else if (a === 'Show Log') channel.show();
        });
    } else {
      void vscode.window.showInformationMessage(`Skill Metrics: collected ${summarize(r)}.`);
    }
  };

  const noProjects = async (): Promise<boolean> => {
    if ((await (await service.engine()).listProjects()).length) return false;
    const a = await vscode.window.showInformationMessage('Skill Metrics: no projects are registered yet.', 'Register Folder...');
    if (a) void vscode.commands.executeCommand(Commands.registerFolder);
    return true;
  };

  const registerPaths = async (dirs: string[], label: string): Promise<Registration[]> => {
    const registrations = await service.exclusive(async (engine) => {
      const done = await engine.register(dirs);
      for (const r of done) await projectSync.setOptedOut(r.project.project_path, false);
      return done;
    });
    const result = await collectWithProgress(
      registrations.map((r) => r.project.project_id),
      label,
    );
    const names = registrations.map((r) => r.project.project_name).join(', ');
    void vscode.window.showInformationMessage(`Skill Metrics: registered ${names}; collected ${summarize(result)}.`);
    return registrations;
  };

  const handlers: Record<string, Handler> = {
    [Commands.collectNow]: async (): Promise<CollectResult | undefined> => {
      if (await noProjects()) return undefined;
      const result = await collectWithProgress(undefined, 'collecting');
      showCollectResult(result);
      return result;
    },

    [Commands.collectProject]: async (arg?: unknown): Promise<CollectResult | undefined> => {
      let id = projectIdOf(arg);
      if (!id) id = (await pickProject(service, { title: 'Collect Project' }))?.project_id;
      if (!id) return undefined;
      const result = await collectWithProgress([id], 'collecting');
      showCollectResult(result);
      return result;
    },

    [Commands.aggregate]: async () => {
      // One transaction in the core: cancelling interrupts it and leaves the previous aggregates as they were.
      const result = await withProgress('aggregating', async (signal, report) => {
        report('daily, weekly, monthly and all-time windows, sessions…');
        return service.aggregate(signal);
      });
      void vscode.window.showInformationMessage(
        `Skill Metrics: aggregated ${fmt.plural(result.rows_written, 'row')} (${result.windows.join(', ')}) in ${fmt.int(result.duration_ms)} ms.`,
      );
      return result;
    },

    // The one place that opens the dashboard (the status bar and the session-start notification come here too).
    [Commands.openDashboard]: async (target?: unknown) => {
      const t = optionsOf(target);
      return dashboard.show({ skill: textOf(t.skill), project: textOf(t.project) } satisfies DashboardTarget);
    },

    [Commands.registerFolder]: async (arg?: unknown): Promise<Registration[] | undefined> => {
      let uris = arg instanceof vscode.Uri ? [arg] : Array.isArray(arg) ? arg.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
      if (!uris.length) {
        uris =
          (await vscode.window.showOpenDialog({
            canSelectFolders: true,
            canSelectFiles: false,
            canSelectMany: true,
            openLabel: 'Register',
            title: 'Register Folders with Skill Metrics',
          })) ?? [];
      }
      const dirs = uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath);
      if (!dirs.length) return undefined;
      return registerPaths(dirs, 'registering');
    },

    [Commands.registerProjectAgain]: async (arg?: unknown) => {
      const project = arg instanceof ProjectNode ? arg.project : undefined;
      if (!project) return undefined;
      return registerPaths([project.project_path], 'registering');
    },

    [Commands.unregisterProject]: async (arg?: unknown): Promise<ProjectWithCounts | undefined> => {
      let id = projectIdOf(arg);
      if (!id) id = (await pickProject(service, { title: 'Unregister Project', placeHolder: 'Its records are kept; nothing is collected from it any more' }))?.project_id;
      if (!id) return undefined;
      const { project, isWorkspaceFolder } = await service.exclusive(async (engine) => {
        const p = (await engine.unregister(id)).counts;
        const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
        return { project: p, isWorkspaceFolder: !!p && folders.some((f) => engine.canonicalPath(f.uri.fsPath) === p.project_path) };
      });
      if (!project) return undefined;
      if (isWorkspaceFolder) await projectSync.setOptedOut(project.project_path, true);
      if (viewState.projectFilter?.id === project.project_id) await viewState.setProjectFilter(undefined);
      void vscode.window.showInformationMessage(`Skill Metrics: unregistered ${project.project_name}; its ${fmt.plural(project.total_invocations, 'record')} are kept.`, 'Undo').then((a) => {
        if (a) void registerPaths([project.project_path], 'registering');
      });
      return project;
    },

    [Commands.analyzeEffectiveness]: async (arg?: unknown, projectArg?: unknown) => {
      let skill: string | undefined;
      let project = typeof projectArg === 'string' ? projectArg : undefined;
      if (arg instanceof SkillNode) {
        skill = arg.skill.skill_name;
        project ??= viewState.projectFilter?.id;
      } else if (arg instanceof RecommendationNode) {
        skill = arg.rec.skill_name ?? undefined;
        project ??= arg.rec.project_id ?? undefined;
      } else if (typeof arg === 'string') {
        skill = arg;
      } else {
        project ??= viewState.projectFilter?.id;
        skill = await pickSkill(service, { title: 'Analyze Skill Effectiveness', project, minEvidence: config.get('minEvidence') });
      }
      if (!skill) return undefined;
      // The dashboard's skill page is the one detail page of a skill.
      return dashboard.showSkill({ skill, project });
    },

    [Commands.compareSkill]: async (arg?: unknown) => {
      let skill = arg instanceof SkillNode ? arg.skill.skill_name : arg instanceof RecommendationNode ? (arg.rec.skill_name ?? undefined) : typeof arg === 'string' ? arg : undefined;
      skill ??= await pickSkill(service, { title: 'Compare Skill Across Projects', minEvidence: config.get('minEvidence') });
      if (!skill) return undefined;
      // The skill page's "Across projects" is the comparison.
      return dashboard.showSkill({ skill });
    },

    [Commands.showRecommendations]: async () => {
      await vscode.commands.executeCommand(`${Views.recommendations}.focus`);
      const recs = await (await service.engine()).recommendations({ project: viewState.projectFilter?.id });
      if (!recs.length) {
        void vscode.window.showInformationMessage(
          `Skill Metrics: no recommendations for now; skills need at least ${config.get('minEvidence')} invocations to be rated.`,
        );
      }
      return recs;
    },

    [Commands.showCorrelationReport]: async () => {
      const filter = viewState.projectFilter;
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Skill Metrics: correlation report' }, () =>
        service.engine().then((e) => e.correlationReport({ project: filter?.id })),
      );
      await documents.show(`Correlation Report${filter ? ` (${filter.name.replace(/[\\/]/g, '_')})` : ''}.txt`, report);
      return report;
    },

    [Commands.export]: async (arg?: unknown): Promise<ExportResult | undefined> => {
      const o = optionsOf(arg);
      const options = { what: textOf(o.what), format: textOf(o.format), uri: o.uri instanceof vscode.Uri ? o.uri : undefined };
      const what =
        options.what ??
        (
          await vscode.window.showQuickPick(
            [
              { label: '$(list-flat) Skill usage', description: 'one row per invocation', value: 'usage' },
              { label: '$(layers) Aggregates', description: 'per skill, project and day / week / month / all time', value: 'aggregates' },
              { label: '$(history) Sessions', description: 'correlated sessions', value: 'sessions' },
            ],
            { title: 'Export (1/2): what', placeHolder: viewState.projectFilter ? `Project ${viewState.projectFilter.name}` : 'All active projects' },
          )
        )?.value;
      if (!what) return undefined;
      const format =
        options.format ??
        (
          await vscode.window.showQuickPick(
            [
              { label: 'CSV', description: 'spreadsheets', value: 'csv' },
              { label: 'JSON', description: 'timestamps as ISO 8601 with offset', value: 'json' },
              { label: 'Parquet', description: 'DuckDB, pandas, Spark', value: 'parquet' },
            ],
            { title: 'Export (2/2): format' },
          )
        )?.value;
      if (!format) return undefined;
      // Exports go where the user says; the default is the home folder, never a project folder.
      const base = os.homedir();
      const uri =
        options.uri ??
        (await vscode.window.showSaveDialog({
          title: 'Export Skill Metrics',
          saveLabel: 'Export',
          defaultUri: vscode.Uri.file(path.join(base, `skill-metrics-${what}.${format}`)),
          filters: { [format.toUpperCase()]: [format] },
        }));
      if (!uri) return undefined;
      const project = viewState.projectFilter?.id;
      const result = await withProgress(`exporting ${what}`, async (signal) => {
        try {
          return await (await service.engine()).export({ what, format, out: uri.fsPath, project }, signal);
        } catch (err) {
          // A cancelled export leaves no half-written file behind.
          if (signal.aborted) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
          throw err;
        }
      });
      const actions = format === 'parquet' ? [] : ['Open'];
      void vscode.window.showInformationMessage(`Skill Metrics: exported ${fmt.plural(result.rows, 'row')} to ${result.path}.`, ...actions).then((a) => {
        if (a === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(result.path));
      });
      return result;
    },

    [Commands.healthCheck]: async (): Promise<Health | undefined> => {
      const engine = await service.engineOrUndefined();
      if (!engine) {
        await documents.show('Skill Metrics Health.md', `# Skill Metrics health check\n\n**The database cannot be opened:** ${service.state.databaseError ?? 'unknown reason'}\n\nDatabase file: \`${service.databasePath}\`\n`, 'markdown');
        return undefined;
      }
      const h = await engine.health();
      await service.refreshState();
      await documents.show('Skill Metrics Health.md', healthMarkdown(h, engine.databasePath, engine.displayTimeZone, watchers.watched.length), 'markdown');
      if (h.ok) void vscode.window.showInformationMessage(`Skill Metrics is healthy: ${fmt.plural(h.projects, 'project')}, ${fmt.plural(h.records, 'record')}.`);
      else void vscode.window.showWarningMessage(`Skill Metrics: ${fmt.plural(h.problems.length, 'problem')} found; see the health report.`);
      return h;
    },

    [Commands.cleanUp]: async (arg?: unknown): Promise<CleanupResult | undefined> => {
      const options = optionsOf(arg);
      let days = typeof options.olderThanDays === 'number' ? options.olderThanDays : undefined;
      if (days === undefined) {
        const input = await vscode.window.showInputBox({
          title: 'Clean Up Old Records',
          prompt: "Delete records older than this many days from the Skill Metrics database (your projects' files are never changed)",
          value: String(config.get('retentionDays') || 180),
          validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 ? undefined : 'A whole number of days, 1 or more'),
        });
        if (input === undefined) return undefined;
        days = Number(input.trim());
      }
      if (options.confirmed !== true) {
        const ok = await vscode.window.showWarningMessage(
          `Delete skill records older than ${fmt.plural(days, 'day')} from the Skill Metrics database?`,
          { modal: true, detail: "Your projects' .session-buddy files are not changed, and these records will not be collected again." },
          'Delete',
        );
        if (ok !== 'Delete') return undefined;
      }
      const result = await withProgress('cleaning up', async (signal) =>
        service.exclusive((engine) => engine.cleanup(days, signal)),
      );
      void vscode.window.showInformationMessage(
        `Skill Metrics: deleted ${fmt.plural(result.usage_deleted, 'invocation')}, ${fmt.plural(result.events_deleted, 'workflow event')} and ${fmt.plural(result.aggregates_deleted, 'aggregate row')} older than ${fmt.plural(days, 'day')}.`,
      );
      return result;
    },

    [Commands.showLog]: () => channel.show(),

    [Commands.refresh]: async () => {
      if (service.state.databaseError) await service.engineOrUndefined();
      await service.refreshState();
      await service.checkExternalChanges();
      refreshViews();
    },

    [Commands.selectTimeWindow]: async (arg?: unknown): Promise<ViewWindow | undefined> => {
      let window = typeof arg === 'string' && (VIEW_WINDOWS as readonly string[]).includes(arg) ? (arg as ViewWindow) : undefined;
      if (!window) {
        const picked = await vscode.window.showQuickPick(
          VIEW_WINDOWS.map((w) => ({ label: `${w === viewState.window ? '$(check) ' : '$(blank) '}${WINDOW_LABELS[w]}`, value: w })),
          { title: 'Top Skills: time window', placeHolder: `Now: ${viewState.windowLabel}` },
        );
        window = picked?.value;
      }
      if (window) await viewState.setWindow(window);
      return window;
    },

    [Commands.selectProjectFilter]: async (arg?: unknown) => selectFilter(arg),
    [Commands.changeProjectFilter]: async (arg?: unknown) => selectFilter(arg),

    [Commands.revealProject]: async (arg?: unknown) => {
      const project = arg instanceof ProjectNode ? arg.project : undefined;
      if (!project) return undefined;
      const uri = vscode.Uri.file(project.project_path);
      const sessionBuddy = vscode.Uri.joinPath(uri, '.session-buddy');
      const inWorkspace = vscode.workspace.getWorkspaceFolder(uri);
      if (inWorkspace) {
        const exists = await vscode.workspace.fs.stat(sessionBuddy).then(() => true, () => false);
        await vscode.commands.executeCommand('revealInExplorer', exists ? sessionBuddy : uri);
        return 'explorer';
      }
      if (!vscode.env.remoteName) {
        await vscode.commands.executeCommand('revealFileInOS', uri);
        return 'os';
      }
      const a = await vscode.window.showInformationMessage(`${project.project_name} (${project.project_path}) is not in this workspace.`, 'Open in New Window', 'Add to Workspace');
      if (a === 'Open in New Window') await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      else if (a === 'Add to Workspace') vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri });
      return a;
    },
  };

  async function selectFilter(arg?: unknown): Promise<string | null | undefined> {
    if (arg === null || arg === '*') {
      await viewState.setProjectFilter(undefined);
      return null;
    }
    const id = projectIdOf(arg);
    if (id) {
      const p = (await (await service.engine()).listProjects()).find((x) => x.project_id === id);
      if (!p) throw new UsageError(`No active project has the id ${id}.`);
      await viewState.setProjectFilter({ id: p.project_id, name: p.project_name });
      return p.project_id;
    }
    const picked = await pickProject(service, { title: 'Filter Skill Metrics views by project', allowAll: true, activeId: viewState.projectFilter?.id });
    if (picked === undefined) return undefined;
    await viewState.setProjectFilter(picked ? { id: picked.project_id, name: picked.project_name } : undefined);
    return picked?.project_id ?? null;
  }

  const titles = new Map<string, string>([
    [Commands.collectNow, 'collection'],
    [Commands.collectProject, 'collection'],
    [Commands.aggregate, 'aggregation'],
    [Commands.export, 'export'],
    [Commands.cleanUp, 'clean-up'],
    [Commands.registerFolder, 'registration'],
    [Commands.registerProjectAgain, 'registration'],
  ]);
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        await reportFailure(titles.get(id) ?? id.replace('skillMetrics.', ''), err);
        return undefined;
      }
    }),
  );
}

export function healthMarkdown(h: Health, dbPath: string, zone: string, watched: number): string {
  const last = h.last_collection;
  const lines = [
    '# Skill Metrics health check',
    '',
    h.ok ? '**Status: OK**' : `**Status: ${fmt.plural(h.problems.length, 'problem')}**`,
    '',
    '| | |',
    '|---|---|',
    `| Database | \`${dbPath}\` (schema ${h.schema_version}) |`,
    `| Projects | ${fmt.int(h.projects)} active |`,
    `| Records | ${fmt.int(h.records)} invocations, ${fmt.int(h.workflow_events)} workflow events |`,
    `| Last collection | ${last ? `${fmt.dateTime(last.finished_at, zone)} (${last.origin}, ${fmt.plural(last.files_read, 'file')} read, ${fmt.int(last.records_added)} added, ${fmt.plural(last.problems, 'problem')}, ${fmt.int(last.duration_ms)} ms)` : 'never'} |`,
    `| Aggregates | ${h.aggregates_fresh ? 'fresh' : 'stale (they are recomputed in the background, or run "Skill Metrics: Aggregate Skill Metrics")'} |`,
    `| File watchers | ${fmt.plural(watched, 'watcher')} on the projects' .session-buddy folders |`,
    `| Display time zone | ${zone} |`,
    '',
  ];
  if (h.problems.length) {
    lines.push('## Problems', '');
    for (const p of h.problems) lines.push(`- \`${p.file}\`: ${p.message}`);
    lines.push('');
  }
  return lines.join('\n');
}
