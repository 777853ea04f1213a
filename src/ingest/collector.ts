/**
 * Incremental, idempotent collection (DESIGN sections 2, 3, 6).
 *
 * For every active project (or the ones asked for): find its input files, compare each file's size and
 * mtime with what `source_files` remembers, and read only what changed; content with the same hash is
 * not parsed again. Each file is written in its own transaction, so a crash mid-collection leaves the
 * database consistent and a bad file never costs the records of another. Files are parsed ahead (in
 * worker threads when a pool is given) while the previous file is being written.
 *
 * The database is released every couple of seconds of work, so another window waiting for it gets a turn.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { CancelledError } from '../common/errors';
import { logger } from '../common/log';
import { bumpDataVersion, bumpProjectVersions, recordChangedRange } from '../analytics/dataVersion';
import { writeBatch } from '../analytics/ingestWriter';
import type { Project } from '../analytics/projects';
import { listProjects, registerProject, resolveProject } from '../analytics/projects';
import type { Db, Store } from '../analytics/store';
import type { DiscoveryOptions } from './discovery';
import { discoverSources } from './discovery';
import { describeInvalid } from './invalidRecords';
import type { LoadJob, LoadResult } from './sourceLoader';
import { fileStamp, loadSource } from './sourceLoader';
import type { SourceKind } from './sourceKinds';

const log = logger('collect');

export interface CollectProblem {
  file: string;
  message: string;
}

export interface CollectOptions {
  /** Project ids, paths or names; default: every active project. */
  projects?: string[];
  /** Folders to register (source "cli") before collecting them. */
  register?: string[];
  sourceTimeZone: string;
  maxFileBytes: number;
  origin: 'cli' | 'extension' | 'test' | 'bench';
  discovery?: DiscoveryOptions;
  signal?: AbortSignal;
  onProgress?: (progress: CollectProgress) => void;
  /** Parses files off the main thread; without it files are parsed inline. */
  loader?: (job: LoadJob) => Promise<LoadResult>;
  /** How many files are parsed ahead of the writer. */
  prefetch?: number;
  retryDelaysMs?: number[];
  /** Called when a file looks half-written and will be read again (inline loading only). */
  onRetry?: (file: string, attempt: number, reason: string) => void;
  /** The database is released and re-acquired after this much continuous work (ms). */
  yieldEveryMs?: number;
}

export interface CollectProgress {
  filesDone: number;
  filesToRead: number;
  project: string;
  file?: string;
}

export interface CollectResult {
  projects: number;
  files: number;
  files_read: number;
  /** Records read from the changed files: invocations and workflow events together. */
  records_seen: number;
  /** invocations_added + events_added. */
  records_added: number;
  /** Pending invocations seen finished (only invocations are ever updated). */
  records_updated: number;
  invocations_added: number;
  events_added: number;
  skipped_invalid: number;
  problems: CollectProblem[];
  duration_ms: number;
}

interface KnownFile {
  path: string;
  project_id: string;
  size: number | null;
  mtime_ms: number | null;
  content_hash: string | null;
  last_problem: string | null;
  format: string | null;
  prefix_bytes: number | null;
  prefix_hash: string | null;
  prefix_records: number | null;
}

interface FileJob {
  project: Project;
  path: string;
  kind: SourceKind;
  known?: KnownFile;
}

export const machineId = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 16);

