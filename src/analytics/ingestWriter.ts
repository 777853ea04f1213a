/**
 * Writes one input file's normalised records into the store, idempotently (DESIGN section 3).
 *
 * The batch is appended into temporary staging tables (dictionary codes, not strings, see batch.ts),
 * then set-based SQL does the rest in DuckDB: the instant of each raw timestamp (ICU, in the source
 * zone for naive values), the deterministic record id (md5 of project, skill, raw time, session), the
 * de-duplication within the file and against what the project already has, and the one update the
 * writers' data needs: an invocation first seen pending (completed=false, no duration, no error, no
 * follow-ups; B8) that is later seen finished is updated in place. Nothing is ever deleted here: records
 * that vanish from a file stay (B3).
 *
 * The caller runs this inside the file's transaction.
 */
import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, TINYINT, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { SealedBatch } from '../ingest/batch';
import { NULL_CODE } from '../ingest/batch';
import type { Db } from './store';

export interface WriteContext {
  projectId: string;
  sourceFile: string;
  sourceTimeZone: string;
  machineId: string;
}

export interface WriteCounts {
  invocationsAdded: number;
  invocationsUpdated: number;
  eventsAdded: number;
}

const CHUNK_ROWS = 2048;

const STAGING = [
  'CREATE OR REPLACE TEMP TABLE stage_dict (code INTEGER, value VARCHAR)',
  `CREATE OR REPLACE TEMP TABLE stage_inv (ord INTEGER, skill INTEGER, raw VARCHAR, tz TINYINT, completed BOOLEAN,
     duration DOUBLE, wf INTEGER, err INTEGER, err_raw INTEGER, fu INTEGER, sess INTEGER, fmt INTEGER, kx INTEGER)`,
  `CREATE OR REPLACE TEMP TABLE stage_ev (ord INTEGER, etype INTEGER, wid INTEGER, nid INTEGER, raw VARCHAR, tz TINYINT,
     sess INTEGER, duration DOUBLE, success TINYINT, err INTEGER, err_raw INTEGER, meta VARCHAR)`,
];

/** The instant of a raw timestamp: offsets as written; naive in the source zone ($2) or UTC (SQLite). */
const INSTANT = (raw: string, tz: string) => `CASE ${tz} WHEN 0 THEN ${raw}::TIMESTAMPTZ
  WHEN 1 THEN timezone($2, ${raw}::TIMESTAMP) ELSE timezone('UTC', ${raw}::TIMESTAMP) END`;

const PENDING = (p: string) =>
  `(NOT ${p}completed AND ${p}duration_seconds IS NULL AND ${p}error_raw IS NULL AND len(${p}follow_up_actions) = 0)`;

export async function writeBatch(db: Db, batch: SealedBatch, ctx: WriteContext): Promise<WriteCounts> {
  const counts: WriteCounts = { invocationsAdded: 0, invocationsUpdated: 0, eventsAdded: 0 };
  if (batch.invocations.length === 0 && batch.events.length === 0) return counts;
  for (const sql of STAGING) await db.run(sql);
  await appendDictionary(db, batch.dict);
  if (batch.invocations.length) Object.assign(counts, await writeInvocations(db, batch, ctx));
  if (batch.events.length) counts.eventsAdded = await writeEvents(db, batch, ctx);
  return counts;
}

async function appendDictionary(db: Db, dict: string[]): Promise<void> {
  const appender = await db.raw.createAppender('stage_dict', 'main', 'temp');
  appendColumns(appender, [INTEGER, VARCHAR], dict.length, [(i) => i, (i) => dict[i]!]);
  appender.closeSync();
}

const code = (c: number): number | null => (c === NULL_CODE ? null : c);
const num = (v: number): number | null => (Number.isNaN(v) ? null : v);

