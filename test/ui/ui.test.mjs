#!/usr/bin/env node
// UI end-to-end: the extension installed in code-server (the real VS Code workbench), driven in headless
// Chromium. A fresh fixture workspace (test/fixtures/workspace.mjs) per run; screenshots of every view go
// to test-results/screenshots/ (git-ignored) and are meant to be looked at.
//
//   npm run test:ui            (after npm run build)
//   node test/ui/ui.test.mjs --vsix vsix/skill-metrics-linux-x64-0.1.0.vsix   (the packaged extension,
//                              installed with --install-extension; npm run test:package does this)
// Exit code 0 when every check passed; 1 otherwise; 3 when the harness could not start (never skips).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workbenchUrl } from '../harness/codeServer.mjs';
import { Workbench, assert, createChecker, eventually, startUiSession } from '../harness/workbench.mjs';
import { makeFixtureWorkspace, naive } from '../fixtures/workspace.mjs';
import { extensionUnderTest, reportExtensionHost } from './extensionUnderTest.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION = extensionUnderTest(ROOT, { requiredBuild: ['dist/extension.js'] });
const SHOTS = EXTENSION.shotsDir;
const SETTINGS = { 'skillMetrics.sourceTimeZone': 'UTC', 'skillMetrics.displayTimeZone': 'UTC' };
const ERROR_TOAST = /error|failed|lock|could not|cannot/i;

console.log(`[test:ui] the UI suite against ${EXTENSION.label}`);
fs.rmSync(SHOTS, { recursive: true, force: true });
fs.mkdirSync(SHOTS, { recursive: true });

const started = Date.now();
const fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-ui-fixture-'));
const fixture = await makeFixtureWorkspace(fixtureDir);
const shot = (wb, name) => wb.screenshot(name, SHOTS);

/** Appends invocations to a v1 file the way its writer does (whole-file rewrite). */
function appendRecords(file, ...invocations) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  data.invocations.push(...invocations);
  data.last_updated = naive(Date.now());
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
}

function record(skill, at) {
  return { skill_name: skill, invoked_at: naive(at), workflow_path: 'daily', completed: true, duration_seconds: 9.5, follow_up_actions: [], error_type: null };
}

const PANES = ['Top Skills', 'Projects', 'Recommendations', 'Sessions'];

/** Expands the pane `title` and collapses the others, so its (virtualized) tree renders all its rows. */
async function showOnly(wb, title) {
  for (const pane of PANES) {
    const header = wb.viewPane(pane).locator('.pane-header').first();
    const expanded = (await header.getAttribute('aria-expanded')) === 'true';
    if (expanded !== (pane === title)) await header.click();
  }
}

/** Collapses the tree row whose label is `label` in view `title`, if expanded. */
async function collapseRow(wb, title, label) {
  const row = wb.viewPane(title).locator('.monaco-list-row', { has: wb.page.locator('.label-name', { hasText: label }) }).first();
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
}

const text = (s) => s.replace(/[\s\u00a0]+/g, ' ');

async function noErrorToasts(wb) {
  const errors = (await wb.notificationTexts()).filter((t) => ERROR_TOAST.test(t));
  assert.deepEqual(errors, []);
}

let failed = false;
let ui;
let ui2;
let second;
const checker = createChecker({
  onFail: async (name, error) => {
    console.log(String(error?.stack ?? error).split('\n').slice(0, 12).map((l) => `    ${l}`).join('\n'));
    reportExtensionHost((ui ?? ui2)?.server);
    await (ui ?? ui2)?.wb.screenshot(`FAIL ${name}`, SHOTS).catch(() => {});
    await second?.screenshot(`FAIL ${name} (second window)`, SHOTS).catch(() => {});
  },
});
const { summary } = checker;
// SKILL_METRICS_UI_GREP=text runs only the checks whose names contain it (while working on them).
const grep = process.env.SKILL_METRICS_UI_GREP;
const check = (name, fn) => (!grep || name.includes(grep) ? checker.check(name, fn) : Promise.resolve(true));

