import assert from 'node:assert/strict';
import { computeAggregates } from '../../../src/analytics/derived';
import type { Store } from '../../../src/analytics/store';
import type { GeneratedInvocation, GeneratedProject } from '../../../src/demo/generator';
import { generate } from '../../../src/demo/generator';
import { collect } from '../../../src/ingest/collector';
import { toCsv } from '../../../src/common/csv';
import { LIMITS, csvFor, overviewPayload, projectOptions, skillPayload, timelinePayload } from '../../../src/core/dashboard/payloads';
import type { Filters } from '../../../src/core/dashboard/protocol';
import { handBuilt, many, newStore, project, tempDir } from '../helpers';

const DAY = 86_400_000;
const END = new Date('2026-11-20T18:00:00Z');
const NOW = new Date('2026-11-20T20:00:00Z');
const ctx = { minEvidence: 5, zone: 'UTC', now: NOW };
const filters = (f: Partial<Filters> = {}): Filters => ({ project: null, range: '30d', granularity: 'daily', ...f });

async function collected(root: string, dirs: string[]): Promise<Store> {
  const store = newStore(root, 'UTC');
  const r = await collect(store, { register: dirs, sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  assert.deepEqual(r.problems, []);
  await store.write((db) => computeAggregates(db, {}));
  return store;
}

/** Counts per key over kept invocations. */
function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

describe('dashboard data (generated projects)', function () {
  let store: Store;
  let projects: GeneratedProject[];
  let ids: Map<string, string>;
  const from30 = Date.parse('2026-10-22T00:00:00Z'); // 30 whole days up to and including 2026-11-20 (UTC)

  before(async function () {
    const root = tempDir();
    projects = await generate({ outDir: root, projects: 3, records: 700, seed: 19, keep: true, formats: ['v1', 'v2', 'v3'], end: END, days: 60, writerTimeZone: 'UTC' });
    store = await collected(root, projects.map((p) => p.dir));
    const opts = await projectOptions(store);
    ids = new Map(projects.map((p) => [p.name, opts.find((o) => o.name === p.name)!.id]));
  });

  const all = () => projects.flatMap((p) => p.invocations!);
  /**
   * Not pending as stored (FORMATS B8: not completed, no duration, no error, no follow-ups). A writer that
   * measures nothing (v3) leaves an abandoned run without an error looking the same: it stays pending.
   */
  const finished = (i: GeneratedInvocation) => i.completed || i.duration !== null || i.error !== null || i.followUps.length > 0;
  const inRange = (from: number, to = Infinity) => all().filter((i) => i.at >= from && i.at < to);

  it('key figures count the invocations of the range and compare with the period before', async () => {
    const p = await overviewPayload(store, filters(), null, ctx);
    const now = inRange(from30);
    const before = inRange(from30 - (NOW.getTime() - from30), from30); // the period of equal length just before
    assert.equal(p.kind, 'overview');
    assert.equal(p.empty, null);
    assert.deepEqual([p.scope.from, p.scope.to, p.scope.label, p.scope.projectId], [from30, null, 'Last 30 days', null]);
    assert.equal(p.figures.invocations, now.length);
    assert.equal(p.figures.completed, now.filter((i) => i.completed).length);
    // success rate: completed / finished (pending invocations are in progress)
    assert.ok(Math.abs(p.figures.successRate! - now.filter((i) => i.completed).length / now.filter(finished).length) < 1e-12);
    assert.equal(p.figures.activeProjects, 3);
    assert.equal(p.figures.skills, new Set(now.map((i) => i.skill)).size);
    assert.equal(p.figures.previous!.invocations, before.length);
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p, 'plain data, as postMessage carries it');
    assert.ok(Math.abs(p.figures.change!.invocations! - (now.length / before.length - 1)) < 1e-12);
  });

  it('usage over time: one bucket per day, top skills stacked, the rest as other, adding up to every invocation', async () => {
    const p = await overviewPayload(store, filters(), null, ctx);
    const now = inRange(from30);
    const perDay = countBy(now, (i) => new Date(i.at).toISOString().slice(0, 10));
    const days = [...perDay.keys()].sort();
    assert.deepEqual([p.usage.labels[0], p.usage.labels.at(-1)], [days[0], days.at(-1)]);
    assert.equal(p.usage.labels.length, (Date.parse(days.at(-1)!) - Date.parse(days[0]!)) / DAY + 1);
    p.usage.labels.forEach((label, i) => {
      const stacked = p.usage.series.reduce((s, x) => s + x.counts[i]!, 0) + p.usage.other[i]!;
      assert.equal(stacked, perDay.get(label) ?? 0, label);
    });
    const bySkill = [...countBy(now, (i) => i.skill).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    assert.deepEqual(p.usage.series.map((s) => s.skill), bySkill.slice(0, LIMITS.usageSeries).map(([s]) => s));
    for (const s of p.usage.series) assert.equal(s.counts.reduce((a, b) => a + b, 0), bySkill.find(([k]) => k === s.skill)![1]);
  });

  it('top skills: the range\'s most used skills, each with a sparkline over the same buckets', async () => {
    const p = await overviewPayload(store, filters(), null, ctx);
    const now = inRange(from30);
    const bySkill = [...countBy(now, (i) => i.skill).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, LIMITS.topSkills);
    assert.deepEqual(p.topSkills.map((t) => [t.skill, t.total]), bySkill);
    for (const t of p.topSkills) {
      const mine = now.filter((i) => i.skill === t.skill);
      assert.equal(t.completed, mine.filter((i) => i.completed).length, t.skill);
      assert.equal(t.spark.length, p.usage.labels.length);
      assert.equal(t.spark.reduce((a, b) => a + b, 0), t.total, `${t.skill} sparkline adds up`);
      assert.equal(t.projects, new Set(projects.filter((pr) => pr.invocations!.some((i) => i.skill === t.skill && i.at >= from30)).map((pr) => pr.name)).size);
      assert.equal(t.enoughEvidence, t.total >= 5);
    }
  });

  it('weekly buckets start on Mondays; a custom range is inclusive of both dates', async () => {
    const weekly = await overviewPayload(store, filters({ granularity: 'weekly' }), null, ctx);
    assert.ok(weekly.usage.labels.length >= 5);
    for (const l of weekly.usage.labels) assert.equal(new Date(`${l}T00:00:00Z`).getUTCDay(), 1, l);
    const custom = await overviewPayload(store, filters({ range: 'custom', since: '2026-10-01', until: '2026-10-07' }), null, ctx);
    const expected = inRange(Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-10-08T00:00:00Z'));
    assert.equal(custom.figures.invocations, expected.length);
    assert.equal(custom.scope.label, '2026-10-01 to 2026-10-07');
    assert.deepEqual([custom.usage.labels[0], custom.usage.labels.at(-1)], ['2026-10-01', '2026-10-07']);
  });

  it('a project filter scopes every figure; a project that is gone is dropped', async () => {
    const name = projects[1]!.name;
    const p = await overviewPayload(store, filters({ project: ids.get(name)!, range: 'all' }), null, ctx);
    const mine = projects[1]!.invocations!;
    assert.deepEqual([p.scope.projectId, p.scope.projectName], [ids.get(name), name]);
    assert.equal(p.figures.invocations, mine.length);
    assert.equal(p.figures.activeProjects, 1);
    assert.equal(p.figures.previous, null, 'all time has no previous period');
    assert.equal(p.topSkills[0]!.total, Math.max(...countBy(mine, (i) => i.skill).values()));
    for (const s of p.sessions) assert.equal(s.projectName, name);
    const gone = await overviewPayload(store, filters({ project: 'ffffffffffffffff' }), null, ctx);
    assert.equal(gone.scope.projectId, null);
    assert.equal(gone.figures.activeProjects, 3);
  });

  it('matrix, durations, hotspots and trends agree with the records', async () => {
    const p = await overviewPayload(store, filters({ range: 'all' }), null, ctx);
    const names = new Map([...ids].map(([n, id]) => [id, n]));
    assert.ok(p.matrix.cells.length > 10);
    for (const c of p.matrix.cells) {
      const mine = projects.find((pr) => pr.name === names.get(c.projectId))!.invocations!.filter((i) => i.skill === c.skill);
      assert.equal(c.total, mine.length, `${c.skill} in ${names.get(c.projectId)}`);
      assert.ok(Math.abs(c.successRate - mine.filter((i) => i.completed).length / mine.filter(finished).length) < 1e-12);
    }
    assert.deepEqual(p.matrix.projects.map((x) => x.name).sort(), projects.map((x) => x.name).sort());
    const counts = countBy(all(), (i) => i.skill);
    assert.deepEqual(p.durations.map((d) => d.total), [...counts.values()].sort((a, b) => b - a).slice(0, LIMITS.durations));
    for (const d of p.durations) assert.ok(d.p50 === null || d.p95 === null || d.p50 <= d.p95, d.skill);
    const failures = all().filter((i) => !i.completed && i.error);
    assert.ok(p.hotspots.length > 0);
    assert.ok(p.hotspots.reduce((s, h) => s + h.failures, 0) <= failures.length);
    for (const h of p.hotspots) assert.ok(Math.abs(h.share - h.failures / failures.length) < 1e-12, h.errorType);
    for (let i = 1; i < p.hotspots.length; i++) assert.ok(p.hotspots[i - 1]!.failures >= p.hotspots[i]!.failures);
    assert.deepEqual(p.trends.weeks.length, 8);
    for (const t of p.trends.rows) assert.equal(t.counts.length, 8);
    assert.ok(p.trends.rows.some((t) => t.direction !== 'not enough data'));
  });

  it('recommendations carry their evidence as readable label/value pairs', async () => {
    const p = await overviewPayload(store, filters({ range: 'all' }), null, ctx);
    assert.ok(p.recommendations.length > 0 && p.recommendations.length <= LIMITS.recommendations);
    const rank = { high: 0, medium: 1, low: 2 };
    for (let i = 1; i < p.recommendations.length; i++) assert.ok(rank[p.recommendations[i - 1]!.priority] <= rank[p.recommendations[i]!.priority]);
    for (const r of p.recommendations) {
      assert.ok(r.evidence.length > 0, r.message);
      for (const e of r.evidence) assert.ok(!/[{}]/.test(e.value) && !e.value.includes('[object'), `${e.label}: ${e.value}`);
      const rate = r.evidence.find((e) => e.label === 'Success rate');
      if (rate) assert.match(rate.value, /^\d{1,3}%$/);
    }
  });

  it('sessions list the most recent first; the timeline holds the session\'s own records', async () => {
    const p = await overviewPayload(store, filters({ range: 'all' }), null, ctx);
    assert.equal(p.sessions.length, LIMITS.sessions);
    for (let i = 1; i < p.sessions.length; i++) assert.ok(p.sessions[i - 1]!.start >= p.sessions[i]!.start);
    const first = p.sessions[0]!;
    assert.deepEqual([p.timeline!.projectId, p.timeline!.sessionId], [first.projectId, first.sessionId]);
    // A chosen session is kept; its timeline equals what the generator wrote for it.
    const explicit = p.sessions.find((s) => !s.inferred)!;
    const chosen = await overviewPayload(store, filters({ range: 'all' }), { projectId: explicit.projectId, sessionId: explicit.sessionId }, ctx);
    assert.equal(chosen.timeline!.sessionId, explicit.sessionId);
    const written = all().filter((i) => i.sessionId === explicit.sessionId);
    assert.deepEqual(chosen.timeline!.invocations.map((i) => [i.skill, i.at]), written.sort((a, b) => a.at - b.at || a.skill.localeCompare(b.skill)).map((i) => [i.skill, i.at]));
    const events = projects.flatMap((pr) => pr.events ?? []).filter((e) => e.sessionId === explicit.sessionId);
    assert.equal(chosen.timeline!.events.length, events.length);
    // A session that is not in the list falls back to the most recent one.
    const stale = await overviewPayload(store, filters({ range: 'all' }), { projectId: 'x', sessionId: 'y' }, ctx);
    assert.equal(stale.timeline!.sessionId, first.sessionId);
  });

  it('a skill page: effectiveness, usage of that skill only, projects, trend and sessions that used it', async () => {
    const overview = await overviewPayload(store, filters(), null, ctx);
    const skill = overview.topSkills[0]!.skill;
    const p = await skillPayload(store, skill, filters(), null, ctx);
    const mine = all().filter((i) => i.skill === skill);
    assert.equal(p.kind, 'skill');
    assert.equal(p.found, true);
    assert.equal(p.effectiveness.total, mine.length);
    assert.equal(p.effectiveness.completed, mine.filter((i) => i.completed).length);
    assert.deepEqual(p.usage.series.map((s) => s.skill), [skill]);
    assert.equal(p.usage.series[0]!.counts.reduce((a, b) => a + b, 0), mine.filter((i) => i.at >= from30).length);
    assert.deepEqual(p.usage.series[0]!.counts, overview.topSkills[0]!.spark, 'the same figures as the overview\'s sparkline');
    assert.equal(p.projects.reduce((s, x) => s + x.total, 0), mine.length);
    assert.equal(p.trend!.skill, skill);
    assert.ok(p.sessions.length > 0);
    for (const s of p.sessions) assert.ok(s.skills.includes(skill));
    for (const t of p.transitions) assert.ok(t.from === skill || t.to === skill);
    const unknown = await skillPayload(store, 'no-such-skill', filters(), null, ctx);
    assert.deepEqual([unknown.found, unknown.effectiveness.total, unknown.sessions.length], [false, 0, 0]);
  });

  it('CSV: the rows behind a chart, as shown', async () => {
    const p = await overviewPayload(store, filters(), null, ctx);
    const top = csvFor('topSkills', p)!.trim().split('\r\n');
    assert.equal(top[0], 'skill_name,total_invocations,completed_invocations,success_rate,avg_duration_seconds,p95_duration_seconds,avg_follow_ups,projects,first_used,last_used');
    assert.equal(top.length, p.topSkills.length + 1);
    assert.deepEqual(top[1]!.split(',').slice(0, 3), [p.topSkills[0]!.skill, String(p.topSkills[0]!.total), String(p.topSkills[0]!.completed)]);
    const usage = csvFor('usage', p)!.trim().split('\r\n');
    assert.equal(usage[0], ['bucket_start', ...p.usage.series.map((s) => s.skill), 'other'].join(','));
    assert.equal(usage.length, p.usage.labels.length + 1);
    const sum = usage.slice(1).reduce((s, line) => s + line.split(',').slice(1).reduce((a, b) => a + Number(b), 0), 0);
    assert.equal(sum, p.figures.invocations);
    assert.equal(csvFor('skillErrors', p), undefined, 'the overview does not show a skill\'s errors');
    assert.equal(toCsv(['a', 'b'], [['x,"y"', '=cmd()'], [1.5, null]]), 'a,b\r\n"x,""y""",\'=cmd()\r\n1.5,\r\n');
  });
});

describe('dashboard data (hand-built)', () => {
  it('says why there is nothing to show: no projects, no records, nothing in the range', async () => {
    const root = tempDir();
    const store = newStore(root, 'UTC');
    assert.equal((await overviewPayload(store, filters(), null, ctx)).empty, 'noProjects');
    const empty = project(root, 'empty');
    await collect(store, { register: [empty], sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
    await store.write((db) => computeAggregates(db, {}));
    const none = await overviewPayload(store, filters(), null, ctx);
    assert.equal(none.empty, 'noData');
    assert.deepEqual([none.figures.invocations, none.usage.labels.length, none.topSkills.length, none.timeline], [0, 0, 0, null]);
    const dir = handBuilt(root, 'old', many('review', 6, '2026-01-10T10:00:00'));
    await collect(store, { register: [dir], sourceTimeZone: 'UTC', maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
    await store.write((db) => computeAggregates(db, {}));
    const old = await overviewPayload(store, filters({ range: '7d' }), null, ctx);
    assert.equal(old.empty, 'noDataInRange');
    assert.equal((await overviewPayload(store, filters({ range: 'all' }), null, ctx)).figures.invocations, 6);
  });

  it('timeline of a session: skills and workflow events on one time axis', async () => {
    const root = tempDir();
    const dir = handBuilt(
      root,
      'alpha',
      [
        { skill: 'review', at: '2026-11-20T10:00:00', session: 's1', dur: 30 },
        { skill: 'tests', at: '2026-11-20T10:02:00', session: 's1', ok: false, err: 'timeout', dur: 300 },
        { skill: 'review', at: '2026-11-20T12:00:00', session: 's2', dur: 20 },
      ],
      [
        { type: 'workflow_started', at: '2026-11-20T09:59:00', session: 's1' },
        { type: 'node_completed', at: '2026-11-20T10:05:00', node: 'tests', session: 's1', dur: 120, success: true },
      ],
    );
    const store = await collected(root, [dir]);
    const [alpha] = await projectOptions(store);
    const p = await overviewPayload(store, filters({ range: 'all' }), { projectId: alpha!.id, sessionId: 's1' }, ctx);
    assert.deepEqual(p.sessions.map((s) => [s.sessionId, s.skills]), [['s2', ['review']], ['s1', ['review', 'tests']]]);
    const t = p.timeline!;
    assert.equal(t.sessionId, 's1');
    assert.deepEqual(t.invocations.map((i) => [i.skill, new Date(i.at).toISOString(), i.completed, i.duration, i.error]), [
      ['review', '2026-11-20T10:00:00.000Z', true, 30, null],
      ['tests', '2026-11-20T10:02:00.000Z', false, 300, 'timeout'],
    ]);
    assert.deepEqual(t.events.map((e) => [e.type, e.node, new Date(e.at).toISOString()]), [
      ['workflow_started', null, '2026-11-20T09:59:00.000Z'],
      ['node_completed', 'tests', '2026-11-20T10:05:00.000Z'],
    ]);
    const direct = await timelinePayload(store, alpha!.id, 's2');
    assert.deepEqual(direct.invocations.map((i) => i.skill), ['review']);
    await assert.rejects(timelinePayload(store, alpha!.id, 'nope'), /No session nope/);
    const csv = csvFor('timeline', p)!.trim().split('\r\n');
    assert.deepEqual(csv.map((l) => l.split(',').slice(0, 2).join(' ')), ['kind name', 'workflow_started ', 'skill review', 'skill tests', 'node_completed tests']);
  });
});
