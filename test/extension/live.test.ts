/**
 * Live: files written on disk reach the views through the watchers (inside and outside the workspace),
 * bad files show as problems, workspace folders are followed, and another process (the CLI) can use
 * the same database at the same time without an error anywhere.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { eventually, focusOnAlpha, internals, labels, manifest, resetFocus, row, setSetting } from './helpers';

const run = promisify(execFile);

interface V1File {
  invocations: Record<string, unknown>[];
  skills: Record<string, unknown>;
  last_updated: string;
}

function naive(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

function inv(skill: string, at: number, completed = true): Record<string, unknown> {
  return { skill_name: skill, invoked_at: naive(at), workflow_path: 'daily', completed, duration_seconds: 12, follow_up_actions: [], error_type: completed ? null : 'timeout' };
}

/** Rewrites a v1 file in place with more invocations, as Crackerjack does on every completion. */
function append(file: string, ...invocations: Record<string, unknown>[]): void {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as V1File;
  data.invocations.push(...invocations);
  data.last_updated = naive(Date.now());
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
}

describe('live updates', () => {
  before(focusOnAlpha);

  after(resetFocus);

  it('a record written to a workspace project appears in Top Skills and Projects within seconds', async () => {
    const { trees, watchers } = await internals();
    const m = manifest();
    const events = watchers.events;
    const started = Date.now();
    append(m.alpha.file, inv('docs-update', Date.now() - 60_000));
    await eventually(async () => assert.equal(row(await trees.topSkills.snapshot(), 'docs-update').description, '1 use · not enough data'));
    console.log(`      the new record showed in the tree after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.ok(watchers.events > events, 'the file watcher saw the change');
    await eventually(async () => assert.match(row(await trees.projects.snapshot(), 'alpha').description!, /^40 records · /));
  });

  it('a record written to a project outside the workspace appears too', async () => {
    const { trees } = await internals();
    const m = manifest();
    append(m.gamma.file, inv('deploy-check', Date.now() - 30_000), inv('deploy-check', Date.now() - 20_000, false));
    await eventually(async () => assert.match(row(await trees.projects.snapshot(), 'gamma').description!, /^5 records · /));
  });

  it('a broken file shows as a problem with its reason, and the status bar warns; fixing it clears both', async () => {
    const { trees, statusBar } = await internals();
    const m = manifest();
    const broken = path.join(m.alpha.dir, '.session-buddy', 'workflow_events.json');
    fs.writeFileSync(broken, '{"events": [ {"event_type": "node_started", ');
    try {
      await eventually(async () => {
        const alpha = row(await trees.projects.snapshot(2), 'alpha');
        assert.match(alpha.description!, /· 1 problem$/);
        assert.equal(alpha.icon, 'warning');
        const problems = row(alpha.children!, 'Problems');
        assert.equal(problems.children!.length, 1);
        assert.equal(problems.children![0]!.label, path.join('.session-buddy', 'workflow_events.json'));
        assert.ok(problems.children![0]!.description!.length > 5, 'the reason is given');
        assert.equal(problems.children![0]!.command, 'vscode.open');
      });
      await eventually(async () => {
        const status = await statusBar.update();
        assert.equal(status.warning, true);
        assert.match(status.text, /^\$\(warning\) code-review 92%$/);
        assert.match(status.tooltip, /1 problem/);
      });
    } finally {
      fs.rmSync(broken, { force: true });
    }
    await eventually(async () => {
      assert.match(row(await trees.projects.snapshot(), 'alpha').description!, /^40 records · synced [^·]+$/);
      assert.equal((await statusBar.update()).warning, false);
    });
  });

  it('follows workspace folders added and removed (and the auto-register setting)', async () => {
    const { trees } = await internals();
    const m = manifest();
    const before = vscode.workspace.workspaceFolders!.length;
    const delta = path.join(m.root, 'outside', 'epsilon');
    fs.mkdirSync(path.join(delta, '.session-buddy'), { recursive: true });
    fs.writeFileSync(path.join(delta, '.session-buddy', 'skill_metrics.json'), JSON.stringify({ invocations: [inv('lint', Date.now() - 5000)], skills: {}, last_updated: naive(Date.now()) }));

    await setSetting('autoRegisterWorkspaceFolders', false);
    const added = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => (sub.dispose(), resolve()));
    });
    assert.ok(vscode.workspace.updateWorkspaceFolders(before, 0, { uri: vscode.Uri.file(delta) }));
    await added;
    await (await internals()).service.whenIdle();
    assert.ok(!labels(await trees.projects.snapshot()).includes('epsilon'), 'not registered while the setting is off');

    await setSetting('autoRegisterWorkspaceFolders', undefined);
    await eventually(async () => assert.match(row(await trees.projects.snapshot(), 'epsilon').description!, /^1 record · synced (just now|\d+ min ago)$/));

    const removed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => (sub.dispose(), resolve()));
    });
    assert.ok(vscode.workspace.updateWorkspaceFolders(before, 1));
    await removed;
    await eventually(async () => {
      const r = row(await trees.projects.snapshot(), 'epsilon');
      assert.equal(r.contextValue, 'skillMetrics:project.inactive');
      assert.equal(r.description, 'unregistered · 1 record kept');
    });
  });

  it('a .session-buddy folder created deep inside a workspace project later is watched and collected', async () => {
    const { trees, watchers } = await internals();
    const m = manifest();
    const before = vscode.workspace.workspaceFolders!.length;
    const zeta = path.join(m.root, 'outside', 'zeta');
    const pkg = path.join(zeta, 'packages', 'api');
    fs.mkdirSync(pkg, { recursive: true });
    const added = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => (sub.dispose(), resolve()));
    });
    assert.ok(vscode.workspace.updateWorkspaceFolders(before, 0, { uri: vscode.Uri.file(zeta) }));
    await added;
    await eventually(async () => assert.match(row(await trees.projects.snapshot(), 'zeta').description!, /^0 records · /));
    await eventually(() => assert.ok(watchers.watched.some((w) => w.split('\u0000')[1] === zeta), 'zeta is watched'));
    try {
      // A package of a monorepo starts recording after the window opened: nothing told the extension it exists.
      const nested = path.join(pkg, '.session-buddy');
      const events = watchers.events;
      fs.mkdirSync(nested);
      fs.writeFileSync(
        path.join(nested, 'skill_metrics.json'),
        JSON.stringify({ invocations: [inv('api-test', Date.now() - 7000), inv('api-test', Date.now() - 6000, false)], skills: {}, last_updated: naive(Date.now()) }),
      );
      await eventually(async () => assert.match(row(await trees.projects.snapshot(), 'zeta').description!, /^2 records · /));
      assert.ok(watchers.events > events, 'the file watcher saw the nested file');
    } finally {
      const removed = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => (sub.dispose(), resolve()));
      });
      assert.ok(vscode.workspace.updateWorkspaceFolders(before, 1));
      await removed;
    }
    await eventually(async () => assert.equal(row(await trees.projects.snapshot(), 'zeta').contextValue, 'skillMetrics:project.inactive'));
  });

  it('Unregister Project from the Projects view keeps the history and stops collecting', async () => {
    const { trees, watchers } = await internals();
    const m = manifest();
    const nodes = await trees.projects.getChildren();
    const gamma = nodes.find((n) => n.getTreeItem().label === 'gamma')!;
    await vscode.commands.executeCommand('skillMetrics.unregisterProject', gamma);
    await eventually(async () => {
      const r = row(await trees.projects.snapshot(), 'gamma');
      assert.equal(r.contextValue, 'skillMetrics:project.inactive');
      assert.equal(r.description, 'unregistered · 5 records kept');
    });
    await eventually(() => assert.ok(!watchers.watched.some((w) => w.split('\u0000')[1] === m.gamma.dir), 'no longer watched'));

    // ... and Register Project Again (the inline action of an unregistered project) brings it back.
    const inactive = (await trees.projects.getChildren()).find((n) => n.getTreeItem().label === 'gamma')!;
    await vscode.commands.executeCommand('skillMetrics.registerProjectAgain', inactive);
    await eventually(async () => assert.equal(row(await trees.projects.snapshot(), 'gamma').contextValue, 'skillMetrics:project.active'));
    await eventually(() => assert.ok(watchers.watched.some((w) => w.split('\u0000')[1] === m.gamma.dir), 'watched again'));
  });

  it('shares the database with another process (the CLI) without an error in either; what it stores reaches the views by itself', async () => {
    const { trees, service, databaseWatcher, watchers } = await internals();
    const external = databaseWatcher.external;
    let projectsChanged = 0;
    const listening = trees.projects.onDidChangeTreeData(() => projectsChanged++);
    const m = manifest();
    const delta = path.join(m.root, 'outside', 'delta');
    fs.mkdirSync(path.join(delta, '.session-buddy'), { recursive: true });
    fs.writeFileSync(path.join(delta, '.session-buddy', 'skill_metrics.json'), JSON.stringify({ invocations: [inv('pr-description', Date.now() - 9000), inv('pr-description', Date.now() - 8000)], skills: {}, last_updated: naive(Date.now()) }));
    const cli = path.join(vscode.extensions.getExtension('skillmetrics.skill-metrics')!.extensionPath, 'dist', 'cli.js');
    const other = run(process.execPath, [cli, '--db', service.databasePath, '--source-tz', 'UTC', '--json', 'collect', delta], { timeout: 240_000 });
    // Meanwhile this window keeps querying the same file, in bursts as its views do (a view refresh, then quiet).
    const errors: string[] = [];
    let queries = 0;
    let done = false;
    void other.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      const rows = [...(await trees.topSkills.snapshot()), ...(await trees.projects.snapshot())];
      errors.push(...rows.filter((x) => x.label === 'Could not load').map((x) => x.description!));
      queries++;
      await new Promise((r) => setTimeout(r, 1500));
    }
    const { stdout } = await other;
    const result = JSON.parse(stdout) as { records_added: number; problems: unknown[] };
    assert.equal(result.records_added, 2);
    assert.deepEqual(errors, []);
    assert.ok(queries > 0);
    // No Refresh, no focus change: the database file changed, so this window looked and redrew its views,
    // and it now watches the project the CLI registered.
    try {
      await eventually(() => assert.ok(databaseWatcher.external > external, `external changes seen: ${databaseWatcher.external - external} of ${databaseWatcher.events} database events`));
      await eventually(() => assert.ok(projectsChanged > 0, 'the Projects view was told to redraw'));
    } finally {
      listening.dispose();
    }
    await eventually(async () => assert.match(row(await trees.projects.snapshot(), 'delta').description!, /^2 records · synced (just now|\d+ min ago)$/));
    await eventually(() => assert.ok(watchers.watched.some((w) => w.split('\u0000')[1] === delta), watchers.watched.join(' | ')));
  });
});
