/**
 * The application core: one service that every surface asks (the editor's views and dashboard, the CLI,
 * the MCP server, the language-model tools). It owns the DuckDB store, the parse-worker pool and the core
 * settings, and offers every use case: collect (then refresh what depends on it), aggregate, register and
 * unregister, every question, export, clean-up and the dashboard payloads. No `vscode`.
 *
 * - Questions take a Scope (scope.ts) that the edge parsed once; reads of derived data (sessions, pairs,
 *   transitions, aggregates) make that data fresh first, here, so no caller has to remember it.
 * - Writes run one after another (one queue per core) and announce themselves with onDidChange; the editor
 *   listens to that instead of every caller refreshing its views.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter } from '../common/events';
import { toJson } from '../common/format';
import { logger } from '../common/log';
import { isWithin } from '../common/paths';
import type { CoreSettings } from '../common/settings';
import { cleanup } from '../analytics/cleanup';
import type { CleanupResult } from '../analytics/cleanup';
import type { CompareRow } from '../analytics/compare';
import { compareSkill } from '../analytics/compare';
import type { AggregateRun, AggregateWindow } from '../analytics/derived';
import { AGGREGATE_WINDOWS, computeAggregates, derivedFreshness, ensureDerived } from '../analytics/derived';
import { dataVersion } from '../analytics/dataVersion';
import type { ExportResult } from '../analytics/exportData';
import { EXPORT_FORMATS, checkOutputFolder, exportData, writeStreamed } from '../analytics/exportData';
import { effectiveness } from '../analytics/effectiveness';
import type { Effectiveness } from '../analytics/effectiveness';
import type { SkillGraph } from '../analytics/graph';
import { skillGraph } from '../analytics/graph';
import { health } from '../analytics/health';
import type { Health } from '../analytics/health';
import type { NextSkillsPlan } from '../analytics/nextSkills';
import { nextSkills } from '../analytics/nextSkills';
import type { Project, ProjectSource, ProjectWithCounts, Registration } from '../analytics/projects';
import { canonicalPath, listProjects, projectIdFor, registerProject, unregisterProject } from '../analytics/projects';
import type { Recommendation } from '../analytics/recommendations';
import { recommendations } from '../analytics/recommendations';
import type { CorrelatedSession, SessionTimeline } from '../analytics/sessions';
import { correlatedSessionsExport, correlationReport, sessionTimeline, sessions } from '../analytics/sessions';
import type { Db } from '../analytics/store';
import { Store } from '../analytics/store';
import type { TopSkill } from '../analytics/topSkills';
import { topSkills } from '../analytics/topSkills';
import type { SkillTrend } from '../analytics/trends';
import { trends } from '../analytics/trends';
import type { WorkflowSkill } from '../analytics/workflows';
import { workflowSkills } from '../analytics/workflows';
import type { CollectOptions, CollectProgress, CollectResult } from '../ingest/collector';
import { collect } from '../ingest/collector';
import { discoverSources } from '../ingest/discovery';
import { WorkerPool } from '../ingest/workerPool';
import type { GraphAnswer, ProjectRow } from './answers';
import { graphAnswer, projectRows } from './answers';
import type { Filters, OverviewPayload, ProjectOption, SkillPayload, TimelinePayload } from './dashboard/protocol';
import { overviewPayload, projectOptions, skillPayload, timelinePayload } from './dashboard/payloads';
import type { Scope } from './scope';
import type { SkillSummary } from './summary';
import { skillSummary } from './summary';

const log = logger('core');

export type {
  AggregateRun, AggregateWindow, CleanupResult, CollectProgress, CollectResult, CompareRow, CorrelatedSession, Effectiveness, ExportResult,
  GraphAnswer, Health, NextSkillsPlan, Project, ProjectRow, ProjectSource, ProjectWithCounts, Recommendation, Registration, SessionTimeline,
  SkillGraph, SkillSummary, SkillTrend, TopSkill, WorkflowSkill,
};
export { AGGREGATE_WINDOWS, EXPORT_FORMATS };

export type CollectOrigin = CollectOptions['origin'];

/** Why the data changed (what a view may want to show again). */
export type ChangeReason = 'collect' | 'projects' | 'aggregate' | 'cleanup' | 'settings';