try {
  try {
    ui = await startUiSession({ ...EXTENSION.session, folder: fixture.alpha.dir, settings: SETTINGS });
  } catch (e) {
    console.error(`[test:ui] FAILED: the code-server harness could not start: ${e.message}`);
    process.exit(3);
  }
  const { wb } = ui;

  if (EXTENSION.vsix) {
    await check('the extension code-server runs is the one installed from the VSIX', async () => {
      EXTENSION.verifyInstalled(ui.server);
    });
  }

  await check('session-start notification: top skills and a recommendation, with its actions', async () => {
    const text = await wb.waitForNotification(/Skill Metrics · alpha: top skills/);
    assert.match(text, /^Skill Metrics · alpha: top skills code-review 92%, test-writer 80%, refactor \(not enough data\)\./);
    const toast = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Skill Metrics · alpha' }).first();
    const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(buttons, ['Open Dashboard', 'Recommendations', "Don't Show Again"]);
    await shot(wb, '01-session-start-notification');
  });

  await check('status bar: the top skill and its success rate, with a summary tooltip', async () => {
    await eventually(async () => assert.ok((await wb.statusBarTexts()).includes('code-review 92%'), (await wb.statusBarTexts()).join(' | ')));
    await wb.clearNotifications();
    const item = wb.page.locator('.part.statusbar .statusbar-item', { hasText: 'code-review 92%' }).first();
    await item.hover();
    const hover = wb.page.locator('.monaco-hover', { hasText: 'Skill Metrics' }).last();
    await eventually(async () => {
      const tip = (await hover.innerText()).replace(/\s+/g, ' ');
      assert.match(tip, /code-review 25 92%/);
      assert.match(tip, /39 records · last sync/);
    });
    await shot(wb, '02-status-bar-tooltip');
    await wb.page.mouse.move(700, 400);
  });

  await check('Top Skills lists the fixture\'s skills with uses and success rate', async () => {
    await wb.openViewContainer('Skill Metrics');
    const rows = await eventually(async () => {
      const r = await wb.treeRows('Top Skills');
      assert.deepEqual(r, ['code-review 25 uses · 92%', 'test-writer 10 uses · 80%', 'refactor 4 uses · not enough data']);
      return r;
    });
    console.log(`  Top Skills: ${rows.join(' | ')}`);
    await shot(wb, '03-top-skills');
  });

  await check('a skill expands to success rate, durations, follow-ups, errors and paths', async () => {
    await showOnly(wb, 'Top Skills');
    await wb.expandRow('code-review', { viewTitle: 'Top Skills' });
    await wb.expandRow('Top errors', { viewTitle: 'Top Skills' });
    await wb.expandRow('Workflow paths', { viewTitle: 'Top Skills' });
    // Every row it asserts is inside the poll: the children of a just-expanded row are drawn a moment later.
    await eventually(async () => {
      const rows = await wb.treeRows('Top Skills');
      for (const expected of ['Success rate 92% · 23 of 25', 'Duration p50 32 s · p95 52 s', 'timeout 2×', 'daily 13 uses · 92%']) {
        assert.ok(rows.includes(expected), `${expected} in ${rows.join(' | ')}`);
      }
    });
    await shot(wb, '04-top-skills-expanded');
    await collapseRow(wb, 'Top Skills', 'code-review');
  });

  await check('Projects shows the workspace folder with its records, state and last sync', async () => {
    await showOnly(wb, 'Projects');
    const rows = await eventually(async () => {
      const r = await wb.treeRows('Projects');
      assert.ok(r.some((x) => /^alpha 39 records · synced (just now|\d+ min ago)$/.test(x)), r.join(' | '));
      return r;
    });
    await wb.expandRow('alpha', { viewTitle: 'Projects' });
    // The children render a moment after the row reports itself expanded.
    await eventually(async () => {
      const expanded = await wb.treeRows('Projects');
      assert.ok(expanded.includes('Status active'), expanded.join(' | '));
      assert.ok(expanded.includes('Problems none'), expanded.join(' | '));
    });
    console.log(`  Projects: ${rows.join(' | ')}`);
    await shot(wb, '05-projects');
  });

  await check('Recommendations list priorities with their evidence', async () => {
    await showOnly(wb, 'Recommendations');
    await eventually(async () => {
      const rows = await wb.treeItems('Recommendations');
      const wellTuned = rows.find((r) => r.label === 'code-review is well tuned');
      assert.ok(wellTuned, rows.map((r) => r.label).join(' | '));
      assert.match(wellTuned.description, /^code-review succeeds in 92% of 25 invocations/);
    });
    await wb.expandRow('code-review is well tuned', { viewTitle: 'Recommendations' });
    // The children render a moment after the row expands.
    await eventually(async () => {
      const expanded = await wb.treeRows('Recommendations');
      assert.ok(expanded.some((r) => r.startsWith('Suggested action ')), expanded.join(' | '));
    });
    await shot(wb, '06-recommendations');
  });

  await check('Sessions list the correlated sessions with their skills', async () => {
    await showOnly(wb, 'Sessions');
    const rows = await eventually(async () => {
      const r = await wb.treeItems('Sessions');
      assert.equal(r.length, 13);
      assert.ok(r.every((x) => /· 10m 00s · inferred$/.test(x.description)), r.map((x) => x.description).join(' | '));
      return r;
    });
    await wb.expandRow(rows[0].label, { viewTitle: 'Sessions' });
    await eventually(async () => {
      const expanded = await wb.treeItems('Sessions');
      assert.equal(expanded.filter((r) => r.label === 'code-review' && r.level === 2).length, 3, expanded.map((r) => `${r.level}:${r.label}`).join(' | '));
    });
    await shot(wb, '07-sessions');
    await showOnly(wb, 'Top Skills');
  });

  await check('"Skill Metrics: Aggregate Skill Metrics" runs from the palette', async () => {
    await wb.clearNotifications();
    await wb.runCommand('Skill Metrics: Aggregate Skill Metrics');
    const text = await wb.waitForNotification(/Skill Metrics: aggregated/);
    assert.match(text, /^Skill Metrics: aggregated [\d,]+ rows \(daily, weekly, monthly, all\) in [\d,]+ ms\.$/);
    await shot(wb, '08-aggregate-from-palette');
  });

  await check('a record written during the test appears in Top Skills', async () => {
    const t0 = Date.now();
    appendRecords(fixture.alpha.file, record('docs-update', Date.now() - 30_000), record('docs-update', Date.now() - 20_000));
    await eventually(async () => assert.ok((await wb.treeRows('Top Skills')).includes('docs-update 2 uses · not enough data')));
    console.log(`  the new records showed after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await shot(wb, '09-live-record');
  });

  await check('clicking the status bar opens the dashboard on the skill (test/ui/dashboard.ui.mjs checks the dashboard)', async () => {
    await wb.page.locator('.part.statusbar .statusbar-item', { hasText: 'code-review 92%' }).first().click();
    const dash = wb.webviewFrame();
    await dash.locator('body[data-view="skill"] #skill-title').waitFor();
    await eventually(async () => {
      assert.equal(text(await dash.locator('#skill-title').innerText()).trim(), 'code-review');
      assert.equal(text(await dash.locator('#kpi-success .kpi-value').innerText()).trim(), '92%');
    });
  });

  // Effectiveness and the comparison across projects are the dashboard's skill page (one detail page per skill).
  await check('Analyze Skill Effectiveness opens the skill\'s page on the dashboard with its figures', async () => {
    await wb.runCommand('Skill Metrics: Analyze Skill Effectiveness...');
    await wb._pickQuickInputRow('code-review', 'code-review');
    await wb.page.locator('.tab', { hasText: 'Skill Metrics: code-review' }).first().waitFor();
    await eventually(async () => {
      const frame = wb.webviewFrame();
      assert.equal(text(await frame.locator('#skill-title').innerText()).trim(), 'code-review');
      assert.equal(text(await frame.locator('#kpi-success .kpi-value').innerText()).trim(), '92%');
      assert.equal(text(await frame.locator('#kpi-invocations .kpi-value').innerText()).trim(), '25');
      assert.match(text(await frame.locator('#kpi-success').innerText()), /23 completed/);
    });
    await shot(wb, '10-effectiveness');
  });

  await check('Compare Skill Across Projects shows the skill page\'s table across projects', async () => {
    await wb.runCommand('Skill Metrics: Compare Skill Across Projects...');
    await wb._pickQuickInputRow('code-review', 'code-review');
    await eventually(async () => {
      const frame = wb.webviewFrame();
      const card = frame.locator('#card-skillProjects');
      if ((await card.getAttribute('class'))?.includes('show-table') !== true) await card.locator('button[aria-pressed]').first().click();
      const rows = (await card.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.deepEqual(rows, ['alpha 25 92% 32 s']);
    });
    await shot(wb, '11-compare');
  });

  await check('Show Correlation Report opens a read-only document', async () => {
    await wb.runCommand('Skill Metrics: Show Correlation Report');
    const tab = wb.page.locator('.tab', { hasText: 'Correlation Report' }).first();
    await tab.waitFor();
    const editor = wb.page.locator('.editor-instance .view-lines').first();
    await eventually(async () => assert.match(text(await editor.innerText()), /Skill Metrics: skills and workflow correlation report/));
    await shot(wb, '12-correlation-report');
  });

  await check('a second window shares the database without any error shown', async () => {
    const page = await wb.browser.context.newPage();
    second = new Workbench(page);
    await page.goto(workbenchUrl(ui.server.url, { folder: fixture.alpha.dir }), { waitUntil: 'domcontentloaded' });
    await second.waitForWorkbench();
    await second.openViewContainer('Skill Metrics');
    await showOnly(second, 'Top Skills');
    await eventually(async () => assert.ok((await second.treeRows('Top Skills')).includes('docs-update 2 uses · not enough data')));
    // Both windows watch the same file: a new record reaches both, through one database.
    appendRecords(fixture.alpha.file, record('docs-update', Date.now() - 5_000));
    for (const w of [second, wb]) {
      if (w === wb) await wb.openViewContainer('Skill Metrics');
      await showOnly(w, 'Top Skills');
      await eventually(async () => assert.ok((await w.treeRows('Top Skills')).includes('docs-update 3 uses · not enough data')));
    }
    await eventually(async () => assert.ok((await second.statusBarTexts()).includes('code-review 92%')));
    await noErrorToasts(wb);
    await noErrorToasts(second);
    assert.deepEqual(second.pageErrors.filter((e) => /skill/i.test(e)), []);
    await shot(second, '13-second-window');
    await page.close();
    second = undefined;
  });

  await check('dark theme: the views keep their theme colours and codicons', async () => {
    assert.equal(await wb.setColorTheme('Dark Modern'), 'vs-dark');
    await wb.openViewContainer('Skill Metrics');
    await eventually(async () => assert.ok((await wb.treeRows('Top Skills')).length >= 4));
    await shot(wb, '14-dark-theme');
  });
  await ui.close();
  ui = undefined;

  // A window without a folder: the welcome views, and their buttons.
  try {
    ui2 = await startUiSession({ ...EXTENSION.session, settings: SETTINGS });
  } catch (e) {
    console.error(`[test:ui] FAILED: the code-server harness could not start: ${e.message}`);
    process.exit(3);
  }
  const wb2 = ui2.wb;
  await check('welcome views: no projects', async () => {
    await wb2.openViewContainer('Skill Metrics');
    const welcome = wb2.viewPane('Top Skills').locator('.welcome-view-content');
    const projects = wb2.viewPane('Projects').locator('.welcome-view-content');
    await eventually(async () => {
      assert.match(await welcome.innerText(), /Skill Metrics shows which AI coding skills you use/);
      assert.match(await projects.innerText(), /No projects are registered yet/);
      assert.equal((await wb2.statusBarTexts()).filter((t) => t.includes('Skill Metrics')).length, 0, 'no status bar item without data');
    });
    await shot(wb2, '15-welcome-no-projects');
  });

  await check('welcome views: the Register Folder... button registers a folder; then "no data yet"', async () => {
    await wb2.viewPane('Projects').locator('.welcome-view-content .monaco-button', { hasText: 'Register Folder...' }).click();
    const input = wb2.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    // The simple folder dialog fills in its start folder asynchronously and may overwrite what was typed
    // before it did: type inside the poll, until the typed folder stays and the dialog lists it.
    await eventually(async () => assert.ok((await input.inputValue()).startsWith('/'), 'the dialog shows its start folder'));
    await eventually(async () => {
      if ((await input.inputValue()) !== fixture.empty) await input.fill(fixture.empty);
      assert.equal(await input.inputValue(), fixture.empty);
      await wb2.page.locator('.quick-input-list .monaco-list-row', { hasText: 'empty' }).first().waitFor({ timeout: 2_000 });
      assert.equal(await input.inputValue(), fixture.empty);
    });
    await wb2.page.locator('.quick-input-widget .monaco-button', { hasText: 'Register' }).first().click();
    await input.waitFor({ state: 'hidden' });
    await wb2.waitForNotification(/Skill Metrics: registered empty/);
    const welcome = wb2.viewPane('Top Skills').locator('.welcome-view-content');
    await eventually(async () => assert.match(await welcome.innerText(), /No skill records yet/));
    // The row reads "collecting…" while the first collection of the new project runs: wait for its end.
    await eventually(async () => {
      const rows = await wb2.treeRows('Projects');
      assert.ok(rows.some((r) => /^empty 0 records · synced (just now|\d+ min ago)$/.test(r)), rows.join(' | '));
    });
    await shot(wb2, '16-welcome-no-data');
  });
} catch (e) {
  failed = true;
  console.error(`[test:ui] FAILED: ${e.stack || e}`);
} finally {
  await second?.page.close().catch(() => {});
  await ui?.close().catch(() => {});
  await ui2?.close().catch(() => {});
  fs.rmSync(fixtureDir, { recursive: true, force: true });
}
const ok = summary() && !failed;
console.log(`[test:ui] ${ok ? 'passed' : 'FAILED'} against ${EXTENSION.label} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), SHOTS) || SHOTS}`);
process.exit(ok ? 0 : 1);
