/**
 * Issue 15, point 6: a pending invocation (saved before it finished: not completed, no duration, no
 * error, no follow-ups) is a use in progress: counted (and counted apart), left out of success rate and durations.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { collect } from '../../../src/ingest/collector';
import { ensureDerived } from '../../../src/analytics/derived';
import { effectiveness } from '../../../src/analytics/effectiveness';
import { compareSkill } from '../../../src/analytics/compare';
import { keyFigures } from '../../../src/analytics/overview';
import { sessionOverview, sessionTimeline, sessions } from '../../../src/analytics/sessions';
import { topSkills } from '../../../src/analytics/topSkills';
import { workflowSkills } from '../../../src/analytics/workflows';
import type { Inv } from '../helpers';
import { cli, handBuilt, newStore, tempDir } from '../helpers';

const RECORDS: Inv[] = [
  { skill: 'review', at: '2026-03-01T10:00:00', dur: 10, path: 'daily', session: 's1' },
  { skill: 'review', at: '2026-03-01T10:05:00', dur: 30, path: 'daily', session: 's1' },
  { skill: 'review', at: '2026-03-01T10:10:00', ok: false, dur: 5, err: 'timeout', path: 'daily', session: 's1' },
  // pending: saved before it finished
  { skill: 'review', at: '2026-03-01T10:20:00', ok: false, dur: null, path: 'daily', session: 's1' },
  // a skill that has only a pending run so far
  { skill: 'draft', at: '2026-03-01T10:25:00', ok: false, dur: null, session: 's1' },
];

async function build() {
  const root = tempDir();
  const dir = handBuilt(root, 'alpha', RECORDS);
  const store = newStore(root, 'UTC');
  await collect(store, { register: [dir], sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  return { root, dir, store };
}

describe('pending invocations', () => {
  it('are left out of success rate and durations and counted apart, in every analysis', async () => {
    const { store } = await build();
    await ensureDerived(store, 30);
    // all time reads the aggregates, dates the records
    for (const query of [{ window: 'all' as const }, { since: '2026-03-01', until: '2026-03-02' }]) {
      const top = await store.read((db) => topSkills(db, query));
      assert.deepEqual(top.map((t) => [t.skill_name, t.total_invocations, t.completed_invocations, t.pending_invocations, t.success_rate, t.avg_duration_seconds]),
        [['review', 4, 2, 1, 2 / 3, 20]], `top ${JSON.stringify(query)}; draft is not listed until a run finishes`);
    }
    const eff = await store.read((db) => effectiveness(db, 'review', { minEvidence: 1 }));
    assert.deepEqual([eff.total_invocations, eff.completed_invocations, eff.pending_invocations, eff.success_rate, eff.p50_duration_seconds],
      [4, 2, 1, 2 / 3, 20]);
    assert.deepEqual(eff.workflow_paths, [{ workflow_path: 'daily', count: 3, success_rate: 2 / 3 }]);
    const draft = await store.read((db) => effectiveness(db, 'draft', { minEvidence: 1 }));
    assert.deepEqual([draft.found, draft.total_invocations, draft.pending_invocations, draft.success_rate, draft.enough_evidence], [true, 1, 1, null, false]);
    const cmp = await store.read((db) => compareSkill(db, 'review'));
    assert.deepEqual(cmp.map((c) => [c.total_invocations, c.pending_invocations, c.success_rate]), [[4, 1, 2 / 3]]);
    const wf = await store.read((db) => workflowSkills(db));
    assert.deepEqual(wf.filter((w) => w.kind === 'path').map((w) => [w.workflow, w.skill_name, w.invocations, w.success_rate]), [['daily', 'review', 3, 2 / 3]]);
    for (const range of [{ from: null, to: null }, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') }]) {
      const k = await store.read((db) => keyFigures(db, range));
      assert.deepEqual([k.invocations, k.completed, k.success_rate], [5, 2, 2 / 3], JSON.stringify(range));
    }
    const overview = await store.read((db) => sessionOverview(db));
    assert.equal(overview.skill_completion_rate, 2 / 3);
    const [s1] = await store.read((db) => sessions(db));
    const timeline = await store.read((db) => sessionTimeline(db, { projectId: s1!.project_id, sessionId: 's1' }));
    assert.deepEqual(timeline.invocations.map((i) => [i.skill_name, i.pending]), [['review', false], ['review', false], ['review', false], ['review', true], ['draft', true]]);
  });

  it('the CLI shows the pending count beside the figures', async () => {
    const { root, dir } = await build();
    const db = path.join(root, 'cli.duckdb');
    await cli(db, 'collect', dir);
    const top = await cli(db, 'top', '--json');
    assert.deepEqual(top.json.map((t: { skill_name: string; pending_invocations: number; success_rate: number }) => [t.skill_name, t.pending_invocations, t.success_rate]), [['review', 1, 2 / 3]]);
  });
});
