import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ensureDerived } from '../../../src/analytics/derived';
import type { NextSkillsData, NextSkillsOptions } from '../../../src/analytics/nextSkills';
import { nextSkills, planNextSkills } from '../../../src/analytics/nextSkills';
import { Store } from '../../../src/analytics/store';
import { UsageError } from '../../../src/common/errors';
import type { Inv } from '../helpers';
import { cli, handBuilt, tempDir } from '../helpers';

const ok = (skill_name: string, total = 10, completed = total) => ({ skill_name, total, completed });
const opts = (o: Partial<NextSkillsOptions> = {}): NextSkillsOptions => ({ skillsSoFar: [], limit: 5, minEvidence: 5, fillInOrder: false, ...o });
const names = (plan: { next: { skill_name: string }[] }) => plan.next.map((n) => n.skill_name);

describe('next skills: the plan (hand-made data)', () => {
  it('follows the most frequent transitions from the last skill, each with its probability', () => {
    const data: NextSkillsData = {
      candidates: [ok('a'), ok('b'), ok('c'), ok('d')],
      // from a: 6 to b, 2 to c, and 2 to itself (which counts in the denominator but is never suggested)
      transitions: [{ from: 'a', to: 'b', count: 6 }, { from: 'a', to: 'c', count: 2 }, { from: 'a', to: 'a', count: 2 }, { from: 'b', to: 'c', count: 5 }, { from: 'c', to: 'd', count: 1 }],
      order: [],
      sessions: 0,
    };
    const plan = planNextSkills(data, opts({ skillsSoFar: ['a'] }));
    assert.deepEqual(names(plan), ['b', 'c', 'd']);
    assert.deepEqual(plan.next.map((n) => [n.position, n.reason, n.transition]), [
      [1, 'usual_next', { from: 'a', count: 6, from_total: 10, probability: 0.6 }],
      [2, 'usual_next', { from: 'b', count: 5, from_total: 5, probability: 1 }],
      [3, 'usual_next', { from: 'c', count: 1, from_total: 1, probability: 1 }],
    ]);
    assert.equal(plan.next[0]!.why, 'After a comes b in 60% of 10 recorded transitions (6). It succeeds in 100% of 10 invocations.');
    assert.deepEqual(plan.excluded, []);
    assert.deepEqual(plan.notes, [], 'every candidate is in the plan');
    assert.deepEqual(names(planNextSkills(data, opts({ skillsSoFar: ['a'], limit: 2 }))), ['b', 'c'], 'the limit cuts the plan');
    assert.deepEqual(names(planNextSkills(data, opts({ skillsSoFar: ['b', 'a'] }))), ['c', 'd'], 'skills used so far are not suggested again');
  });

  it('passes over a skill whose success rate is below the low threshold, and says why', () => {
    const data: NextSkillsData = {
      // review: 3 of 10 (30%, rated); test: 10 of 10; flaky: 0 of 3 (too few to rate, so not excluded)
      candidates: [ok('a'), ok('review', 10, 3), ok('test'), ok('flaky', 3, 0)],
      transitions: [{ from: 'a', to: 'review', count: 8 }, { from: 'a', to: 'test', count: 2 }, { from: 'test', to: 'flaky', count: 4 }],
      order: [],
      sessions: 0,
    };
    const plan = planNextSkills(data, opts({ skillsSoFar: ['a'] }));
    assert.deepEqual(names(plan), ['test', 'flaky']);
    assert.deepEqual(plan.next[0]!.transition, { from: 'a', count: 2, from_total: 10, probability: 0.2 });
    assert.deepEqual(plan.excluded, [{
      skill_name: 'review', success_rate: 0.3, total_invocations: 10,
      reason: 'After a comes review in 80% of 10 recorded transitions (8), but it succeeds in only 30% of 10 invocations (below 60%).',
    }]);
    const flaky = plan.next[1]!;
    assert.deepEqual([flaky.enough_evidence, flaky.success_rate, flaky.low_success, flaky.warning], [false, 0, false, null]);
    assert.match(flaky.why, /Only 3 invocations: not enough data to rate it \(5 needed\)\.$/);
    // with minEvidence 3, flaky is rated (0%) and passed over too: the plan ends with a note
    const strict = planNextSkills(data, opts({ skillsSoFar: ['a'], minEvidence: 3 }));
    assert.deepEqual(names(strict), ['test']);
    assert.deepEqual(strict.excluded.map((e) => e.skill_name), ['review', 'flaky']);
    assert.deepEqual(strict.notes, ['The plan ends after test: what could follow it has a low success rate (see excluded).']);
  });

  it('suggests a low-success skill only when nothing else fits, with a warning', () => {
    const data: NextSkillsData = {
      candidates: [ok('a'), ok('review', 10, 4), ok('lint', 8, 2)],
      transitions: [{ from: 'a', to: 'review', count: 3 }, { from: 'a', to: 'lint', count: 1 }],
      order: [],
      sessions: 0,
    };
    const plan = planNextSkills(data, opts({ skillsSoFar: ['a'] }));
    assert.deepEqual(names(plan), ['review']);
    const [review] = plan.next;
    assert.deepEqual([review!.low_success, review!.success_rate, review!.reason], [true, 0.4, 'usual_next']);
    assert.equal(review!.warning, 'Its success rate (40%) is below 60%: review review before relying on it.');
    assert.deepEqual(plan.excluded.map((e) => [e.skill_name, e.success_rate]), [['lint', 0.25]], 'the other low one stays excluded');
    assert.deepEqual(plan.notes, [
      'Every skill that fits here has a low success rate; review is suggested only because nothing else fits.',
      'The plan ends after review: nothing that may still be suggested is recorded after it.',
    ]);
  });

  it('with nothing used yet, starts with the usual first skill; a workflow continues in its usual order', () => {
    const data: NextSkillsData = {
      candidates: [ok('z', 6), ok('x', 12), ok('y', 9), ok('w', 7, 1)],
      transitions: [{ from: 'x', to: 'q', count: 3 }], // q is not a candidate (outside the workflow)
      order: [
        { skill_name: 'x', sessions: 6, starts: 5, avg_position: 1.2 },
        { skill_name: 'y', sessions: 6, starts: 1, avg_position: 2.0 },
        { skill_name: 'w', sessions: 3, starts: 0, avg_position: 2.5 },
        { skill_name: 'z', sessions: 4, starts: 0, avg_position: 3.5 },
      ],
      sessions: 6,
    };
    const general = planNextSkills(data, opts());
    assert.deepEqual(names(general), ['x'], 'without a workflow the plan stops where no transition leads on');
    assert.deepEqual(general.next[0]!.starts, { sessions: 5, of_sessions: 6 });
    assert.equal(general.next[0]!.why, 'x starts 5 of 6 sessions. It succeeds in 100% of 12 invocations.');
    assert.deepEqual(general.notes, ['The plan ends after x: nothing that may still be suggested is recorded after it.']);

    const workflow = planNextSkills(data, opts({ fillInOrder: true }));
    assert.deepEqual(workflow.next.map((n) => [n.skill_name, n.reason, n.typical_position]), [['x', 'usual_start', 1.2], ['y', 'typical_order', 2], ['z', 'typical_order', 3.5]]);
    assert.deepEqual(workflow.excluded.map((e) => e.skill_name), ['w'], 'w (1 of 7) is passed over');
    assert.equal(workflow.next[1]!.why, 'y is part of this workflow and usually comes at position 2.0 of a session. It succeeds in 100% of 9 invocations.');
  });

  it('says so when there is nothing to go on', () => {
    assert.deepEqual(planNextSkills({ candidates: [ok('a')], transitions: [], order: [], sessions: 0 }, opts()), {
      next: [], excluded: [], notes: ['No session is recorded, so there is no usual first skill.'],
    });
    assert.deepEqual(planNextSkills({ candidates: [ok('a')], transitions: [], order: [], sessions: 0 }, opts({ skillsSoFar: ['a'] })), { next: [], excluded: [], notes: [] });
  });
});

