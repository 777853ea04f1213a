/** The container's trees, as the real providers render them from the real database. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { eventually, focusOnAlpha, internals, labels, manifest, projectId, resetFocus, row } from './helpers';

describe('trees', () => {
  let alphaId: string;

  before(async () => {
    alphaId = await focusOnAlpha();
  });

  after(resetFocus);

  describe('Top Skills', () => {
    it('lists the project\'s skills, most used first, with uses and success rate', async () => {
      const { trees } = await internals();
      const rows = await trees.topSkills.snapshot();
      assert.deepEqual(
        rows.map((r) => [r.label, r.description]),
        [
          ['code-review', '25 uses · 92%'],
          ['test-writer', '10 uses · 80%'],
          ['refactor', '4 uses · not enough data'],
        ],
      );
      assert.deepEqual(rows.map((r) => [r.icon, r.iconColor]), [
        ['circle-filled', 'testing.iconPassed'],
        ['circle-filled', 'charts.yellow'],
        ['circle-outline', 'disabledForeground'],
      ]);
      assert.ok(rows.every((r) => r.contextValue === 'skillMetrics:skill' && r.collapsible));
      assert.match(row(rows, 'code-review').tooltip!, /Invocations \| 25 \(23 completed\)/);
      assert.equal(trees.topSkills.view.description, 'All time · alpha');
    });

    it('expands a skill to success rate, durations, follow-ups, top errors and workflow paths', async () => {
      const { trees } = await internals();
      const review = row(await trees.topSkills.snapshot(2), 'code-review');
      assert.deepEqual(
        review.children!.map((r) => [r.label, r.description]),
        [
          ['Success rate', '92% · 23 of 25'],
          ['Duration', 'p50 32 s · p95 52 s'],
          ['Follow-ups', 'avg 0.5 · 48% of uses'],
          ['Top errors', '2 failures'],
          ['Workflow paths', '2 paths'],
        ],
      );
      assert.deepEqual(row(review.children!, 'Top errors').children!.map((r) => [r.label, r.description]), [['timeout', '2×']]);
      assert.deepEqual(
        row(review.children!, 'Workflow paths').children!.map((r) => [r.label, r.description]),
        [
          ['daily', '13 uses · 92%'],
          ['comprehensive', '12 uses · 92%'],
        ],
      );
    });

    it('says "not enough data" under a skill with fewer invocations than the minimum evidence', async () => {
      const { trees } = await internals();
      const refactor = row(await trees.topSkills.snapshot(1), 'refactor');
      assert.deepEqual([refactor.children![0]!.label, refactor.children![0]!.description], ['Not enough data', '4 of 5 finished invocations needed to rate it']);
      assert.equal(row(refactor.children!, 'Success rate').description, 'not rated · 2 of 4');
    });

    it('switches the window: only today\'s invocations in "today"', async () => {
      const { trees } = await internals();
      await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', 'today');
      try {
        const m = manifest();
        const file = JSON.parse(fs.readFileSync(m.alpha.file, 'utf8')) as { invocations: { skill_name: string; invoked_at: string }[] };
        // In the poll: "today" is computed here and in the extension, and midnight may fall between the two.
        await eventually(async () => {
          const today = new Date().toISOString().slice(0, 10);
          const expected = new Map<string, number>();
          for (const inv of file.invocations) if (inv.invoked_at.startsWith(today)) expected.set(inv.skill_name, (expected.get(inv.skill_name) ?? 0) + 1);
          const rows = await trees.topSkills.snapshot();
          assert.deepEqual(
            rows.map((r) => [r.label, Number(r.description!.split(' ')[0])]).sort(),
            [...expected.entries()].sort(),
          );
        });
        assert.equal(trees.topSkills.view.description, 'Today · alpha');
      } finally {
        await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', 'all');
      }
    });

    it('shows the figures under a skill for the same window as its row', async () => {
      const { trees } = await internals();
      await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', '7d');
      try {
        const review = row(await trees.topSkills.snapshot(1), 'code-review');
        const uses = Number(review.description!.split(' ')[0]);
        assert.ok(uses > 0, review.description);
        const success = row(review.children!, 'Success rate').description!;
        assert.match(success, new RegExp(` · \\d+ of ${uses}$`), `${success} counts the ${uses} uses of the row`);
        assert.ok(!review.children!.some((c) => c.label === 'All time'));
      } finally {
        await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', 'all');
      }
    });

    it('lists skills of every project without a filter', async () => {
      const { trees, service } = await internals();
      await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', null);
      try {
        const rows = await trees.topSkills.snapshot();
        const counts = rows.map((r) => Number(r.description!.split(' ')[0]));
        assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'most used first');
        const engine = await service.engine();
        const all = await engine.topSkills({ window: 'all', limit: 1000 });
        assert.equal(rows.length, Math.min(20, all.length));
        assert.ok(Number(row(rows, 'code-review').description!.split(' ')[0]) >= 25);
      } finally {
        await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', alphaId);
      }
    });
  });

  describe('Projects', () => {
    it('shows every registered project with its record count and last sync', async () => {
      const { trees } = await internals();
      const m = manifest();
      const rows = await trees.projects.snapshot();
      assert.deepEqual(labels(rows), ['alpha', 'project-01', 'project-02']);
      // The start-up collection ran a moment ago: on a busy machine, that can be a minute or two.
      assert.match(row(rows, 'alpha').description!, /^39 records · synced (just now|\d+ min ago)$/);
      for (const g of m.generated) assert.match(row(rows, g.name).description!, new RegExp(`^${g.records} records · synced `));
      assert.ok(rows.every((r) => r.contextValue === 'skillMetrics:project.active'));
      assert.ok(rows.every((r) => r.icon === 'root-folder'));
    });

    it('expands a project to its state, last sync, records, path and problems', async () => {
      const { trees } = await internals();
      const alpha = row(await trees.projects.snapshot(1), 'alpha');
      assert.deepEqual(
        alpha.children!.map((r) => r.label),
        ['Status', 'Last sync', 'Records', 'Path', 'Problems'],
      );
      assert.equal(row(alpha.children!, 'Status').description, 'active');
      assert.equal(row(alpha.children!, 'Records').description, '39');
      assert.equal(row(alpha.children!, 'Path').description, manifest().alpha.dir);
      assert.equal(row(alpha.children!, 'Problems').description, 'none');
      assert.match(alpha.tooltip!, /Last sync \| \d{4}-\d\d-\d\d \d\d:\d\d \((just now|\d+ min ago)\)/);
    });
  });

  describe('Recommendations', () => {
    it('lists recommendations with priority icons, the evidence as children and in the tooltip', async () => {
      const { trees } = await internals();
      const rows = await eventually(async () => {
        const r = await trees.recommendations.snapshot(1);
        assert.ok(r.length > 0, 'some recommendations');
        return r;
      });
      const icons: Record<string, string> = { high: 'flame', medium: 'warning', low: 'info' };
      for (const r of rows) {
        const priority = /^\$\([a-z-]+\) \*\*(high|medium|low) priority\*\*/.exec(r.tooltip!)![1]!;
        assert.equal(r.icon, icons[priority], `${r.label}: icon of ${priority}`);
        assert.equal(r.children![0]!.label, 'Suggested action');
        assert.ok(r.children!.length >= 2, 'the evidence rows follow the action');
        assert.match(r.tooltip!, /\*\*Suggested action:\*\*/);
        assert.match(r.tooltip!, /\| Evidence \| \|/);
      }
      const wellTuned = rows.find((r) => r.label === 'code-review is well tuned');
      assert.ok(wellTuned, `a well-tuned note for code-review in [${labels(rows).join(' | ')}]`);
      assert.match(wellTuned.description!, /^code-review succeeds in 92% of 25 invocations/);
      assert.equal(wellTuned.command, 'skillMetrics.analyzeEffectiveness');
      assert.equal(wellTuned.commandArgs![0], 'code-review');
      assert.equal(row(wellTuned.children!, 'Success rate').description, '92%');
    });
  });

  describe('Sessions', () => {
    it('lists the project\'s correlated sessions, most recent first, with their skills', async () => {
      const { trees } = await internals();
      const rows = await trees.sessions.snapshot(1);
      // alpha: 39 invocations without session ids, in bursts of three 5 minutes apart, 3 hours between bursts.
      assert.equal(rows.length, 13);
      assert.ok(rows.every((r) => / · 10m 00s · inferred$/.test(r.description!)), rows.map((r) => r.description).join(' | '));
      const starts = rows.map((r) => /\| Start \| ([^|]+) \|/.exec(r.tooltip!)![1]!.trim());
      assert.deepEqual(starts, [...starts].sort().reverse(), 'most recent first');
      assert.match(rows[0]!.label, /^(Today|Yesterday) \d\d:\d\d$/);
      const newest = rows[0]!.children!;
      assert.deepEqual(labels(newest), ['code-review', 'code-review', 'code-review']);
      assert.ok(newest.every((r) => /^\d\d:\d\d:\d\d · completed · \d+ s · (daily|comprehensive)$/.test(r.description!)), newest.map((r) => r.description).join(' | '));
    });

    it('shows workflow nodes of sessions with events in time order with the skills', async () => {
      const { trees } = await internals();
      const m = manifest();
      const v2 = m.generated.find((g) => g.format === 'v2')!;
      await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', await projectId(v2.dir));
      try {
        const rows = await trees.sessions.snapshot(1);
        assert.ok(rows.length > 0);
        assert.ok(rows.some((r) => !r.description!.includes('inferred')), 'v2 records carry session ids');
        const withEvents = rows.find((r) => r.children!.some((c) => c.icon === 'symbol-event' || c.icon === 'circle-slash'));
        assert.ok(withEvents, 'a session with workflow events');
        const times = withEvents.children!.map((c) => c.description!.slice(0, 8));
        assert.deepEqual(times, [...times].sort(), 'in time order');
      } finally {
        await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', alphaId);
      }
    });
  });
});
