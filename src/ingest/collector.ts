/**
 * Incremental, idempotent collection (DESIGN sections 2, 3, 6).
 *
 * For every active project (or the ones asked for): find its input files, compare each file's size and
 * mtime with what `source_files` remembers, and read only what changed; content with the same hash is
 * not parsed again. A file is wholly stored or not at all, so a crash mid-collection leaves the database
 * consistent and a bad file never costs the records of another: files are parsed and validated first (ahead,
 * in worker threads when a pool is given, while earlier files are being written); a file that cannot be
 * read is kept out and reported alone; files parsed well are stored in transactions of their own or, for
 * projects without records yet (a first collection), several together in one transaction, which spares
 * each small file the fixed cost of its own (DESIGN section 6).
 *
 * The database is held only while writing (one group of files at a time), so another window waiting for it
 * gets a turn between groups.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { CancelledError } from '../common/errors';
import { logger } from '../common/log';
import { bumpDataVersion, bumpProjectVersions, recordChangedRanges } from '../analytics/dataVersion';
import { projectsWithRecords, writeBatch, writeNewProjects } from '../analytics/ingestWriter';
import type { Project } from '../analytics/projects';
import { activeProjects, registerProjects, resolveProjects } from '../analytics/projects';
import type { FileStampRow, KnownFile } from '../analytics/sourceFiles';
import { knownFiles, recordCollectionRun, recordFileProblem, recordFileUnchanged, recordFilesIngested } from '../analytics/sourceFiles';
import type { Db, Store } from '../analytics/store';
import type { WriteCounts } from '../analytics/ingestWriter';
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
  /** Parsed files of new projects are stored together until they hold this many records. */
  groupRecords?: number;
  retryDelaysMs?: number[];
  /** Called when a file looks half-written and will be read again (inline loading only). */
  onRetry?: (file: string, attempt: number, reason: string) => void;
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

interface FileJob {
  project: Project;
  path: string;
  kind: SourceKind;
  known?: KnownFile;
}

/** Files whose reads failed or found no change, stored in one unit of work at most. */
const MAX_UNIT_FILES = 256;

export const machineId = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 16);