export interface CoreChange {
  reason: ChangeReason;
  /** With 'collect': what the collection found. */
  collect?: CollectResult;
}

export interface CoreOptions {
  dbPath: string;
  settings: CoreSettings;
  /** Recorded with each collection run (Health Check shows it). */
  origin: CollectOrigin;
  /** How projects registered through this core are recorded. */
  registerSource: ProjectSource;
  /** Keep the database open this long after the last query (ms), so a burst of queries opens it once. */
  lingerMs?: number;
  /** DuckDB threads (default DuckDB's). */
  threads?: number;
  lockTimeoutMs?: number;
  /** Parse workers for large files (default: none, files are parsed inline). */
  workers?: { size: number; minBytes?: number };
  /** While collecting, leave the parse workers their cores: DuckDB threads = cores - workers (CLI). */
  shareCoresWhileCollecting?: boolean;
}

export interface CollectRequest {
  /** Project ids, paths or names; default: every active project. */
  projects?: string[];
  /** Folders to register (if needed) and collect. */
  register?: string[];
  /** Refresh the aggregates afterwards when records changed (default true). */
  aggregate?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: CollectProgress) => void;
}

/** A folder whose `.session-buddy/` holds input files of a project (what the editor's watchers watch). */
export interface WatchTarget {
  projectId: string;
  /** The folder that contains `.session-buddy`, or (recursive) the project root. */
  base: string;
  /** Watch every `.session-buddy` below `base`, including ones created later. */
  recursive: boolean;
}

export class MetricsCore {
  readonly store: Store;
  private poolValue?: WorkerPool;
  private current: CoreSettings;
  /** Writes run one after another. */
  private chain: Promise<unknown> = Promise.resolve();
  private derivedRun?: Promise<boolean>;

  private readonly changes = new Emitter<CoreChange>();
  /**
   * The data changed through this core (another process's writes are not seen here). A write resolves after
   * its listeners settled, so a caller that awaited it sees the views' state already updated.
   */
  readonly onDidChange = this.changes.event;
  private readonly activity = new Emitter<{ collecting: readonly string[] | null }>();
  /** A collection started (the project ids) or ended (null). */
  readonly onDidChangeActivity = this.activity.event;

  constructor(private readonly options: CoreOptions) {
    this.current = options.settings;
    const { lingerMs, threads, lockTimeoutMs } = options;
    this.store = new Store({
      path: options.dbPath,
      displayTimeZone: options.settings.displayTimeZone,
      ...(lingerMs !== undefined && { lingerMs }),
      ...(threads !== undefined && { threads }),
      ...(lockTimeoutMs !== undefined && { lockTimeoutMs }),
    });
  }

  get settings(): CoreSettings {
    return this.current;
  }

  get databasePath(): string {
    return this.store.path;
  }

  get displayTimeZone(): string {
    return this.current.displayTimeZone;
  }

  get minEvidence(): number {
    return this.current.minEvidence;
  }

  updateSettings(settings: CoreSettings): Promise<void> {
    this.current = settings;
    this.store.setDisplayTimeZone(settings.displayTimeZone);
    return this.changes.fireAndWait({ reason: 'settings' });
  }

  private get pool(): WorkerPool | undefined {
    if (!this.options.workers) return undefined;
    this.poolValue ??= new WorkerPool(this.options.workers);
    return this.poolValue;
  }

  /** Runs `fn` after every write queued before it; errors reach the caller. */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  // ---- the database and projects ----

  /** Opens the database once (creating or migrating it) and returns the data version. */
  open(): Promise<number> {
    return this.dataVersion();
  }

