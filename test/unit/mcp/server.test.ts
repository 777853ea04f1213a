/**
 * The MCP server as an agent meets it: the SDK's own client starts `node dist/cli.js mcp` (the built CLI,
 * `npm run build` first) over real stdio on a real database, lists the tools and calls each one. Answers
 * to the questions the CLI also answers must be byte-identical to its --json output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CliRun } from '../helpers';
import { cli, handBuilt, many, tempDir } from '../helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

const TOOL_NAMES = [
  'register_project', 'unregister_project', 'list_registered_projects', 'collect_skill_metrics', 'compute_aggregates', 'get_top_skills',
  'analyze_skill_effectiveness', 'compare_skill_across_projects', 'get_skill_summary', 'get_workflow_recommendations', 'get_correlated_sessions',
  'get_skill_graph', 'health_check', 'recommend_workflow_skills',
];
const WRITING = ['register_project', 'unregister_project', 'collect_skill_metrics', 'compute_aggregates'];

interface Answer {
  text: string;
  isError: boolean;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function startServer(db: string): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--db', db],
    env: { SKILL_METRICS_SOURCE_TZ: 'UTC', SKILL_METRICS_DISPLAY_TZ: 'UTC' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'skill-metrics-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  assert.equal(content.length, 1, name);
  assert.equal(content[0]!.type, 'text', name);
  const text = content[0]!.text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { text, isError: result.isError === true, json };
}

/** The tool's text is exactly what the CLI prints with --json (which adds a final newline). */
function sameAsCli(answer: Answer, run: CliRun, what: string): void {
  assert.equal(run.code, 0, `${what}: ${run.stderr}`);
  assert.equal(answer.isError, false, `${what}: ${answer.text}`);
  assert.equal(`${answer.text}\n`, run.stdout, what);
}

