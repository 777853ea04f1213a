import assert from 'node:assert/strict';
import { computeAggregates, derivedFreshness, ensureDerived } from '../../../src/analytics/derived';
import { skillGraph } from '../../../src/analytics/graph';
import { recommendations } from '../../../src/analytics/recommendations';
import { correlatedSessionsExport, correlationReport, sessionTimeline, sessions } from '../../../src/analytics/sessions';
import type { Store } from '../../../src/analytics/store';
import { workflowSkills } from '../../../src/analytics/workflows';
import { collect } from '../../../src/ingest/collector';
import { generate } from '../../../src/demo/generator';
import type { Ev, Inv } from '../helpers';
import { handBuilt, many, newStore, tempDir } from '../helpers';

async function build(invs: Inv[], events: Ev[] = []): Promise<Store> {
  const root = tempDir();
  const dir = handBuilt(root, 'alpha', invs, events);
  const store = newStore(root, 'UTC');
  await collect(store, { register: [dir], sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  return store;
}

const FIXTURE: [Inv[], Ev[]] = [
  [
    { skill: 'a', at: '2026-03-01T10:00:00', session: 's1', dur: 10 },
    { skill: 'b', at: '2026-03-01T10:05:00', session: 's1', dur: 20 },
    { skill: 'a', at: '2026-03-01T10:10:00', session: 's1', dur: 5, ok: false, err: 'x' },
    // without a session id: 12:00 and 12:29 (29 min apart), 13:01 (32 min later), 13:30
    { skill: 'c', at: '2026-03-01T12:00:00' },
    { skill: 'd', at: '2026-03-01T12:29:00' },
    { skill: 'c', at: '2026-03-01T13:01:00' },
    { skill: 'd', at: '2026-03-01T13:30:00' },
  ],
  [
    { type: 'workflow_started', at: '2026-03-01T09:59:00', session: 's1' },
    { type: 'node_started', at: '2026-03-01T10:00:00', session: 's1', node: 'fast_hooks' },
    { type: 'node_completed', at: '2026-03-01T10:01:00', session: 's1', node: 'fast_hooks', dur: 60, success: true },
    { type: 'node_completed', at: '2026-03-01T10:08:00', session: 's1', node: 'tests', dur: 120, success: false },
    { type: 'workflow_completed', at: '2026-03-01T10:12:00', session: 's1', dur: 780, success: false },
  ],
];

describe('sessions and the skill graph', () => {
  it('correlates skills with workflow events by session id, and infers sessions by time gap', async () => {
    const store = await build(...FIXTURE);
    await ensureDerived(store, 30);
    const list = await store.read((db) => sessions(db));
    const iso = (d: Date | null) => d?.toISOString().slice(11, 16);
    assert.deepEqual(
      list.map((s) => [s.session_id, s.inferred, iso(s.start_time), iso(s.end_time), s.skills_used, s.skills_completed, s.workflow_nodes_completed, s.total_skill_duration, s.total_workflow_duration]),
      [
        ['inferred:2026-03-01T13:01:00.000Z', true, '13:01', '13:30', ['c', 'd'], 2, 0, 20, 0],
        ['inferred:2026-03-01T12:00:00.000Z', true, '12:00', '12:29', ['c', 'd'], 2, 0, 20, 0],
        ['s1', false, '09:59', '10:12', ['a', 'b'], 2, 2, 35, 780],
      ],
    );
    const timeline = await store.read((db) => sessionTimeline(db, { projectId: list[2]!.project_id, sessionId: 's1' }));
    assert.deepEqual(timeline.invocations.map((i) => [i.skill_name, i.completed]), [['a', true], ['b', true], ['a', false]]);
    assert.deepEqual(timeline.events.map((e) => [e.event_type, e.node_id]), [
      ['workflow_started', null], ['node_started', 'fast_hooks'], ['node_completed', 'fast_hooks'], ['node_completed', 'tests'], ['workflow_completed', null],
    ]);
    const inferred = await store.read((db) => sessionTimeline(db, { projectId: list[0]!.project_id, sessionId: list[1]!.session_id }));
    assert.deepEqual(inferred.invocations.map((i) => i.skill_name), ['c', 'd']);

    // A wider gap joins the two inferred sessions; derived data follows the setting.
    assert.equal((await store.read((db) => derivedFreshness(db, 35))).fresh, false);
    await ensureDerived(store, 35);
    const wider = await store.read((db) => sessions(db));
    assert.deepEqual(wider.map((s) => [s.session_id, s.skills_used, s.skills_completed]), [
      ['inferred:2026-03-01T12:00:00.000Z', ['c', 'd'], 4],
      ['s1', ['a', 'b'], 2],
    ]);
  });

  it('computes pairs with support and lift over sessions, and transitions with probabilities', async () => {
    const store = await build(...FIXTURE);
    await store.write((db) => computeAggregates(db, { sessionGapMinutes: 30 }));
    const g = await store.read((db) => skillGraph(db, { minCount: 1 }));
    // 3 sessions: {a,b}, {c,d}, {c,d}. lift(c,d) = 2*3/(2*2) = 1.5; lift(a,b) = 1*3/(1*1) = 3
    assert.deepEqual(g.pairs.map((p) => [p.a, p.b, p.sessions, p.support, p.lift]), [['c', 'd', 2, 2 / 3, 1.5], ['a', 'b', 1, 1 / 3, 3]]);
    assert.deepEqual(g.transitions.map((t) => [t.from, t.to, t.count, t.probability]), [['c', 'd', 2, 1], ['a', 'b', 1, 1], ['b', 'a', 1, 1]]);
    const strong = await store.read((db) => skillGraph(db, {}));
    assert.deepEqual(strong.pairs.map((p) => `${p.a}+${p.b}`), ['c+d'], 'default: seen in at least 2 sessions');
  });

  it('matches an independent computation of pairs, lift and transitions over generated sessions', async () => {
    const root = tempDir();
    const [p] = await generate({ outDir: root, projects: 1, records: 1500, seed: 21, keep: true, formats: ['v2'] });
    const store = newStore(root, 'UTC');
    await collect(store, { register: [p!.dir], sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test' });
    await ensureDerived(store, 30);
    const bySession = new Map<string, { skill: string; at: number }[]>();
    for (const i of p!.invocations!) bySession.set(i.sessionId!, [...(bySession.get(i.sessionId!) ?? []), { skill: i.skill, at: i.at }]);
    const n = bySession.size;
    const skillSessions = new Map<string, number>();
    const pairSessions = new Map<string, number>();
    const trans = new Map<string, number>();
    for (const items of bySession.values()) {
      const skills = [...new Set(items.map((i) => i.skill))].sort();
      for (const s of skills) skillSessions.set(s, (skillSessions.get(s) ?? 0) + 1);
      for (let x = 0; x < skills.length; x++) for (let y = x + 1; y < skills.length; y++) pairSessions.set(`${skills[x]}|${skills[y]}`, (pairSessions.get(`${skills[x]}|${skills[y]}`) ?? 0) + 1);
      const ordered = [...items].sort((a, b) => a.at - b.at || a.skill.localeCompare(b.skill));
      for (let k = 0; k + 1 < ordered.length; k++) trans.set(`${ordered[k]!.skill}|${ordered[k + 1]!.skill}`, (trans.get(`${ordered[k]!.skill}|${ordered[k + 1]!.skill}`) ?? 0) + 1);
    }
    const g = await store.read((db) => skillGraph(db, { minCount: 1, limit: 100_000 }));
    assert.equal(g.pairs.length, pairSessions.size);
    for (const pair of g.pairs) {
      const both = pairSessions.get(`${pair.a}|${pair.b}`)!;
      assert.equal(pair.sessions, both);
      const lift = (both / n) / ((skillSessions.get(pair.a)! / n) * (skillSessions.get(pair.b)! / n));
      assert.ok(Math.abs(pair.lift - lift) < 1e-9, `${pair.a}+${pair.b}`);
    }
    assert.equal(g.transitions.length, trans.size);
    const fromTotals = new Map<string, number>();
    for (const [k, c] of trans) fromTotals.set(k.split('|')[0]!, (fromTotals.get(k.split('|')[0]!) ?? 0) + c);
    for (const t of g.transitions) {
      assert.equal(t.count, trans.get(`${t.from}|${t.to}`));
      assert.ok(Math.abs(t.probability - t.count / fromTotals.get(t.from)!) < 1e-12);
    }
    const listed = await store.read((db) => sessions(db, { limit: 100_000 }));
    assert.equal(listed.length, n);
    assert.ok(listed.every((s) => !s.inferred));
  });

  it('writes the correlation report, the correlated_session.json shape, and the workflow-skill view', async () => {
    const store = await build(...FIXTURE);
    await ensureDerived(store, 30);
    const report = await store.read((db) => correlationReport(db));
    assert.match(report, /3 sessions \(1 with a session id, 2 inferred from time gaps\); 1 ran a workflow\./);
    assert.match(report, /fast_hooks: 1 session\(s\), completed in 1; most used skills: a \(1\), b \(1\)/);
    assert.match(report, /s1: a -> b; 2 completed, 2 workflow node\(s\) completed; skills 35 s, workflow 780 s/);
    const doc = (await store.read((db) => correlatedSessionsExport(db))) as { sessions: Record<string, Record<string, unknown>> };
    const pid = (await store.read((db) => sessions(db)))[0]!.project_id;
    assert.deepEqual(Object.keys(doc.sessions).sort(), ['inferred:2026-03-01T12:00:00.000Z', 'inferred:2026-03-01T13:01:00.000Z', 's1'].map((id) => `${pid}/${id}`));
    const inferred = doc.sessions[`${pid}/inferred:2026-03-01T12:00:00.000Z`]!;
    assert.deepEqual((inferred.skill_invocations as { skill_name: string }[]).map((i) => i.skill_name), ['c', 'd']);
    const s1 = doc.sessions[`${pid}/s1`]!;
    assert.deepEqual(Object.keys(s1).sort(), ['end_time', 'inferred', 'project_id', 'session_id', 'skill_invocations', 'skills_completed', 'start_time', 'total_skill_duration', 'total_workflow_duration', 'workflow_events', 'workflow_nodes_completed']);
    assert.equal((s1.skill_invocations as unknown[]).length, 3);
    assert.equal((s1.workflow_events as unknown[]).length, 5);
    const view = await store.read((db) => workflowSkills(db));
    assert.deepEqual(view.filter((v) => v.kind === 'node').map((v) => [v.workflow, v.skill_name, v.invocations, v.success_rate]), [
      ['fast_hooks', 'a', 2, 0.5], ['fast_hooks', 'b', 1, 1], ['tests', 'a', 2, 0.5], ['tests', 'b', 1, 1],
    ]);
  });

  it('recommends checking a declining skill', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const counts = [9, 8, 7, 6, 5, 4, 3, 2];
    const store = await build(counts.flatMap((c, w) => many('fading', c, new Date(Date.parse('2026-09-23T09:00:00Z') + w * 7 * 86_400_000).toISOString().slice(0, 19))));
    await ensureDerived(store, 30);
    const recs = await store.read((db) => recommendations(db, { minEvidence: 5, now }));
    const declining = recs.find((r) => r.type === 'declining')!;
    assert.equal(declining.priority, 'medium');
    assert.deepEqual(declining.evidence.weekly_counts, counts);
    assert.equal(declining.evidence.slope_per_week, -1);
  });
});
