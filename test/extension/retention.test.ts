/** Retention: a new skillMetrics.retentionDays deletes older records from the database at once, never from the project. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { CollectResult } from '../../src/core/service';
import { eventually, internals, manifest, projectId, row, setSetting } from './helpers';

describe('retention (last: it deletes records)', () => {
  after(async () => {
    await setSetting('retentionDays', undefined);
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', null);
  });

  it('deletes records older than the new retention from the database, and collection does not bring them back', async () => {
    const { trees, service } = await internals();
    const m = manifest();
    const before = fs.readFileSync(m.alpha.file, 'utf8');
    await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', 'all');
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', await projectId(m.alpha.dir));
    const file = JSON.parse(before) as { invocations: { skill_name: string; invoked_at: string }[] };
    const cutoff = Date.now() - 86_400_000;
    const kept = file.invocations.filter((i) => i.skill_name === 'code-review' && Date.parse(`${i.invoked_at.slice(0, 23)}Z`) >= cutoff).length;
    assert.ok(kept > 0 && kept < 25, `the fixture spans more than a day (${kept} of 25 in the last day)`);

    await setSetting('retentionDays', 1);
    await eventually(async () => assert.equal(row(await trees.topSkills.snapshot(), 'code-review').description!.split(' ')[0], String(kept)));
    // The clean-up and what it set off (state, views) are done before the next collection starts.
    await service.whenIdle();
    assert.equal(fs.readFileSync(m.alpha.file, 'utf8'), before, 'the project file is untouched');

    const again = await vscode.commands.executeCommand<CollectResult>('skillMetrics.collectNow');
    assert.equal(again.records_added, 0);
    await eventually(async () => assert.equal(row(await trees.topSkills.snapshot(), 'code-review').description!.split(' ')[0], String(kept)));
  });
});
