/** Settings apply at once, without a reload; bad values fall back to their defaults. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, focusOnAlpha, internals, setSetting } from './helpers';

describe('settings', () => {
  let alphaId: string;

  before(async () => {
    alphaId = await focusOnAlpha();
  });

  after(async () => {
    for (const key of ['minEvidence', 'statusBar.enabled', 'defaultWindow', 'topSkillsLimit']) await setSetting(key, undefined);
    await setSetting('displayTimeZone', 'UTC', vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', null);
  });

  it('minEvidence: skills below it show "not enough data"', async () => {
    const { trees } = await internals();
    await setSetting('minEvidence', 30);
    await eventually(async () => {
      const rows = await trees.topSkills.snapshot();
      assert.equal(rows[0]!.label, 'code-review');
      assert.equal(rows[0]!.description, '25 uses · not enough data');
    });
    await setSetting('minEvidence', undefined);
    await eventually(async () => assert.equal((await trees.topSkills.snapshot())[0]!.description, '25 uses · 92%'));
  });

  it('a bad value is replaced by the default', async () => {
    const { config } = await internals();
    await setSetting('minEvidence', -3);
    await eventually(() => assert.equal(config.get('minEvidence'), 5));
    await setSetting('defaultWindow', 'fortnight');
    await eventually(() => assert.equal(config.get('defaultWindow'), '30d'));
    await setSetting('minEvidence', undefined);
    await setSetting('defaultWindow', undefined);
  });

  it('statusBar.enabled hides and shows the item; it reads the top skill and success rate', async () => {
    const { statusBar } = await internals();
    await eventually(async () => assert.equal((await statusBar.update()).text, '$(graph) code-review 92%'));
    await setSetting('statusBar.enabled', false);
    await eventually(() => assert.equal(statusBar.snapshot.visible, false));
    await setSetting('statusBar.enabled', undefined);
    await eventually(() => {
      assert.equal(statusBar.snapshot.visible, true);
      assert.equal(statusBar.snapshot.command, 'skillMetrics.openDashboard');
      assert.deepEqual(statusBar.snapshot.commandArgs, [{ skill: 'code-review', project: alphaId }]);
      assert.match(statusBar.snapshot.tooltip, /\| code\\-review \| 25 \| 92% \|/);
    });
  });

  it('defaultWindow switches the Top Skills window', async () => {
    const { trees, viewState } = await internals();
    await setSetting('defaultWindow', '7d');
    await eventually(() => {
      assert.equal(viewState.window, '7d');
      assert.equal(trees.topSkills.view.description, 'Last 7 days · alpha');
    });
    await setSetting('defaultWindow', 'all');
    await eventually(() => assert.equal(viewState.window, 'all'));
  });

  it('topSkillsLimit limits the rows', async () => {
    const { trees } = await internals();
    await setSetting('topSkillsLimit', 2);
    await eventually(async () => assert.equal((await trees.topSkills.snapshot()).length, 2));
    await setSetting('topSkillsLimit', undefined);
    await eventually(async () => assert.equal((await trees.topSkills.snapshot()).length, 4));
  });

  it('displayTimeZone: times are shown in the new zone at once', async () => {
    const { service, trees } = await internals();
    const engine = await service.engine();
    const start = async (): Promise<string> => /\| Start \| (\d{4}-\d\d-\d\d \d\d:\d\d) \|/.exec((await trees.sessions.snapshot())[0]!.tooltip!)![1]!;
    const before = await start();
    await setSetting('displayTimeZone', 'Asia/Kolkata', vscode.ConfigurationTarget.Workspace);
    await eventually(() => assert.equal(engine.displayTimeZone, 'Asia/Kolkata'));
    const after = await eventually(async () => {
      const shown = await start();
      assert.notEqual(shown, before);
      return shown;
    });
    // UTC+05:30
    const shift = (Date.parse(`${after.replace(' ', 'T')}:00Z`) - Date.parse(`${before.replace(' ', 'T')}:00Z`)) / 60_000;
    assert.equal(shift, 330);
  });

  it('an unknown time zone falls back to this machine\'s zone', async () => {
    const { service } = await internals();
    const engine = await service.engine();
    await setSetting('displayTimeZone', 'Mars/Olympus_Mons', vscode.ConfigurationTarget.Workspace);
    await eventually(() => assert.equal(engine.displayTimeZone, Intl.DateTimeFormat().resolvedOptions().timeZone));
  });
});
