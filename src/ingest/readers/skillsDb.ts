/**
 * `skills.db` (SQLite), read with sql.js (WASM) from bytes: the files are never opened by SQLite itself,
 * so no lock, journal or -shm file is ever created beside them.
 *
 * Two unrelated schemas exist (FORMATS 1.4, 1.5, B12):
 * - Crackerjack's compat layer: table `skill_invocations` at `.session-buddy/skills.db/skills.db`, rows
 *   inserted at start and updated at completion, naive UTC `created_at`/`completed_at` at 1-s resolution,
 *   duration = completed_at - created_at.
 * - Session Buddy's storage: table `skill_invocation` at `.session-buddy/skills.db`, one row per finished
 *   invocation, `invoked_at` as the JSON writers wrote it (naive local or aware), V3 columns optional (B16).
 * Derived tables and views (`skill_metrics`, caches, FTS) are never read (B14).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import initSqlJs from 'sql.js';
import { TzMode } from '../../common/recordBatch';
import type { BatchBuilder } from '../../common/recordBatch';
import { normaliseErrorType } from '../errorTypes';
import type { InvalidRecords } from '../invalidRecords';
import { normaliseDuration, normaliseFollowUps, normaliseSessionId, normaliseText, tzModeOf } from '../normalise';
import { compatRowSchema, describeIssue, followUpsText, storageRowSchema } from '../schemas';
import { SourceProblem } from './sourceProblem';
import { applyWal } from './sqliteWal';

let sqlJs: Promise<SqlJsStatic> | undefined;

/** Where sql-wasm.wasm is: beside the bundle in dist/, or in node_modules when running from sources. */
function wasmPath(): string {
  const bundled = path.join(__dirname, 'sql-wasm.wasm');
  if (fs.existsSync(bundled)) return bundled;
  return createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm');
}

function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ wasmBinary: fs.readFileSync(wasmPath()) as unknown as ArrayBuffer });
  return sqlJs;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export async function readSkillsDb(
  main: Uint8Array,
  wal: Uint8Array | undefined,
  out: BatchBuilder,
  invalid: InvalidRecords,
): Promise<{ format: string; seen: number }> {
  if (main.length === 0) return { format: 'sqlite (empty file)', seen: 0 }; // created, never written (B13)
  if (main.length < 100 || Buffer.from(main.subarray(0, 16)).toString('latin1') !== SQLITE_MAGIC) {
    throw new SourceProblem('not a SQLite database (bad header)');
  }
  const SQL = await loadSqlJs();
  const { image } = applyWal(main, wal);
  let db: Database;
  try {
    db = new SQL.Database(image);
  } catch (err) {
    throw new SourceProblem(`SQLite could not open it: ${(err as Error).message}`, true);
  }
  try {
    const tables = new Set(queryColumn(db, "SELECT name FROM sqlite_master WHERE type = 'table'"));
    const formats: string[] = [];
    let seen = 0;
    if (tables.has('skill_invocations')) {
      seen += readCompat(db, out, invalid);
      formats.push('compat');
    }
    if (tables.has('skill_invocation')) {
      seen += readStorage(db, out, invalid);
      formats.push('storage');
    }
    return { format: formats.length ? `sqlite ${formats.join('+')}` : 'sqlite (no skill tables)', seen };
  } catch (err) {
    if (err instanceof SourceProblem) throw err;
    // "database disk image is malformed" mid-checkpoint: a re-read a moment later usually succeeds.
    throw new SourceProblem(`SQLite could not read it: ${(err as Error).message}`, true);
  } finally {
    db.close();
  }
}

function queryColumn(db: Database, sql: string): string[] {
  const result = db.exec(sql);
  return result.length ? result[0]!.values.map((row) => String(row[0])) : [];
}

