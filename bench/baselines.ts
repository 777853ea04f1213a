/**
 * The two baselines the benchmark prints beside this engine (DESIGN section 7):
 * - the upstream design's collector: one INSERT per record through @duckdb/node-api (a prepared statement,
 *   each INSERT its own autocommit transaction, as the seed's collector issued them), measured on a sample
 *   of the same data and extrapolated to all records;
 * - DuckDB's reader on the writers' own files: read_json over the same wrapped files this engine reads
 *   (`{"invocations": [...], ...}`), `unnest(invocations)` into a table of an on-disk database (checkpoint
 *   included): what a user could script instead of this engine (no validation, no ids, no time zones);
 * - the engine limit: DuckDB's own read_json over the same records written as bare JSON arrays, inserted
 *   into a table of an on-disk database (checkpoint included).
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const OFF = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };

export interface Rate {
  records: number;
  seconds: number;
  perSecond: number;
  note: string;
}

export async function upstreamCollector(projects: string[], dir: string, sampleRecords: number): Promise<Rate> {
  const file = path.join(dir, 'upstream.duckdb');
  rmSync(file, { force: true });
  rmSync(`${file}.wal`, { force: true });
  const instance = await DuckDBInstance.create(file, OFF);
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE skill_invocation (project_path VARCHAR, skill_name VARCHAR, invoked_at TIMESTAMP, completed BOOLEAN,
    duration_seconds DOUBLE, workflow_path VARCHAR, error_type VARCHAR, follow_up_actions VARCHAR[], session_id VARCHAR)`);
  const insert = await conn.prepare('INSERT INTO skill_invocation VALUES ($1, $2, $3::TIMESTAMP, $4, $5, $6, $7, $8::VARCHAR[], $9)');
  const perProject = Math.ceil(sampleRecords / Math.min(projects.length, 4));
  let records = 0;
  const started = performance.now();
  for (const project of projects.slice(0, 4)) {
    const doc = JSON.parse(readFileSync(path.join(project, '.session-buddy', 'skill_metrics.json'), 'utf8')) as { invocations: Record<string, unknown>[] };
    for (const inv of doc.invocations.slice(0, perProject)) {
      insert.bind([
        project, inv.skill_name as string, String(inv.invoked_at).replace(/[+-]\d\d:\d\d$|Z$/, ''), inv.completed as boolean,
        (inv.duration_seconds as number | null) ?? null, (inv.workflow_path as string | null) ?? null, (inv.error_type as string | null) ?? null,
        JSON.stringify(inv.follow_up_actions ?? []), (inv.session_id as string | null) ?? null,
      ]);
      await insert.run();
      records++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  conn.closeSync();
  instance.closeSync();
  rmSync(file, { force: true });
  return { records, seconds, perSecond: records / seconds, note: `one INSERT per record, measured on ${records} records and extrapolated` };
}

/** The fields of an invocation both DuckDB readers keep. */
const FIELDS: [string, string][] = [
  ['skill_name', 'VARCHAR'], ['invoked_at', 'VARCHAR'], ['session_id', 'VARCHAR'], ['workflow_path', 'VARCHAR'], ['completed', 'BOOLEAN'],
  ['duration_seconds', 'DOUBLE'], ['follow_up_actions', 'VARCHAR[]'], ['error_type', 'VARCHAR'],
];

/** Runs `sql` (which creates the table skill_usage) in a fresh on-disk database, checkpoints and closes it: the seconds taken. */
async function intoTable(dir: string, name: string, records: number, sql: string, note: string): Promise<Rate> {
  const file = path.join(dir, `${name}.duckdb`);
  rmSync(file, { force: true });
  rmSync(`${file}.wal`, { force: true });
  const started = performance.now();
  const instance = await DuckDBInstance.create(file, OFF);
  const conn = await instance.connect();
  await conn.run(sql);
  const stored = Number((await conn.runAndReadAll('SELECT count(*) FROM skill_usage')).getRows()[0]![0]);
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
  const seconds = (performance.now() - started) / 1000;
  rmSync(file, { force: true });
  if (stored !== records) throw new Error(`${name}: stored ${stored} records, expected ${records}`);
  return { records, seconds, perSecond: records / seconds, note };
}

const fileList = (files: string[]) => files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');

export function engineLimit(bare: string[], dir: string, records: number): Promise<Rate> {
  const columns = FIELDS.map(([k, t]) => `${k}: '${t}'`).join(', ');
  return intoTable(
    dir, 'engine', records,
    `CREATE TABLE skill_usage AS SELECT * FROM read_json([${fileList(bare)}], format = 'array', columns = {${columns}})`,
    'read_json over bare arrays into an on-disk table',
  );
}

/** DuckDB's read_json over the writers' wrapped files (one JSON object per file), the invocations unnested into a table. */
export function readJsonWrapped(projects: string[], dir: string, records: number): Promise<Rate> {
  const files = projects.map((p) => path.join(p, '.session-buddy', 'skill_metrics.json'));
  const struct = FIELDS.map(([k, t]) => `${k} ${t}`).join(', ');
  return intoTable(
    dir, 'wrapped', records,
    `CREATE TABLE skill_usage AS SELECT unnest(invocations, recursive := true)
     FROM read_json([${fileList(files)}], format = 'auto', maximum_object_size = 2147483647, columns = {invocations: 'STRUCT(${struct})[]'})`,
    'read_json over the wrapped files, unnest(invocations), into an on-disk table',
  );
}
