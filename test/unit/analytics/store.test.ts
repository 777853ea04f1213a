import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatabaseUnavailableError, SchemaTooNewError } from '../../../src/common/errors';
import { setLogSink } from '../../../src/common/log';
import { SCHEMA_VERSION } from '../../../src/analytics/migrations';
import { Store } from '../../../src/analytics/store';
import { cli, newStore, tempDir } from '../helpers';

/** Another process that holds the database file open (DuckDB's per-file write lock) for `ms`. */
/** Another process that holds the database's lock until release() (then it closes the file and exits). */
function holdLock(file: string): Promise<{ release: () => Promise<unknown> }> {
  const child: ChildProcess = spawn(process.execPath, ['-e', `
    const { DuckDBInstance } = require('@duckdb/node-api');
    DuckDBInstance.create(${JSON.stringify(file)}).then((db) => {
      console.log('locked');
      process.stdin.on('data', () => {}).on('end', () => { db.closeSync(); process.exit(0); });
    }, (e) => { console.error(e.message); process.exit(1); });
  `], { cwd: path.resolve(__dirname, '../../..'), stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const release = (): Promise<unknown> => (child.stdin!.end(), exited);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve({ release }));
    child.on('exit', (code) => code !== 0 && reject(new Error(`lock holder exited ${code}`)));
  });
}

/** Resolves when the store logs a message matching `pattern` (the log facade is the store's own account). */
function logged(pattern: RegExp): { seen: Promise<void>; dispose: () => void } {
  let done!: () => void;
  const seen = new Promise<void>((resolve) => (done = resolve));
  setLogSink({ log: (_level, _component, message) => pattern.test(message) && done() });
  return { seen, dispose: () => setLogSink(undefined) };
}