  dataVersion(): Promise<number> {
    return this.store.read((db) => dataVersion(db));
  }

  /** The id a folder has (or would have) as a project. */
  projectIdForPath(dir: string): string {
    return projectIdFor(canonicalPath(dir));
  }

  canonicalPath(dir: string): string {
    return canonicalPath(dir);
  }

  listProjects(includeInactive = false): Promise<ProjectWithCounts[]> {
    return this.store.read((db) => listProjects(db, { includeInactive }));
  }

  /** `projects --json` / list_registered_projects. */
  async projects(includeInactive = false): Promise<ProjectRow[]> {
    return projectRows(await this.listProjects(includeInactive));
  }

  /** Registers folders (again: reactivates them); announces 'projects'. */
  async register(dirs: string[], details: { name?: string; type?: string; source?: ProjectSource } = {}): Promise<Registration[]> {
    const done = await this.write(() =>
      this.store.write(async (db) => {
        const out: Registration[] = [];
        for (const dir of dirs) out.push(await registerProject(db, dir, { source: details.source ?? this.options.registerSource, name: details.name, type: details.type }));
        return out;
      }),
    );
    await this.changes.fireAndWait({ reason: 'projects' });
    return done;
  }

  /** Unregisters a project (id, path or name): its records are kept. Announces 'projects'. */
  async unregister(ref: string): Promise<{ project: Project; counts: ProjectWithCounts | undefined }> {
    const out = await this.write(() =>
      this.store.write(async (db) => {
        const project = await unregisterProject(db, ref);
        const counts = (await listProjects(db, { includeInactive: true })).find((p) => p.project_id === project.project_id);
        return { project, counts };
      }),
    );
    await this.changes.fireAndWait({ reason: 'projects' });
    return out;
  }

  // ---- writes that feed the questions ----

  /**
   * Collects new records (registering `register` folders first), then refreshes the aggregates when
   * anything changed (unless asked not to). Announces 'projects' (when it registered) and 'collect'.
   */
  async collect(request: CollectRequest = {}): Promise<CollectResult> {
    let projects = request.projects;
    // The collector registers folders itself (as source cli) in the same unit of work; other sources first.
    const registerHere = this.options.registerSource === 'cli' ? request.register : undefined;
    if (request.register?.length && !registerHere) {
      projects = [...(projects ?? []), ...(await this.register(request.register)).map((r) => r.project.project_id)];
    }
    const result = await this.write(async () => {
      if (this.activity.hasListeners) this.activity.fire({ collecting: projects ?? (await this.listProjects()).map((p) => p.project_id) });
      const pool = this.pool;
      if (this.options.shareCoresWhileCollecting) this.store.setThreads(Math.max(1, os.availableParallelism() - (pool?.size ?? 0)));
      try {
        const r = await collect(this.store, {
          projects,
          register: registerHere,
          sourceTimeZone: this.current.sourceTimeZone,
          maxFileBytes: this.current.maxFileBytes,
          origin: this.options.origin,
          signal: request.signal,
          onProgress: request.onProgress,
          loader: pool?.loader,
        });
        if (request.aggregate !== false && r.records_added + r.records_updated > 0) {
          await this.store.write((db) => computeAggregates(db, { sessionGapMinutes: this.current.sessionGapMinutes }));
        }
        return r;
      } finally {
        if (this.options.shareCoresWhileCollecting) this.store.setThreads(this.options.threads);
        if (this.activity.hasListeners) this.activity.fire({ collecting: null });
      }
    });
    await this.changes.fireAndWait({ reason: 'collect', collect: result });
    return result;
  }

  /** Recomputes the aggregate windows (default all four) and the session tables; aborting rolls it back. */
  async aggregate(options: { windows?: AggregateWindow[]; signal?: AbortSignal } = {}): Promise<AggregateRun> {
    const run = await this.write(() =>
      this.store.write((db) => computeAggregates(db, { windows: options.windows, sessionGapMinutes: this.current.sessionGapMinutes, full: true }), {
        signal: options.signal,
      }),
    );
    log.info(`aggregated ${run.rows_written} row(s) for ${run.windows.join(', ')} in ${run.duration_ms} ms`);
    await this.changes.fireAndWait({ reason: 'aggregate' });
    return run;
  }