/** Selects the wanted columns the table has (older databases lack some, B16); required ones must exist. */
function selectRows(db: Database, table: string, wanted: string[], required: string[]): Record<string, SqlValue>[] {
  const present = new Set(
    (db.exec(`PRAGMA table_info(${table})`)[0]?.values ?? []).map((row) => String(row[1])),
  );
  const missing = required.filter((c) => !present.has(c));
  if (missing.length) throw new SourceProblem(`table ${table} has no column ${missing.join(', ')}`);
  const columns = wanted.filter((c) => present.has(c));
  const stmt = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${table} ORDER BY id`);
  const rows: Record<string, SqlValue>[] = [];
  try {
    while (stmt.step()) rows.push(stmt.getAsObject());
  } finally {
    stmt.free();
  }
  return rows;
}

function followUpsFrom(text: string | null | undefined): readonly string[] {
  if (text === null || text === undefined || text.trim() === '') return [];
  try {
    const parsed = followUpsText.safeParse(JSON.parse(text));
    if (parsed.success) return normaliseFollowUps(parsed.data);
  } catch {
    // not JSON: a single free-text action
  }
  return normaliseFollowUps([text]);
}

/** `YYYY-MM-DD HH:MM:SS` written by CURRENT_TIMESTAMP, as epoch milliseconds (UTC). */
function naiveUtcMillis(raw: string): number {
  return Date.parse(`${raw.replace(' ', 'T')}${/[Zz]|[+-]\d\d:?\d\d$/.test(raw) ? '' : 'Z'}`);
}

function readCompat(db: Database, out: BatchBuilder, invalid: InvalidRecords): number {
  const rows = selectRows(
    db,
    'skill_invocations',
    ['id', 'session_id', 'skill_name', 'workflow_phase', 'completed', 'error_type', 'follow_up_actions', 'created_at', 'completed_at'],
    ['id', 'skill_name', 'created_at'],
  );
  rows.forEach((row, i) => {
    const parsed = compatRowSchema.safeParse(row);
    if (!parsed.success) {
      invalid.add(`skill_invocations[id=${String(row.id ?? i)}]`, describeIssue(parsed.error));
      return;
    }
    const r = parsed.data;
    const errorRaw = normaliseText(r.error_type);
    const seconds = r.completed_at ? (naiveUtcMillis(r.completed_at) - naiveUtcMillis(r.created_at)) / 1000 : null;
    out.addInvocation({
      skillName: r.skill_name,
      invokedAtRaw: r.created_at,
      tzMode: tzModeOf(r.created_at, TzMode.NaiveUtc),
      completed: r.completed === true || r.completed === 1,
      durationSeconds: normaliseDuration(seconds, false),
      workflowPath: normaliseText(r.workflow_phase),
      errorType: normaliseErrorType(errorRaw),
      errorRaw,
      followUps: followUpsFrom(r.follow_up_actions),
      sessionId: normaliseSessionId(r.session_id),
      sourceFormat: 'skills-db',
      // Two invocations of one agent in one second share every other key part: the row id tells them apart.
      keyExtra: `compat:${r.id}`,
    });
  });
  return rows.length;
}

function readStorage(db: Database, out: BatchBuilder, invalid: InvalidRecords): number {
  const rows = selectRows(
    db,
    'skill_invocation',
    ['id', 'skill_name', 'invoked_at', 'session_id', 'workflow_path', 'workflow_phase', 'completed', 'duration_seconds', 'follow_up_actions', 'error_type'],
    ['id', 'skill_name', 'invoked_at'],
  );
  rows.forEach((row, i) => {
    const parsed = storageRowSchema.safeParse(row);
    if (!parsed.success) {
      invalid.add(`skill_invocation[id=${String(row.id ?? i)}]`, describeIssue(parsed.error));
      return;
    }
    const r = parsed.data;
    const errorRaw = normaliseText(r.error_type);
    out.addInvocation({
      skillName: r.skill_name,
      invokedAtRaw: r.invoked_at,
      // invoked_at is the string the JSON writer had (naive local, or aware); only SQLite's own defaults are UTC.
      tzMode: tzModeOf(r.invoked_at, TzMode.SourceLocal),
      completed: r.completed === true || r.completed === 1,
      durationSeconds: normaliseDuration(r.duration_seconds, true),
      workflowPath: normaliseText(r.workflow_path) ?? normaliseText(r.workflow_phase),
      errorType: normaliseErrorType(errorRaw),
      errorRaw,
      followUps: followUpsFrom(r.follow_up_actions),
      sessionId: normaliseSessionId(r.session_id),
      sourceFormat: 'skills-db',
      keyExtra: null,
    });
  });
  return rows.length;
}
