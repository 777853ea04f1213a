/**
 * The editor's handle on the core (src/core/service.ts). It loads the core (and with it DuckDB) lazily,
 * after activation; coalesces background collection requests; follows the core's change events (every
 * write announces itself) to keep the views' state (counts, problems, collecting) and tell the views. Other windows share the database through the store's
 * lock handling: nothing here shows a lock error, background failures are logged and retried later.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { CancelledError } from '../common/errors';
import { describeError, logger } from '../common/log';
import type { ConfigService } from './config';
import { DATABASE_FILE } from '../common/paths';
import type { AggregateRun, CollectProgress, CollectResult, CoreChange, Health, MetricsCore } from '../core/service';
import { Disposable } from './lifecycle';

const log = logger('metrics');

export type ChangeReason = 'collect' | 'projects' | 'settings' | 'aggregate' | 'external' | 'cleanup' | 'refresh';

export interface DataChange {
  reason: ChangeReason;
}

export interface ServiceState {
  /** The database was opened (or failed to open) once. */
  ready: boolean;
  databaseError?: string;
  hasProjects: boolean;
  hasData: boolean;
  collecting: boolean;
  /** Project ids being collected right now (all active ones: every id). */
  collectingProjects: ReadonlySet<string>;
  lastCollection?: { at: Date; result: CollectResult };
  /** Current problems (missing folders, unreadable files, skipped records), from the health check. */
  health?: Health;
}

export interface CollectOptions {
  projects?: string[];
  /** Asked for by a person or an agent (a command, a tool) rather than by a watcher. */
  explicit?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: CollectProgress) => void;
}

interface PendingCollect {
  all: boolean;
  ids: Set<string>;
  promise: Promise<CollectResult | undefined>;
}

export class MetricsService extends Disposable {
  private enginePromise?: Promise<MetricsCore>;
  private engineValue?: MetricsCore;
  /** Writes run one after another. */
  private chain: Promise<unknown> = Promise.resolve();
  private pendingCollect?: PendingCollect;
  private aggregateTimer?: NodeJS.Timeout;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private fingerprint = '';

  private readonly dataEmitter = this._register(new vscode.EventEmitter<DataChange>());
  /** Data the views show may have changed. */
  readonly onDidChangeData = this.dataEmitter.event;
  private readonly stateEmitter = this._register(new vscode.EventEmitter<ServiceState>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly collectEmitter = this._register(new vscode.EventEmitter<CollectResult>());
  readonly onDidCollect = this.collectEmitter.event;

  private current: ServiceState = { ready: false, hasProjects: false, hasData: false, collecting: false, collectingProjects: new Set() };

  constructor(
    private readonly storageDir: string,
    private readonly config: ConfigService,
  ) {
    super();
    this._register(
      config.onDidChange((change) => {
        if (!change.coreChanged) return;
        if (this.engineValue) void this.engineValue.updateSettings(change.config.core);
        else this.fireData('settings');
        if (change.changed('displayTimeZone') || change.changed('sessionGapMinutes')) this.scheduleAggregate();
        if (change.changed('sourceTimeZone') || change.changed('maxFileSizeMB')) this.track(this.requestCollect());
      }),
    );
    // Another window may have collected or registered: look again when this one gets the focus.
    this._register(
      vscode.window.onDidChangeWindowState((e) => {
        if (e.focused && this.engineValue) this.track(this.checkExternalChanges());
      }),
    );
  }

  get state(): ServiceState {
    return this.current;
  }

  get databasePath(): string {
    return `${this.storageDir}/${DATABASE_FILE}`;
  }

  /** The engine, loading DuckDB and opening (creating, migrating) the database on first use. */
  engine(): Promise<MetricsCore> {
    this.enginePromise ??= this.track(this.loadEngine());
    return this.enginePromise;
  }

  /** The engine if it is usable, undefined when the database cannot be opened (the state says why). */
  async engineOrUndefined(): Promise<MetricsCore | undefined> {
    try {
      return await this.engine();
    } catch {
      return undefined;
    }
  }

  private async loadEngine(): Promise<MetricsCore> {
    const started = performance.now();
    try {
      const { MetricsCore } = await import('../core/service');
      const engine = new MetricsCore({
        dbPath: this.databasePath,
        settings: this.config.config.core,
        origin: 'extension',
        registerSource: 'manual',
        // Keep the database open a second after the last query, so a burst of view queries opens it once.
        lingerMs: 1000,
        // The extension host is shared with other extensions: leave them a core.
        threads: Math.max(1, Math.min(4, os.availableParallelism() - 1)),
        // Large files parse in a worker thread; small ones inline (a worker's start-up costs more).
        workers: { size: 1, minBytes: 1 << 20 },
      });
      engine.onDidChange((change) => this.onCoreChange(change));
      engine.onDidChangeActivity(({ collecting }) => this.setState({ collecting: collecting !== null, collectingProjects: new Set(collecting ?? []) }));
      await engine.open();
      this.engineValue = engine;
      log.info(`database ${engine.databasePath} open in ${(performance.now() - started).toFixed(0)} ms`);
      await this.refreshState();
      return engine;
    } catch (err) {
      // Let a later call try again (the file may be locked, or fixed meanwhile).
      this.enginePromise = undefined;
      this.setState({ ready: true, databaseError: describeError(err) });
      log.error('the database could not be opened', err);
      throw err;
    }
  }

  /** Runs `fn` after every write queued before it; errors reach the caller. */
  exclusive<T>(fn: (engine: MetricsCore) => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => fn(await this.engine()));
    this.chain = run.catch(() => undefined);
    return this.track(run);
  }

