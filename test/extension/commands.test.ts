/** The commands of DESIGN section 1, run as a user's palette or a tree item would, minus the pickers. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as fmt from '../../src/common/format';
import type { SkillPayload } from '../../src/core/dashboard/protocol';
import type { CleanupResult, CollectResult, ExportResult, Health, Registration } from '../../src/core/service';
import { eventually, internals, labels, manifest, projectId, row } from './helpers';

describe('commands', () => {
  let alphaId: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-export-'));

  before(async () => {
    alphaId = await projectId(manifest().alpha.dir);
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', alphaId);
  });

  after(async () => {
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', null);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Collect Now collects every active project (nothing new after the start-up collection)', async () => {
    const result = await vscode.commands.executeCommand<CollectResult>('skillMetrics.collectNow');
    assert.equal(result.projects, 3);
    assert.equal(result.records_added, 0);
    assert.deepEqual(result.problems, []);
    assert.ok(result.files >= 4);
  });

  it('Aggregate Skill Metrics recomputes every window', async () => {
    const result = await vscode.commands.executeCommand<{ windows: string[]; rows_written: number }>('skillMetrics.aggregate');
    assert.deepEqual([...result.windows].sort(), ['all', 'daily', 'monthly', 'weekly']);
    assert.ok(result.rows_written > 0);
    const { service } = await internals();
    await eventually(() => assert.equal(service.state.health?.aggregates_fresh, true));
  });

  // The effectiveness and compare pages are the dashboard's skill page now: the same figures, asserted on what
  // that page shows (its payload, rendered with the one formatter) and on the panel that shows it.
  it('Analyze Skill Effectiveness opens the skill\'s page on the dashboard with its figures', async () => {
    const page = await vscode.commands.executeCommand<SkillPayload>('skillMetrics.analyzeEffectiveness', 'code-review', alphaId);
    assert.equal(page.skill, 'code-review');
    assert.deepEqual([page.scope.projectName, page.effectiveness.total, page.effectiveness.completed, page.effectiveness.enoughEvidence], ['alpha', 25, 23, true]);
    assert.equal(fmt.pct(page.effectiveness.successRate), '92%');
    assert.equal(fmt.seconds(page.effectiveness.p50), '32 s');
    assert.deepEqual(page.errors.find((e) => e.errorType === 'timeout'), { errorType: 'timeout', count: 2 });
    const daily = page.paths.find((p) => p.path === 'daily')!;
    assert.deepEqual([daily.count, fmt.pct(daily.successRate)], [13, '92%']);
    const { dashboard } = await internals();
    // The dashboard's policy: it has no inline style, so style-src carries no nonce (the report page had one).
    assert.match(dashboard.current!.panel.webview.html, /Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[^']+'; style-src [^;]+;/);
    assert.doesNotMatch(dashboard.current!.panel.webview.html, /unsafe-inline/);
    assert.equal(dashboard.current?.panel.title, 'Skill Metrics: code-review');
  });

  it('Analyze Skill Effectiveness takes a Top Skills node (inline action)', async () => {
    const { trees, dashboard } = await internals();
    const nodes = await trees.topSkills.getChildren();
    const testWriter = nodes.find((n) => n.getTreeItem().label === 'test-writer')!;
    const page = await vscode.commands.executeCommand<SkillPayload>('skillMetrics.analyzeEffectiveness', testWriter);
    assert.equal(dashboard.current?.panel.title, 'Skill Metrics: test-writer');
    assert.equal(fmt.pct(page.effectiveness.successRate), '80%');
  });

  it('Compare Skill Across Projects shows one row per project that used it (the skill page\'s "Across projects")', async () => {
    const { service } = await internals();
    const expected = await (await service.engine()).compare('code-review');
    const page = await vscode.commands.executeCommand<SkillPayload>('skillMetrics.compareSkill', 'code-review');
    assert.equal(page.skill, 'code-review');
    const rows = page.projects.map((p) => [p.name, p.total]);
    assert.deepEqual(rows, expected.map((r) => [r.project_name, r.total_invocations]));
    assert.ok(rows.some(([name, n]) => name === 'alpha' && n === 25));
    // Leave no dashboard open: the next test opens it afresh.
    (await internals()).dashboard.current?.panel.dispose();
  });

  it('Open Dashboard opens the dashboard; with the status bar\'s arguments, on its skill and project', async () => {
    const { dashboard, statusBar } = await internals();
    await vscode.commands.executeCommand('skillMetrics.openDashboard');
    assert.equal(dashboard.current?.panel.title, 'Skill Metrics');
    const status = await statusBar.update();
    assert.equal(status.skill, 'code-review');
    await vscode.commands.executeCommand(status.command!, ...(status.commandArgs ?? []));
    assert.equal(dashboard.current?.panel.title, 'Skill Metrics: code-review');
    assert.deepEqual([dashboard.current?.state?.page, dashboard.current?.state?.filters.project], [{ kind: 'skill', skill: 'code-review' }, status.projectId]);
    assert.match(dashboard.current!.panel.webview.html, /Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[^']+'; style-src [^;]+; img-src [^;]+ data:; font-src [^"]+">/);
    assert.doesNotMatch(dashboard.current!.panel.webview.html, /unsafe-inline|unsafe-eval/);
  });

  it('Show Correlation Report opens a read-only document', async () => {
    const report = await vscode.commands.executeCommand<string>('skillMetrics.showCorrelationReport');
    assert.match(report, /^Skill Metrics: skills and workflow correlation report/);
    assert.match(report, /13 sessions/);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.scheme, 'skill-metrics');
    assert.equal(editor.document.getText(), report);
    assert.notEqual(vscode.workspace.fs.isWritableFileSystem('skill-metrics'), true);
  });

  it('Health Check reports the database state in a document', async () => {
    const h = await vscode.commands.executeCommand<Health>('skillMetrics.healthCheck');
    assert.equal(h.ok, true);
    assert.equal(h.projects, 3);
    const m = manifest();
    assert.equal(h.records, m.alpha.records + m.generated.reduce((n, g) => n + g.records, 0));
    const text = vscode.window.activeTextEditor!.document.getText();
    assert.match(text, /^# Skill Metrics health check/);
    assert.match(text, /\*\*Status: OK\*\*/);
    assert.match(text, new RegExp(`\\| Records \\| ${h.records} invocations, ${h.workflow_events} workflow events \\|`));
  });

  for (const format of ['csv', 'json', 'parquet'] as const) {
    it(`Export... writes the filtered project's usage as ${format}`, async () => {
      const out = vscode.Uri.file(path.join(tmp, `usage.${format}`));
      const result = await vscode.commands.executeCommand<ExportResult>('skillMetrics.export', { what: 'usage', format, uri: out });
      assert.equal(result.rows, 39);
      assert.equal(result.path, out.fsPath);
      const bytes = fs.readFileSync(out.fsPath);
      if (format === 'csv') assert.equal(bytes.toString('utf8').trim().split('\n').length, 40);
      if (format === 'json') assert.equal((JSON.parse(bytes.toString('utf8')) as { rows: unknown[] }).rows.length, 39);
      if (format === 'parquet') assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PAR1');
    });
  }

  it('Export... writes sessions (derived data made fresh first)', async () => {
    const out = vscode.Uri.file(path.join(tmp, 'sessions.csv'));
    const result = await vscode.commands.executeCommand<ExportResult>('skillMetrics.export', { what: 'sessions', format: 'csv', uri: out });
    assert.equal(result.rows, 13);
  });

  it('Clean Up Old Records... deletes nothing newer than the cut-off', async () => {
    const result = await vscode.commands.executeCommand<CleanupResult>('skillMetrics.cleanUp', { olderThanDays: 3650, confirmed: true });
    assert.deepEqual([result.usage_deleted, result.events_deleted], [0, 0]);
  });

  it('Show Recommendations reveals the Recommendations view', async () => {
    const { trees } = await internals();
    const recs = await vscode.commands.executeCommand<unknown[]>('skillMetrics.showRecommendations');
    assert.ok(recs.length > 0);
    await eventually(() => assert.equal(trees.recommendations.view.visible, true));
  });

  it('Register Folder... registers a folder outside the workspace and collects it', async () => {
    const { trees } = await internals();
    const m = manifest();
    const registrations = await vscode.commands.executeCommand<Registration[]>('skillMetrics.registerFolder', vscode.Uri.file(m.gamma.dir));
    assert.equal(registrations.length, 1);
    assert.equal(registrations[0]!.project.project_name, 'gamma');
    assert.equal(registrations[0]!.project.source, 'manual');
    await eventually(async () => {
      const rows = await trees.projects.snapshot();
      assert.deepEqual(labels(rows), ['alpha', 'gamma', 'project-01', 'project-02']);
      assert.match(row(rows, 'gamma').description!, /^3 records · synced (just now|\d+ min ago)$/);
    });
  });

  it('Collect Project and Reveal Project Folder act on a Projects node (inline actions)', async () => {
    const { trees } = await internals();
    const nodes = await trees.projects.getChildren();
    const alpha = nodes.find((n) => n.getTreeItem().label === 'alpha')!;
    const result = await vscode.commands.executeCommand<CollectResult>('skillMetrics.collectProject', alpha);
    assert.equal(result.projects, 1);
    assert.equal(result.records_added, 0);
    assert.equal(await vscode.commands.executeCommand('skillMetrics.revealProject', alpha), 'explorer');
  });

  it('Select Time Window and Filter by Project drive the view titles', async () => {
    const { trees } = await internals();
    await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', '7d');
    assert.equal(trees.topSkills.view.description, 'Last 7 days · alpha');
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', null);
    assert.equal(trees.topSkills.view.description, 'Last 7 days');
    assert.equal(trees.recommendations.view.description, undefined);
    await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', '30d');
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', alphaId);
    assert.equal(trees.sessions.view.description, 'alpha');
  });
});