export async function collect(store: Store, options: CollectOptions): Promise<CollectResult> {
  const started = Date.now();
  const startedAt = new Date(started);
  const problems: CollectProblem[] = [];
  const totals = { files: 0, filesRead: 0, seen: 0, added: 0, updated: 0, invalid: 0, invocationsAdded: 0, eventsAdded: 0 };

  // 1. Which projects, and what is known of their files.
  const { projects, known } = await store.write(async (db) => {
    for (const dir of options.register ?? []) await registerProject(db, dir, { source: 'cli' });
    const chosen = await chooseProjects(db, options);
    const files = chosen.length
      ? await db.all<KnownFile>(
          `SELECT path, project_id, size, mtime_ms, content_hash, last_problem, format, prefix_bytes, prefix_hash, prefix_records
           FROM source_files WHERE list_contains($1, project_id)`,
          [chosen.map((p) => p.project_id)],
        )
      : [];
    return { projects: chosen, known: new Map(files.map((f) => [f.path, f])) };
  });

  // 2. Discover and stat (file system only); decide what must be read.
  const jobs: FileJob[] = [];
  const synced: string[] = [];
  const seenPaths = new Set<string>();
  for (const project of projects) {
    throwIfCancelled(options.signal);
    const found = await discoverSources(project.project_path, options.discovery);
    problems.push(...found.problems);
    if (!found.rootOk) continue;
    synced.push(project.project_id);
    for (const source of found.sources) {
      totals.files++;
      seenPaths.add(source.path);
      const prior = known.get(source.path);
      // Unchanged and still readable: nothing to do. (A file made unreadable keeps its size and time.)
      if (prior && !prior.last_problem && (await sameStamp(source.path, source.kind, prior)) && (await readable(source.path))) continue;
      jobs.push({ project, path: source.path, kind: source.kind, known: prior });
    }
  }
  const vanished = [...known.values()].filter((f) => !seenPaths.has(f.path) && synced.includes(f.project_id)).map((f) => f.path);

  // 3. Read (ahead, possibly in workers) and write each file in its own transaction.
  // A single changed file is parsed inline: a worker's start-up would cost more than it saves.
  const inline = (job: LoadJob) => loadSource(job, (attempt, reason) => options.onRetry?.(job.path, attempt, reason));
  const load = options.loader && jobs.length > 1 ? options.loader : inline;
  const pending = new Prefetch(jobs, options.prefetch ?? 2, (job) =>
    load({
      path: job.path,
      kind: job.kind,
      maxBytes: options.maxFileBytes,
      previousHash: job.known?.content_hash ?? null,
      previousPrefix: knownPrefixOf(job.known),
      // A file that failed before with the same stamp is not waited on again.
      retryDelaysMs: job.known?.last_problem ? [] : options.retryDelaysMs,
    }),
  );
  let index = 0;
  const yieldEveryMs = options.yieldEveryMs ?? 2000;
  try {
    while (index < jobs.length) {
      // Input is read without holding the database: a file that is slow to read (or never ends) cannot keep
      // another window or process waiting for the lock. Inside the lock only files already read are written.
      throwIfCancelled(options.signal);
      const first = jobs[index]!;
      options.onProgress?.({ filesDone: index, filesToRead: jobs.length, project: first.project.project_name, file: first.path });
      const waitStart = performance.now();
      await pending.wait(index);
      const waited = performance.now() - waitStart;
      await store.write(async (db) => {
        const slice = Date.now();
        // At least one file per slice; then more while the slice lasts and their reads are done.
        do {
          throwIfCancelled(options.signal);
          const job = jobs[index]!;
          if (job !== first) options.onProgress?.({ filesDone: index, filesToRead: jobs.length, project: job.project.project_name, file: job.path });
          const result = await pending.take(index);
          const writeStart = performance.now();
          index++;
          const outcome = await storeResult(db, job, result, options.sourceTimeZone);
          log.debug(
            `${job.path}: ${job === first ? `waited ${waited.toFixed(0)} ms for parsing, ` : ''}wrote ${outcome.added} in ${(performance.now() - writeStart).toFixed(0)} ms`,
          );
          if (result.status !== 'unchanged') totals.filesRead++;
          totals.seen += outcome.seen;
          totals.added += outcome.added;
          totals.invocationsAdded += outcome.invocationsAdded;
          totals.eventsAdded += outcome.eventsAdded;
          totals.updated += outcome.updated;
          totals.invalid += outcome.invalid;
          if (outcome.problem) problems.push({ file: job.path, message: outcome.problem });
        } while (index < jobs.length && Date.now() - slice < yieldEveryMs && pending.isDone(index));
      });
    }
  } finally {
    pending.cancel();
  }

  // Problems that persist on files that did not change since (reported until the file is fixed).
  for (const f of known.values()) {
    if (f.last_problem && seenPaths.has(f.path) && !jobs.some((j) => j.path === f.path)) problems.push({ file: f.path, message: f.last_problem });
  }

  // 4. Bookkeeping: sync times, vanished files, the run itself.
  const result: CollectResult = {
    projects: projects.length,
    files: totals.files,
    files_read: totals.filesRead,
    records_seen: totals.seen,
    records_added: totals.added,
    records_updated: totals.updated,
    invocations_added: totals.invocationsAdded,
    events_added: totals.eventsAdded,
    skipped_invalid: totals.invalid,
    problems,
    duration_ms: 0,
  };
  await store.write(async (db) => {
    await db.transaction(async () => {
      if (synced.length) await db.run('UPDATE projects SET last_sync_at = now() WHERE list_contains($1, project_id)', [synced]);
      if (vanished.length) await db.run('UPDATE source_files SET present = false WHERE list_contains($1, path)', [vanished]);
      result.duration_ms = Date.now() - started;
      await db.run(
        `INSERT INTO collection_runs VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::JSON)`,
        [
          startedAt.toISOString(), result.duration_ms, options.origin, result.projects, result.files, result.files_read,
          result.records_seen, result.records_added, result.records_updated, result.skipped_invalid, JSON.stringify(problems),
        ],
      );
    });
  });
  log.info(
    `collected ${result.projects} project(s): ${result.files_read}/${result.files} file(s) read, ` +
      `${result.records_added} added, ${result.records_updated} updated, ${result.skipped_invalid} invalid, ` +
      `${problems.length} problem(s) in ${result.duration_ms} ms`,
  );
  return result;
}

