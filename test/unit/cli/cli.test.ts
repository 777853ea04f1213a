import assert from 'node:assert/strict';
import * as path from 'node:path';
import { cli, project, tempDir, v1, v1File, writeSource } from '../helpers';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

async function fixture() {
  const root = tempDir();
  const db = path.join(root, 'db.duckdb');
  const alpha = project(root, 'alpha');
  const beta = project(root, 'beta');
  // alpha: 3 x code-review (2 ok), 1 x commit-message; beta: 1 x code-review. Times straddle a day boundary in Berlin.
  writeSource(alpha, 'skill_metrics.json', v1File([
    v1({ skill_name: 'code-review', invoked_at: '2026-03-01T22:30:00', duration_seconds: 10, follow_up_actions: ['git commit', 'run tests'] }),
    v1({ skill_name: 'code-review', invoked_at: '2026-03-01T23:30:00', duration_seconds: 30 }),
    v1({ skill_name: 'code-review', invoked_at: '2026-03-02T09:00:00', completed: false, duration_seconds: 5, error_type: 'timeout' }),
    v1({ skill_name: 'commit-message', invoked_at: '2026-03-02T10:00:00', duration_seconds: 2 }),
  ]));
  writeSource(beta, 'skill_metrics.json', v1File([v1({ skill_name: 'code-review', invoked_at: '2026-03-03T10:00:00', duration_seconds: 20 })]));
  return { root, db, alpha, beta };
}

