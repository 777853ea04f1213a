/**
 * File watchers on each active project's `.session-buddy/` folders: a change schedules a background
 * collection of that project, debounced, so a writer rewriting its file in several steps (or a burst of
 * files) costs one collection. A project inside a workspace folder is watched whole (every `.session-buddy` below its root,
 * served by VS Code's recursive workspace watcher at no extra cost), so a package of a monorepo that starts
 * recording later is seen; a project outside the workspace gets one watcher per `.session-buddy` folder it
 * has, refreshed after each collection. Nothing here writes to a project folder.
 */
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import { Debouncer } from './debounce';
import type { WatchTarget } from '../core/service';
import { Disposable } from './lifecycle';
import type { MetricsService } from './metrics';

const log = logger('watch');

export const WATCH_GLOB = '.session-buddy/**';
/** For a project inside a workspace folder: every `.session-buddy` of its tree, also ones created later. */
export const WATCH_GLOB_RECURSIVE = '**/.session-buddy/**';

interface Watch {
  target: WatchTarget;
  watcher: vscode.FileSystemWatcher;
  subscriptions: vscode.Disposable[];
}

export class ProjectWatchers extends Disposable {
  private readonly watches = new Map<string, Watch>();
  /** Per project: a trailing debounce, but never later than maxWait after the first change of a burst. */
  private readonly debounce: Debouncer<string>;
  private updating?: Promise<void>;
  private again = false;
  /** Change events seen (tests and logs). */
  events = 0;

  constructor(
    private readonly service: MetricsService,
    debounceMs = 800,
    maxWaitMs = 4000,
  ) {
    super();
    this.debounce = this._register(new Debouncer<string>((p) => service.track(p), debounceMs, maxWaitMs));
    this._register(
      service.onDidChangeData((e) => {
        // A collection may have found a nested .session-buddy in a project outside the workspace: watch it too.
        // Another window or the CLI may have registered or unregistered a project.
        if (e.reason === 'projects' || e.reason === 'external' || (e.reason === 'collect' && this.hasOutsideProjects)) void this.update();
      }),
    );
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.update()));
  }

  /** What is watched now: `projectId NUL folder NUL glob`. */
  get watched(): string[] {
    return [...this.watches.keys()].sort();
  }

  private get hasOutsideProjects(): boolean {
    return [...this.watches.values()].some((w) => !w.target.recursive);
  }

  /** Brings the watchers in line with the active projects. Concurrent calls coalesce. */
  update(): Promise<void> {
    if (this.updating) {
      this.again = true;
      return this.updating;
    }
    this.updating = this.service.track(
      (async () => {
        do {
          this.again = false;
          await this.sync();
        } while (this.again);
      })().finally(() => (this.updating = undefined)),
    );
    return this.updating;
  }

  private async sync(): Promise<void> {
    try {
      const engine = await this.service.engine();
      const projects = await engine.listProjects();
      const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
      const targets = await engine.watchTargets(projects, roots);
      const wanted = new Map(targets.map((t) => [`${t.projectId}\u0000${t.base}\u0000${globOf(t)}`, t]));
      for (const [key, watch] of this.watches) {
        if (wanted.has(key)) continue;
        this.drop(key, watch);
      }
      for (const [key, target] of wanted) {
        if (this.watches.has(key) || this.isDisposed) continue;
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(target.base), globOf(target)));
        const onEvent = (uri: vscode.Uri): void => this.changed(target.projectId, uri);
        this.watches.set(key, { target, watcher, subscriptions: [watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent)] });
        log.debug(`watching ${target.base}/${globOf(target)}`);
      }
      const recursive = [...this.watches.values()].filter((w) => w.target.recursive).length;
      log.info(`watching ${projects.length} project(s): ${recursive} whole (in the workspace), ${this.watches.size - recursive} .session-buddy folder(s) outside it`);
    } catch (err) {
      log.warn(`could not set up the file watchers: ${describeError(err)}`);
    }
  }

  private drop(key: string, watch: Watch): void {
    for (const s of watch.subscriptions) s.dispose();
    watch.watcher.dispose();
    this.watches.delete(key);
  }

  private changed(projectId: string, uri: vscode.Uri): void {
    this.events++;
    log.trace(`changed: ${uri.fsPath}`);
    this.debounce.schedule(projectId, () => this.service.requestCollect([projectId]));
  }

  override dispose(): void {
    for (const [key, watch] of [...this.watches]) this.drop(key, watch);
    super.dispose();
  }
}

function globOf(target: WatchTarget): string {
  return target.recursive ? WATCH_GLOB_RECURSIVE : WATCH_GLOB;
}
