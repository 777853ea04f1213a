/**
 * The editor's handle on the core: the one DuckDB store (in the extension's global storage), the parse
 * workers, and every analysis the views show. This module is the only one on the editor side that
 * imports the core's DuckDB-backed modules as values, and it is loaded with `import()` after activation
 * (metrics.ts): activation never loads DuckDB.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { isWithin } from '../common/paths';
import type { CoreSettings } from '../common/settings';
import { logger } from '../common/log';
import { cleanup } from '../analytics/cleanup';
import type { CleanupResult } from '../analytics/cleanup';
import type { CompareRow } from '../analytics/compare';
import { compareSkill } from '../analytics/compare';
import type { AggregateRun } from '../analytics/derived';
import { computeAggregates, derivedFreshness, ensureDerived } from '../analytics/derived';
import type { ExportResult } from '../analytics/exportData';
import { exportData } from '../analytics/exportData';
import { dataVersion } from '../analytics/dataVersion';
import { effectiveness } from '../analytics/effectiveness';
import type { Effectiveness } from '../analytics/effectiveness';
import { health } from '../analytics/health';
import type { Health } from '../analytics/health';
import type { ProjectSource, ProjectWithCounts, Registration } from '../analytics/projects';
import { canonicalPath, listProjects, projectIdFor, registerProject, unregisterProject } from '../analytics/projects';
import type { Recommendation } from '../analytics/recommendations';
import { recommendations } from '../analytics/recommendations';
import type { CorrelatedSession, SessionTimeline } from '../analytics/sessions';
import { correlationReport, sessionTimeline, sessions } from '../analytics/sessions';
import { Store } from '../analytics/store';
import type { TopSkill } from '../analytics/topSkills';
import { topSkills } from '../analytics/topSkills';
import type { CollectProgress, CollectResult } from '../ingest/collector';
import { collect } from '../ingest/collector';
import { discoverSources } from '../ingest/discovery';
import { WorkerPool } from '../ingest/workerPool';

const log = logger('engine');

export type {
  AggregateRun, CleanupResult, CollectProgress, CollectResult, CompareRow, CorrelatedSession, Effectiveness, ExportResult, Health,
  ProjectWithCounts, Recommendation, Registration, SessionTimeline, TopSkill,
};

export interface EngineOptions {
  dbPath: string;
  settings: CoreSettings;
  /** Keep the database open this long after the last query, so a burst of view queries opens it once. */
  lingerMs?: number;
}

export interface CollectRequest {
  /** Project ids; default: every active project. */
  projects?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: CollectProgress) => void;
}

/** A folder whose `.session-buddy/` holds input files of a project (what the watchers watch). */
export interface WatchTarget {
  projectId: string;
  /** The folder that contains `.session-buddy`, or (recursive) the project root. */
  base: string;
  /**
   * Watch every `.session-buddy` below `base`, including ones created later. Used for projects inside a
   * workspace folder, which VS Code watches recursively anyway; elsewhere each known folder is watched.
   */
  recursive: boolean;
}

export class Engine {
  readonly store: Store;
  private readonly pool: WorkerPool;
  private settings: CoreSettings;

  constructor(options: EngineOptions) {
    this.settings = options.settings;
    this.store = new Store({
      path: options.dbPath,
      displayTimeZone: options.settings.displayTimeZone,
      lingerMs: options.lingerMs ?? 1000,
      // The extension host is shared with other extensions: leave them a core.
      threads: Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    });
    // Large files parse in a worker thread; small ones inline (a worker's start-up costs more).
    this.pool = new WorkerPool({ size: 1, minBytes: 1 << 20 });
  }

  get databasePath(): string {
    return this.store.path;
  }

  get displayTimeZone(): string {
    return this.settings.displayTimeZone;
  }

  get minEvidence(): number {
    return this.settings.minEvidence;
  }

  updateSettings(settings: CoreSettings): void {
    this.settings = settings;
    this.store.setDisplayTimeZone(settings.displayTimeZone);
  }

