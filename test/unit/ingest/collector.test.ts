import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { registerProject, unregisterProject } from '../../../src/analytics/projects';
import type { Store } from '../../../src/analytics/store';
import type { CollectOptions } from '../../../src/ingest/collector';
import { collect } from '../../../src/ingest/collector';
import { WorkerPool } from '../../../src/ingest/workerPool';
import { generate } from '../../../src/demo/generator';
import type { GeneratedInvocation } from '../../../src/demo/generator';
import { newStore, project, tempDir, v1, v1File, writeSource } from '../helpers';

const base: CollectOptions = { sourceTimeZone: 'UTC', maxFileBytes: 100 << 20, origin: 'test', retryDelaysMs: [] };

async function count(store: Store, sql = 'SELECT count(*) AS n FROM skill_usage', params: unknown[] = []): Promise<number> {
  return (await store.read((db) => db.one<{ n: number }>(sql, params)))!.n;
}

/** Bumps mtime so a rewrite within the same millisecond is still seen as a change. */
function touch(file: string, secondsAhead: number): void {
  const t = Date.now() / 1000 + secondsAhead;
  utimesSync(file, t, t);
}

describe('collector', () => {
  it('is idempotent: a second collection adds nothing and reads nothing', async () => {
    const root = tempDir();
    const p = project(root, 'alpha');
    writeSource(p, 'skill_metrics.json', v1File([v1(), v1({ invoked_at: '2026-02-11T10:00:00' })]));
    const store = newStore(root);
    await store.write((db) => registerProject(db, p, { source: 'cli' }));
    const first = await collect(store, base);
    assert.equal(first.records_added, 2);
    assert.equal(first.files_read, 1);
    const second = await collect(store, base);
    assert.deepEqual([second.records_added, second.files_read, second.records_seen], [0, 0, 0]);
    // the same content with a new mtime is hashed, found equal, and not parsed
    touch(path.join(p, '.session-buddy', 'skill_metrics.json'), 5);
    const third = await collect(store, base);
    assert.deepEqual([third.records_added, third.records_seen], [0, 0]);
    assert.equal(await count(store), 2);
  });

  it('adds only the new records of a rewritten file, and keeps records that vanished from it (B3)', async () => {
    const root = tempDir();
    const p = project(root, 'alpha');
    const file = writeSource(p, 'skill_metrics.json', v1File([v1({ invoked_at: '2026-02-11T09:00:00' }), v1({ invoked_at: '2026-02-11T10:00:00' })]));
    const store = newStore(root);
    await store.write((db) => registerProject(db, p, { source: 'cli' }));
    await collect(store, base);
    // another writer rewrote the file from stale state: one old record lost, two new ones added
    writeFileSync(file, JSON.stringify(v1File([v1({ invoked_at: '2026-02-11T10:00:00' }), v1({ invoked_at: '2026-02-11T11:00:00' }), v1({ invoked_at: '2026-02-11T12:00:00' })])));
    touch(file, 5);
    const r = await collect(store, base);
    assert.equal(r.records_seen, 3);
    assert.equal(r.records_added, 2);
    assert.equal(await count(store), 4);
  });

  it('updates an invocation first seen pending once it is seen finished, and never regresses it (B8)', async () => {
    const root = tempDir();
    const p = project(root, 'alpha');
    const pending = v1({ skill_name: 'session-checkpoint', completed: false, duration_seconds: null, follow_up_actions: [], error_type: null });
    const file = writeSource(p, 'skill_metrics.json', v1File([pending]));
    const store = newStore(root);
    await store.write((db) => registerProject(db, p, { source: 'cli' }));
    await collect(store, base);
    writeFileSync(file, JSON.stringify(v1File([{ ...pending, completed: true, duration_seconds: 42.5, follow_up_actions: ['git commit'] }])));
    touch(file, 5);
    const r = await collect(store, base);
    assert.deepEqual([r.records_added, r.records_updated], [0, 1]);
    const row = await store.read((db) => db.one<{ completed: boolean; duration_seconds: number; follow_up_actions: string[] }>(
      'SELECT completed, duration_seconds, follow_up_actions FROM skill_usage'));
    assert.deepEqual(row, { completed: true, duration_seconds: 42.5, follow_up_actions: ['git commit'] });
    // a stale writer puts the pending state back: the finished record stays finished
    writeFileSync(file, JSON.stringify(v1File([pending])));
    touch(file, 10);
    const again = await collect(store, base);
    assert.deepEqual([again.records_added, again.records_updated], [0, 0]);
    assert.equal(await count(store, 'SELECT count(*) AS n FROM skill_usage WHERE completed'), 1);
  });

  it('stores each invocation once even when several files of the project hold it', async () => {
    const root = tempDir();
    const p = project(root, 'alpha');
    const inv = { ...v1(), session_id: 's1' };
    writeSource(p, 'skill_metrics.json', { invocations: [inv, inv] });
    writeSource(p, 'correlated_session.json', { sessions: { s1: { session_id: 's1', skill_invocations: [inv], workflow_events: [] } } });
    const store = newStore(root);
    await store.write((db) => registerProject(db, p, { source: 'cli' }));
    const r = await collect(store, base);
    assert.equal(r.records_seen, 3);
    assert.equal(r.records_added, 1);
  });

  it('reads naive JSON times in the source zone and SQLite times as UTC; records the raw string', async () => {
    const root = tempDir();
    const p = project(root, 'alpha');
    writeSource(p, 'skill_metrics.json', v1File([v1({ invoked_at: '2026-07-01T12:00:00' }), v1({ invoked_at: '2026-07-01T12:00:00+00:00', skill_name: 'b' })]));
    const store = newStore(root);
    await store.write((db) => registerProject(db, p, { source: 'cli' }));
    await collect(store, { ...base, sourceTimeZone: 'America/New_York' });
    const rows = await store.read((db) => db.all<{ skill_name: string; invoked_at: Date; invoked_at_raw: string; tz_assumed: boolean }>(
      'SELECT skill_name, invoked_at, invoked_at_raw, tz_assumed FROM skill_usage ORDER BY skill_name DESC'));
    assert.deepEqual(rows.map((r) => [r.skill_name, r.invoked_at.toISOString(), r.invoked_at_raw, r.tz_assumed]), [
      ['crackerjack-run', '2026-07-01T16:00:00.000Z', '2026-07-01T12:00:00', true],
      ['b', '2026-07-01T12:00:00.000Z', '2026-07-01T12:00:00+00:00', false],
    ]);
  });

  it('does not collect unregistered projects, and keeps their history', async () => {
    const root = tempDir();
    const a = project(root, 'alpha');
    const b = project(root, 'beta');
    writeSource(a, 'skill_metrics.json', v1File([v1()]));
    writeSource(b, 'skill_metrics.json', v1File([v1()]));
    const store = newStore(root);
    await store.write(async (db) => {
      await registerProject(db, a, { source: 'cli' });
      await registerProject(db, b, { source: 'cli' });
    });
    assert.equal((await collect(store, base)).records_added, 2);
    await store.write((db) => unregisterProject(db, 'beta'));
    writeSource(b, 'skill_metrics.json', v1File([v1(), v1({ invoked_at: '2026-03-01T00:00:00' })]));
    const r = await collect(store, base);
    assert.equal(r.projects, 1);
    assert.equal(r.records_added, 0);
    assert.equal(await count(store), 2);
  });

  it('finds nested .session-buddy folders, the skills.db folder quirk, and skips dependency folders', async () => {
    const root = tempDir();
    const p = project(root, 'mono');
    writeSource(path.join(p, 'services', 'api'), 'skill_metrics.json', v1File([v1()]));
    writeSource(path.join(p, 'node_modules', 'pkg'), 'skill_metrics.json', v1File([v1({ invoked_at: '2026-01-01T00:00:00' })]));
    writeSource(path.join(p, '.venv'), 'skill_metrics.json', v1File([v1({ invoked_at: '2026-01-02T00:00:00' })]));
    writeSource(path.join(p, 'a', 'b', 'c', 'd'), 'skill_metrics.json', v1File([v1({ invoked_at: '2026-01-03T00:00:00' })])); // too deep
    const store = newStore(root);
    await store.write((db) => registerProject(db, p, { source: 'cli' }));
    const r = await collect(store, base);
    assert.equal(r.files, 1);
    assert.equal(r.records_added, 1);
  });

  it('matches the generator\'s ground truth for every format, parsed inline and in worker threads', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 5, records: 600, seed: 7, keep: true, writerTimeZone: 'Europe/Berlin' });
    for (const useWorkers of [false, true]) {
      const store = newStore(tempDir());
      const pool = useWorkers ? new WorkerPool({ size: 2, minBytes: 0 }) : undefined;
      try {
        const r = await collect(store, { ...base, sourceTimeZone: 'Europe/Berlin', register: projects.map((p) => p.dir), loader: pool?.loader });
        assert.deepEqual(r.problems, []);
        const expected = projects.flatMap((p) => p.invocations!);
        const events = projects.reduce((n, p) => n + p.events!.length, 0);
        assert.equal(r.records_added, expected.length + events);
        // per-skill figures, computed here from the generator's records, not with SQL
        const bySkill = new Map<string, GeneratedInvocation[]>();
        for (const i of expected) bySkill.set(i.skill, [...(bySkill.get(i.skill) ?? []), i]);
        const rows = await store.read((db) => db.all<{ skill_name: string; n: number; ok: number; dur: number | null; fu: number; first: Date }>(
          `SELECT skill_name, count(*) AS n, count(*) FILTER (WHERE completed) AS ok, sum(duration_seconds) AS dur,
                  sum(len(follow_up_actions)) AS fu, min(invoked_at) AS first FROM skill_usage GROUP BY ALL`));
        assert.equal(rows.length, bySkill.size);
        for (const row of rows) {
          const list = bySkill.get(row.skill_name)!;
          assert.equal(row.n, list.length, row.skill_name);
          assert.equal(row.ok, list.filter((i) => i.completed).length, row.skill_name);
          const durations = list.filter((i) => i.duration !== null);
          assert.ok(Math.abs((row.dur ?? 0) - durations.reduce((s, i) => s + i.duration!, 0)) < 1e-6, row.skill_name);
          assert.equal(row.fu, list.reduce((s, i) => s + i.followUps.length, 0));
          assert.equal(row.first.getTime(), Math.min(...list.map((i) => i.at)), row.skill_name);
        }
      } finally {
        await pool?.close();
      }
    }
  });

  it('stores the files of new projects together exactly as one by one: records, file rows, versions, changed ranges', async () => {
    const root = tempDir();
    // every format: projects with several files (invocations, workflow events, SQLite), so groups must split them
    const projects = await generate({ outDir: root, projects: 7, records: 120, seed: 7, writerTimeZone: 'Europe/Berlin' });
    const dump = (store: Store) =>
      store.read(async (db) => ({
        usage: await db.all(`SELECT record_id::VARCHAR AS id, project_id, skill_name, invoked_at, invoked_at_raw, tz_assumed, completed, duration_seconds,
            workflow_path, error_type, error_raw, follow_up_actions, session_id, source_format, source_file FROM skill_usage ORDER BY id`),
        events: await db.all('SELECT record_id::VARCHAR AS id, project_id, event_type, ts, success, source_file FROM workflow_events ORDER BY id'),
        files: await db.all(`SELECT path, project_id, kind, format, records_seen, records_added, records_updated, records_invalid, invalid_reasons::VARCHAR AS reasons,
            last_problem, prefix_records FROM source_files ORDER BY path`),
        versions: await db.all(`SELECT p.project_id, p.data_version, c.data_version AS changed_version, c.first_invoked_at
            FROM projects p LEFT JOIN changed_ranges c USING (project_id) ORDER BY p.project_id, changed_version`),
      }));
    const run = async (name: string, groupRecords: number) => {
      const store = newStore(path.join(root, name));
      const result = await collect(store, { ...base, sourceTimeZone: 'Europe/Berlin', register: projects.map((p) => p.dir), groupRecords });
      return { result: { ...result, duration_ms: 0 }, rows: await dump(store) };
    };
    const oneByOne = await run('one-by-one', 1);
    const together = await run('together', 1_000_000);
    assert.ok(oneByOne.result.records_added > 7 * 100, `stored ${oneByOne.result.records_added}`);
    assert.ok(oneByOne.rows.events.length > 0, 'the data has workflow events');
    assert.ok(new Set((oneByOne.rows.files as { project_id: string }[]).map((f) => f.project_id)).size < oneByOne.rows.files.length, 'some project has several files');
    assert.deepEqual(together.result, oneByOne.result);
    assert.deepEqual(together.rows.usage, oneByOne.rows.usage);
    assert.deepEqual(together.rows.events, oneByOne.rows.events);
    assert.deepEqual(together.rows.files, oneByOne.rows.files);
    // one version per project and group instead of one per file: the same projects changed, from the same first time
    const firsts = (rows: unknown[]) => {
      const out = new Map<string, number | null>();
      for (const r of rows as { project_id: string; first_invoked_at: Date | null }[]) {
        const t = r.first_invoked_at?.getTime() ?? null;
        const prior = out.get(r.project_id);
        out.set(r.project_id, prior === undefined || prior === null ? t : t === null ? prior : Math.min(prior, t));
      }
      return [...out];
    };
    assert.deepEqual(firsts(together.rows.versions), firsts(oneByOne.rows.versions));
    rmSync(root, { recursive: true, force: true });
  });

  it('releases the database between groups of files and can be cancelled between files', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 3, records: 50, formats: ['v2'] });
    const store = newStore(root);
    const controller = new AbortController();
    let files = 0;
    await assert.rejects(
      collect(store, { ...base, register: projects.map((p) => p.dir), signal: controller.signal, groupRecords: 1,
        onProgress: () => { if (++files === 2) controller.abort(); } }),
      { name: 'CancelledError' },
    );
    // the first file's transaction landed, nothing half-written
    const landed = await count(store, 'SELECT count(DISTINCT source_file) AS n FROM skill_usage');
    assert.equal(landed, 1);
    const done = await collect(store, base);
    assert.equal(done.problems.length, 0);
    assert.equal(await count(store), 150);
    rmSync(root, { recursive: true, force: true });
  });
});
