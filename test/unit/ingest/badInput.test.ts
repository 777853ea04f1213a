/**
 * Bad input (issue: a test each). Every case: a clear problem naming the file and the reason, CLI exit
 * code 1, every record stored earlier still there, other projects still collected.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { collect } from '../../../src/ingest/collector';
import { cli, newStore, project, tempDir, v1, v1File, writeSource } from '../helpers';

interface Scenario {
  db: string;
  root: string;
  good: string;
  bad: string;
  badFile: string;
}

/** Two projects collected once with valid data (good: 1 record, bad: 2 records); then `good` gains a record. */
async function scenario(): Promise<Scenario> {
  const root = tempDir();
  const good = project(root, 'good');
  const bad = project(root, 'bad');
  writeSource(good, 'skill_metrics.json', v1File([v1()]));
  const badFile = writeSource(bad, 'skill_metrics.json', v1File([v1(), v1({ invoked_at: '2026-02-12T00:00:00' })]));
  const db = path.join(root, 'db', 'skill_metrics.duckdb');
  const first = await cli(db, 'collect', good, bad, '--json');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.json.records_added, 3);
  writeSource(good, 'skill_metrics.json', v1File([v1(), v1({ invoked_at: '2026-02-13T00:00:00' })]));
  return { db, root, good, bad, badFile };
}

/** Collects everything with the CLI and checks the contract of a bad input. */
async function expectProblem(s: Scenario, file: string, reason: RegExp, extraArgs: string[] = []): Promise<void> {
  const run = await cli(s.db, 'collect', '--json', ...extraArgs);
  assert.equal(run.code, 1, `exit code 1 expected; stderr: ${run.stderr}`);
  const problem = run.json.problems.find((p: { file: string }) => p.file === file);
  assert.ok(problem, `a problem naming ${file}; got ${JSON.stringify(run.json.problems)}`);
  assert.match(problem.message, reason);
  assert.equal(run.json.records_added, 1, 'the good project was still collected');
  const projects = await cli(s.db, 'projects', '--json');
  const counts = Object.fromEntries(projects.json.map((p: { project_name: string; total_invocations: number }) => [p.project_name, p.total_invocations]));
  assert.deepEqual(counts, { bad: 2, good: 2 }, 'records stored earlier are all still there');
}

