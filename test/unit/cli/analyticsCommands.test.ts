import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, handBuilt, many, tempDir } from '../helpers';

const keys = (o: object) => Object.keys(o).sort();

describe('cli: analytics commands', () => {
  let db: string;
  let root: string;

  before(async () => {
    root = tempDir();
    db = path.join(root, 'db.duckdb');
    const alpha = handBuilt(root, 'alpha', [
      ...many('review', 8, '2026-11-10T10:00:00', (i) => ({ ok: i < 3, err: i >= 3 ? 'timeout' : null, session: `s${i}` })),
      ...many('commit', 8, '2026-11-10T10:30:00', (i) => ({ session: `s${i}`, fu: ['push'] })),
    ], [{ type: 'node_completed', at: '2026-11-10T10:20:00', node: 'tests', session: 's1', dur: 30, success: true }]);
    const beta = handBuilt(root, 'beta', many('review', 6, '2026-11-11T10:00:00'));
    const run = await cli(db, 'collect', alpha, beta, '--json');
    assert.equal(run.code, 0, run.stderr);
  });

  it('aggregate refreshes derived data; collect already did, so health says fresh', async () => {
    assert.equal((await cli(db, 'health', '--json')).json.aggregates_fresh, true);
    const agg = await cli(db, 'aggregate', '--json');
    assert.deepEqual(keys(agg.json), ['aggregates_ms', 'duration_ms', 'projects', 'rows_written', 'sessions', 'sessions_ms', 'windows']);
    assert.deepEqual(agg.json.windows, ['daily', 'weekly', 'monthly', 'all']);
    assert.equal(agg.json.sessions, 9, '8 with ids in alpha, and beta\'s 6 runs a minute apart as one inferred session');
    const daily = await cli(db, 'aggregate', '--window', 'daily', '--json');
    assert.deepEqual(daily.json.windows, ['daily']);
    assert.equal((await cli(db, 'aggregate', '--window', 'hourly')).code, 2);
  });

  it('effectiveness, compare, recommendations, sessions, graph, trends, workflows: documented shapes', async () => {
    const eff = await cli(db, 'effectiveness', 'review', '--project', 'alpha', '--json');
    assert.deepEqual(keys(eff.json), ['avg_duration_seconds', 'avg_follow_ups', 'completed_invocations', 'enough_evidence', 'first_used', 'follow_up_share', 'found',
      'insights', 'last_used', 'p50_duration_seconds', 'p95_duration_seconds', 'pending_invocations', 'skill_name', 'success_rate', 'top_errors', 'total_invocations', 'workflow_paths']);
    assert.deepEqual([eff.json.total_invocations, eff.json.success_rate, eff.json.top_errors], [8, 0.375, [{ error_type: 'timeout', count: 5 }]]);
    assert.match(eff.json.first_used, /^2026-11-10T10:00:00\.000\+00:00$/);

    const cmp = await cli(db, 'compare', 'review', '--json');
    const compareKeys = ['avg_duration_seconds', 'pending_invocations', 'project_id', 'project_name', 'success_rate', 'total_invocations'];
    assert.deepEqual(cmp.json.map(keys), [compareKeys, compareKeys]);
    assert.deepEqual(cmp.json.map((r: { project_name: string; success_rate: number }) => [r.project_name, r.success_rate]), [['alpha', 0.375], ['beta', 1]]);

    const recs = await cli(db, 'recommendations', '--project', 'alpha', '--json');
    assert.ok(recs.json.length >= 2);
    for (const r of recs.json) assert.deepEqual(keys(r), ['action', 'evidence', 'message', 'priority', 'project_id', 'skill_name', 'type']);
    assert.equal(recs.json[0].priority, 'high');

    const sessions = await cli(db, 'sessions', '--project', 'alpha', '--limit', '3', '--json');
    assert.equal(sessions.json.length, 3);
    assert.deepEqual(keys(sessions.json[0]), ['end_time', 'inferred', 'project_id', 'session_id', 'skills_completed', 'skills_used', 'start_time',
      'total_skill_duration', 'total_workflow_duration', 'workflow_nodes_completed']);
    assert.deepEqual(sessions.json[0].skills_used, ['review', 'commit']);

    const graph = await cli(db, 'graph', '--json');
    assert.deepEqual(keys(graph.json), ['pairs', 'transitions']);
    // 9 sessions; review in 9, commit in 8, both in 8: lift = 8 * 9 / (9 * 8) = 1
    assert.deepEqual(graph.json.pairs, [{ a: 'commit', b: 'review', sessions: 8, lift: 1 }]);
    assert.deepEqual(graph.json.transitions[0], { from: 'review', to: 'commit', count: 8, probability: 8 / 13 });

    const trends = await cli(db, 'trends', '--json');
    assert.deepEqual(keys(trends.json[0]), ['direction', 'last_used', 'relative_change', 'skill_name', 'slope_per_week', 't_statistic', 'total', 'weekly_counts', 'weeks']);
    const workflows = await cli(db, 'workflows', '--json');
    assert.deepEqual(workflows.json.find((w: { kind: string }) => w.kind === 'node'), {
      kind: 'node', workflow: 'tests', skill_name: 'commit', invocations: 1, success_rate: 1, avg_duration_seconds: 10, p95_duration_seconds: 10,
    });
    const report = await cli(db, 'report');
    assert.match(report.stdout, /9 sessions \(8 with a session id, 1 inferred from time gaps\); 1 ran a workflow\./);
  });

  it('export and cleanup', async () => {
    const out = path.join(root, 'usage.parquet');
    const exp = await cli(db, 'export', '--what', 'usage', '--format', 'parquet', '--out', out, '--json');
    assert.deepEqual(exp.json, { what: 'usage', format: 'parquet', path: out, rows: 22 });
    assert.ok(existsSync(out));
    const corr = path.join(root, 'correlated.json');
    const c = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', corr, '--json');
    assert.equal(c.json.rows, 9);
    assert.deepEqual(keys(JSON.parse(readFileSync(corr, 'utf8'))), ['exported_at', 'sessions']);
    assert.equal((await cli(db, 'export', '--what', 'usage')).code, 2);
    assert.equal((await cli(db, 'export', '--what', 'correlated', '--format', 'csv', '--out', corr)).code, 2);
    const clean = await cli(db, 'cleanup', '--older-than-days', '3650', '--json');
    assert.deepEqual([clean.json.usage_deleted, clean.json.events_deleted], [0, 0]);
    assert.equal((await cli(db, 'cleanup')).code, 2);
  });
});