describe('next skills: from the database', () => {
  let store: Store;
  const minEvidence = 5;

  before(async () => {
    const root = tempDir();
    // 10 sessions of plan -> code-review -> commit. code-review succeeds on the daily path (sessions 0-4)
    // and always fails on the ci path (5-9): 50% overall. Plus one session of an unrelated skill in beta.
    const invocations: Inv[] = [];
    for (let i = 0; i < 10; i++) {
      const wf = i < 5 ? 'daily' : 'ci';
      const t = (m: number) => `2026-11-${String(10 + i).padStart(2, '0')}T10:0${m}:00`;
      invocations.push({ skill: 'plan', at: t(0), path: wf, session: `s${i}` });
      invocations.push({ skill: 'code-review', at: t(1), path: wf, session: `s${i}`, ok: i < 5, err: i < 5 ? null : 'timeout' });
      invocations.push({ skill: 'commit', at: t(2), path: wf, session: `s${i}` });
    }
    const alpha = handBuilt(root, 'alpha', invocations);
    const beta = handBuilt(root, 'beta', [{ skill: 'docs', at: '2026-11-20T10:00:00', session: 'b1' }]);
    const db = path.join(root, 'db.duckdb');
    assert.equal((await cli(db, 'collect', alpha, beta)).code, 0);
    store = new Store({ path: db, displayTimeZone: 'UTC', lockTimeoutMs: 20_000 });
    await ensureDerived(store, 30);
  });

  after(() => store.close());

  const ask = (q: Omit<Parameters<typeof nextSkills>[1], 'minEvidence'>) => store.read((db) => nextSkills(db, { minEvidence, ...q }));

  it('daily: code-review works there, so it comes next after plan, then commit', async () => {
    const a = await ask({ workflow: 'daily', skillsSoFar: ['plan'] });
    assert.deepEqual([a.workflow, a.figures_scope, a.low_success_threshold], [{ name: 'daily', kind: 'path' }, 'workflow', 0.6]);
    assert.deepEqual(a.next.map((n) => [n.skill_name, n.reason, n.success_rate, n.total_invocations, n.enough_evidence]), [
      ['code-review', 'usual_next', 1, 5, true],
      ['commit', 'usual_next', 1, 5, true],
    ]);
    assert.deepEqual(a.next[0]!.transition, { from: 'plan', count: 10, from_total: 10, probability: 1 });
    assert.deepEqual(a.excluded, []);
  });

  it('ci: code-review always fails there, so it is left out and commit follows plan', async () => {
    const a = await ask({ workflow: 'ci' });
    assert.deepEqual(a.next.map((n) => [n.skill_name, n.reason]), [['plan', 'usual_start'], ['commit', 'typical_order']]);
    assert.deepEqual(a.next[0]!.starts, { sessions: 10, of_sessions: 11 }, "10 of alpha's sessions and beta's one");
    assert.equal(a.next[1]!.typical_position, 3);
    assert.deepEqual(a.excluded.map((e) => [e.skill_name, e.success_rate, e.total_invocations]), [['code-review', 0, 5]]);
  });

  it('without a workflow, 50% overall is low, but nothing else follows plan: suggested with a warning', async () => {
    const a = await ask({ skillsSoFar: ['plan'], project: 'alpha' });
    assert.equal(a.figures_scope, 'project');
    assert.deepEqual(a.next.map((n) => [n.skill_name, n.success_rate, n.low_success]), [['code-review', 0.5, true], ['commit', 1, false]]);
    assert.match(a.notes[0]!, /code-review is suggested only because nothing else fits/);
  });

  it('names skills it has never seen, and refuses an unknown workflow with the known ones', async () => {
    const a = await ask({ skillsSoFar: ['plan', 'deploy'], limit: 1 });
    assert.deepEqual(a.notes, ['Not recorded: deploy.', 'Nothing that may be suggested is recorded after deploy.']);
    await assert.rejects(ask({ workflow: 'nightly' }), (err: Error) => err instanceof UsageError && err.message === 'No workflow path or node "nightly" is recorded. Known: ci, daily');
  });
});