describe('bad input', () => {
  it('a file that is not JSON', async () => {
    const s = await scenario();
    writeFileSync(s.badFile, 'this is not json {');
    await expectProblem(s, s.badFile, /not valid JSON: .*(still so after 4 reads)/);
  });

  it('a file caught half-written is read again and ingested whole once complete', async () => {
    const s = await scenario();
    const complete = JSON.stringify(v1File([v1(), v1({ invoked_at: '2026-02-12T00:00:00' }), v1({ invoked_at: '2026-02-14T00:00:00' })]), null, 2);
    writeFileSync(s.badFile, complete.slice(0, Math.floor(complete.length / 2))); // the writer truncated and is mid-write
    const store = newStore(path.dirname(s.db));
    const retries: string[] = [];
    const r = await collect(store, {
      sourceTimeZone: 'UTC', maxFileBytes: 100 << 20, origin: 'test', retryDelaysMs: [50, 50, 50],
      onRetry: (file, _attempt, reason) => {
        retries.push(reason);
        writeFileSync(file, complete); // ...and finishes a moment later
      },
    });
    assert.equal(retries.length, 1);
    assert.match(retries[0]!, /not valid JSON/);
    assert.deepEqual(r.problems, []);
    assert.equal(r.records_added, 2, 'the new record of the bad project and the new one of the good project');
  });

  it('a file that stays half-written is reported, not taken as empty', async () => {
    const s = await scenario();
    writeFileSync(s.badFile, '{"invocations": [{"skill_name": "a", "invoked_at": "2026-0');
    await expectProblem(s, s.badFile, /not valid JSON/);
  });

  it('a top-level array where an object is expected', async () => {
    const s = await scenario();
    writeFileSync(s.badFile, JSON.stringify([v1()]));
    await expectProblem(s, s.badFile, /expected a JSON object with an "invocations" array, found an array/);
  });

  it('"invocations" that is not an array', async () => {
    const s = await scenario();
    writeFileSync(s.badFile, JSON.stringify({ invocations: { a: 1 }, skills: {} }));
    await expectProblem(s, s.badFile, /"invocations" must be an array, found an object/);
    writeFileSync(s.badFile, JSON.stringify({ skills: {} }));
    const run = await cli(s.db, 'collect', '--json');
    assert.match(run.json.problems.find((p: { file: string }) => p.file === s.badFile).message, /no "invocations" array/);
  });

  it('records with wrong types are skipped and counted; the rest of the file is ingested', async () => {
    const s = await scenario();
    writeFileSync(s.badFile, JSON.stringify(v1File([
      v1(), v1({ invoked_at: '2026-02-12T00:00:00' }),
      v1({ invoked_at: '2026-02-15T00:00:00', completed: 'yes' }),
      v1({ invoked_at: '2026-02-16T00:00:00', completed: 1 }),
      v1({ invoked_at: 'last tuesday' }),
      v1({ invoked_at: '2026-02-17T00:00:00', skill_name: '' }),
      v1({ invoked_at: '2026-02-18T00:00:00', follow_up_actions: [1, 2] }),
      'not an object' as unknown as Record<string, unknown>,
      v1({ invoked_at: '2026-02-19T00:00:00', skill_name: 'fine' }),
    ])));
    const run = await cli(s.db, 'collect', '--json');
    assert.equal(run.code, 1);
    assert.equal(run.json.skipped_invalid, 6);
    assert.equal(run.json.records_added, 2, 'the valid new record of the bad file and the good project\'s');
    const problem = run.json.problems.find((p: { file: string }) => p.file === s.badFile);
    assert.match(problem.message, /^6 records skipped \(1× completed: expected boolean, received number; 1× completed: expected boolean, received string; /);
    assert.match(problem.message, /e\.g\. invocations\[2\]: completed: expected boolean, received string/);
    const health = await cli(s.db, 'health', '--json');
    assert.equal(health.json.ok, false);
    assert.match(health.json.problems[0].message, /6 records skipped as invalid/);
  });

  it('empty and 0-byte files', async () => {
    const s = await scenario();
    writeFileSync(s.badFile, '');
    await expectProblem(s, s.badFile, /file is empty \(0 bytes\)/);
    writeFileSync(s.badFile, '  \n\t\n');
    const run = await cli(s.db, 'collect', '--json');
    assert.equal(run.code, 1);
    assert.match(run.json.problems[0].message, /file is empty \(5 bytes of whitespace\)/);
  });

  it('a file over the size limit (100 MB+)', async () => {
    const s = await scenario();
    const head = JSON.stringify(v1File([v1()])).slice(0, -1);
    writeFileSync(s.badFile, `${head}, "padding": "${'x'.repeat(101 * 1024 * 1024)}"}`);
    await expectProblem(s, s.badFile, /file is too large: 101 MB, the limit is 100 MB \(raise skillMetrics.maxFileSizeMB or --max-file-mb/);
    // with a higher limit it is read
    const run = await cli(s.db, 'collect', '--json', '--max-file-mb', '200');
    assert.equal(run.code, 0, JSON.stringify(run.json?.problems));
  });

  it('a file this user may not read', async () => {
    const s = await scenario();
    // a writer (another user, a container) rewrote the file with permissions this user lacks
    writeFileSync(s.badFile, JSON.stringify(v1File([v1(), v1({ invoked_at: '2026-02-20T00:00:00' })])));
    chmodSync(s.badFile, 0o000);
    if (process.getuid?.() !== 0) {
      await expectProblem(s, s.badFile, /permission denied/);
      return;
    }
    // root reads anything (CAP_DAC_OVERRIDE): run the CLI as root without the capabilities that bypass file
    // permissions (util-linux's setpriv), so the build, the database and every folder stay reachable
    // wherever the clone lies, and only the file's own mode keeps it out.
    const cliJs = path.resolve(__dirname, '../../../dist/cli.js');
    assert.ok(existsSync(cliJs), 'dist/cli.js is built before the unit tests (npm test builds first)');
    const drop = '-dac_override,-dac_read_search';
    const run = spawnSync('setpriv', [`--inh-caps=${drop}`, `--bounding-set=${drop}`, '--',
      process.execPath, cliJs, '--db', s.db, '--source-tz', 'UTC', '--display-tz', 'UTC', 'collect', '--json'], {
      encoding: 'utf8', env: { PATH: process.env.PATH, HOME: s.root },
    });
    assert.equal(run.error, undefined, `setpriv (util-linux) runs: ${run.error?.message}`);
    assert.equal(run.status, 1, `${run.stderr}\n${run.stdout}`);
    const json = JSON.parse(run.stdout);
    assert.match(json.problems.find((p: { file: string }) => p.file === s.badFile).message, /permission denied/);
    assert.equal(json.records_added, 1);
    const projects = await cli(s.db, 'projects', '--json');
    assert.deepEqual(projects.json.map((p: { total_invocations: number }) => p.total_invocations), [2, 2]);
  });

  it('a symlink loop, as the file and as a folder', async () => {
    const s = await scenario();
    unlinkSync(s.badFile);
    symlinkSync(s.badFile, s.badFile); // points at itself
    symlinkSync(s.bad, path.join(s.bad, 'loop')); // a folder loop must not stall discovery
    await expectProblem(s, s.badFile, /symbolic link loop/);
  });

  it('a registered project folder that was deleted or renamed', async () => {
    const s = await scenario();
    renameSync(s.bad, `${s.bad}-renamed`);
    await expectProblem(s, s.bad, /project folder not found \(deleted or renamed\?\); its records are kept/);
    rmSync(`${s.bad}-renamed`, { recursive: true, force: true });
    const health = await cli(s.db, 'health', '--json');
    assert.match(health.json.problems[0].message, /project folder not found/);
  });

  it('bytes that are not UTF-8', async () => {
    const s = await scenario();
    const text = JSON.stringify(v1File([v1({ skill_name: 'café' })]));
    const bytes = Buffer.from(text.replace('café', 'caf\u0000'), 'utf8');
    bytes[bytes.indexOf(0)] = 0xe9; // Latin-1 é: invalid in UTF-8
    writeFileSync(s.badFile, bytes);
    await expectProblem(s, s.badFile, new RegExp(`not UTF-8 text: invalid byte sequence at offset ${bytes.indexOf(0xe9)}`));
  });

  it('an unreadable .session-buddy folder and a project path that is a file', async () => {
    const s = await scenario();
    const sb = path.join(s.bad, '.session-buddy');
    rmSync(sb, { recursive: true });
    mkdirSync(path.join(s.bad, 'x'));
    symlinkSync(path.join(s.bad, 'x', 'nowhere'), sb); // dangling
    const run = await cli(s.db, 'collect', '--json');
    assert.equal(run.code, 1);
    assert.match(run.json.problems[0].message, /cannot list this folder: file disappeared|cannot list this folder/);
    assert.equal(run.json.records_added, 1);
  });
});
