/**
 * Writes one input file's normalised records into the store, idempotently (DESIGN section 3).
 *
 * The batch is appended into temporary staging tables (dictionary codes, not strings, see batch.ts; the
 * batch is already free of in-file duplicates), then set-based SQL does the rest in DuckDB: the instant
 * of each raw timestamp (ICU, in the source zone for naive values), the deterministic record id (md5 of
 * project, skill, raw time, session), the de-duplication against what the project already has, and the one update the
 * writers' data needs: an invocation first seen pending (completed=false, no duration, no error, no
 * follow-ups; B8) that is later seen finished is updated in place. Nothing is ever deleted here: records
 * that vanish from a file stay (B3).
 *
 * The caller runs this inside the file's transaction. Files of projects that have no records yet (a first
 * collection) can be written together (`writeNewProjects`): one staging, one INSERT and one commit for
 * many files, so a project's first file costs little more than its records.
 */
import { DuckDBDataChunk, INTEGER, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { BulkColumn } from './bulkAppend';
import { bulkAppend } from './bulkAppend';
import type { MergedBatch, SealedBatch } from '../common/recordBatch';
import { NULL_CODE, mergeBatches } from '../common/recordBatch';
import { retentionCutoff } from './cleanup';
import { PENDING_SQL } from './definitions';
import type { Db } from './store';

export interface WriteContext {
  projectId: string;
  sourceFile: string;
  sourceTimeZone: string;
  machineId: string;
  retentionCutoff?: Date | null;
}

export interface WriteCounts {
  invocationsAdded: number;
  invocationsUpdated: number;
  eventsAdded: number;
}

const CHUNK_ROWS = 2048;

/** Staging: one batch's (or several files' merged) dictionaries and rows; `fi` is the row's file in `stage_files`. */
const STAGING = [
  'CREATE OR REPLACE TEMP TABLE stage_dict (code INTEGER, value VARCHAR)',
  'CREATE OR REPLACE TEMP TABLE stage_fu (code INTEGER, value VARCHAR[])',
  'CREATE OR REPLACE TEMP TABLE stage_files (fi INTEGER, project_id VARCHAR, source_file VARCHAR)',
  `CREATE OR REPLACE TEMP TABLE stage_inv (skill INTEGER, raw VARCHAR, tz TINYINT, completed BOOLEAN,
     duration DOUBLE, wf INTEGER, err INTEGER, err_raw INTEGER, fu INTEGER, sess INTEGER, fmt INTEGER, kx INTEGER, fi INTEGER)`,
  `CREATE OR REPLACE TEMP TABLE stage_ev (etype INTEGER, wid INTEGER, nid INTEGER, raw VARCHAR, tz TINYINT,
     sess INTEGER, duration DOUBLE, success TINYINT, err INTEGER, err_raw INTEGER, meta VARCHAR, fi INTEGER)`,
];

/** The batch's dictionaries as two one-row lists: `d.v[code + 1]` is a string, `f.v[code + 1]` a follow-up list. */
const DICTIONARIES = `d AS (SELECT list(value ORDER BY code) AS v FROM stage_dict),
     f AS (SELECT coalesce(list(value ORDER BY code), []) AS v FROM stage_fu)`;

/**
 * The instant of a raw timestamp: offsets as written; naive in the source zone (parameter `zone`) or UTC (SQLite).
 *
 * A naive local time is read as the Python writers meant it (fold=0): in a repeated hour (clocks going
 * back) the earlier occurrence; in a skipped hour (clocks going forward) with the offset from before the
 * change, so 02:30 on Berlin's spring-forward night is 01:30Z (03:30 CEST). ICU already reads a skipped
 * hour that way but a repeated one as the later occurrence; for the few hours `stage_fold` marks as near
 * a backward change (markFoldHours), the earlier occurrence is taken when there is one.
 */
const INSTANT = (raw: string, tz: string, zone = '$2') => `CASE ${tz} WHEN 0 THEN ${raw}::TIMESTAMPTZ
  WHEN 1 THEN CASE WHEN left(${raw}, 13) IN (SELECT k FROM stage_fold) THEN ${earlierOccurrence(`${raw}::TIMESTAMP`, zone)}
    ELSE timezone(${zone}, ${raw}::TIMESTAMP) END
  ELSE timezone('UTC', ${raw}::TIMESTAMP) END`;

/** `local` (a naive TIMESTAMP) in `zone`, the earlier instant when it happens twice: local minus the offset of 3 hours before ICU's instant, if that gives `local` back. */
function earlierOccurrence(local: string, zone: string): string {
  const icu = `timezone(${zone}, ${local})`;
  const before = `(${icu} - INTERVAL 3 HOUR)`;
  const earlier = `(timezone('UTC', ${local}) - (timezone(${zone}, ${before}) - timezone('UTC', ${before})))`;
  return `CASE WHEN ${earlier} < ${icu} AND timezone(${zone}, ${earlier}) = ${local} THEN ${earlier} ELSE ${icu} END`;
}

/**
 * Marks the local hours (in the source zone $1) of a staging table's naive timestamps around which the
 * offset changes (within 3 hours of ICU's instant, either way): only those can be in a repeated hour, so
 * only those pay for earlierOccurrence. An hour is keyed by its raw text `YYYY-MM-DD?HH` (no cast per
 * row); a handful of ICU calls per distinct hour (materialised first, so they are not made per row).
 * Call before each statement that computes INSTANT over that staging table.
 */
async function markFoldHours(db: Db, staging: 'stage_inv' | 'stage_ev', zone: string): Promise<void> {
  const offsetAt = (t: string) => `(timezone($1, ${t}) - timezone('UTC', ${t}))`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE stage_fold AS
     WITH hours AS MATERIALIZED (SELECT DISTINCT left(raw, 13) AS k FROM ${staging} WHERE tz = 1),
     t AS MATERIALIZED (SELECT k, timezone($1, (left(k, 10) || ' ' || right(k, 2) || ':00:00')::TIMESTAMP) AS a FROM hours)
     SELECT k FROM t WHERE ${offsetAt('(a - INTERVAL 3 HOUR)')} <> ${offsetAt('(a + INTERVAL 4 HOUR)')}`,
    [zone],
  );
}

const PENDING = PENDING_SQL;

export async function writeBatch(db: Db, batch: SealedBatch, ctx: WriteContext): Promise<WriteCounts> {
  const counts: WriteCounts = { invocationsAdded: 0, invocationsUpdated: 0, eventsAdded: 0 };
  if (batch.invocations.length === 0 && batch.events.length === 0) return counts;
  // Records older than a clean-up's cut-off were removed on purpose: a file that still holds them must not bring them back.
  ctx = { ...ctx, retentionCutoff: ctx.retentionCutoff ?? (await retentionCutoff(db)) };
  await stage(db, mergeBatches([batch]), [ctx]);
  if (batch.invocations.length) {
    await markFoldHours(db, 'stage_inv', ctx.sourceTimeZone);
    Object.assign(counts, await writeInvocations(db, ctx));
  }
  if (batch.events.length) {
    await markFoldHours(db, 'stage_ev', ctx.sourceTimeZone);
    counts.eventsAdded = await writeEvents(db, ctx, await hasRows(db, 'workflow_events', ctx.projectId));
  }
  return counts;
}

export interface NewProjectFile {
  projectId: string;
  sourceFile: string;
  batch: SealedBatch;
}

/**
 * Writes the files of several projects that have no records yet (see `projectsWithRecords`), at most one
 * file per project, with one staging and one INSERT per table; the counts come back per file, in order.
 * The caller runs this inside one transaction: all of the files land, or none of them.
 */
export async function writeNewProjects(
  db: Db,
  files: readonly NewProjectFile[],
  ctx: Omit<WriteContext, 'projectId' | 'sourceFile'>,
): Promise<WriteCounts[]> {
  if (new Set(files.map((f) => f.projectId)).size !== files.length) throw new Error('writeNewProjects takes at most one file per project');
  const counts = files.map((): WriteCounts => ({ invocationsAdded: 0, invocationsUpdated: 0, eventsAdded: 0 }));
  const merged = mergeBatches(files.map((f) => f.batch));
  if (merged.invocations.length === 0 && merged.events.length === 0) return counts;
  const cutoff = ctx.retentionCutoff ?? (await retentionCutoff(db));
  const full = { ...ctx, projectId: '', sourceFile: '', retentionCutoff: cutoff };
  await stage(db, merged, files);
  // Without a cut-off every staged row is stored (the projects have none yet; a batch holds no duplicates).
  const kept = async (table: 'stage_inv' | 'stage_ev', lengthOf: (b: SealedBatch) => number): Promise<number[]> => {
    await markFoldHours(db, table, ctx.sourceTimeZone);
    if (!cutoff) return files.map((f) => lengthOf(f.batch));
    const rows = await db.all<{ fi: number; n: number }>(
      `SELECT fi, count(*) AS n FROM ${table} WHERE ${INSTANT('raw', 'tz', '$1')} >= '${cutoff.toISOString()}'::TIMESTAMPTZ GROUP BY fi`,
      [ctx.sourceTimeZone],
    );
    const byFile = new Map(rows.map((r) => [r.fi, r.n]));
    return files.map((_, i) => byFile.get(i) ?? 0);
  };
  if (merged.invocations.length) {
    const added = await kept('stage_inv', (b) => b.invocations.length);
    await insertNewInvocations(db, full);
    added.forEach((n, i) => (counts[i]!.invocationsAdded = n));
  }
  if (merged.events.length) {
    const added = await kept('stage_ev', (b) => b.events.length);
    await writeEvents(db, full, false);
    added.forEach((n, i) => (counts[i]!.eventsAdded = n));
  }
  return counts;
}

/** The projects among `projectIds` that already have invocations or workflow events. */
export async function projectsWithRecords(db: Db, projectIds: readonly string[]): Promise<Set<string>> {
  if (projectIds.length === 0) return new Set();
  const rows = await db.all<{ project_id: string }>(
    `SELECT DISTINCT project_id FROM skill_usage WHERE list_contains($1, project_id)
     UNION SELECT DISTINCT project_id FROM workflow_events WHERE list_contains($1, project_id)`,
    [projectIds],
  );
  return new Set(rows.map((r) => r.project_id));
}

/** Stages a merged batch and its files (file i of `files` is `fi = i`). */
async function stage(db: Db, batch: MergedBatch, files: readonly { projectId: string; sourceFile: string }[]): Promise<void> {
  for (const sql of STAGING) await db.run(sql);
  const strings = await db.raw.createAppender('stage_dict', 'main', 'temp');
  appendColumns(strings, [INTEGER, VARCHAR], batch.dict.length, [(i) => i, (i) => batch.dict[i]!]);
  strings.closeSync();
  const lists = await db.raw.createAppender('stage_fu', 'main', 'temp');
  appendColumns(lists, [INTEGER, LIST(VARCHAR)], batch.followUpLists.length, [(i) => i, (i) => listValue(batch.followUpLists[i]!)]);
  lists.closeSync();
  const fileRows = await db.raw.createAppender('stage_files', 'main', 'temp');
  appendColumns(fileRows, [INTEGER, VARCHAR, VARCHAR], files.length, [(i) => i, (i) => files[i]!.projectId, (i) => files[i]!.sourceFile]);
  fileRows.closeSync();
  const codes = (values: Int32Array): BulkColumn => ({ type: 'int32', values, nullCode: NULL_CODE });
  if (batch.invocations.length) {
    const c = batch.invocations;
    const appender = await db.raw.createAppender('stage_inv', 'main', 'temp');
    bulkAppend(
      appender,
      [
        codes(c.skill), { type: 'varchar', values: c.invokedAtRaw }, { type: 'int8', values: c.tzMode }, { type: 'bool', values: c.completed },
        { type: 'double', values: c.duration }, codes(c.workflowPath), codes(c.errorType), codes(c.errorRaw), codes(c.followUps),
        codes(c.session), codes(c.sourceFormat), codes(c.keyExtra), { type: 'int32', values: batch.fileOfInvocation },
      ],
      c.length,
    );
    appender.closeSync();
  }
  if (batch.events.length) {
    const c = batch.events;
    const appender = await db.raw.createAppender('stage_ev', 'main', 'temp');
    bulkAppend(
      appender,
      [
        codes(c.eventType), codes(c.workflowId), codes(c.nodeId), { type: 'varchar', values: c.tsRaw }, { type: 'int8', values: c.tzMode },
        codes(c.session), { type: 'double', values: c.duration }, { type: 'int8', values: c.success, nullCode: -1 }, codes(c.errorType),
        codes(c.errorRaw), { type: 'varchar', values: c.metadata }, { type: 'int32', values: batch.fileOfEvent },
      ],
      c.length,
    );
    appender.closeSync();
  }
}


/** The staged invocations, ready to store: strings decoded, record id, instant ($1: source zone), pending flag, project and file. */
function readyInvocations(ctx: WriteContext): string {
  return `WITH ${DICTIONARIES},
     s AS (
       SELECT d.v[s.skill + 1] AS skill_name, s.raw, s.tz, s.completed, s.duration AS duration_seconds,
              d.v[s.wf + 1] AS workflow_path, d.v[s.err + 1] AS error_type, d.v[s.err_raw + 1] AS error_raw,
              coalesce(f.v[s.fu + 1], []::VARCHAR[]) AS follow_up_actions, d.v[s.sess + 1] AS session_id,
              d.v[s.fmt + 1] AS source_format, d.v[s.kx + 1] AS key_extra, sf.project_id, sf.source_file
       FROM stage_inv s JOIN stage_files sf USING (fi), d, f
     )
     SELECT * FROM (
       SELECT md5_number(concat_ws(chr(31), project_id, skill_name, raw, coalesce(session_id, ''), coalesce(key_extra, ''))) AS record_id,
              ${INSTANT('raw', 'tz', '$1')} AS invoked_at, tz <> 0 AS tz_assumed, ${PENDING('')} AS pending, *
       FROM s
     ) ${ctx.retentionCutoff ? `WHERE invoked_at >= '${ctx.retentionCutoff.toISOString()}'::TIMESTAMPTZ` : ''}`;
}

/** skill_usage's columns from a row of readyInvocations ($2: machine id). */
const USAGE_COLUMNS = `r.record_id, r.project_id, r.skill_name, r.invoked_at, r.raw, r.tz_assumed, r.completed, r.duration_seconds,
  r.workflow_path, r.error_type, r.error_raw, r.follow_up_actions, r.session_id, r.source_format, r.source_file, $2, now()`;

/** Stores every staged invocation (their projects have none yet). */
async function insertNewInvocations(db: Db, ctx: WriteContext): Promise<number> {
  return db.run(`INSERT INTO skill_usage SELECT ${USAGE_COLUMNS} FROM (${readyInvocations(ctx)}) r`, [ctx.sourceTimeZone, ctx.machineId]);
}

async function writeInvocations(db: Db, ctx: WriteContext): Promise<Omit<WriteCounts, 'eventsAdded'>> {
  // A project without records yet (every file of a first collection): nothing to update or skip.
  if (!(await hasRows(db, 'skill_usage', ctx.projectId))) return { invocationsAdded: await insertNewInvocations(db, ctx), invocationsUpdated: 0 };

  // The project has records: find what is new, or a pending record now finished, from the record ids
  // alone (cheap), and compute the rest only for those rows (a grown file is mostly known records).
  await db.run(
    `CREATE OR REPLACE TEMP TABLE stage_todo AS
     WITH ${DICTIONARIES},
     keys AS (
       SELECT s.rowid AS rid,
              md5_number(concat_ws(chr(31), $1, d.v[s.skill + 1], s.raw, coalesce(d.v[s.sess + 1], ''), coalesce(d.v[s.kx + 1], ''))) AS record_id,
              (NOT s.completed AND s.duration IS NULL AND s.err_raw IS NULL AND s.fu IS NULL) AS pending
       FROM stage_inv s, d
     ),
     existing AS (SELECT record_id, ${PENDING('')} AS was_pending FROM skill_usage WHERE project_id = $1)
     SELECT k.rid FROM keys k LEFT JOIN existing e USING (record_id)
     WHERE e.record_id IS NULL OR (e.was_pending AND NOT k.pending)`,
    [ctx.projectId],
  );
  await db.run('DELETE FROM stage_inv WHERE rowid NOT IN (SELECT rid FROM stage_todo)');
  await db.run(`CREATE OR REPLACE TEMP TABLE stage_ready AS ${readyInvocations(ctx)}`, [ctx.sourceTimeZone]);
  const updated = await db.run(
    `UPDATE skill_usage AS u
     SET completed = r.completed, duration_seconds = r.duration_seconds, workflow_path = coalesce(r.workflow_path, u.workflow_path),
         error_type = r.error_type, error_raw = r.error_raw, follow_up_actions = r.follow_up_actions,
         source_file = r.source_file, ingested_at = now()
     FROM stage_ready r
     WHERE u.project_id = $1 AND u.record_id = r.record_id AND NOT r.pending AND ${PENDING('u.')}`,
    [ctx.projectId],
  );
  const added = await db.run(
    `INSERT INTO skill_usage SELECT ${USAGE_COLUMNS}
     FROM stage_ready r
     WHERE r.record_id NOT IN (SELECT record_id FROM skill_usage WHERE project_id = $1)`,
    [ctx.projectId, ctx.machineId],
  );
  return { invocationsAdded: added, invocationsUpdated: updated };
}

/** Stores the staged workflow events; `dedupe`: skip those the (one) project already has. */
async function writeEvents(db: Db, ctx: WriteContext, dedupe: boolean): Promise<number> {
  return db.run(
    `INSERT INTO workflow_events
     WITH ${DICTIONARIES},
     s AS (
       SELECT d.v[s.etype + 1] AS event_type, d.v[s.wid + 1] AS workflow_id, d.v[s.nid + 1] AS node_id, s.raw, s.tz,
              d.v[s.sess + 1] AS session_id, s.duration AS duration_seconds, CASE s.success WHEN 1 THEN true WHEN 0 THEN false END AS success,
              d.v[s.err + 1] AS error_type, d.v[s.err_raw + 1] AS error_raw, s.meta, sf.project_id, sf.source_file
       FROM stage_ev s JOIN stage_files sf USING (fi), d
     ), k AS (
       SELECT md5_number(concat_ws(chr(31), project_id, event_type, coalesce(workflow_id, ''), coalesce(node_id, ''), raw, coalesce(session_id, ''))) AS record_id, *
       FROM s
     )
     SELECT record_id, project_id, event_type, workflow_id, node_id, ${INSTANT('raw', 'tz')}, raw, tz <> 0, session_id, duration_seconds,
            success, error_type, error_raw, meta::JSON, source_file, $3, now()
     FROM k
     WHERE (NOT $4 OR record_id NOT IN (SELECT record_id FROM workflow_events WHERE project_id = $1))
       ${ctx.retentionCutoff ? `AND ${INSTANT('raw', 'tz')} >= '${ctx.retentionCutoff.toISOString()}'::TIMESTAMPTZ` : ''}`,
    [ctx.projectId, ctx.sourceTimeZone, ctx.machineId, dedupe],
  );
}

/** Whether the project already has rows in the table (cheap: stops at the first). */
async function hasRows(db: Db, table: 'skill_usage' | 'workflow_events', projectId: string): Promise<boolean> {
  const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE project_id = $1 LIMIT 1)`, [projectId]);
  return (row?.n ?? 0) > 0;
}

/** Appends `rows` rows in data chunks; `columns[k](i)` gives the value of column k in row i. */
function appendColumns(appender: DuckDBAppender, types: DuckDBType[], rows: number, columns: ((i: number) => DuckDBValue)[]): void {
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    const chunk = DuckDBDataChunk.create(types, n);
    for (let col = 0; col < types.length; col++) {
      const get = columns[col]!;
      const values = new Array<DuckDBValue>(n);
      for (let i = 0; i < n; i++) values[i] = get(start + i);
      chunk.setColumnValues(col, values);
    }
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
}
