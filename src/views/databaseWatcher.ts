/**
 * Watches the shared database file (and its write-ahead log) in the extension's global storage, so what
 * another writer stored (another VS Code window, the `skill-metrics` CLI in a terminal, an MCP client)
 * reaches this window's views within seconds, without waiting for the window to regain the focus.
 *
 * Every commit touches the file, this window's own included: a change only schedules a cheap check
 * (record counts, data version, last collection), queued behind this window's own writes, and the views
 * refresh only when what it reads differs from what this window last saw. Reading does not modify the
 * file, so the check cannot trigger itself.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import { Debouncer } from './debounce';
import { Disposable } from './lifecycle';
import type { MetricsService } from './metrics';

const log = logger('watch');

export class DatabaseWatcher extends Disposable {
  private watcher?: vscode.FileSystemWatcher;
  private readonly debounce: Debouncer<'database'>;
  /** Changes of the database file seen, and how many of them came from another writer (tests, logs). */
  events = 0;
  external = 0;

  constructor(
    private readonly service: MetricsService,
    debounceMs = 700,
  ) {
    super();
    this.debounce = this._register(new Debouncer<'database'>((p) => service.track(p), debounceMs));
  }

  /** Starts watching (after the database exists: its folder must). Idempotent. */
  start(): void {
    if (this.watcher || this.isDisposed) return;
    const file = this.service.databasePath;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), `${path.basename(file)}*`));
    this.watcher = this._register(watcher);
    const onEvent = (): void => this.changed();
    this._register(watcher.onDidCreate(onEvent));
    this._register(watcher.onDidChange(onEvent));
    log.info(`watching the database file for other writers (windows, the CLI): ${file}`);
  }

  private changed(): void {
    this.events++;
    this.debounce.schedule('database', () => this.check());
  }

  private async check(): Promise<void> {
    try {
      // Behind this window's own queued writes: a change of its own then reads as no change.
      if (!(await this.service.exclusive(() => this.service.checkExternalChanges()))) return;
      this.external++;
      log.info('another window or the CLI changed the database: refreshing the views');
    } catch (err) {
      log.debug(`database change check failed: ${describeError(err)}`);
    }
  }
}
