import assert from 'node:assert/strict';
import { compareSkill } from '../../../src/analytics/compare';
import { computeAggregates } from '../../../src/analytics/derived';
import { effectiveness } from '../../../src/analytics/effectiveness';
import { recommendations } from '../../../src/analytics/recommendations';
import type { Store } from '../../../src/analytics/store';
import { fitTrend, trends } from '../../../src/analytics/trends';
import { collect } from '../../../src/ingest/collector';
import type { Inv } from '../helpers';
import { handBuilt, many, newStore, tempDir } from '../helpers';

async function storeWith(projects: [string, Inv[]][]): Promise<Store> {
  const root = tempDir();
  const dirs = projects.map(([name, invs]) => handBuilt(root, name, invs));
  const store = newStore(root, 'UTC');
  const r = await collect(store, { register: dirs, sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  assert.deepEqual(r.problems, []);
  await store.write((db) => computeAggregates(db, {}));
  return store;
}

describe('effectiveness and compare', () => {
  it('reports the figures and insights of one skill, by construction', async () => {
    // 10 invocations: 5 ok on 'daily' (durations 10..50), 5 on 'quick' of which 1 ok (60) and 4 fail (3 timeout, 1 ValueError)
    const invs = many('review', 10, '2026-06-01T10:00:00', (i) =>
      i < 5
        ? { path: 'daily', dur: 10 * (i + 1), fu: i < 2 ? ['a', 'b', 'c', 'd', 'e'] : [] }
        : i === 5
          ? { path: 'quick', dur: 60 }
          : { path: 'quick', ok: false, dur: 1, err: i < 9 ? 'TimeoutError: 300s' : 'ValueError' },
    );
    const store = await storeWith([['alpha', invs], ['beta', [{ skill: 'review', at: '2026-06-03T00:00:00', dur: 5 }]]]);
    const e = await store.read((db) => effectiveness(db, 'review', { project: 'alpha', minEvidence: 5 }));
    assert.deepEqual(
      [e.found, e.total_invocations, e.completed_invocations, e.success_rate, e.avg_duration_seconds, e.p50_duration_seconds, e.avg_follow_ups, e.follow_up_share, e.enough_evidence],
      [true, 10, 6, 0.6, 35, 35, 1, 0.2, true],
    );
    assert.ok(Math.abs(e.p95_duration_seconds! - 57.5) < 1e-9, 'continuous p95 of 10, 20, 30, 40, 50, 60');
    assert.deepEqual(e.top_errors, [{ error_type: 'TimeoutError', count: 3 }, { error_type: 'ValueError', count: 1 }]);
    assert.deepEqual(e.workflow_paths, [{ workflow_path: 'daily', count: 5, success_rate: 1 }, { workflow_path: 'quick', count: 5, success_rate: 0.2 }]);
    assert.equal(e.first_used?.toISOString(), '2026-06-01T10:00:00.000Z');
    assert.deepEqual(e.insights, [
      'Error hotspot: TimeoutError causes 75% of failures (3 of 4).',
      'Workflow path daily succeeds 100% vs 20% on quick: prefer daily.',
    ]);
    // across projects: one more, still not low (7/11)
    const all = await store.read((db) => effectiveness(db, 'review', { minEvidence: 5 }));
    assert.deepEqual([all.total_invocations, all.completed_invocations], [11, 7]);
    // below the minimum evidence: not rated
    const beta = await store.read((db) => effectiveness(db, 'review', { project: 'beta', minEvidence: 5 }));
    assert.equal(beta.enough_evidence, false);
    assert.deepEqual(beta.insights, ['Not enough data: 1 invocation; at least 5 are needed to rate a skill.']);
    // a time range: June 1 10:00-10:04 (the 5 'daily' runs) only
    const firstFive = await store.read((db) => effectiveness(db, 'review', { project: 'alpha', minEvidence: 5, since: '2026-06-01', until: '2026-06-01' }));
    assert.deepEqual([firstFive.total_invocations, firstFive.success_rate], [10, 0.6], 'all ten are on June 1');
    const june2 = await store.read((db) => effectiveness(db, 'review', { project: 'alpha', minEvidence: 5, since: '2026-06-02' }));
    assert.deepEqual([june2.total_invocations, june2.found, june2.enough_evidence], [0, false, false]);
    const window = await store.read((db) => effectiveness(db, 'review', { minEvidence: 5, window: '7d', now: new Date('2026-06-03T12:00:00Z') }));
    assert.equal(window.total_invocations, 11);
    // unknown skill: found false, with a suggestion
    const none = await store.read((db) => effectiveness(db, 'reviw', { minEvidence: 5 }));
    assert.deepEqual([none.found, none.total_invocations, none.success_rate], [false, 0, null]);
    assert.deepEqual(none.insights, ['No invocations of reviw are recorded.', 'Did you mean: review?']);
  });

  it('rates low success, excellent success and high follow-ups', async () => {
    const store = await storeWith([['alpha', [
      ...many('flaky', 10, '2026-06-01T10:00:00', (i) => ({ ok: i < 5 })),
      ...many('solid', 20, '2026-06-02T10:00:00', () => ({ fu: ['a', 'b', 'c'] })),
    ]]]);
    const flaky = await store.read((db) => effectiveness(db, 'flaky', { minEvidence: 5 }));
    assert.deepEqual(flaky.insights, ["Low success rate (50%): review the skill's prompts, inputs and failure cases."]);
    const solid = await store.read((db) => effectiveness(db, 'solid', { minEvidence: 5 }));
    assert.deepEqual(solid.insights, ['Excellent success rate (100%): the skill is well-tuned.', 'High follow-up rate (3.0 actions per use): the skill may need refinement.']);
  });

  it('compares a skill across active projects', async () => {
    const store = await storeWith([
      ['alpha', many('s', 4, '2026-06-01T10:00:00', (i) => ({ ok: i !== 0, dur: 10 }))],
      ['beta', many('s', 2, '2026-06-01T10:00:00', () => ({ dur: 30 }))],
      ['gamma', many('other', 2, '2026-06-01T10:00:00')],
    ]);
    const rows = await store.read((db) => compareSkill(db, 's'));
    assert.deepEqual(rows.map((r) => [r.project_name, r.total_invocations, r.success_rate, r.avg_duration_seconds]), [['alpha', 4, 0.75, 10], ['beta', 2, 1, 30]]);
    assert.match(rows[0]!.project_id, /^[0-9a-f]{16}$/);
  });
});

describe('trends', () => {
  it('calls a slope real only with enough points and a significant, sizeable change', () => {
    assert.equal(fitTrend([1, 2, 3, 4, 5, 6, 7, 8]).direction, 'rising');
    assert.equal(fitTrend([8, 7, 6, 5, 4, 3, 2, 1]).direction, 'declining');
    assert.equal(fitTrend([5, 5, 5, 5, 5, 5, 5, 5]).direction, 'steady');
    assert.equal(fitTrend([5, 1, 6, 2, 5, 1, 6, 2]).direction, 'steady', 'noise is not a trend');
    assert.equal(fitTrend([50, 51, 52, 53, 54, 55, 56, 57]).direction, 'steady', 'a tiny change relative to the level');
    assert.equal(fitTrend([0, 0, 0, 0, 0, 0, 3, 9]).direction, 'not enough data', 'two weeks of use');
    // Issue 15: a steady 3,3,4,3,4,4,4,5 (13 uses, then 17) is within counting noise; the same shape at ten times the use is not.
    assert.equal(fitTrend([3, 3, 4, 3, 4, 4, 4, 5]).direction, 'steady', 'small counts that wobble up');
    assert.equal(fitTrend([30, 30, 40, 30, 40, 40, 40, 50]).direction, 'rising', 'the same shape with ten times the evidence');
    assert.equal(fitTrend([5, 4, 4, 4, 3, 4, 3, 3]).direction, 'steady', 'and downwards');
    assert.equal(fitTrend([50, 40, 40, 40, 30, 40, 30, 30]).direction, 'declining');
    const fit = fitTrend([1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(fit.slope, 1);
    assert.ok(Math.abs(fit.relativeChange! - 7 / 4.5) < 1e-12);
  });

  it('counts weekly use in the last complete weeks and flags stale skills', async () => {
    // now: Friday 2026-11-20; the 8 complete weeks are those starting Mondays 2026-09-21 .. 2026-11-09
    const now = new Date('2026-11-20T12:00:00Z');
    const weekly = (skill: string, counts: number[]) =>
      counts.flatMap((n, w) => many(skill, n, new Date(Date.parse('2026-09-23T09:00:00Z') + w * 7 * 86_400_000).toISOString().slice(0, 19)));
    const store = await storeWith([['alpha', [
      ...weekly('up', [1, 2, 3, 4, 5, 6, 7, 8]),
      ...weekly('flat', [4, 4, 4, 4, 4, 4, 4, 4]),
      ...many('old', 6, '2026-09-01T10:00:00'),
      ...many('this-week', 3, '2026-11-17T10:00:00'), // current week: not counted in the complete weeks
    ]]]);
    const rows = await store.read((db) => trends(db, { now }));
    const by = new Map(rows.map((r) => [r.skill_name, r]));
    assert.deepEqual(by.get('up')!.weekly_counts, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(by.get('up')!.direction, 'rising');
    assert.equal(by.get('flat')!.direction, 'steady');
    assert.equal(by.get('old')!.direction, 'stale');
    assert.deepEqual(by.get('this-week')!.weekly_counts, [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(by.get('up')!.weeks[0]!.toISOString(), '2026-09-21T00:00:00.000Z');
  });
});

describe('recommendations', () => {
  it('gives each kind with its evidence, most useful first, and nothing below the minimum evidence', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const sessions = Array.from({ length: 6 }, (_, s) => [
      { skill: 'solid', at: `2026-11-0${s + 1}T10:00:00`, session: `s${s}` },
      { skill: 'chatty', at: `2026-11-0${s + 1}T10:05:00`, session: `s${s}`, fu: ['a', 'b', 'c'] },
    ]).flat();
    const store = await storeWith([
      ['alpha', [
        ...many('flaky', 10, '2026-11-10T10:00:00', (i) => ({ ok: i < 4, err: i >= 4 && i < 9 ? 'timeout' : null })),
        ...sessions,
        ...many('solid', 4, '2026-11-12T10:00:00'),
        ...many('chatty', 4, '2026-11-12T11:00:00', () => ({ fu: ['a', 'b', 'c'] })),
        ...many('pathy', 10, '2026-11-13T10:00:00', (i) => ({ path: 'daily', ok: i !== 0 })),
        ...many('pathy', 10, '2026-11-13T12:00:00', (i) => ({ path: 'quick', ok: i < 4 })),
        ...many('rare', 3, '2026-11-14T10:00:00', () => ({ ok: false, err: 'boom' })),
        ...many('old', 6, '2026-08-01T10:00:00'),
      ]],
      ['beta', many('star', 10, '2026-11-01T10:00:00')],
    ]);
    const recs = await store.read((db) => recommendations(db, { project: 'alpha', minEvidence: 5, now }));
    const summary = recs.map((r) => `${r.priority} ${r.type} ${r.skill_name}`);
    assert.deepEqual(summary, [
      'high low_success_rate flaky',
      'high error_hotspot flaky',
      'medium prefer_workflow_path pathy',
      'medium high_follow_ups chatty',
      'medium try_here star',
      'low well_tuned solid', // not chatty (follow-ups) nor old (stale): "keep it" would contradict the advice above
      'low stale old',
      'low usual_successor solid',
    ]);
    const hotspot = recs[1]!;
    assert.deepEqual(hotspot.evidence, { error_type: 'timeout', count: 5, failures: 5, share: 1, failure_rate: 0.5, total_invocations: 10 });
    assert.equal(hotspot.message, 'timeout causes 100% of the failures of flaky (5 of 5).');
    assert.deepEqual(recs[0]!.evidence, { total_invocations: 10, completed_invocations: 4, success_rate: 0.4 });
    assert.deepEqual(recs[2]!.evidence, {
      best: { workflow_path: 'daily', count: 10, success_rate: 0.9 }, worst: { workflow_path: 'quick', count: 10, success_rate: 0.4 }, total_invocations: 20,
    });
    // from solid: 6 times to chatty in the sessions, 3 times to solid again in the inferred session of the 4 lone runs
    assert.deepEqual(recs[7]!.evidence, { from: 'solid', to: 'chatty', count: 6, probability: 6 / 9 });
    assert.equal(recs[7]!.message, 'After solid you usually run chatty (67% of 9 times).');
    assert.deepEqual(recs[4]!.evidence, { other_projects: 1, total_invocations: 10, success_rate: 1 });
    for (const r of recs) {
      assert.ok(r.project_id, 'scoped to the project');
      assert.ok(r.message && r.action);
    }
    assert.ok(!recs.some((r) => r.skill_name === 'rare'), 'three invocations are not enough to rate');
    const withMore = await store.read((db) => recommendations(db, { project: 'alpha', minEvidence: 3, now }));
    assert.ok(withMore.some((r) => r.skill_name === 'rare' && r.type === 'low_success_rate'));
  });
});
