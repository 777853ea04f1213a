/**
 * What the collector records about input files and collection runs (the `source_files` and
 * `collection_runs` tables): the statements live here, with the rest of the SQL; src/ingest decides when.
 */
import type { Db } from './store';

/** What is known of an input file from its last collection. */
export interface KnownFile {
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

/** A file's identity and stamp: path, project id, kind, size, mtime (ms). */
export type FileStampRow = [path: string, projectId: string, kind: string, size: number, mtimeMs: number];

export function knownFiles(db: Db, projectIds: string[]): Promise<KnownFile[]> {
  return db.all<KnownFile>(
    `SELECT path, project_id, size, mtime_ms, content_hash, last_problem, format, prefix_bytes, prefix_hash, prefix_records
     FROM source_files WHERE list_contains($1, project_id)`,
    [projectIds],
  );
}

/** A file that could not be read: its stamp and the problem (reported until the file is fixed). */
export async function recordFileProblem(db: Db, stamp: FileStampRow, hash: string | null, message: string): Promise<void> {
  await db.run(
    `INSERT INTO source_files (path, project_id, kind, size, mtime_ms, content_hash, last_problem, last_problem_at, present)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), true)
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, content_hash = excluded.content_hash,
       last_problem = excluded.last_problem, last_problem_at = excluded.last_problem_at, present = true`,
    [...stamp, hash, message],
  );
}

/** A file whose content did not change (only its stamp did): a problem it had is still there. */
export async function recordFileUnchanged(db: Db, path: string, size: number, mtimeMs: number): Promise<void> {
  await db.run('UPDATE source_files SET size = $2, mtime_ms = $3, present = true WHERE path = $1', [path, size, mtimeMs]);
}

/** One row per file read and stored: its stamp, hash, format and counts (see recordFilesIngested). */
export type IngestedFileRow = [
  path: string, projectId: string, kind: string, size: number, mtimeMs: number, hash: string | null, format: string | null, seen: number,
  added: number, updated: number, invalid: number, invalidReasons: string, prefixBytes: number | null, prefixHash: string | null,
  prefixRecords: number | null,
];

/**
 * What each file read and stored held, in one statement for all. `tailOnly`: the files were read only after
 * their known prefix, so their invalid counts add up instead of being replaced.
 */
export async function recordFilesIngested(db: Db, rows: readonly IngestedFileRow[], tailOnly: boolean): Promise<void> {
  const FIELDS = 15;
  const params = rows.flat();
  const values = rows.map((_, i) => `(${Array.from({ length: FIELDS }, (_, k) => `$${i * FIELDS + k + 1}`).join(', ')})`);
  await db.run(
    `INSERT INTO source_files (path, project_id, kind, size, mtime_ms, content_hash, format, last_ingest_at, records_seen,
         records_added, records_updated, records_invalid, invalid_reasons, last_problem, last_problem_at, present,
         prefix_bytes, prefix_hash, prefix_records)
       SELECT path, project_id, kind, size, mtime_ms, content_hash, format, now(), records_seen, records_added, records_updated,
         records_invalid, invalid_reasons::JSON, NULL, NULL, true, prefix_bytes, prefix_hash, prefix_records
       FROM (VALUES ${values.join(', ')})
         AS v(path, project_id, kind, size, mtime_ms, content_hash, format, records_seen, records_added, records_updated,
              records_invalid, invalid_reasons, prefix_bytes, prefix_hash, prefix_records)
       ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ms = excluded.mtime_ms,
         content_hash = excluded.content_hash, format = excluded.format, last_ingest_at = excluded.last_ingest_at,
         records_seen = excluded.records_seen, records_added = source_files.records_added + excluded.records_added,
         records_updated = source_files.records_updated + excluded.records_updated,
         records_invalid = ${tailOnly ? 'source_files.records_invalid + excluded.records_invalid' : 'excluded.records_invalid'},
         invalid_reasons = ${tailOnly ? 'CASE WHEN excluded.records_invalid = 0 THEN source_files.invalid_reasons ELSE excluded.invalid_reasons END' : 'excluded.invalid_reasons'},
         last_problem = NULL, last_problem_at = NULL, present = true,
         prefix_bytes = excluded.prefix_bytes, prefix_hash = excluded.prefix_hash, prefix_records = excluded.prefix_records`,
    params,
  );
}

export interface CollectionRun {
  synced: string[];
  vanished: string[];
  startedAt: Date;
  origin: string;
  result: { projects: number; files: number; files_read: number; records_seen: number; records_added: number; records_updated: number; skipped_invalid: number };
  problems: unknown[];
  /** The run's duration, measured when the row is written. */
  durationMs: () => number;
}

/** The end of a collection, in one transaction: projects synced, files that vanished, and the run itself. */
export async function recordCollectionRun(db: Db, run: CollectionRun): Promise<void> {
  await db.transaction(async () => {
    if (run.synced.length) await db.run('UPDATE projects SET last_sync_at = now() WHERE list_contains($1, project_id)', [run.synced]);
    if (run.vanished.length) await db.run('UPDATE source_files SET present = false WHERE list_contains($1, path)', [run.vanished]);
    const r = run.result;
    await db.run(`INSERT INTO collection_runs VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::JSON)`, [
      run.startedAt.toISOString(), run.durationMs(), run.origin, r.projects, r.files, r.files_read,
      r.records_seen, r.records_added, r.records_updated, r.skipped_invalid, JSON.stringify(run.problems),
    ]);
  });
}