  /**
   * Makes the derived data (aggregates, sessions) fresh when the data, the display zone or the session gap
   * changed; concurrent callers share one run. Resolves true when it had to aggregate.
   */
  ensureDerived(): Promise<boolean> {
    this.derivedRun ??= this.write(async () => {
      const fresh = await this.store.read((db) => derivedFreshness(db, this.current.sessionGapMinutes));
      if (fresh.fresh) return false;
      await ensureDerived(this.store, this.current.sessionGapMinutes);
      return true;
    })
      .then(async (ran) => {
        if (ran) await this.changes.fireAndWait({ reason: 'aggregate' });
        return ran;
      })
      .finally(() => (this.derivedRun = undefined));
    return this.derivedRun;
  }

  /** A read of derived data, after making it fresh. */
  private async derived<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    await this.ensureDerived();
    return this.store.read(fn);
  }

  async cleanup(olderThanDays: number, signal?: AbortSignal): Promise<CleanupResult> {
    const result = await this.write(() => this.store.write((db) => cleanup(db, { olderThanDays }), { signal }));
    await this.changes.fireAndWait({ reason: 'cleanup' });
    return result;
  }

  // ---- questions ----

  health(): Promise<Health> {
    return this.store.read((db) => health(db, this.current.displayTimeZone, this.current.sessionGapMinutes));
  }

  topSkills(q: Scope & { limit: number }): Promise<TopSkill[]> {
    return this.store.read((db) => topSkills(db, q));
  }

  /** One skill's figures, over all time or the scope's window and dates. */
  effectiveness(skill: string, scope: Scope = {}): Promise<Effectiveness> {
    return this.store.read((db) => effectiveness(db, skill, { ...scope, minEvidence: this.current.minEvidence }));
  }

  compare(skill: string): Promise<CompareRow[]> {
    return this.store.read((db) => compareSkill(db, skill, { minEvidence: this.current.minEvidence }));
  }

  recommendations(q: Scope & { limit?: number } = {}): Promise<Recommendation[]> {
    return this.derived((db) => recommendations(db, { project: q.project, now: q.now, limit: q.limit, minEvidence: this.current.minEvidence }));
  }

  /** Most recent first. */
  sessions(q: Scope & { limit: number; skill?: string }): Promise<CorrelatedSession[]> {
    return this.derived((db) => sessions(db, { project: q.project, limit: q.limit, skill: q.skill }));
  }

  sessionTimeline(projectId: string, sessionId: string): Promise<SessionTimeline> {
    return this.store.read((db) => sessionTimeline(db, { projectId, sessionId, gapMinutes: this.current.sessionGapMinutes }));
  }

  /** Pairs (with support) and transitions. */
  graph(q: Scope & { minCount?: number; limit?: number } = {}): Promise<SkillGraph> {
    return this.derived((db) => skillGraph(db, { project: q.project, minCount: q.minCount, limit: q.limit }));
  }

  /** `graph --json` / get_skill_graph. */
  async graphAnswer(q: Scope & { minCount?: number; limit?: number } = {}): Promise<GraphAnswer> {
    return graphAnswer(await this.graph(q));
  }

  trends(q: Scope & { weeks?: number } = {}): Promise<SkillTrend[]> {
    return this.derived((db) => trends(db, { project: q.project, weeks: q.weeks, now: q.now }));
  }

  workflows(scope: Scope = {}): Promise<WorkflowSkill[]> {
    return this.store.read((db) => workflowSkills(db, { project: scope.project }));
  }

  correlationReport(scope: Scope = {}): Promise<string> {
    return this.derived((db) => correlationReport(db, { project: scope.project }));
  }

  summary(scope: Scope = {}): Promise<SkillSummary> {
    return this.derived((db) =>
      skillSummary(db, { project: scope.project, window: scope.window, now: scope.now, minEvidence: this.current.minEvidence, sessionGapMinutes: this.current.sessionGapMinutes }),
    );
  }

  nextSkills(q: Scope & { skillsSoFar: string[]; workflow?: string; limit?: number }): Promise<NextSkillsPlan> {
    return this.derived((db) =>
      nextSkills(db, { skillsSoFar: q.skillsSoFar, workflow: q.workflow, project: q.project, limit: q.limit, minEvidence: this.current.minEvidence }),
    );
  }

  /** Writes usage, aggregates or sessions as CSV, JSON or Parquet (aggregates and sessions made fresh first). */
  async export(options: { what: string; format: string; out: string; project?: string }, signal?: AbortSignal): Promise<ExportResult> {
    checkOutputFolder(options.out);
    if (options.what !== 'usage') await this.ensureDerived();
    return this.store.read((db) => exportData(db, options), { signal });
  }

  /** Writes the seed's correlated_session.json document (sessions made fresh first) to `out`. */
  async exportCorrelated(scope: Scope, out: string, limit?: number): Promise<{ rows: number }> {
    checkOutputFolder(out);
    const doc = await this.derived((db) => correlatedSessionsExport(db, { project: scope.project, limit }));
    const text = `${toJson(doc, this.current.displayTimeZone)}\n`;
    await writeStreamed(out, (write) => write(text));
    return { rows: Object.keys(doc.sessions).length };
  }

  // ---- the dashboard ----

  projectOptions(): Promise<ProjectOption[]> {
    return projectOptions(this.store);
  }

  async overviewPayload(filters: Filters, session: { projectId: string; sessionId: string } | null, now?: Date): Promise<OverviewPayload> {
    await this.ensureDerived();
    return overviewPayload(this.store, filters, session, { minEvidence: this.current.minEvidence, zone: this.current.displayTimeZone, now });
  }

  async skillPayload(skill: string, filters: Filters, session: { projectId: string; sessionId: string } | null, now?: Date): Promise<SkillPayload> {
    await this.ensureDerived();
    return skillPayload(this.store, skill, filters, session, { minEvidence: this.current.minEvidence, zone: this.current.displayTimeZone, now });
  }

  timelinePayload(projectId: string, sessionId: string): Promise<TimelinePayload> {
    return timelinePayload(this.store, projectId, sessionId);
  }

  // ---- files ----

  /**
   * Where each active project keeps input files. A project inside one of `workspaceRoots`: its whole tree
   * (a nested `.session-buddy` created later is seen too). Elsewhere: its root `.session-buddy` and the
   * nested ones that exist now.
   */
  async watchTargets(projects: { project_id: string; project_path: string }[], workspaceRoots: readonly string[] = []): Promise<WatchTarget[]> {
    const targets: WatchTarget[] = [];
    for (const p of projects) {
      if (workspaceRoots.some((root) => isWithin(p.project_path, root))) {
        targets.push({ projectId: p.project_id, base: p.project_path, recursive: true });
        continue;
      }
      const bases = new Set<string>([p.project_path]);
      try {
        const found = await discoverSources(p.project_path);
        for (const source of found.sources) {
          const parts = source.path.split(path.sep);
          const at = parts.lastIndexOf('.session-buddy');
          if (at > 0) bases.add(parts.slice(0, at).join(path.sep) || path.sep);
        }
      } catch (err) {
        log.debug(`discovery of ${p.project_path} failed: ${(err as Error).message}`);
      }
      for (const base of bases) targets.push({ projectId: p.project_id, base, recursive: false });
    }
    return targets;
  }

  async close(): Promise<void> {
    this.changes.dispose();
    this.activity.dispose();
    this.store.close();
    await this.poolValue?.close();
  }
}