  /** Opens the database once (creating or migrating it) and returns the data version. */
  open(): Promise<number> {
    return this.store.read((db) => dataVersion(db));
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

  register(dirs: string[], source: ProjectSource): Promise<Registration[]> {
    return this.store.write(async (db) => {
      const out: Registration[] = [];
      for (const dir of dirs) out.push(await registerProject(db, dir, { source }));
      return out;
    });
  }

  unregister(ref: string): Promise<ProjectWithCounts | undefined> {
    return this.store.write(async (db) => {
      const project = await unregisterProject(db, ref);
      return (await listProjects(db, { includeInactive: true })).find((p) => p.project_id === project.project_id);
    });
  }

  collect(request: CollectRequest = {}): Promise<CollectResult> {
    return collect(this.store, {
      projects: request.projects,
      sourceTimeZone: this.settings.sourceTimeZone,
      maxFileBytes: this.settings.maxFileBytes,
      origin: 'extension',
      signal: request.signal,
      onProgress: request.onProgress,
      loader: this.pool.loader,
    });
  }

  /** Recomputes every aggregate window and the session tables; aborting rolls it back. */
  aggregate(signal?: AbortSignal): Promise<AggregateRun> {
    return this.store.write((db) => computeAggregates(db, { sessionGapMinutes: this.settings.sessionGapMinutes, full: true }), { signal });
  }

  /** Aggregates only when the derived data is stale (data, display zone or session gap changed). */
  async ensureDerived(): Promise<boolean> {
    const fresh = await this.store.read((db) => derivedFreshness(db, this.settings.sessionGapMinutes));
    if (fresh.fresh) return false;
    await ensureDerived(this.store, this.settings.sessionGapMinutes);
    return true;
  }

  health(): Promise<Health> {
    return this.store.read((db) => health(db, this.settings.displayTimeZone, this.settings.sessionGapMinutes));
  }

  topSkills(query: { window: string; project?: string; limit: number }): Promise<TopSkill[]> {
    return this.store.read((db) => topSkills(db, query));
  }

  /** One skill's figures, over all time or the window a view shows (today, 7d, 30d, ...). */
  effectiveness(skill: string, project?: string, window?: string): Promise<Effectiveness> {
    return this.store.read((db) => effectiveness(db, skill, { project, window, minEvidence: this.settings.minEvidence }));
  }

  compare(skill: string): Promise<CompareRow[]> {
    return this.store.read((db) => compareSkill(db, skill, { minEvidence: this.settings.minEvidence }));
  }

  /** Reads derived data: the caller makes it fresh first (MetricsService.derived). */
  recommendations(project?: string): Promise<Recommendation[]> {
    return this.store.read((db) => recommendations(db, { project, minEvidence: this.settings.minEvidence }));
  }

  /** Reads derived data (see recommendations). Most recent first. */
  sessions(query: { project?: string; limit: number }): Promise<CorrelatedSession[]> {
    return this.store.read((db) => sessions(db, query));
  }

  sessionTimeline(projectId: string, sessionId: string): Promise<SessionTimeline> {
    return this.store.read((db) => sessionTimeline(db, { projectId, sessionId, gapMinutes: this.settings.sessionGapMinutes }));
  }

  /** Reads derived data (see recommendations). */
  correlationReport(project?: string): Promise<string> {
    return this.store.read((db) => correlationReport(db, { project }));
  }

  /** Reads derived data for aggregates and sessions (see recommendations). */
  exportData(options: { what: string; format: string; out: string; project?: string }, signal?: AbortSignal): Promise<ExportResult> {
    return this.store.read((db) => exportData(db, options), { signal });
  }

  cleanup(olderThanDays: number, signal?: AbortSignal): Promise<CleanupResult> {
    return this.store.write((db) => cleanup(db, { olderThanDays }), { signal });
  }

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
    this.store.close();
    await this.pool.close();
  }
}
