import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanup } from '../../../src/analytics/cleanup';
import { computeAggregates, derivedFreshness } from '../../../src/analytics/derived';
import { topSkills } from '../../../src/analytics/topSkills';
import { unregisterProject } from '../../../src/analytics/projects';
import type { Store } from '../../../src/analytics/store';
import { formatNaiveLocal } from '../../../src/common/zonedTime';
import { collect } from '../../../src/ingest/collector';
import { generate } from '../../../src/demo/generator';
import { handBuilt, newStore, tempDir } from '../helpers';

const ZONE = 'Europe/Berlin';

async function collected(root: string, dirs: string[], zone = ZONE): Promise<Store> {
  const store = newStore(root, zone);
  await collect(store, { register: dirs, sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  return store;
}

type Bucket = { skill_name: string; project_id: string; bucket: string; total: number; completed: number; failed: number; abandoned: number };

async function buckets(store: Store, window: string, zone = ZONE): Promise<Bucket[]> {
  const rows = await store.read((db) => db.all<Omit<Bucket, 'bucket'> & { bucket_start: Date }>(
    `SELECT skill_name, project_id, bucket_start, total_invocations AS total, completed_invocations AS completed,
            failed_invocations AS failed, abandoned_invocations AS abandoned
     FROM skill_aggregates WHERE time_window = $1 ORDER BY project_id, skill_name, bucket_start`, [window]));
  return rows.map(({ bucket_start, ...r }) => ({ ...r, bucket: formatNaiveLocal(bucket_start.getTime(), zone, 0).replace('T', ' ') }));
}

describe('aggregates', () => {
  it('put records near midnight and around DST changes into the right day, week and month of the display zone', async () => {
    const root = tempDir();
    // Naive UTC in the files (source zone UTC). Berlin is UTC+1 in winter, UTC+2 from 2026-03-29 01:00Z to 2026-10-25 01:00Z.
    const p = handBuilt(root, 'alpha', [
      { skill: 'a', at: '2026-01-31T22:59:00' }, // 23:59 Sat Jan 31 in Berlin: January, ISO week starting Mon Jan 26
      { skill: 'a', at: '2026-01-31T23:01:00' }, // 00:01 Sun Feb 1 in Berlin: February, same ISO week (Sunday)
      { skill: 'a', at: '2026-02-01T23:30:00' }, // 00:30 Mon Feb 2 in Berlin: new ISO week
      { skill: 'a', at: '2026-03-29T00:30:00' }, // 01:30 CET Sun Mar 29 (before the spring change at 02:00 local)
      { skill: 'a', at: '2026-03-29T21:59:00' }, // 23:59 CEST Sun Mar 29: still March 29 (a 23-hour day)
      { skill: 'a', at: '2026-03-29T22:00:00' }, // 00:00 CEST Mon Mar 30: next day and next week
      { skill: 'a', at: '2026-10-25T00:30:00', ok: false, err: 'timeout' }, // 02:30 CEST, first pass of the repeated hour
      { skill: 'a', at: '2026-10-25T01:30:00', ok: false }, // 02:30 CET, second pass: same day (a 25-hour day)
      { skill: 'a', at: '2026-10-25T22:59:00' }, // 23:59 CET Sun Oct 25
      { skill: 'a', at: '2026-10-25T23:00:00' }, // 00:00 Mon Oct 26
    ]);
    const store = await collected(root, [p]);
    await store.write((db) => computeAggregates(db, {}));
    const daily = (await buckets(store, 'daily')).filter((b) => b.project_id !== '*');
    assert.deepEqual(daily.map((b) => [b.bucket, b.total]), [
      ['2026-01-31 00:00:00', 1], ['2026-02-01 00:00:00', 1], ['2026-02-02 00:00:00', 1], ['2026-03-29 00:00:00', 2],
      ['2026-03-30 00:00:00', 1], ['2026-10-25 00:00:00', 3], ['2026-10-26 00:00:00', 1],
    ]);
    const oct25 = daily.find((b) => b.bucket.startsWith('2026-10-25'))!;
    assert.deepEqual([oct25.completed, oct25.failed, oct25.abandoned], [1, 1, 2], 'failed = not completed with an error; abandoned = all not completed');
    const weekly = (await buckets(store, 'weekly')).filter((b) => b.project_id !== '*');
    assert.deepEqual(weekly.map((b) => [b.bucket, b.total]), [
      ['2026-01-26 00:00:00', 2], ['2026-02-02 00:00:00', 1], ['2026-03-23 00:00:00', 2], ['2026-03-30 00:00:00', 1],
      ['2026-10-19 00:00:00', 3], ['2026-10-26 00:00:00', 1],
    ]);
    const monthly = (await buckets(store, 'monthly')).filter((b) => b.project_id !== '*');
    assert.deepEqual(monthly.map((b) => [b.bucket, b.total]), [['2026-01-01 00:00:00', 1], ['2026-02-01 00:00:00', 2], ['2026-03-01 00:00:00', 3], ['2026-10-01 00:00:00', 4]]);
    // the same data displayed in UTC buckets differently
    const utc = await collected(tempDir(), [p], 'UTC');
    await utc.write((db) => computeAggregates(db, {}));
    const utcDaily = (await buckets(utc, 'daily', 'UTC')).filter((b) => b.project_id !== '*');
    assert.deepEqual(utcDaily.map((b) => [b.bucket.slice(0, 10), b.total]), [
      ['2026-01-31', 2], ['2026-02-01', 1], ['2026-03-29', 3], ['2026-10-25', 4],
    ]);
  });

  it('computes durations, follow-ups and cross-project rows from active projects only; re-aggregation replaces', async () => {
    const root = tempDir();
    const a = handBuilt(root, 'alpha', [
      { skill: 's', at: '2026-05-01T10:00:00', dur: 10, fu: ['git commit'] },
      { skill: 's', at: '2026-05-01T11:00:00', dur: 20, fu: ['git commit', 'run tests', 'x'] },
      { skill: 's', at: '2026-05-01T12:00:00', dur: 30 },
      { skill: 's', at: '2026-05-01T13:00:00', dur: 99, ok: false, err: 'boom' }, // failed: its duration is not averaged
      { skill: 's', at: '2026-05-01T14:00:00', dur: null }, // completed, duration unknown
    ]);
    const b = handBuilt(root, 'beta', [{ skill: 's', at: '2026-05-02T10:00:00', dur: 40 }]);
    const store = await collected(root, [a, b], 'UTC');
    const run1 = await store.write((db) => computeAggregates(db, {}));
    const incremental = await store.write((db) => computeAggregates(db, {}));
    assert.equal(incremental.projects, 0, 'nothing changed: no project is recomputed');
    const run2 = await store.write((db) => computeAggregates(db, { full: true }));
    assert.deepEqual([run1.projects, run2.projects, run1.rows_written], [2, 2, run2.rows_written]);
    const all = await store.read((db) => db.all<Record<string, number | string>>(
      `SELECT project_id, total_invocations, completed_invocations, failed_invocations, duration_count, avg_duration_seconds,
              p50_duration_seconds, p95_duration_seconds, follow_up_total, with_follow_ups, avg_follow_ups, projects
       FROM skill_aggregates WHERE time_window = 'all' ORDER BY project_id = '*', total_invocations`));
    const alpha = all.find((r) => r.total_invocations === 5)!;
    assert.deepEqual(
      [alpha.completed_invocations, alpha.failed_invocations, alpha.duration_count, alpha.avg_duration_seconds, alpha.p50_duration_seconds, alpha.follow_up_total, alpha.with_follow_ups, alpha.avg_follow_ups],
      [4, 1, 3, 20, 20, 4, 2, 0.8],
    );
    assert.ok(Math.abs((alpha.p95_duration_seconds as number) - 29) < 1e-9, 'p95 of 10, 20, 30 (continuous)');
    const star = all.find((r) => r.project_id === '*')!;
    assert.deepEqual([star.total_invocations, star.projects, star.avg_duration_seconds], [6, 2, 25]);
    const count = await store.read((db) => db.one<{ n: number }>('SELECT count(*) AS n FROM skill_aggregates'));
    assert.equal(count!.n, run2.rows_written, 'no duplicates after re-aggregating');
    // unregistering beta: its rows leave the cross-project figures after re-aggregation, and freshness says so
    await store.write((db) => unregisterProject(db, 'beta'));
    assert.equal((await store.read((db) => derivedFreshness(db))).fresh, false);
    await store.write((db) => computeAggregates(db, {}));
    const star2 = await store.read((db) => db.one<{ total_invocations: number }>("SELECT total_invocations FROM skill_aggregates WHERE time_window = 'all' AND project_id = '*'"));
    assert.equal(star2!.total_invocations, 5);
  });

  it('match an independent computation over generated data for every window', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 3, records: 800, seed: 11, keep: true, formats: ['v1', 'v2', 'v3'], writerTimeZone: 'America/New_York' });
    const store = newStore(root, 'Asia/Kolkata');
    const r = await collect(store, { register: projects.map((p) => p.dir), sourceTimeZone: 'America/New_York', maxFileBytes: 1 << 26, origin: 'test' });
    assert.deepEqual(r.problems, []);
    await store.write((db) => computeAggregates(db, {}));
    const ids = new Map((await store.read((db) => db.all<{ project_id: string; project_path: string }>('SELECT project_id, project_path FROM projects'))).map((p) => [p.project_path, p.project_id]));
    const zone = 'Asia/Kolkata';
    const keyOf = (window: string, at: number): string => {
      const local = formatNaiveLocal(at, zone, 0).slice(0, 10);
      if (window === 'daily') return local;
      if (window === 'monthly') return `${local.slice(0, 7)}-01`;
      const d = new Date(`${local}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7)); // back to Monday
      return d.toISOString().slice(0, 10);
    };
    for (const window of ['daily', 'weekly', 'monthly']) {
      const expected = new Map<string, { total: number; completed: number }>();
      for (const p of projects) {
        for (const inv of p.invocations!) {
          for (const project of [ids.get(p.dir)!, '*']) {
            const k = `${project}|${inv.skill}|${keyOf(window, inv.at)}`;
            const e = expected.get(k) ?? { total: 0, completed: 0 };
            e.total++;
            if (inv.completed) e.completed++;
            expected.set(k, e);
          }
        }
      }
      const actual = await buckets(store, window, zone);
      assert.equal(actual.length, expected.size, window);
      for (const a of actual) {
        const e = expected.get(`${a.project_id}|${a.skill_name}|${a.bucket.slice(0, 10)}`);
        assert.ok(e, `${window} ${a.project_id} ${a.skill_name} ${a.bucket}`);
        assert.deepEqual([a.total, a.completed], [e.total, e.completed], `${window} ${a.skill_name} ${a.bucket}`);
      }
    }
  });

  it('top skills from fresh aggregates equal top skills from raw records', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 2, records: 600, seed: 5, formats: ['v2', 'v1'] });
    const store = await collected(root, projects.map((p) => p.dir), 'UTC');
    const now = new Date('2026-11-20T20:00:00Z');
    const raw = await store.read(async (db) => ({ all: await topSkills(db, { limit: 50 }), monthly: await topSkills(db, { limit: 50, window: 'monthly', now }) }));
    await store.write((db) => computeAggregates(db, {}));
    assert.equal((await store.read((db) => derivedFreshness(db))).fresh, true);
    const agg = await store.read(async (db) => ({ all: await topSkills(db, { limit: 50 }), monthly: await topSkills(db, { limit: 50, window: 'monthly', now }) }));
    for (const k of ['all', 'monthly'] as const) {
      assert.ok(raw[k].length > 3);
      assert.equal(agg[k].length, raw[k].length);
      agg[k].forEach((row, i) => {
        const r = raw[k][i]!;
        assert.equal(row.skill_name, r.skill_name);
        for (const f of ['total_invocations', 'completed_invocations', 'projects'] as const) assert.equal(row[f], r[f], `${k} ${f}`);
        for (const f of ['success_rate', 'avg_duration_seconds', 'p95_duration_seconds', 'avg_follow_ups'] as const) {
          assert.ok(Math.abs((row[f] ?? 0) - (r[f] ?? 0)) < 1e-9, `${k} ${row.skill_name} ${f}`);
        }
      });
    }
  });
});

/** Every derived table, in a fixed order, without the time each row was computed (for incremental = full). */
function derivedSnapshot(store: Store): Promise<Record<string, unknown[]>> {
  return store.read(async (db) => {
    const out: Record<string, unknown[]> = {};
    for (const [table, order] of Object.entries({
      skill_aggregates: 'project_id, skill_name, time_window, bucket_start', session_summaries: 'project_id, session_id', skill_sessions: 'project_id, skill_name',
      skill_pairs: 'project_id, skill_a, skill_b', skill_transitions: 'project_id, from_skill, to_skill', skill_errors: 'project_id, skill_name, error_type',
      skill_paths: 'project_id, skill_name, workflow_path',
    })) {
      out[table] = await db.all(`SELECT * EXCLUDE (${table === 'skill_aggregates' ? 'computed_at' : 'project_id'}) ${table === 'skill_aggregates' ? '' : ', project_id'} FROM ${table} ORDER BY ${order}`);
    }
    return out;
  });
}

/** Asserts that the derived tables are what a full recompute gives (and not empty); leaves the full recompute. */
async function assertSameAsFull(store: Store): Promise<void> {
  const incremental = await derivedSnapshot(store);
  await store.write((db) => computeAggregates(db, { full: true }));
  const full = await derivedSnapshot(store);
  for (const table of Object.keys(full)) {
    assert.ok(full[table]!.length > 0, table);
    assert.deepEqual(incremental[table], full[table], table);
  }
}

/** When each cross-project row was computed, by window, bucket and skill. */
async function crossComputedAt(store: Store): Promise<Map<string, { window: string; bucket: Date; at: number }>> {
  const rows = await store.read((db) => db.all<{ time_window: string; bucket_start: Date; skill_name: string; computed_at: Date }>(
    "SELECT time_window, bucket_start, skill_name, computed_at FROM skill_aggregates WHERE project_id = '*'"));
  return new Map(rows.map((r) => [`${r.time_window} ${r.bucket_start.toISOString()} ${r.skill_name}`, { window: r.time_window, bucket: r.bucket_start, at: r.computed_at.getTime() }]));
}

describe('incremental aggregation', () => {
  const opts = { sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test' as const };
  /** Appends to a project's v2 file a copy of its first invocation at `invokedAt` (a new record), newer mtime. */
  const append = (dir: string, invokedAt: string, sessionId: string) => {
    const file = path.join(dir, '.session-buddy', 'skill_metrics.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.invocations.push({ ...doc.invocations[0], invoked_at: invokedAt, session_id: sessionId, completed: false, error_type: 'late-error' });
    writeFileSync(file, JSON.stringify(doc, null, 2));
    utimesSync(file, Date.now() / 1000 + 5, Date.now() / 1000 + 5);
    return doc.invocations as { invoked_at: string }[];
  };

  it('after a collection that only added records, recomputes the cross-project buckets from its earliest record on', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 3, records: 400, seed: 11, formats: ['v2', 'v1', 'v3'] });
    const store = newStore(root, ZONE);
    await collect(store, { ...opts, register: projects.map((p) => p.dir) });
    await store.write((db) => computeAggregates(db, {}));
    const before = await crossComputedAt(store);
    // project-01's writer adds a record in the middle of its history
    const times = JSON.parse(readFileSync(path.join(projects[0]!.dir, '.session-buddy', 'skill_metrics.json'), 'utf8')).invocations.map((i: { invoked_at: string }) => i.invoked_at).sort();
    const middle = times[Math.floor(times.length / 2)] as string;
    append(projects[0]!.dir, middle, 'added-later');
    assert.equal((await collect(store, opts)).records_added, 1);
    const run = await store.write((db) => computeAggregates(db, {}));
    assert.equal(run.projects, 1);
    const after = await crossComputedAt(store);
    // Buckets that end before the new record's month and week began were kept; the rest were recomputed.
    const since = new Date(`${middle}Z`); // the files are naive UTC
    const keptBefore = new Date(since.getTime() - 40 * 86_400_000); // earlier than that month's and week's start
    let kept = 0;
    let recomputed = 0;
    for (const [key, row] of after) {
      const old = before.get(key);
      if (row.window !== 'all' && row.bucket < keptBefore) {
        assert.equal(row.at, old?.at, `${key} kept`);
        kept++;
      } else if (row.window === 'all' || row.bucket >= since) {
        assert.ok(!old || row.at > old.at, `${key} recomputed`);
        recomputed++;
      }
    }
    assert.ok(kept > 50, `${kept} cross-project rows kept`);
    assert.ok(recomputed > 10, `${recomputed} cross-project rows recomputed`);
    await assertSameAsFull(store);
  });

  it('recomputes every cross-project bucket after a clean-up or a display zone change, as a full recompute would', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 2, records: 300, seed: 12, formats: ['v2', 'v1'] });
    let store = newStore(root, ZONE);
    await collect(store, { ...opts, register: projects.map((p) => p.dir) });
    await store.write((db) => computeAggregates(db, {}));
    const times = append(projects[0]!.dir, '2030-01-01T00:00:00', 'future').map((i) => i.invoked_at).sort();
    await collect(store, opts);
    // a clean-up removes the older half of the records, without a record of what changed
    const cut = new Date(`${times[Math.floor(times.length / 2)]}Z`);
    const removed = await store.write((db) => cleanup(db, { olderThanDays: 1, now: new Date(cut.getTime() + 86_400_000) }));
    assert.ok(removed.usage_deleted > 100, `${removed.usage_deleted} removed`);
    await store.write((db) => computeAggregates(db, {}));
    await assertSameAsFull(store);
    // the same database shown in another zone
    store.close();
    store = newStore(root, 'America/New_York');
    const run = await store.write((db) => computeAggregates(db, {}));
    assert.equal(run.projects, 2, 'every project is in another zone now');
    await assertSameAsFull(store);
  });

  it('recomputes only changed projects, and leaves every derived table as a full recompute would', async () => {
    const root = tempDir();
    const projects = await generate({ outDir: root, projects: 3, records: 400, seed: 9, formats: ['v2', 'v1', 'v3'] });
    const store = newStore(root, 'Europe/Berlin');
    await collect(store, { ...opts, register: projects.map((p) => p.dir) });
    await store.write((db) => computeAggregates(db, {}));
    // one project's writer appends, another project is unregistered
    append(projects[0]!.dir, '2026-11-20T23:30:00', 'late');
    assert.equal((await collect(store, opts)).records_added, 1);
    await store.write((db) => unregisterProject(db, 'project-02'));
    const run = await store.write((db) => computeAggregates(db, {}));
    assert.equal(run.projects, 1, 'only the project whose records changed');
    await assertSameAsFull(store);
    const ids = (await store.read((db) => db.all<{ p: string }>("SELECT DISTINCT project_id AS p FROM skill_aggregates WHERE project_id <> '*'"))).length;
    assert.equal(ids, 2, 'the unregistered project has no rows left');
  });
});