  /**
   * Collects in the background: requests made while one waits are merged into it (ids, or every
   * project). Failures are logged, never shown. Resolves with the run's result (undefined on failure).
   */
  requestCollect(projects?: string[]): Promise<CollectResult | undefined> {
    const pending = this.pendingCollect;
    if (pending) {
      if (!projects) pending.all = true;
      else for (const id of projects) pending.ids.add(id);
      return pending.promise;
    }
    const next: PendingCollect = { all: !projects, ids: new Set(projects ?? []), promise: Promise.resolve(undefined) };
    next.promise = this.exclusive(async () => {
      if (this.pendingCollect === next) this.pendingCollect = undefined;
      return this.runCollect({ projects: next.all ? undefined : [...next.ids] });
    }).catch((err) => {
      if (!(err instanceof CancelledError)) log.warn(`background collection failed (will retry on the next change): ${describeError(err)}`);
      return undefined;
    });
    this.pendingCollect = next;
    return this.track(next.promise);
  }

  /** Collects now (a command): waits for work already queued; errors and cancellation reach the caller. */
  collect(options: CollectOptions = {}): Promise<CollectResult> {
    return this.exclusive(() => this.runCollect(options));
  }

  private async runCollect(options: CollectOptions): Promise<CollectResult> {
    const engine = await this.engine();
    const signal = options.signal ? AbortSignal.any([options.signal, this.shutdown.signal]) : this.shutdown.signal;
    // Aggregation follows a moment later (scheduleAggregate), so that a burst of collections aggregates once.
    return engine.collect({ projects: options.projects, aggregate: false, signal, onProgress: options.onProgress });
  }

  /** What the core announced: keep the state, tell the views. */
  private async onCoreChange(change: CoreChange): Promise<void> {
    if (change.reason === 'settings') {
      this.fireData('settings');
      return;
    }
    const result = change.collect;
    if (result) {
      this.setState({ lastCollection: { at: new Date(), result } });
      this.collectEmitter.fire(result);
      if (result.records_added + result.records_updated > 0) this.scheduleAggregate();
    }
    await this.refreshState();
    this.fireData(change.reason);
  }

  /** Re-aggregates a moment after the data settled (several collections in a row aggregate once). */
  scheduleAggregate(delayMs = 1500): void {
    clearTimeout(this.aggregateTimer);
    if (!this.aggregateDone) {
      let release!: () => void;
      this.track(new Promise<void>((resolve) => (release = resolve)));
      this.aggregateDone = release;
    }
    this.aggregateTimer = setTimeout(() => {
      const release = this.aggregateDone;
      this.aggregateTimer = undefined;
      this.aggregateDone = undefined;
      this.ensureDerived()
        .catch((err) => log.warn(`background aggregation failed: ${describeError(err)}`))
        .finally(() => release?.());
    }, delayMs);
  }
  private aggregateDone?: () => void;

  /** Aggregates now, every window (waits for queued writes); the signal cancels it (nothing changes). */
  aggregate(signal?: AbortSignal): Promise<AggregateRun> {
    return this.exclusive((engine) => engine.aggregate({ signal }));
  }

  /** Makes the derived data (aggregates, sessions) fresh; resolves true when it had to aggregate. */
  async ensureDerived(): Promise<boolean> {
    return (await this.engine()).ensureDerived();
  }

  /** Reads the counts and problems the views and context keys depend on. */
  async refreshState(): Promise<void> {
    const engine = this.engineValue;
    if (!engine) return;
    try {
      const [health, version] = await Promise.all([engine.health(), engine.dataVersion()]);
      this.fingerprint = this.fingerprintOf(health, version);
      this.setState({ ready: true, databaseError: undefined, hasProjects: health.projects > 0, hasData: health.records > 0, health });
    } catch (err) {
      log.warn(`could not read the database state: ${describeError(err)}`);
    }
  }

  private fingerprintOf(health: Health, version: number): string {
    return `${version}:${health.projects}:${health.records}:${health.last_collection?.finished_at?.getTime?.() ?? 0}:${health.problems.length}`;
  }

  /** Picks up what another window (or the CLI) wrote since this one last looked. */
  async checkExternalChanges(): Promise<boolean> {
    const engine = this.engineValue;
    if (!engine) return false;
    try {
      const [health, version] = await Promise.all([engine.health(), engine.dataVersion()]);
      const fingerprint = this.fingerprintOf(health, version);
      if (fingerprint === this.fingerprint) return false;
      this.fingerprint = fingerprint;
      this.setState({ hasProjects: health.projects > 0, hasData: health.records > 0, health });
      this.fireData('external');
      return true;
    } catch (err) {
      log.debug(`external change check failed: ${describeError(err)}`);
      return false;
    }
  }

  fireData(reason: ChangeReason): void {
    this.dataEmitter.fire({ reason });
  }

  setState(patch: Partial<ServiceState>): void {
    this.current = { ...this.current, ...patch };
    this.stateEmitter.fire(this.current);
  }

  /** Keeps `p` in the set whenIdle() waits for. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = (): void => {
      this.inflight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** Resolves when no work is queued or running (tests, and a clean shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Cancels background work, waits briefly for it, and closes the database. */
  async shutdownAndClose(timeoutMs = 3000): Promise<void> {
    this.shutdown.abort();
    clearTimeout(this.aggregateTimer);
    this.aggregateDone?.();
    await Promise.race([this.chain, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    await this.engineValue?.close().catch(() => undefined);
    this.engineValue = undefined;
  }
}
