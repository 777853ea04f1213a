/**
 * The agent tools in the editor: the language-model tools (invoked through vscode.lm like agent mode does)
 * and the MCP server definition agent mode starts. Runs last: it registers a project of its own (delta),
 * whose figures are known by construction, and unregisters it at the end.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TOOL_NAMES } from '../../src/core/toolInfo';
import { SkillMetricsTool, mcpServerDefinition } from '../../src/views/agentTools';
import { EXTENSION_ID, internals, manifest } from './helpers';

const PREFIX = 'skillMetrics_';
const MINUTE = 60_000;

/** agent-delta: 6 sessions (2 h apart) of plan -> code-review -> commit; code-review times out in the last two. */
function writeDelta(root: string, now: number): string {
  const dir = path.join(root, 'outside', 'agent-delta');
  fs.mkdirSync(path.join(dir, '.session-buddy'), { recursive: true });
  const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000`;
  const invocations = [];
  for (let s = 0; s < 6; s++) {
    const t = now - (6 - s) * 120 * MINUTE;
    const reviewOk = s < 4;
    invocations.push(
      { skill_name: 'plan', invoked_at: at(t), workflow_path: 'daily', completed: true, duration_seconds: 5, follow_up_actions: [], error_type: null },
      { skill_name: 'code-review', invoked_at: at(t + MINUTE), workflow_path: 'daily', completed: reviewOk, duration_seconds: reviewOk ? 20 : 300, follow_up_actions: [], error_type: reviewOk ? null : 'timeout' },
      { skill_name: 'commit', invoked_at: at(t + 2 * MINUTE), workflow_path: 'daily', completed: true, duration_seconds: 3, follow_up_actions: [], error_type: null },
    );
  }
  fs.writeFileSync(path.join(dir, '.session-buddy', 'skill_metrics.json'), JSON.stringify({ invocations, skills: {}, last_updated: at(now) }, null, 2));
  return dir;
}

async function invoke(name: string, input: object): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await vscode.lm.invokeTool(`${PREFIX}${name}`, { input, toolInvocationToken: undefined });
  assert.equal(result.content.length, 1);
  const part = result.content[0];
  assert.ok(part instanceof vscode.LanguageModelTextPart, `${name} answers with text`);
  return JSON.parse(part.value);
}

describe('agent tools', function () {
  let delta: string;

  before(function () {
    if (typeof vscode.lm?.registerTool !== 'function' || typeof vscode.lm?.invokeTool !== 'function') {
      console.log('      this VS Code has no language-model tools API: skipping');
      this.skip(); // Reason: a VS Code without the language-model tools API has nothing to test here (the rest of the extension works without it).
    }
    delta = writeDelta(manifest().root, Date.now());
  });

  it('registers the fourteen tools the manifest contributes, with their schemas', () => {
    const ours = vscode.lm.tools.filter((t) => t.name.startsWith(PREFIX));
    assert.deepEqual(ours.map((t) => t.name).sort(), TOOL_NAMES.map((n) => `${PREFIX}${n}`).sort());
    const contributed = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.languageModelTools as { name: string; tags: string[] }[];
    assert.equal(contributed.length, 14);
    const top = ours.find((t) => t.name === `${PREFIX}get_top_skills`)!;
    assert.deepEqual(Object.keys((top.inputSchema as { properties: object }).properties), ['limit', 'project', 'window', 'since', 'until']);
    assert.ok(top.tags.includes('read-only'));
  });

  it('a tool that changes state asks for confirmation first; one that reads does not', async () => {
    const i = await internals();
    const register = new SkillMetricsTool('register_project', i);
    const prepared = register.prepareInvocation({ input: { path: delta } });
    assert.equal(prepared.confirmationMessages?.title, 'Skill Metrics: Register a project?');
    assert.equal((prepared.confirmationMessages?.message as vscode.MarkdownString).value, `Register the folder ${delta}: its .session-buddy records will be collected and analysed.`);
    assert.equal(new SkillMetricsTool('get_top_skills', i).prepareInvocation({ input: {} }).confirmationMessages, undefined);
  });

  it('collects a folder through the tool (once confirmed): registered, 18 records, in the Projects view', async () => {
    const i = await internals();
    const collected = JSON.parse(await new SkillMetricsTool('collect_skill_metrics', i).run({ paths: [delta] }));
    assert.deepEqual([collected.projects, collected.files, collected.records_added, collected.problems], [1, 1, 18, []]);
    const projects = await invoke('list_registered_projects', {});
    const row = projects.find((p: { project_name: string }) => p.project_name === 'agent-delta');
    assert.deepEqual([row.total_invocations, row.is_active], [18, true]);
    assert.ok((await (await i.service.engine()).listProjects()).some((p) => p.project_name === 'agent-delta' && p.source === 'manual'));
  });

  it('answers read-only questions through vscode.lm.invokeTool, with the figures of delta', async () => {
    const top = await invoke('get_top_skills', { project: delta });
    assert.deepEqual(top.map((r: { skill_name: string; total_invocations: number; completed_invocations: number }) => [r.skill_name, r.total_invocations, r.completed_invocations]), [
      ['code-review', 6, 4], ['commit', 6, 6], ['plan', 6, 6],
    ]);
    assert.match(top[0].last_used, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    const eff = await invoke('analyze_skill_effectiveness', { skill: 'code-review', project: 'agent-delta' });
    assert.deepEqual([eff.total_invocations, eff.success_rate, eff.top_errors, eff.avg_duration_seconds], [6, 4 / 6, [{ error_type: 'timeout', count: 2 }], 20]);
    const summary = await invoke('get_skill_summary', { project: 'agent-delta', window: 'all' });
    assert.deepEqual([summary.project_name, summary.invocations, summary.completed, summary.skills], ['agent-delta', 18, 16, 3]);
    // Six inferred sessions (2 h apart): plan starts each, code-review follows (67% >= 60%), then commit.
    const next = await invoke('recommend_workflow_skills', { project: 'agent-delta' });
    assert.deepEqual(next.next.map((n: { skill_name: string; reason: string }) => [n.skill_name, n.reason]), [['plan', 'usual_start'], ['code-review', 'usual_next'], ['commit', 'usual_next']]);
    assert.deepEqual(next.next[1].transition, { from: 'plan', count: 6, from_total: 6, probability: 1 });
  });

  it('an error reaches the caller with a clear message', async () => {
    await assert.rejects(invoke('get_top_skills', { project: 'nope' }), /No active project matches "nope" \(give a project id, path or name; see list_registered_projects\)/);
    await assert.rejects(invoke('get_top_skills', { limit: 'ten' }), /Invalid input for get_top_skills/);
  });

  it('offers agent mode the MCP server: this extension\'s CLI on this database, which answers', async () => {
    const i = await internals();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const def = mcpServerDefinition({ service: i.service, config: i.config, extensionPath: ext.extensionPath, version: ext.packageJSON.version });
    assert.equal(def.command, 'node');
    assert.deepEqual(def.args.slice(0, 3), [path.join(ext.extensionPath, 'dist', 'cli.js'), '--db', i.service.databasePath]);
    assert.equal(def.args.at(-1), 'mcp');
    assert.equal(def.args[def.args.indexOf('--display-tz') + 1], i.config.config.core.displayTimeZone);
    // Start it as agent mode would (with this host's Node) and ask for the health check.
    const child = spawn(process.execPath, def.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ext-test', version: '1' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'health_check', arguments: {} } });
    child.stdin.end();
    assert.equal(await exited, 0);
    const reply = out.trim().split('\n').map((l) => JSON.parse(l) as { id: number; result: { content: { text: string }[] } }).find((m) => m.id === 2)!;
    const health = JSON.parse(reply.result.content[0]!.text);
    const engine = await i.service.engine();
    assert.deepEqual([health.projects, health.records], [(await engine.health()).projects, (await engine.health()).records]);
  });

  it('unregisters through the tool: delta leaves the answers, its history stays', async () => {
    const i = await internals();
    const un = JSON.parse(await new SkillMetricsTool('unregister_project', i).run({ project: 'agent-delta' }));
    assert.equal(un.is_active, false);
    const projects = await invoke('list_registered_projects', { include_inactive: true });
    assert.deepEqual(projects.filter((p: { project_name: string }) => p.project_name === 'agent-delta').map((p: { is_active: boolean; total_invocations: number }) => [p.is_active, p.total_invocations]), [[false, 18]]);
  });
});