async function chooseProjects(db: Db, options: CollectOptions): Promise<Project[]> {
  const refs = [...(options.projects ?? []), ...(options.register ?? [])];
  if (refs.length === 0) return (await listProjects(db)).filter((p) => p.is_active);
  const chosen = new Map<string, Project>();
  for (const ref of refs) {
    const project = await resolveProject(db, ref);
    chosen.set(project.project_id, project);
  }
  return [...chosen.values()];
}

function knownPrefixOf(known: KnownFile | undefined): LoadJob['previousPrefix'] {
  if (!known || known.last_problem || known.prefix_bytes === null || !known.prefix_hash || known.prefix_records === null || !known.format) return null;
  return { bytes: known.prefix_bytes, hash: known.prefix_hash, records: known.prefix_records, format: known.format };
}

async function sameStamp(file: string, kind: SourceKind, known: KnownFile): Promise<boolean> {
  try {
    const stamp = await fileStamp(file, kind);
    return stamp.size === known.size && stamp.mtimeMs === known.mtime_ms;
  } catch {
    return false;
  }
}

/** Whether this process can still open the file for reading (opening does not block on a FIFO). */
async function readable(file: string): Promise<boolean> {
  try {
    await (await fsp.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)).close();
    return true;
  } catch {
    return false;
  }
}

interface Outcome {
  seen: number;
  added: number;
  invocationsAdded: number;
  eventsAdded: number;
  updated: number;
  invalid: number;
  problem?: string;
}

const NOTHING: Outcome = Object.freeze({ seen: 0, added: 0, invocationsAdded: 0, eventsAdded: 0, updated: 0, invalid: 0 });

