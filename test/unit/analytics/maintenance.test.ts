import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { cleanup } from '../../../src/analytics/cleanup';
import { computeAggregates } from '../../../src/analytics/derived';
import { exportData } from '../../../src/analytics/exportData';
import { SCHEMA_VERSION } from '../../../src/analytics/migrations';
import type { Store } from '../../../src/analytics/store';
import { collect } from '../../../src/ingest/collector';
import { handBuilt, newStore, tempDir } from '../helpers';
import type { Inv } from '../helpers';

const INVS: Inv[] = [
  { skill: 'old', at: '2026-01-10T10:00:00' },
  { skill: 'old', at: '2026-01-20T10:00:00' },
  { skill: 'new', at: '2026-06-10T10:00:00', session: 's1', fu: ['git commit', 'a "quoted", comma'] },
  { skill: 'new', at: '2026-06-11T10:00:00', ok: false, err: 'ValueError: x' },
];

async function setup(invs = INVS): Promise<{ store: Store; dir: string; root: string }> {
  const root = tempDir();
  const dir = handBuilt(root, 'alpha', invs, [{ type: 'node_completed', at: '2026-01-10T10:01:00', node: 'tests', session: null }]);
  const store = newStore(root, 'Europe/Berlin');
  await collect(store, { register: [dir], sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  await store.write((db) => computeAggregates(db, {}));
  return { store, dir, root };
}

const count = (store: Store, sql: string) => store.read(async (db) => (await db.one<{ n: number }>(sql))!.n);

describe('clean-up and export', () => {
  it('cleans up only records and buckets older than N days, and does not ingest them again', async () => {
    const { store, dir } = await setup();
    const aggregatesBefore = await count(store, 'SELECT count(*) AS n FROM skill_aggregates');
    const projectsBefore = await count(store, 'SELECT count(*) AS n FROM projects');
    // now = 2026-07-01: 100 days back is 2026-03-23
    const r = await store.write((db) => cleanup(db, { olderThanDays: 100, now: new Date('2026-07-01T00:00:00Z') }));
    // 100 calendar days in the display zone: 02:00 CEST on July 1 back to 02:00 CET on March 23
    assert.equal(r.cutoff.toISOString(), '2026-03-23T01:00:00.000Z');
    assert.deepEqual([r.usage_deleted, r.events_deleted], [2, 1]);
    // January's daily (2), weekly (2) and monthly (1) buckets, per project and '*': 10 rows; 'all' rows stay until re-aggregation
    assert.equal(r.aggregates_deleted, 10);
    assert.equal(await count(store, 'SELECT count(*) AS n FROM skill_aggregates'), aggregatesBefore - 10);
    assert.equal(await count(store, 'SELECT count(*) AS n FROM skill_usage'), 2);
    assert.equal(await count(store, 'SELECT count(*) AS n FROM projects'), projectsBefore, 'nothing else is deleted');
    // the file still has the old records; a rewrite (new mtime) is read again, and they stay out
    const file = path.join(dir, '.session-buddy', 'skill_metrics.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"2026-06-11T10:00:00"', '"2026-06-12T10:00:00"'));
    utimesSync(file, Date.now() / 1000 + 5, Date.now() / 1000 + 5);
    const again = await collect(store, { sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test' });
    assert.equal(again.files_read, 1);
    assert.equal(again.records_added, 1, 'only the genuinely new record');
    assert.equal(await count(store, "SELECT count(*) AS n FROM skill_usage WHERE skill_name = 'old'"), 0);
    await assert.rejects(store.write((db) => cleanup(db, { olderThanDays: 0 })), /whole number of days, 1 or more/);
  });

  it('exports usage, aggregates and sessions as CSV, JSON (with schema_version) and Parquet', async () => {
    const { store, root } = await setup();
    const out = (name: string) => path.join(root, name);
    const csv = await store.read((db) => exportData(db, { what: 'usage', format: 'csv', out: out('usage.csv') }));
    assert.equal(csv.rows, 4);
    const lines = readFileSync(out('usage.csv'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^record_id,project_id,project_name,skill_name,invoked_at,invoked_at_raw,/);
    assert.match(lines[3]!, /,2026-06-10T12:00:00\.000\+02:00,/, 'instants as ISO 8601 with the display zone\'s offset');
    assert.match(lines[3]!, /,"\[""git commit"",""a \\""quoted\\"", comma""\]",/, 'lists as JSON arrays, CSV-quoted');

    const json = await store.read((db) => exportData(db, { what: 'usage', format: 'json', out: out('usage.json') }));
    assert.equal(json.rows, 4);
    const doc = JSON.parse(readFileSync(out('usage.json'), 'utf8'));
    assert.deepEqual([doc.schema_version, doc.what, doc.display_time_zone, doc.rows.length], [SCHEMA_VERSION, 'usage', 'Europe/Berlin', 4]);
    assert.equal(doc.rows[2].invoked_at, '2026-06-10T12:00:00.000+02:00');
    assert.deepEqual(doc.rows[2].follow_up_actions, ['git commit', 'a "quoted", comma']);
    assert.equal(doc.rows[3].error_type, 'ValueError');

    const parquet = await store.read((db) => exportData(db, { what: 'aggregates', format: 'parquet', out: out('agg.parquet') }));
    const sessionsJson = await store.read((db) => exportData(db, { what: 'sessions', format: 'json', out: out('sessions.json') }));
    assert.ok(sessionsJson.rows >= 1);
    const check = await DuckDBInstance.create(':memory:');
    const conn = await check.connect();
    const back = await conn.runAndReadAll(`SELECT count(*), sum(total_invocations) FILTER (WHERE time_window = 'all' AND project_id = '*') FROM read_parquet('${out('agg.parquet')}')`);
    assert.deepEqual(back.getRows()[0]!.map(Number), [parquet.rows, 4]);
    conn.closeSync();
    check.closeSync();
    await assert.rejects(store.read((db) => exportData(db, { what: 'everything', format: 'csv', out: out('x') })), /--what must be one of usage, aggregates, sessions/);
  });
});
