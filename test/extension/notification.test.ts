/** The session-start notification: what it says, once a day per workspace, and its off switch. */
import * as assert from 'node:assert/strict';
import { ACTIONS, sessionStartDecision, tipFor } from '../../src/views/sessionStart';
import { eventually, internals, manifest, projectId, setSetting } from './helpers';

const DAY = 86_400_000;

describe('session-start notification', () => {
  after(async () => {
    await setSetting('sessionStartNotification', undefined);
  });

  it('was shown at start-up with the project\'s top skills and its most useful recommendation', async () => {
    const { sessionStart, service } = await internals();
    const first = sessionStart.lastResult;
    assert.ok(first, 'the start-up ran it');
    // Its last run may be a later one of these tests if they are repeated; the start-up's message is in the log too.
    const engine = await service.engine();
    const alphaId = engine.projectIdForPath(manifest().alpha.dir);
    const recs = await engine.recommendations({ project: alphaId });
    const top = await engine.topSkills({ window: '30d', project: alphaId, limit: 3 });
    const tip = tipFor(recs, top);
    assert.ok(tip, `a tip among ${recs.map((r) => r.type).join(', ')}`);
    assert.notEqual(tip.type === 'well_tuned' && tip.skill_name === 'code-review', true, 'not a repeat of the first top skill');
    const expected = `Skill Metrics · alpha: top skills code-review 92%, test-writer 80%, refactor (not enough data). Tip: ${tip.message}`;
    assert.deepEqual(first, { shown: true, message: expected });
  });

  it('is not shown again the same day in this workspace', async () => {
    const { sessionStart } = await internals();
    assert.deepEqual(await sessionStart.maybeShow(), { shown: false, reason: 'shown-today' });
  });

  it('is shown again the next day', async () => {
    const { sessionStart } = await internals();
    const result = await sessionStart.maybeShow({ now: new Date(Date.now() + DAY) });
    assert.equal(result.shown, true);
    assert.match(result.message!, /^Skill Metrics · alpha: top skills code-review 92%, test-writer 80%, refactor \(not enough data\)\. Tip: /);
  });

  it('is off with the setting', async () => {
    const { sessionStart } = await internals();
    await setSetting('sessionStartNotification', false);
    await eventually(async () => assert.deepEqual(await sessionStart.maybeShow({ now: new Date(Date.now() + 2 * DAY) }), { shown: false, reason: 'disabled' }));
  });

  it('"Don\'t Show Again" turns the setting off', async () => {
    const { sessionStart, config } = await internals();
    await setSetting('sessionStartNotification', true);
    await eventually(() => assert.equal(config.get('sessionStartNotification'), true));
    await sessionStart.handleAction(ACTIONS.never, {});
    await eventually(() => assert.equal(config.get('sessionStartNotification'), false));
  });

  it('"Open Dashboard" opens the skill it names', async () => {
    const { sessionStart, dashboard } = await internals();
    await sessionStart.handleAction(ACTIONS.dashboard, { skill: 'test-writer', project: await projectId(manifest().alpha.dir) });
    assert.equal(dashboard.current?.panel.title, 'Skill Metrics: test-writer');
    assert.deepEqual(dashboard.current?.state?.page, { kind: 'skill', skill: 'test-writer' });
  });

  it('picks a tip that does not repeat a top skill\'s rate', () => {
    const rec = (type: string, skill: string) => ({ type, priority: 'low', skill_name: skill, project_id: null, message: `${type} ${skill}`, action: '', evidence: {} }) as never;
    const top = [{ skill_name: 'a' }, { skill_name: 'b' }] as never[];
    assert.equal(tipFor([rec('well_tuned', 'a'), rec('try_here', 'z')], top)?.message, 'try_here z');
    assert.equal(tipFor([rec('well_tuned', 'c')], top)?.message, 'well_tuned c');
    assert.equal(tipFor([rec('well_tuned', 'a')], top), undefined);
  });

  it('decides by setting, day, project and data', () => {
    const base = { enabled: true, lastShown: '2026-11-20', today: '2026-11-21', hasData: true, hasProject: true };
    assert.deepEqual(sessionStartDecision(base), { show: true });
    assert.deepEqual(sessionStartDecision({ ...base, enabled: false }), { show: false, reason: 'disabled' });
    assert.deepEqual(sessionStartDecision({ ...base, lastShown: '2026-11-21' }), { show: false, reason: 'shown-today' });
    assert.deepEqual(sessionStartDecision({ ...base, hasProject: false }), { show: false, reason: 'no-project' });
    assert.deepEqual(sessionStartDecision({ ...base, hasData: false }), { show: false, reason: 'no-data' });
    assert.deepEqual(sessionStartDecision({ ...base, lastShown: undefined }), { show: true });
  });
});