export async function collect(store: Store, options: CollectOptions): Promise<CollectResult> {
  const started = Date.now();
  const startedAt = new Date(started);
  const problems: CollectProblem[] = [];
  const totals = { files: 0, filesRead: 0, seen: 0, added: 0, updated: 0, invalid: 0, invocationsAdded: 0, eventsAdded: 0 };

  // 1. Which projects, and what is known of their files.
  const { projects, known } = await store.write(async (db) => {
    if (options.register?.length) await registerProjects(db, options.register, { source: 'cli' });
    const chosen = await chooseProjects(db, options);
    const files = chosen.length ? await knownFiles(db, chosen.map((p) => p.project_id)) : [];
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

  // 3. Read (ahead, possibly in workers) and store: files parsed well are gathered into groups (one file
  // per project) and stored together; a file that could not be read is kept out and recorded on its own.
  // A single changed file is parsed inline: a worker's start-up would cost more than it saves.
  const inline = (job: LoadJob) => loadSource(job, (attempt, reason) => options.onRetry?.(job.path, attempt, reason));
  const load = options.loader && jobs.length > 1 ? options.loader : inline;
  const pending = new Prefetch(jobs, options.prefetch ?? 8, (job) =>
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
  const account = (job: FileJob, result: LoadResult, outcome: Outcome) => {
    if (result.status !== 'unchanged') totals.filesRead++;
    totals.seen += outcome.seen;
    totals.added += outcome.added;
    totals.invocationsAdded += outcome.invocationsAdded;
    totals.eventsAdded += outcome.eventsAdded;
    totals.updated += outcome.updated;
    totals.invalid += outcome.invalid;
    if (outcome.problem) problems.push({ file: job.path, message: outcome.problem });
  };
  // Files are gathered without holding the database (parsing waits for no one), then stored in one unit of
  // work: the database is held only while writing, and released between units for another window.
  const groupRecords = options.groupRecords ?? 100_000;
  const recordsOf = (p: Parsed) => p.result.batch.invocations.length + p.result.batch.events.length;
  let index = 0;
  // Parsed files whose project already has a file in the group: they wait for the next (in order).
  let waiting: Parsed[] = [];
  try {
    while (index < jobs.length || waiting.length) {
      const others: { job: FileJob; result: LoadResult }[] = [];
      const group: Parsed[] = [];
      const inGroup = new Set<string>();
      let records = 0;
      const add = (file: Parsed) => {
        if (inGroup.has(file.job.project.project_id)) return false;
        inGroup.add(file.job.project.project_id);
        group.push(file);
        records += recordsOf(file);
        return true;
      };
      waiting = waiting.filter((file) => !add(file));
      while (index < jobs.length && records < groupRecords && others.length < MAX_UNIT_FILES && waiting.length < MAX_UNIT_FILES) {
        throwIfCancelled(options.signal);
        const job = jobs[index]!;
        options.onProgress?.({ filesDone: index, filesToRead: jobs.length, project: job.project.project_name, file: job.path });
        const result = await pending.take(index);
        index++;
        if (result.status !== 'parsed') others.push({ job, result });
        else if (!add({ job, result })) waiting.push({ job, result });
      }
      throwIfCancelled(options.signal);
      await store.write(async (db) => {
        for (const { job, result } of others) account(job, result, await storeResult(db, job, result, options.sourceTimeZone));
        const started = performance.now();
        const outcomes = await storeParsed(db, group, options.sourceTimeZone);
        group.forEach((file, i) => account(file.job, file.result, outcomes[i]!));
        if (group.length) log.debug(`stored ${group.length} file(s), ${records} records in ${(performance.now() - started).toFixed(0)} ms`);
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
  await store.write((db) =>
    recordCollectionRun(db, { synced, vanished, startedAt, origin: options.origin, result, problems, durationMs: () => (result.duration_ms = Date.now() - started) }),
  );
  log.info(
    `collected ${result.projects} project(s): ${result.files_read}/${result.files} file(s) read, ` +
      `${result.records_added} added, ${result.records_updated} updated, ${result.skipped_invalid} invalid, ` +
      `${problems.length} problem(s) in ${result.duration_ms} ms`,
  );
  return result;
}

async function chooseProjects(db: Db, options: CollectOptions): Promise<Project[]> {
  const refs = [...(options.projects ?? []), ...(options.register ?? [])];
  if (refs.length === 0) return activeProjects(db);
  return [...new Map((await resolveProjects(db, refs)).map((p) => [p.project_id, p])).values()];
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
  const base: FileStampRow = [job.path, job.project.project_id, job.kind, result.size, result.mtimeMs];
  if (result.status === 'problem') {
    await recordFileProblem(db, base, result.hash, result.message);
    log.warn(`${job.path}: ${result.message}`);
    return { ...NOTHING, problem: result.message };
  }
  if (result.status === 'unchanged') {
    // The same bytes as last time: a problem they had (a truncated file, say) is still there.
    const problem = job.known?.last_problem ?? null;
    await recordFileUnchanged(db, job.path, result.size, result.mtimeMs);
    return { ...NOTHING, ...(problem ? { problem } : {}) };
  }
  return (await storeParsed(db, [{ job, result }], sourceTimeZone))[0]!;
}

interface Parsed {
  job: FileJob;
  result: Extract<LoadResult, { status: 'parsed' }>;
}

/**
 * Stores parsed files (at most one per project), each wholly or not at all. The files of projects without
 * records yet share one transaction; the others (new records merged into known ones) get one each. When
 * the shared transaction fails, nothing of it stays and its files are stored one by one, so the error
 * belongs to the file that caused it.
 */
async function storeParsed(db: Db, files: readonly Parsed[], sourceTimeZone: string): Promise<Outcome[]> {
  const outcomes = new Map<Parsed, Outcome>();
  const withRecords = files.length > 1 ? await projectsWithRecords(db, files.map((f) => f.job.project.project_id)) : null;
  const together = withRecords ? files.filter((f) => !withRecords.has(f.job.project.project_id)) : [];
  if (together.length > 1) {
    try {
      const written = await db.transaction(async () => {
        const counts = await writeNewProjects(
          db,
          together.map((f) => ({ projectId: f.job.project.project_id, sourceFile: f.job.path, batch: f.result.batch })),
          { sourceTimeZone, machineId },
        );
        await recordFiles(db, together.map((f, i) => ({ ...f, counts: counts[i]! })));
        return counts;
      });
      together.forEach((f, i) => outcomes.set(f, outcomeOf(f, written[i]!)));
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      log.debug(`storing ${together.length} files together failed (${(err as Error).message}); storing them one by one`);
    }
  }
  for (const f of files) {
    if (outcomes.has(f)) continue;
    const counts = await db.transaction(async () => {
      const written = await writeBatch(db, f.result.batch, { projectId: f.job.project.project_id, sourceFile: f.job.path, sourceTimeZone, machineId });
      await recordFiles(db, [{ ...f, counts: written }]);
      return written;
    });
    outcomes.set(f, outcomeOf(f, counts));
  }
  return files.map((f) => outcomes.get(f)!);
}

function outcomeOf({ job, result }: Parsed, counts: WriteCounts): Outcome {
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

/**
 * In the files' transaction: what each file held (source_files, one statement for all), and for the projects
 * that changed, their new versions and the earliest time changed, so derived data sees the change even if
 * the collection stops right after.
 */
async function recordFiles(db: Db, files: readonly (Parsed & { counts: WriteCounts })[]): Promise<void> {
  // A file read only after its known prefix adds to its invalid counts; one statement per kind of read.
  for (const tailOnly of [false, true]) {
    const rows = files.filter((f) => f.result.tailOnly === tailOnly);
    if (rows.length === 0) continue;
    await recordFilesIngested(
      db,
      rows.map(({ job, result, counts }) => [
        // The stamp measured before the read: if the file changed since, the next collection reads it again.
        job.path, job.project.project_id, job.kind, result.size, result.mtimeMs, result.hash, result.format, result.seen,
        counts.invocationsAdded + counts.eventsAdded, counts.invocationsUpdated, result.invalid.count, JSON.stringify(result.invalid),
        result.prefix?.bytes ?? null, result.prefix?.hash ?? null, result.prefix?.records ?? null,
      ]),
      tailOnly,
    );
  }
  const changed = files
    .filter(({ counts }) => counts.invocationsAdded + counts.invocationsUpdated + counts.eventsAdded > 0)
    .map(({ job }) => job.project.project_id);
  if (changed.length) {
    await bumpProjectVersions(db, changed);
    await recordChangedRanges(db, changed);
    await bumpDataVersion(db);
  }
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

  async take(index: number): Promise<R> {
    while (!this.cancelled && this.next < this.jobs.length && this.next <= index + this.depth) {
      const i = this.next++;
      const promise = this.load(this.jobs[i]!);
      promise.catch(() => undefined); // observed in take()
      this.started.set(i, promise);
    }
    const result = this.started.get(index);
    if (!result) throw new Error(`job ${index} was not started`);
    this.started.delete(index);
    return result;
  }

  cancel(): void {
    this.cancelled = true;
  }
}