async function writeInvocations(db: Db, batch: SealedBatch, ctx: WriteContext): Promise<Omit<WriteCounts, 'eventsAdded'>> {
  const c = batch.invocations;
  const appender = await db.raw.createAppender('stage_inv', 'main', 'temp');
  appendColumns(
    appender,
    [INTEGER, INTEGER, VARCHAR, TINYINT, BOOLEAN, DOUBLE, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER],
    c.length,
    [
      (i) => i, (i) => c.skill[i]!, (i) => c.invokedAtRaw[i]!, (i) => c.tzMode[i]!, (i) => c.completed[i] === 1,
      (i) => num(c.duration[i]!), (i) => code(c.workflowPath[i]!), (i) => code(c.errorType[i]!), (i) => code(c.errorRaw[i]!),
      (i) => code(c.followUps[i]!), (i) => code(c.session[i]!), (i) => c.sourceFormat[i]!, (i) => code(c.keyExtra[i]!),
    ],
  );
  appender.closeSync();

  await db.run(
    `CREATE OR REPLACE TEMP TABLE stage_ready AS
     WITH s AS (
       SELECT s.ord, sk.value AS skill_name, s.raw, s.tz, s.completed, s.duration AS duration_seconds,
              wf.value AS workflow_path, er.value AS error_type, erw.value AS error_raw,
              CASE WHEN fu.value IS NULL THEN []::VARCHAR[] ELSE fu.value::JSON::VARCHAR[] END AS follow_up_actions,
              se.value AS session_id, fm.value AS source_format, kx.value AS key_extra
       FROM stage_inv s
       JOIN stage_dict sk ON sk.code = s.skill
       JOIN stage_dict fm ON fm.code = s.fmt
       LEFT JOIN stage_dict wf ON wf.code = s.wf
       LEFT JOIN stage_dict er ON er.code = s.err
       LEFT JOIN stage_dict erw ON erw.code = s.err_raw
       LEFT JOIN stage_dict fu ON fu.code = s.fu
       LEFT JOIN stage_dict se ON se.code = s.sess
       LEFT JOIN stage_dict kx ON kx.code = s.kx
     )
     SELECT md5_number(concat_ws(chr(31), $1, skill_name, raw, coalesce(session_id, ''), coalesce(key_extra, ''))) AS record_id,
            ${INSTANT('raw', 'tz')} AS invoked_at, tz <> 0 AS tz_assumed, ${PENDING('')} AS pending, *
     FROM s
     QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY pending, ord DESC) = 1`,
    [ctx.projectId, ctx.sourceTimeZone],
  );

  const updated = await db.run(
    `UPDATE skill_usage AS u
     SET completed = r.completed, duration_seconds = r.duration_seconds, workflow_path = coalesce(r.workflow_path, u.workflow_path),
         error_type = r.error_type, error_raw = r.error_raw, follow_up_actions = r.follow_up_actions,
         source_file = $2, ingested_at = now()
     FROM stage_ready r
     WHERE u.project_id = $1 AND u.record_id = r.record_id AND NOT r.pending AND ${PENDING('u.')}`,
    [ctx.projectId, ctx.sourceFile],
  );
  const added = await db.run(
    `INSERT INTO skill_usage
     SELECT r.record_id, $1, r.skill_name, r.invoked_at, r.raw, r.tz_assumed, r.completed, r.duration_seconds, r.workflow_path,
            r.error_type, r.error_raw, r.follow_up_actions, r.session_id, r.source_format, $2, $3, now()
     FROM stage_ready r
     WHERE r.record_id NOT IN (SELECT record_id FROM skill_usage WHERE project_id = $1)
     ORDER BY r.invoked_at`,
    [ctx.projectId, ctx.sourceFile, ctx.machineId],
  );
  return { invocationsAdded: added, invocationsUpdated: updated };
}

async function writeEvents(db: Db, batch: SealedBatch, ctx: WriteContext): Promise<number> {
  const c = batch.events;
  const appender = await db.raw.createAppender('stage_ev', 'main', 'temp');
  appendColumns(
    appender,
    [INTEGER, INTEGER, INTEGER, INTEGER, VARCHAR, TINYINT, INTEGER, DOUBLE, TINYINT, INTEGER, INTEGER, VARCHAR],
    c.length,
    [
      (i) => i, (i) => c.eventType[i]!, (i) => code(c.workflowId[i]!), (i) => code(c.nodeId[i]!), (i) => c.tsRaw[i]!,
      (i) => c.tzMode[i]!, (i) => code(c.session[i]!), (i) => num(c.duration[i]!), (i) => (c.success[i] === -1 ? null : c.success[i]!),
      (i) => code(c.errorType[i]!), (i) => code(c.errorRaw[i]!), (i) => c.metadata[i] ?? null,
    ],
  );
  appender.closeSync();
  return db.run(
    `INSERT INTO workflow_events
     WITH s AS (
       SELECT s.ord, et.value AS event_type, wi.value AS workflow_id, ni.value AS node_id, s.raw, s.tz, se.value AS session_id,
              s.duration AS duration_seconds, CASE s.success WHEN 1 THEN true WHEN 0 THEN false END AS success,
              er.value AS error_type, erw.value AS error_raw, s.meta
       FROM stage_ev s
       JOIN stage_dict et ON et.code = s.etype
       LEFT JOIN stage_dict wi ON wi.code = s.wid
       LEFT JOIN stage_dict ni ON ni.code = s.nid
       LEFT JOIN stage_dict se ON se.code = s.sess
       LEFT JOIN stage_dict er ON er.code = s.err
       LEFT JOIN stage_dict erw ON erw.code = s.err_raw
     ), k AS (
       SELECT md5_number(concat_ws(chr(31), $1, event_type, coalesce(workflow_id, ''), coalesce(node_id, ''), raw, coalesce(session_id, ''))) AS record_id, *
       FROM s
       QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY ord DESC) = 1
     )
     SELECT record_id, $1, event_type, workflow_id, node_id, ${INSTANT('raw', 'tz')}, raw, tz <> 0, session_id, duration_seconds,
            success, error_type, error_raw, meta::JSON, $3, $4, now()
     FROM k
     WHERE record_id NOT IN (SELECT record_id FROM workflow_events WHERE project_id = $1)
     ORDER BY 6`,
    [ctx.projectId, ctx.sourceTimeZone, ctx.sourceFile, ctx.machineId],
  );
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