describe('store', () => {
  it('creates the schema on first use and records its migrations', async () => {
    const store = newStore();
    const rows = await store.read((db) => db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    assert.deepEqual(rows.map((r) => r.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    assert.equal(SCHEMA_VERSION, 5);
    const tables = await store.read((db) => db.all<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"));
    assert.deepEqual(tables.map((t) => t.t), [
      'aggregate_runs', 'changed_ranges', 'collection_runs', 'derived_state', 'meta', 'projects', 'schema_migrations', 'session_summaries', 'skill_aggregates', 'skill_errors',
      'skill_pairs', 'skill_paths', 'skill_sessions', 'skill_transitions', 'skill_usage', 'source_files', 'workflow_events',
    ]);
  });

  it('does not hold the file between units of work', async () => {
    const dir = tempDir();
    const store = newStore(dir);
    await store.write((db) => db.run("INSERT INTO meta VALUES ('probe', 'x')"));
    // another process can open it right away
    const other = await DuckDBInstance.create(store.path);
    other.closeSync();
  });

  it('refuses a database written by a newer version, and leaves it untouched', async () => {
    const dir = tempDir();
    const store = newStore(dir);
    await store.write((db) => db.run('INSERT INTO schema_migrations VALUES ($1, now())', [SCHEMA_VERSION + 7]));
    const before = readFileSync(store.path);
    const mtime = statSync(store.path).mtimeMs;
    await assert.rejects(newStore(dir).read(async () => 1), (err: unknown) => {
      assert.ok(err instanceof SchemaTooNewError);
      assert.match((err as Error).message, new RegExp(`schema version ${SCHEMA_VERSION + 7}, but this Skill Metrics only knows up to ${SCHEMA_VERSION}.*Nothing was changed`));
      return true;
    });
    assert.ok(readFileSync(store.path).equals(before));
    assert.equal(statSync(store.path).mtimeMs, mtime);
    const run = await cli(store.path, 'health', '--json');
    assert.equal(run.code, 3);
    assert.match(run.json.error, /newer version/);
  });

  it('refuses a DuckDB file of something else, and a file that is not a database', async () => {
    const dir = tempDir();
    const foreign = path.join(dir, 'other.duckdb');
    const inst = await DuckDBInstance.create(foreign);
    const conn = await inst.connect();
    await conn.run('CREATE TABLE invoices (id INTEGER)');
    conn.closeSync();
    inst.closeSync();
    await assert.rejects(new Store({ path: foreign, displayTimeZone: 'UTC' }).read(async () => 1), /database of something else/);
    const junk = path.join(dir, 'junk.duckdb');
    writeFileSync(junk, 'hello, I am a text file pretending to be a database');
    const run = await cli(junk, 'projects', '--json');
    assert.equal(run.code, 3);
    assert.match(run.json.error, /Cannot open the database/);
  });

  it('waits for another process\'s lock instead of failing, and gives up clearly after the timeout', async () => {
    const dir = tempDir();
    const store = newStore(dir);
    await store.write(async () => undefined); // create it
    const holder = await holdLock(store.path);
    const waiting = logged(/locked by another process; waiting/);
    let released = false;
    try {
      const read = store.read((db) => db.one<{ n: number }>('SELECT count(*) AS n FROM projects')).then((n) => ({ n, released }));
      await waiting.seen; // it met the lock and waits: no error
      released = true;
      await holder.release();
      const result = await read;
      assert.equal(result.n?.n, 0);
      assert.equal(result.released, true, 'it got in only once the other process let go');
    } finally {
      waiting.dispose();
    }

    const holder2 = await holdLock(store.path);
    try {
      const impatient = new Store({ path: store.path, displayTimeZone: 'UTC', lockTimeoutMs: 500 });
      await assert.rejects(impatient.read(async () => 1), (err: unknown) => {
        assert.ok(err instanceof DatabaseUnavailableError);
        assert.match((err as Error).message, /stayed locked by another process/);
        return true;
      });
    } finally {
      await holder2.release();
    }
  });

  it('serves concurrent units of work in one process from one open file', async () => {
    const store = newStore();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.read((db) => db.one<{ v: number }>('SELECT $1::INTEGER * 2 AS v', [i]))));
    assert.deepEqual(results.map((r) => r!.v), [0, 2, 4, 6, 8, 10, 12, 14]);
    await Promise.all([
      store.write((db) => db.run("INSERT INTO meta VALUES ('a', '1')")),
      store.read((db) => db.all('SELECT * FROM meta')),
      store.write((db) => db.run("INSERT INTO meta VALUES ('b', '2')")),
    ]);
    const keys = await store.read((db) => db.all<{ key: string }>("SELECT key FROM meta WHERE key IN ('a', 'b') ORDER BY key"));
    assert.deepEqual(keys.map((k) => k.key), ['a', 'b']);
  });

  it('keeps DuckDB away from the network: no extension auto-install or auto-load', async () => {
    const store = newStore();
    const settings = await store.read((db) =>
      db.all<{ name: string; value: string }>(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions') ORDER BY name"));
    assert.deepEqual(settings.map((s) => [s.name, s.value]), [
      ['allow_community_extensions', 'false'], ['autoinstall_known_extensions', 'false'], ['autoload_known_extensions', 'false'],
    ]);
    // an extension that is not built in cannot be pulled in behind our back
    await assert.rejects(store.read((db) => db.all("SELECT * FROM read_xlsx('x.xlsx')")), /not (?:been )?loaded|not found|does not exist|Catalog Error/i);
  });
});

describe('store: sharing the file with another process', () => {
  // Not timed (a busy machine stretches any time): the other process must get in while this one keeps
  // querying; one that never let go would keep it out for good (its own bound: 120 s of trying).
  it('a process that keeps querying still lets another one in', async () => {
    const dir = tempDir();
    const busy = new Store({ path: path.join(dir, 'skill_metrics.duckdb'), displayTimeZone: 'UTC', lingerMs: 10_000, maxHoldMs: 300 });
    await busy.write(async () => undefined);
    let stop = false;
    let queries = 0;
    const loop = (async () => {
      while (!stop) {
        await busy.read((db) => db.one('SELECT count(*) FROM projects'));
        queries++;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    // another process tries to open the file while this one queries in a tight loop
    const started = Date.now();
    const child = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require('@duckdb/node-api');
      (async () => {
        const t0 = Date.now();
        for (;;) {
          try { const db = await DuckDBInstance.create(${JSON.stringify(busy.path)}); db.closeSync(); process.exit(0); }
          catch (e) { if (!/lock/i.test(e.message)) { console.error(e.message); process.exit(2); } if (Date.now() - t0 > 120000) process.exit(3); await new Promise((r) => setTimeout(r, 20)); }
        }
      })();
    `], { cwd: path.resolve(__dirname, '../../..'), stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waited = Date.now() - started;
    const atEntry = queries;
    // Still querying after the other process got in: it was let in, not waited out.
    while (queries < atEntry + 5) await busy.read((db) => db.one('SELECT 1')).then(() => queries++);
    stop = true;
    await loop;
    busy.close();
    assert.equal(code, 0, code === 3 ? 'the other process never got in (120 s)' : `the other process failed (${code})`);
    assert.ok(atEntry > 0, `this process was querying when the other got in (${atEntry} queries)`);
    console.log(`      the other process got in after ${waited} ms, while this one ran ${atEntry} queries`);
  });

  it('a unit of work can be cancelled: the running query is interrupted and its transaction rolled back', async () => {
    const store = newStore();
    const controller = new AbortController();
    const slow = store.write((db) =>
      db.transaction(async () => {
        await db.run("INSERT INTO meta VALUES ('partial', 'x')");
        setTimeout(() => controller.abort(), 100);
        await db.one('SELECT count(*) FROM range(3000000000) a'); // seconds of work
        return 'finished';
      }), { signal: controller.signal });
    await assert.rejects(slow, { name: 'CancelledError' });
    const row = await store.read((db) => db.one("SELECT count(*) AS n FROM meta WHERE key = 'partial'"));
    assert.deepEqual(row, { n: 0 });
  });
});
