/**
 * Workspace folders as projects: every (local) workspace folder is registered automatically unless the
 * setting is off or the user unregistered that folder; folders added later are registered and collected,
 * removed ones unregistered (only those that were registered because they were workspace folders).
 */
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import type { ConfigService } from './config';
import { StateKeys } from './constants';
import { Disposable } from './lifecycle';
import type { MetricsService } from './metrics';

const log = logger('projects');

export class ProjectSync extends Disposable {
  private started = false;

  constructor(
    private readonly service: MetricsService,
    private readonly config: ConfigService,
    private readonly globalState: vscode.Memento,
  ) {
    super();
    this._register(vscode.workspace.onDidChangeWorkspaceFolders((e) => void this.service.track(this.onFoldersChanged(e))));
    this._register(
      config.onDidChange((c) => {
        if (c.changed('autoRegisterWorkspaceFolders') && c.config.autoRegisterWorkspaceFolders && this.started) {
          void this.service.track(this.registerWorkspaceFolders().then((ids) => (ids.length ? this.service.requestCollect(ids) : undefined)));
        }
      }),
    );
  }

  /** Registers the current workspace folders (startup). Returns the ids of the folders' projects. */
  async start(): Promise<string[]> {
    this.started = true;
    return this.registerWorkspaceFolders();
  }

  private localFolders(folders: readonly vscode.WorkspaceFolder[] | undefined): string[] {
    return (folders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** Registers every workspace folder not opted out; returns the ids of those that were new or re-activated. */
  async registerWorkspaceFolders(folders = vscode.workspace.workspaceFolders): Promise<string[]> {
    if (!this.config.get('autoRegisterWorkspaceFolders')) return [];
    const optedOut = new Set(this.optedOut());
    const dirs = this.localFolders(folders);
    if (!dirs.length) return [];
    return this.service.exclusive(async (engine) => {
      const wanted = dirs.filter((d) => !optedOut.has(engine.canonicalPath(d)));
      const known = new Map((await engine.listProjects(true)).map((p) => [p.project_id, p]));
      // A folder the user unregistered elsewhere (is_active false, source manual/cli) is left alone too.
      const toRegister = wanted.filter((d) => {
        const existing = known.get(engine.projectIdForPath(d));
        return !existing || existing.is_active || existing.source === 'workspace';
      });
      const registrations = [];
      for (const dir of toRegister) {
        try {
          registrations.push(...(await engine.register([dir], { source: 'workspace' })));
        } catch (err) {
          log.warn(`could not register the workspace folder ${dir}: ${describeError(err)}`);
        }
      }
      const changed = registrations.filter((r) => r.changed);
      if (changed.length) {
        log.info(`registered workspace folder(s): ${changed.map((r) => r.project.project_path).join(', ')}`);
      }
      return registrations.map((r) => r.project.project_id);
    });
  }

  private async onFoldersChanged(e: vscode.WorkspaceFoldersChangeEvent): Promise<void> {
    if (!this.started) return;
    try {
      const added = await this.registerWorkspaceFolders(e.added);
      const removed = this.localFolders(e.removed);
      if (removed.length) {
        await this.service.exclusive(async (engine) => {
          const projects = await engine.listProjects();
          for (const dir of removed) {
            const project = projects.find((p) => p.project_id === engine.projectIdForPath(dir));
            if (project?.source !== 'workspace') continue;
            await engine.unregister(project.project_id);
            log.info(`workspace folder removed, project unregistered (history kept): ${project.project_path}`);
          }
        });
      }
      if (added.length) await this.service.requestCollect(added);
    } catch (err) {
      log.warn(`following the workspace folders failed: ${describeError(err)}`);
    }
  }

  /** Folders (canonical paths) the user unregistered: auto-registration skips them. */
  optedOut(): string[] {
    return this.globalState.get<string[]>(StateKeys.optedOutFolders) ?? [];
  }

  async setOptedOut(canonicalPath: string, optedOut: boolean): Promise<void> {
    const list = new Set(this.optedOut());
    if (optedOut) list.add(canonicalPath);
    else list.delete(canonicalPath);
    await this.globalState.update(StateKeys.optedOutFolders, [...list]);
  }
}
