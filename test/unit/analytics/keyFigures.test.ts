import assert from 'node:assert/strict';
import { computeAggregates, derivedFreshness } from '../../../src/analytics/derived';
import type { KeyFigures } from '../../../src/analytics/overview';
import { keyFigures, keyFiguresFromRecords } from '../../../src/analytics/overview';
import { listProjects, unregisterProject } from '../../../src/analytics/projects';
import { resolveRange } from '../../../src/analytics/timeRange';
import { generate } from '../../../src/demo/generator';
import { collect } from '../../../src/ingest/collector';
import { newStore, tempDir } from '../helpers';

/** keyFigures' median is approximate (t-digest): the same data may give slightly different estimates. */
function sameFigures(a: KeyFigures, b: KeyFigures, label: string): void {
  const strip = (k: KeyFigures) => ({ ...k, median_duration_seconds: null, previous: k.previous && { ...k.previous, median_duration_seconds: null } });
  assert.deepEqual(strip(a), strip(b), label);
  const close = (x: number | null | undefined, y: number | null | undefined) => (x === null || x === undefined ? y === null || y === undefined : Math.abs(x - y!) <= 0.02 * Math.abs(y!) + 1e-9);
  assert.ok(close(a.median_duration_seconds, b.median_duration_seconds), `${label}: median ${a.median_duration_seconds} vs ${b.median_duration_seconds}`);
  assert.ok(close(a.previous?.median_duration_seconds, b.previous?.median_duration_seconds), `${label}: previous median`);
}

describe('key figures: the plan from aggregates gives the answers of the records', () => {
  it('figures of every range the dashboard asks for, in two display zones, all projects or one', async () => {
    for (const zone of ['UTC', 'America/New_York']) {
      const root = tempDir();
      const projects = await generate({ outDir: root, projects: 3, records: 900, seed: 23, formats: ['v1', 'v2', 'v3'], end: new Date('2026-11-20T18:00:00Z'), days: 90, writerTimeZone: 'UTC' });
      const store = newStore(root, zone);
      await collect(store, { register: projects.map((p) => p.dir), sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
      // An unregistered project is left out by both.
      await store.write((db) => unregisterProject(db, projects[2]!.dir));
      await store.write((db) => computeAggregates(db, {}));
      const now = new Date('2026-11-20T20:30:00Z');
      const ids = (await store.read((db) => listProjects(db))).map((p) => p.project_id);
      assert.equal(ids.length, 2);
      const queries = [{ window: 'all' }, { window: 'today' }, { window: '7d' }, { window: '30d' }, { window: 'all', since: '2026-09-01', until: '2026-09-30' }, { window: 'all', since: '2026-10-15' }];
      for (const project of [undefined, ids[1]]) {
        for (const rq of queries) {
          const range = await store.read((db) => resolveRange(db, { ...rq, now }));
          const q = { project, from: range.from, to: range.to, now };
          const [fast, core] = await store.read(async (db) => [await keyFigures(db, q), await keyFiguresFromRecords(db, q)] as const);
          sameFigures(fast, core, `${zone} ${project ?? 'all'} ${JSON.stringify(rq)}`);
          if (rq.window === '30d') assert.ok(fast.invocations > 0 && fast.previous!.invocations > 0);
        }
      }
      // Bounds that are not whole days are read from the records.
      const odd = { from: new Date('2026-11-01T10:17:00Z'), to: null, now };
      const [fast, core] = await store.read(async (db) => [await keyFigures(db, odd), await keyFiguresFromRecords(db, odd)] as const);
      sameFigures(fast, core, `${zone} odd bounds`);
      // Stale aggregates (records changed since) are not used: the figures follow the records.
      const all = { from: null, to: null, now };
      const before = await store.read((db) => keyFigures(db, all));
      await store.write((db) => unregisterProject(db, ids[0]!));
      assert.equal((await store.read((db) => derivedFreshness(db))).fresh, false);
      const after = await store.read((db) => keyFigures(db, all));
      sameFigures(after, await store.read((db) => keyFiguresFromRecords(db, all)), `${zone} stale aggregates`);
      assert.ok(after.invocations < before.invocations);
    }
  });
});