async function storeResult(db: Db, job: FileJob, result: LoadResult, sourceTimeZone: string): Promise<Outcome> {
  // The stamp measured before the read: if the file changed since, the next collection reads it again.
  const base = [job.path, job.project.project_id, job.kind, result.size, result.mtimeMs];
  if (result.status === 'problem') {
    await db.run(
      `INSERT INTO source_files (path, project_id, kind, size, mtime_ms, content_hash, last_problem, last_problem_at, present)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), true)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
         last_problem = excluded.last_problem, last_problem_at = excluded.last_problem_at, present = true`,
      [...base, result.hash, result.message],
    );
    log.warn(`${job.path}: ${result.message}`);
    return { ...NOTHING, problem: result.message };
  }
  if (result.status === 'unchanged') {
    // The same bytes as last time: a problem they had (a truncated file, say) is still there.
    const problem = job.known?.last_problem ?? null;
    await db.run('UPDATE source_files SET size = $2, mtime_ms = $3, present = true WHERE path = $1', [job.path, result.size, result.mtimeMs]);
    return { ...NOTHING, ...(problem ? { problem } : {}) };
  }
  const counts = await db.transaction(async () => {
    const written = await writeBatch(db, result.batch, {
      projectId: job.project.project_id,
      sourceFile: job.path,
      sourceTimeZone,
      machineId,
    });
    await db.run(
      `INSERT INTO source_files (path, project_id, kind, size, mtime_ms, content_hash, format, last_ingest_at, records_seen,
         records_added, records_updated, records_invalid, invalid_reasons, last_problem, last_problem_at, present,
         prefix_bytes, prefix_hash, prefix_records)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9, $10, $11, $12::JSON, NULL, NULL, true, $13, $14, $15)
       ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ms = excluded.mtime_ms,
         content_hash = excluded.content_hash, format = excluded.format, last_ingest_at = excluded.last_ingest_at,
         records_seen = excluded.records_seen, records_added = source_files.records_added + excluded.records_added,
         records_updated = source_files.records_updated + excluded.records_updated,
         records_invalid = CASE WHEN $16 THEN source_files.records_invalid + excluded.records_invalid ELSE excluded.records_invalid END,
         invalid_reasons = CASE WHEN $16 AND excluded.records_invalid = 0 THEN source_files.invalid_reasons ELSE excluded.invalid_reasons END,
         last_problem = NULL, last_problem_at = NULL, present = true,
         prefix_bytes = excluded.prefix_bytes, prefix_hash = excluded.prefix_hash, prefix_records = excluded.prefix_records`,
      [
        ...base, result.hash, result.format, result.seen, written.invocationsAdded + written.eventsAdded,
        written.invocationsUpdated, result.invalid.count, JSON.stringify(result.invalid),
        result.prefix?.bytes ?? null, result.prefix?.hash ?? null, result.prefix?.records ?? null, result.tailOnly,
      ],
    );
    // In the same transaction: derived data sees the change even if the collection stops right after.
    if (written.invocationsAdded + written.invocationsUpdated + written.eventsAdded > 0) {
      await bumpProjectVersions(db, [job.project.project_id]);
      await recordChangedRange(db, job.project.project_id);
      await bumpDataVersion(db);
    }
    return written;
  });
  const outcome: Outcome = {
    seen: result.seen,
    added: counts.invocationsAdded + counts.eventsAdded,
    invocationsAdded: counts.invocationsAdded,
    eventsAdded: counts.eventsAdded,
    updated: counts.invocationsUpdated,
    invalid: result.invalid.count,
  };
  if (result.invalid.count > 0) {
    outcome.problem = describeInvalid(result.invalid);
    log.warn(`${job.path}: ${outcome.problem}`);
  }
  return outcome;
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Starts up to `depth` loads ahead of the consumer, and hands results out in job order. */
class Prefetch<J, R> {
  private readonly started = new Map<number, Promise<R>>();
  private next = 0;
  private cancelled = false;

  constructor(
    private readonly jobs: J[],
    private readonly depth: number,
    private readonly load: (job: J) => Promise<R>,
  ) {}

  private readonly done = new Set<number>();

  /** Starts the loads up to `index` + depth; resolves when job `index` has finished loading (or failed). */
  async wait(index: number): Promise<void> {
    this.startUpTo(index);
    await this.started.get(index)?.catch(() => undefined);
  }

  /** Whether job `index` has finished loading (taking it then does not wait for input). */
  isDone(index: number): boolean {
    this.startUpTo(index);
    return this.done.has(index);
  }

  async take(index: number): Promise<R> {
    this.startUpTo(index);
    const result = this.started.get(index);
    if (!result) throw new Error(`job ${index} was not started`);
    this.started.delete(index);
    this.done.delete(index);
    return result;
  }

  private startUpTo(index: number): void {
    while (!this.cancelled && this.next < this.jobs.length && this.next <= index + this.depth) {
      const i = this.next++;
      const promise = this.load(this.jobs[i]!);
      promise.then(
        () => this.done.add(i),
        () => this.done.add(i), // the error is observed in take()
      );
      this.started.set(i, promise);
    }
  }

  cancel(): void {
    this.cancelled = true;
  }
}