describe('mcp: the server over stdio with the SDK client', function () {
  let root: string;
  let db: string;
  let alpha: string;
  let beta: string;
  let client: Client;
  let stderr: () => string;

  before(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    root = tempDir();
    db = path.join(root, 'db.duckdb');
    // alpha: 8 sessions of review (3 succeed, 5 time out) then commit (all succeed, one follow-up each), on the daily
    // workflow path, and a workflow node in s1; beta: 6 successful reviews a minute apart without a session id.
    alpha = handBuilt(root, 'alpha', [
      ...many('review', 8, '2026-11-10T10:00:00', (i) => ({ ok: i < 3, err: i >= 3 ? 'timeout' : null, session: `s${i}`, path: 'daily' })),
      ...many('commit', 8, '2026-11-10T10:30:00', (i) => ({ session: `s${i}`, fu: ['push'], path: 'daily' })),
    ], [{ type: 'node_completed', at: '2026-11-10T10:20:00', node: 'tests', session: 's1', dur: 30, success: true }]);
    beta = handBuilt(root, 'beta', many('review', 6, '2026-11-11T10:00:00'));
    assert.equal((await cli(db, 'collect', alpha, '--json')).code, 0);
    ({ client, stderr } = await startServer(db));
  });

  after(async () => {
    await client?.close();
  });

  it('lists the fourteen tools with JSON schemas, titles and read-only annotations', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.ok(t.title && t.description && t.description.length > 80, t.name);
      assert.equal(t.annotations?.readOnlyHint, !WRITING.includes(t.name), t.name);
      assert.equal(t.annotations?.openWorldHint, false, t.name);
    }
    const top = tools.find((t) => t.name === 'get_top_skills')!;
    assert.deepEqual(Object.keys(top.inputSchema.properties ?? {}), ['limit', 'project', 'window', 'since', 'until']);
    assert.deepEqual((top.inputSchema.properties as Record<string, { enum?: string[] }>).window!.enum, ['all', 'today', '7d', '30d', 'daily', 'weekly', 'monthly']);
    const next = tools.find((t) => t.name === 'recommend_workflow_skills')!;
    assert.deepEqual(Object.keys(next.inputSchema.properties ?? {}), ['skills_so_far', 'workflow', 'project', 'limit']);
    assert.deepEqual(tools.find((t) => t.name === 'analyze_skill_effectiveness')!.inputSchema.required, ['skill']);
  });

  it('registers, collects and aggregates: the state-changing tools', async () => {
    const projects = await call(client, 'list_registered_projects');
    sameAsCli(projects, await cli(db, 'projects', '--json'), 'projects');
    assert.deepEqual(projects.json.map((p: { project_name: string; total_invocations: number }) => [p.project_name, p.total_invocations]), [['alpha', 16]]);

    const reg = await call(client, 'register_project', { path: beta, name: 'Beta' });
    assert.equal(reg.isError, false, reg.text);
    const betaId = createHash('sha256').update(realpathSync(beta)).digest('hex').slice(0, 16);
    assert.deepEqual([reg.json.project_id, reg.json.project_name, reg.json.source, reg.json.is_active, reg.json.last_sync_at], [betaId, 'Beta', 'cli', true, null]);
    assert.match(reg.json.registered_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);

    const collected = await call(client, 'collect_skill_metrics');
    assert.equal(collected.isError, false, collected.text);
    assert.deepEqual(
      [collected.json.projects, collected.json.files, collected.json.files_read, collected.json.records_added, collected.json.skipped_invalid, collected.json.problems],
      [2, 3, 1, 6, 0, []],
      "beta's one file is read; alpha's two are unchanged",
    );
    const again = await call(client, 'collect_skill_metrics', { paths: [beta] });
    assert.deepEqual([again.json.projects, again.json.files_read, again.json.records_added], [1, 0, 0], 'idempotent');

    const agg = await call(client, 'compute_aggregates', { window: 'daily' });
    assert.deepEqual([agg.json.windows, agg.json.sessions], [['daily'], 9]);
    const health = await call(client, 'health_check');
    sameAsCli(health, await cli(db, 'health', '--json'), 'health');
    assert.deepEqual([health.json.ok, health.json.projects, health.json.records, health.json.aggregates_fresh], [true, 2, 22, true]);
  });

  it('answers the read-only questions with exactly the CLI JSON', async () => {
    const pairs: [string, Record<string, unknown>, string[]][] = [
      ['list_registered_projects', {}, ['projects']],
      ['list_registered_projects', { include_inactive: true }, ['projects', '--all']],
      ['get_top_skills', {}, ['top']],
      ['get_top_skills', { limit: 1, project: 'alpha', window: 'all' }, ['top', '--limit', '1', '--project', 'alpha']],
      ['get_top_skills', { since: '2026-11-11', until: '2026-11-11' }, ['top', '--since', '2026-11-11', '--until', '2026-11-11']],
      ['analyze_skill_effectiveness', { skill: 'review', project: 'alpha' }, ['effectiveness', 'review', '--project', 'alpha']],
      ['analyze_skill_effectiveness', { skill: 'reveiw' }, ['effectiveness', 'reveiw']],
      ['compare_skill_across_projects', { skill: 'review' }, ['compare', 'review']],
      ['get_workflow_recommendations', { project: 'alpha' }, ['recommendations', '--project', 'alpha']],
      ['get_workflow_recommendations', { limit: 2 }, ['recommendations', '--limit', '2']],
      ['get_correlated_sessions', { project: 'alpha', limit: 3 }, ['sessions', '--project', 'alpha', '--limit', '3']],
      ['get_correlated_sessions', { skill: 'commit' }, ['sessions', '--skill', 'commit']],
      ['get_skill_graph', {}, ['graph']],
      ['get_skill_graph', { project: 'alpha', min_count: 1, limit: 5 }, ['graph', '--project', 'alpha', '--min-count', '1', '--limit', '5']],
      ['health_check', {}, ['health']],
    ];
    for (const [tool, args, argv] of pairs) sameAsCli(await call(client, tool, args), await cli(db, ...argv, '--json'), `${tool} ${JSON.stringify(args)}`);

    const top = (await call(client, 'get_top_skills')).json;
    assert.deepEqual(top.map((r: { skill_name: string; total_invocations: number; completed_invocations: number; success_rate: number; projects: number }) =>
      [r.skill_name, r.total_invocations, r.completed_invocations, r.success_rate, r.projects]), [['review', 14, 9, 9 / 14, 2], ['commit', 8, 8, 1, 1]]);
    assert.equal(top[0].first_used, '2026-11-10T10:00:00.000+00:00');
    const eff = (await call(client, 'analyze_skill_effectiveness', { skill: 'review', project: 'alpha' })).json;
    assert.deepEqual([eff.total_invocations, eff.success_rate, eff.top_errors, eff.workflow_paths], [8, 0.375, [{ error_type: 'timeout', count: 5 }], [{ workflow_path: 'daily', count: 8, success_rate: 0.375 }]]);
    const typo = (await call(client, 'analyze_skill_effectiveness', { skill: 'reveiw' })).json;
    assert.deepEqual([typo.found, typo.insights.at(-1)], [false, 'Did you mean: review?']);
    const cmp = (await call(client, 'compare_skill_across_projects', { skill: 'review' })).json;
    assert.deepEqual(cmp.map((r: { project_name: string; total_invocations: number; success_rate: number }) => [r.project_name, r.total_invocations, r.success_rate]), [['alpha', 8, 0.375], ['Beta', 6, 1]]);
    const graph = (await call(client, 'get_skill_graph')).json;
    // 9 sessions; review in 9, commit in 8, both in 8: lift = 8 * 9 / (9 * 8) = 1. From review: 8 to commit, 5 to itself (beta).
    assert.deepEqual(graph.pairs, [{ a: 'commit', b: 'review', sessions: 8, lift: 1 }]);
    assert.deepEqual(graph.transitions, [{ from: 'review', to: 'commit', count: 8, probability: 8 / 13 }, { from: 'review', to: 'review', count: 5, probability: 5 / 13 }]);
    const sessions = (await call(client, 'get_correlated_sessions', { project: 'alpha', limit: 1 })).json;
    assert.deepEqual(sessions, [{
      session_id: 's7', inferred: false, project_id: cmp[0].project_id, start_time: '2026-11-10T10:07:00.000+00:00', end_time: '2026-11-10T10:37:00.000+00:00',
      skills_used: ['review', 'commit'], skills_completed: 1, workflow_nodes_completed: 0, total_skill_duration: 20, total_workflow_duration: 0,
    }]);
    const recs = (await call(client, 'get_workflow_recommendations', { project: 'alpha' })).json;
    assert.deepEqual(recs[0], {
      type: 'low_success_rate', priority: 'high', skill_name: 'review', project_id: cmp[0].project_id,
      message: 'review succeeds in only 38% of 8 invocations.', action: 'Review review: its prompts, its inputs and the failures below.',
      evidence: { total_invocations: 8, completed_invocations: 3, success_rate: 0.375 },
    });
  });

  it('declares an outputSchema for every tool and returns the same JSON as structuredContent (a list under its key)', async () => {
    const { tools } = await client.listTools();
    for (const t of tools) assert.equal(t.outputSchema?.type, 'object', t.name);
    const cases: [string, Record<string, unknown>, string | null][] = [
      ['get_top_skills', {}, 'skills'],
      ['list_registered_projects', {}, 'projects'],
      ['compare_skill_across_projects', { skill: 'review' }, 'projects'],
      ['get_correlated_sessions', { limit: 3 }, 'sessions'],
      ['analyze_skill_effectiveness', { skill: 'review' }, null],
      ['get_skill_graph', { min_count: 1 }, null],
      ['health_check', {}, null],
    ];
    for (const [name, args, key] of cases) {
      const result = await client.callTool({ name, arguments: args });
      assert.notEqual(result.isError, true, name);
      const json = JSON.parse((result.content as { text: string }[])[0]!.text) as unknown;
      assert.deepEqual(result.structuredContent, key ? { [key]: json } : json, name);
    }
  });

  it('get_skill_summary: key figures, top skills, what needs attention, the best recommendation, health', async () => {
    const s = (await call(client, 'get_skill_summary', { project: 'alpha', window: 'all' })).json;
    const recs = (await cli(db, 'recommendations', '--project', 'alpha', '--json')).json;
    assert.deepEqual(s, {
      project_id: recs[0].project_id, project_name: 'alpha', window: 'all', from: null, to: null,
      invocations: 16, completed: 11, success_rate: 11 / 16, median_duration_seconds: 10, skills: 2, active_projects: 1, change: null,
      top_skills: [
        { skill_name: 'commit', total_invocations: 8, success_rate: 1, avg_duration_seconds: 10, enough_evidence: true },
        { skill_name: 'review', total_invocations: 8, success_rate: 0.375, avg_duration_seconds: 10, enough_evidence: true },
      ],
      needs_attention: [{ skill_name: 'review', total_invocations: 8, success_rate: 0.375, avg_duration_seconds: 10, enough_evidence: true }],
      best_recommendation: recs[0], recommendations: recs.length,
      health: { ok: true, problems: 0, aggregates_fresh: true, last_collection: s.health.last_collection },
    });
    assert.match(s.health.last_collection, /\+00:00$/);
    const all = (await call(client, 'get_skill_summary')).json;
    assert.deepEqual([all.project_id, all.window, all.active_projects >= 0], [null, '30d', true], 'default: every project, the last 30 days');
  });

  it('recommend_workflow_skills: the next skills in order, with the evidence, leaving out what fails', async () => {
    const after = (await call(client, 'recommend_workflow_skills', { skills_so_far: ['review'] })).json;
    assert.deepEqual(after.next.map((n: { skill_name: string; reason: string; transition: unknown; success_rate: number; enough_evidence: boolean }) =>
      [n.skill_name, n.reason, n.transition, n.success_rate, n.enough_evidence]), [['commit', 'usual_next', { from: 'review', count: 8, from_total: 13, probability: 8 / 13 }, 1, true]]);
    assert.equal(after.next[0].why, 'After review comes commit in 62% of 13 recorded transitions (8). It succeeds in 100% of 8 invocations.');

    // Over all projects review succeeds 9 of 14 times (64%): it starts every session, then commit.
    const fresh = (await call(client, 'recommend_workflow_skills')).json;
    assert.deepEqual(fresh.next.map((n: { skill_name: string; reason: string }) => [n.skill_name, n.reason]), [['review', 'usual_start'], ['commit', 'usual_next']]);
    assert.deepEqual(fresh.next[0].starts, { sessions: 9, of_sessions: 9 });

    // On alpha's daily path review succeeds 3 of 8 times: left out, with the reason; commit is what remains.
    const daily = (await call(client, 'recommend_workflow_skills', { workflow: 'daily', project: 'alpha' })).json;
    assert.deepEqual([daily.workflow, daily.figures_scope], [{ name: 'daily', kind: 'path' }, 'workflow']);
    assert.deepEqual(daily.next.map((n: { skill_name: string; reason: string }) => [n.skill_name, n.reason]), [['commit', 'typical_order']]);
    assert.deepEqual(daily.excluded.map((e: { skill_name: string; success_rate: number; total_invocations: number }) => [e.skill_name, e.success_rate, e.total_invocations]), [['review', 0.375, 8]]);
    assert.match(daily.excluded[0].reason, /but it succeeds in only 38% of 8 invocations \(below 60%\)\.$/);
  });

  it('errors are tool errors with a clear message, and the server goes on', async () => {
    const cases: [string, Record<string, unknown>, string | RegExp][] = [
      ['get_top_skills', { project: 'nope' }, 'No active project matches "nope" (give a project id, path or name; see list_registered_projects).'],
      ['get_top_skills', { since: '2026-02-30' }, 'since must be a date as YYYY-MM-DD, got "2026-02-30"'],
      ['get_top_skills', { since: '2026-11-12', until: '2026-11-11' }, 'since 2026-11-12 is after until 2026-11-11'],
      ['get_top_skills', { window: 'fortnight' }, /Invalid arguments for tool get_top_skills: .*window/],
      ['get_top_skills', { limit: 0 }, /Invalid arguments for tool get_top_skills: .*limit/],
      ['analyze_skill_effectiveness', {}, /Invalid arguments for tool analyze_skill_effectiveness: .*skill/],
      ['register_project', { path: path.join(root, 'missing') }, `Not a folder: ${path.join(root, 'missing')}`],
      ['recommend_workflow_skills', { workflow: 'nightly' }, 'No workflow path or node "nightly" is recorded. Known: daily, tests'],
    ];
    for (const [tool, args, message] of cases) {
      const a = await call(client, tool, args);
      assert.equal(a.isError, true, `${tool} ${JSON.stringify(args)}: ${a.text}`);
      if (typeof message === 'string') assert.equal(a.text, message);
      else assert.match(a.text, message);
    }
    assert.equal((await call(client, 'health_check')).json.ok, true, 'still serving');
  });

  it('unregisters: the project leaves every answer, its history stays', async () => {
    const un = await call(client, 'unregister_project', { project: 'Beta' });
    assert.deepEqual([un.isError, un.json.project_name, un.json.is_active], [false, 'Beta', false]);
    const projects = (await call(client, 'list_registered_projects')).json;
    assert.deepEqual(projects.map((p: { project_name: string }) => p.project_name), ['alpha']);
    const all = (await call(client, 'list_registered_projects', { include_inactive: true })).json;
    assert.deepEqual(all.map((p: { project_name: string; is_active: boolean; total_invocations: number }) => [p.project_name, p.is_active, p.total_invocations]), [['alpha', true, 16], ['Beta', false, 6]]);
    const cmp = (await call(client, 'compare_skill_across_projects', { skill: 'review' })).json;
    assert.deepEqual(cmp.map((r: { project_name: string }) => r.project_name), ['alpha']);
    assert.doesNotMatch(stderr(), /Error|at /, 'nothing went wrong on the server side');
  });

  it('answers calls still in flight when the input ends, then exits 0 with nothing else on stdout', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', '--db', db], { env: { ...process.env, SKILL_METRICS_DISPLAY_TZ: 'UTC', SKILL_METRICS_SOURCE_TZ: 'UTC' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'get_top_skills', arguments: { project: 'alpha' } } });
    send({ id: 3, method: 'tools/call', params: { name: 'get_skill_graph', arguments: {} } });
    child.stdin.end();
    assert.equal(await exited, 0);
    const messages = out.trim().split('\n').map((line) => JSON.parse(line) as { id: number; result: { content: { text: string }[] } });
    assert.deepEqual(messages.map((m) => m.id).sort(), [1, 2, 3]);
    const top = JSON.parse(messages.find((m) => m.id === 2)!.result.content[0]!.text) as { skill_name: string }[];
    assert.deepEqual(top.map((r) => r.skill_name), ['commit', 'review']);
  });

  it('a database it cannot use gives tool errors, not a crash', async () => {
    const foreign = path.join(tempDir(), 'other.duckdb');
    const instance = await DuckDBInstance.create(foreign);
    const conn = await instance.connect();
    await conn.run('CREATE TABLE t (x INTEGER)');
    conn.closeSync();
    instance.closeSync();
    const other = await startServer(foreign);
    try {
      for (let i = 0; i < 2; i++) {
        const a = await call(other.client, 'health_check');
        assert.equal(a.isError, true);
        assert.equal(a.text, `The file ${foreign} is a DuckDB database of something else (it has tables but no Skill Metrics schema); nothing was changed.`);
      }
      assert.equal((await other.client.listTools()).tools.length, 14, 'still serving');
    } finally {
      await other.client.close();
    }
  });
});