describe('cli', () => {
  it('collect, projects, top and health print the documented JSON shapes', async () => {
    const f = await fixture();
    const collect = await cli(f.db, 'collect', f.alpha, f.beta, '--json');
    assert.equal(collect.code, 0, collect.stderr);
    for (const key of ['projects', 'files', 'records_seen', 'records_added', 'skipped_invalid', 'problems', 'duration_ms']) assert.ok(key in collect.json, key);
    assert.deepEqual([collect.json.projects, collect.json.files, collect.json.records_seen, collect.json.records_added], [2, 2, 5, 5]);

    const projects = await cli(f.db, 'projects', '--json');
    assert.deepEqual(Object.keys(projects.json[0]).sort(), ['is_active', 'last_sync_at', 'project_id', 'project_name', 'project_path', 'project_type', 'registered_at', 'total_invocations']);
    assert.deepEqual(projects.json.map((p: { project_name: string; total_invocations: number }) => [p.project_name, p.total_invocations]), [['alpha', 4], ['beta', 1]]);
    assert.match(projects.json[0].registered_at, ISO_WITH_OFFSET);
    assert.match(projects.json[0].project_id, /^[0-9a-f]{16}$/);

    const top = await cli(f.db, 'top', '--json');
    assert.deepEqual(Object.keys(top.json[0]).sort(), ['avg_duration_seconds', 'avg_follow_ups', 'completed_invocations', 'first_used', 'last_used', 'p95_duration_seconds', 'pending_invocations', 'projects', 'skill_name', 'success_rate', 'total_invocations']);
    const review = top.json[0];
    assert.equal(review.skill_name, 'code-review');
    assert.equal(review.total_invocations, 4);
    assert.equal(review.completed_invocations, 3);
    assert.equal(review.success_rate, 0.75);
    assert.equal(review.avg_duration_seconds, 20, 'mean of completed durations 10, 30, 20');
    assert.equal(review.p95_duration_seconds, 29, 'continuous 95th percentile of 10, 20, 30');
    assert.equal(review.avg_follow_ups, 0.5);
    assert.equal(review.projects, 2);
    assert.equal(review.first_used, '2026-03-01T22:30:00.000+00:00');

    const health = await cli(f.db, 'health', '--json');
    assert.deepEqual(Object.keys(health.json).sort(), ['aggregates_fresh', 'last_collection', 'ok', 'problems', 'projects', 'records', 'schema_version', 'workflow_events']);
    assert.deepEqual([health.json.ok, health.json.projects, health.json.records, health.json.problems], [true, 2, 5, []]);
  });

  it('filters top by project (id, path or name), window and inclusive dates in the display zone', async () => {
    const f = await fixture();
    await cli(f.db, 'collect', f.alpha, f.beta);
    const projects = (await cli(f.db, 'projects', '--json')).json;
    for (const ref of ['beta', f.beta, projects[1].project_id]) {
      const top = await cli(f.db, 'top', '--json', '--project', ref);
      assert.deepEqual(top.json.map((r: { skill_name: string; total_invocations: number }) => [r.skill_name, r.total_invocations]), [['code-review', 1]], ref);
    }
    // 2026-03-01 22:30 and 23:30 UTC are March 1 in UTC but March 1 23:30 and March 2 00:30 in Berlin
    const utc = await cli(f.db, 'top', '--json', '--since', '2026-03-01', '--until', '2026-03-01');
    assert.equal(utc.json[0].total_invocations, 2);
    const berlin = await cli(f.db, 'top', '--json', '--since', '2026-03-01', '--until', '2026-03-01', '--display-tz', 'Europe/Berlin');
    assert.equal(berlin.json[0].total_invocations, 1);
    assert.equal(berlin.json[0].first_used, '2026-03-01T23:30:00.000+01:00');
    const limited = await cli(f.db, 'top', '--json', '--limit', '1');
    assert.equal(limited.json.length, 1);
    const old = await cli(f.db, 'top', '--json', '--window', '7d');
    assert.deepEqual(old.json, [], 'nothing in the last 7 days');
  });

  it('register, unregister and re-register keep one project and its history', async () => {
    const f = await fixture();
    const reg = await cli(f.db, 'register', f.alpha, '--name', 'Alpha App', '--type', 'python', '--json');
    assert.equal(reg.code, 0);
    assert.deepEqual([reg.json.project_name, reg.json.project_type, reg.json.source], ['Alpha App', 'python', 'cli']);
    await cli(f.db, 'collect');
    const un = await cli(f.db, 'unregister', 'Alpha App', '--json');
    assert.equal(un.json.is_active, false);
    assert.deepEqual((await cli(f.db, 'projects', '--json')).json, []);
    const all = await cli(f.db, 'projects', '--all', '--json');
    assert.deepEqual(all.json.map((p: { is_active: boolean; total_invocations: number }) => [p.is_active, p.total_invocations]), [[false, 4]]);
    const again = await cli(f.db, 'register', f.alpha, '--json');
    assert.equal(again.json.project_id, reg.json.project_id);
    assert.equal((await cli(f.db, 'projects', '--json')).json[0].total_invocations, 4);
  });

  it('exit code 2 for usage errors, with a message', async () => {
    const f = await fixture();
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['top', '--limit', 'ten'], /--limit must be a whole number from 1 to/],
      [['top', '--window', 'fortnight'], /Unknown window "fortnight"/],
      [['top', '--since', '2026-02-30'], /--since must be a date as YYYY-MM-DD/],
      [['top', '--since', '2026-03-02', '--until', '2026-03-01'], /is after --until/],
      [['top', '--project', 'nope'], /No active project matches "nope"/],
      [['register'], /Usage: skill-metrics register <dir>/],
      [['register', path.join(f.root, 'missing')], /Not a folder/],
      [['projects', '--bogus'], /Unknown option '--bogus'/],
      [['projects', '--limit', '3'], /projects does not take --limit/],
      [['top', '--display-tz', 'Mars/Olympus'], /Unknown time zone for the display time zone: "Mars\/Olympus"/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(f.db, ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
    const json = await cli(f.db, 'top', '--json', '--window', 'fortnight');
    assert.deepEqual(Object.keys(json.json).sort(), ['error', 'exit_code']);
    assert.equal(json.json.exit_code, 2);
  });

  it('prints help for the tool and for a command', async () => {
    const f = await fixture();
    const help = await cli(f.db, '--help');
    assert.equal(help.code, 0);
    for (const c of ['register', 'unregister', 'projects', 'collect', 'top', 'health']) assert.match(help.stdout, new RegExp(`^  ${c}\\b`, 'm'));
    assert.match(help.stdout, /Exit codes: 0 ok; 1 done, but some input was bad/);
    const top = await cli(f.db, 'top', '--help');
    assert.match(top.stdout, /^Usage: skill-metrics top \[--limit N\]/);
  });
});
