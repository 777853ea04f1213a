#!/usr/bin/env node
// UI end-to-end for the dashboard: the extension in code-server (the real VS Code workbench), driven in
// headless Chromium. It opens the fixture workspace (alpha + two generated projects, UTC), then checks,
// reading the DOM inside the webview frames: opening from the palette and from the status bar, the key
// figures, series and labels the fixture implies, a filter change, drill-down (skill and project), a
// reload that restores the state, exports (CSV and PNG through the save dialog), light and dark themes
// (screenshots in test-results/screenshots/dashboard-*.png, meant to be looked at), and that the
// webview never reported a Content Security Policy violation.
//
//   npm run build && node test/ui/dashboard.ui.mjs
//   node test/ui/dashboard.ui.mjs --vsix vsix/skill-metrics-linux-x64-0.1.0.vsix   (the packaged extension)
// Exit code 0 when every check passed; 1 otherwise; 3 when the harness could not start.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { assert, createChecker, eventually, sleep, startUiSession } from '../harness/workbench.mjs';

import { ALPHA, ALPHA_RECORDS, alphaInvocations, makeFixtureWorkspace } from '../fixtures/workspace.mjs';
import { extensionUnderTest, reportExtensionHost } from './extensionUnderTest.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION = extensionUnderTest(ROOT, { requiredBuild: ['dist/extension.js', 'dist/webview/dashboard.js', 'dist/webview/dashboard.css'] });
const SHOTS = EXTENSION.shotsDir;
const SETTINGS = { 'skillMetrics.sourceTimeZone': 'UTC', 'skillMetrics.displayTimeZone': 'UTC', 'skillMetrics.sessionStartNotification': false };
console.log(`[dashboard ui] the dashboard suite against ${EXTENSION.label}`);

fs.mkdirSync(SHOTS, { recursive: true });
for (const f of fs.readdirSync(SHOTS)) if (f.startsWith('dashboard-')) fs.rmSync(path.join(SHOTS, f));

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-dashboard-ui-'));
const fixture = await makeFixtureWorkspace(path.join(tmp, 'fixture'));
const exportsDir = path.join(tmp, 'exports');
fs.mkdirSync(exportsDir);
const text = (s) => s.replace(/[\s\u00a0]+/g, ' ').trim();

// What the fixture implies: alpha's hand-built records plus the generated projects' (same options as the
// fixture: the generator is deterministic), per skill, all time.
const { generate } = await tsImport(path.join(ROOT, 'src', 'demo', 'generator.ts'), import.meta.url);
const regenerated = await generate({
  outDir: path.join(tmp, 'again'), projects: 2, records: 200, seed: 7, formats: ['v1', 'v2'],
  end: new Date(fixture.now - 60 * 60_000), days: 30, writerTimeZone: 'UTC', keep: true,
});
const perSkill = new Map(Object.entries(ALPHA).map(([k, v]) => [k, v.total]));
for (const p of regenerated) for (const i of p.invocations) perSkill.set(i.skill, (perSkill.get(i.skill) ?? 0) + 1);
const expectedTop = [...perSkill.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
const TOTAL = ALPHA_RECORDS + regenerated.reduce((s, p) => s + p.invocations.length, 0);
assert.equal(TOTAL, ALPHA_RECORDS + fixture.generated.reduce((s, g) => s + g.records, 0), 'the regenerated data is the fixture\'s');
// alpha's most recent (inferred) session: its last burst of three invocations, 5 minutes apart.
const alphaLast = alphaInvocations(fixture.now).slice(-3).map((i) => i.skill_name);

let ui;
let failed = false;
const cspMessages = [];
const { check, summary } = createChecker({
  onFail: async (name) => {
    reportExtensionHost(ui?.server);
    await ui?.wb.screenshot(`dashboard-FAIL ${name}`, SHOTS).catch(() => {});
  },
});

try {
  try {
    // The workspace is the first page the browser loads. Loading an empty window first and navigating
    // away while it initialises leaves code-server's next extension host without this extension
    // activated in about 1 of 4 runs (its half-done requests are cancelled); users open one page.
    ui = await startUiSession({ ...EXTENSION.session, workspace: fixture.workspaceFile, settings: { ...SETTINGS, 'workbench.colorTheme': 'Default Light Modern' } });
  } catch (e) {
    console.error(`[dashboard ui] the harness could not start: ${e.stack || e}`);
    process.exit(3);
  }
  const { wb } = ui;
  const page = wb.page;
  if (EXTENSION.vsix) {
    await check('the extension code-server runs is the one installed from the VSIX', async () => {
      EXTENSION.verifyInstalled(ui.server);
    });
  }
  // The webview logs each violation it sees; the browser reports others (from a frame of the webview).
  page.on('console', (m) => {
    const fromWebview = /webview/i.test(m.location()?.url ?? '');
    if (/CSP violation/.test(m.text()) || (fromWebview && /Content Security Policy/i.test(m.text()))) cspMessages.push(m.text());
  });
  const shot = (name) => wb.screenshot(`dashboard-${name}`, SHOTS);

  /** The dashboard's frame, once its view `kind` rendered the latest query. */
  const dashboard = async (kind = 'overview') => {
    const frame = wb.webviewFrame();
    await frame.locator(`body[data-view="${kind}"] #key-figures`).waitFor();
    await eventually(async () => assert.equal(await frame.locator('#content').getAttribute('aria-busy'), 'false'));
    return frame;
  };
  const kpi = async (frame, id) => text(await frame.locator(`#${id} .kpi-value`).innerText());
  const chartTexts = async (frame, chart) => (await frame.locator(`[data-chart-id="${chart}"] svg text`).allTextContents()).map(text).filter(Boolean);
  const topRows = async (frame) => (await frame.locator('#top-skills-table tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')?.textContent?.trim(), r.querySelectorAll('td')[0]?.textContent?.trim()])));
  const cspViolations = async (frame) => Number((await frame.locator('body').getAttribute('data-csp-violations')) ?? 0);
  const clickRange = async (frame, range) => {
    await frame.locator(`button[data-range="${range}"]`).click();
    await eventually(async () => assert.equal(await frame.locator(`button[data-range="${range}"]`).getAttribute('aria-pressed'), 'true'));
  };

  await check('the palette command opens the dashboard with the key figures of every project (all time)', async () => {
    // The command shows in the palette once there is data: wait for the first collection.
    await eventually(async () => assert.ok((await wb.statusBarTexts()).some((t) => t.includes('%')), (await wb.statusBarTexts()).join(' | ')), { timeout: 180_000 });
    await wb.runCommand('Skill Metrics: Open Dashboard');
    const tab = page.locator('.tab', { hasText: 'Skill Metrics' }).first();
    await tab.waitFor();
    let frame = await dashboard();
    await clickRange(frame, 'all');
    frame = await dashboard();
    await eventually(async () => {
      assert.equal(await kpi(frame, 'kpi-invocations'), TOTAL.toLocaleString('en-US'));
      assert.equal(await kpi(frame, 'kpi-projects'), '3');
      assert.equal(await kpi(frame, 'kpi-skills'), String(perSkill.size));
    });
    const body = frame.locator('body');
    console.log(`  webview: script ran ${await body.getAttribute('data-boot-ms')} ms after the page started; first view drawn at ${await body.getAttribute('data-first-render-ms')} ms`);
  });

  await check('charts and tables show the series and labels the fixture implies', async () => {
    const frame = await dashboard();
    await eventually(async () => {
    // Top skills table: every skill with its all-time count, most used first.
    assert.deepEqual(await topRows(frame), expectedTop.slice(0, 15).map(([s, n]) => [s, n.toLocaleString('en-US')]));
    // Usage chart: the legend names the six most used skills, then "other"; its aria-label says the total.
    const legend = await chartTexts(frame, 'usage');
    const top6 = expectedTop.slice(0, 6).map(([s]) => s);
    for (const s of [...top6, 'other']) assert.ok(legend.includes(s), `usage legend lacks ${s}: ${legend.join(', ')}`);
    assert.match(await frame.locator('[data-chart-id="usage"]').getAttribute('aria-label'), new RegExp(`${TOTAL.toLocaleString('en-US')} in total`));
    // Success-rate chart: the y axis lists the twelve most used skills, in order.
    const success = await chartTexts(frame, 'success');
    const top12 = expectedTop.slice(0, 12).map(([s]) => s);
    assert.deepEqual(success.filter((t) => perSkill.has(t)), top12);
    // Matrix: every project is a column (and a chip).
    const matrix = await chartTexts(frame, 'matrix');
    for (const p of ['alpha', ...fixture.generated.map((g) => g.name)]) assert.ok(matrix.includes(p), `matrix lacks ${p}`);
    // Each chart has a text alternative (a table) and a label.
    for (const id of ['usage', 'success', 'durations', 'matrix', 'hotspots', 'timeline']) {
      assert.ok(await frame.locator(`#card-${id} .table-alt table`).count(), `${id} has a table`);
      assert.ok((await frame.locator(`[data-chart-id="${id}"]`).getAttribute('aria-label'))?.length > 20, `${id} has a label`);
    }
    });
    await shot('01-overview-light');
  });

  await check('a project filter changes the figures (alpha: 39 invocations, 85%)', async () => {
    let frame = await dashboard();
    const alphaId = await frame.locator('#filter-project option', { hasText: 'alpha' }).getAttribute('value');
    await frame.locator('#filter-project').selectOption(alphaId);
    frame = await dashboard();
    await eventually(async () => {
    assert.equal(await kpi(frame, 'kpi-invocations'), String(ALPHA_RECORDS));
    assert.equal(await kpi(frame, 'kpi-success'), '85%'); // 33 of 39
    assert.equal(await kpi(frame, 'kpi-projects'), '1');
    assert.deepEqual(await topRows(frame), [['code-review', '25'], ['test-writer', '10'], ['refactor', '4']]);
    const legend = await chartTexts(frame, 'usage');
    for (const s of Object.keys(ALPHA)) assert.ok(legend.includes(s), `usage legend lacks ${s}`);
    assert.ok(!legend.includes('other'), 'three skills: nothing is "other"');
    // The session timeline shows alpha's latest (inferred) session: its last three invocations.
    assert.match(text(await frame.locator('#timeline-summary').innerText()), /^Inferred session .*3 invocations of/);
    const axis = await chartTexts(frame, 'timeline');
    for (const s of new Set(alphaLast)) assert.ok(axis.includes(s), `timeline lacks ${s}: ${axis.join(', ')}`);
    });
  });

  await check('drill-down: Enter on a top-skills row opens the skill; its figures are the fixture\'s', async () => {
    let frame = await dashboard();
    const row = frame.locator('#top-skills-table tbody tr[data-skill="code-review"]');
    await row.focus();
    await row.press('Enter');
    frame = await dashboard('skill');
    await eventually(async () => {
    assert.equal(text(await frame.locator('#skill-title').innerText()), 'code-review');
    assert.equal(await kpi(frame, 'kpi-invocations'), '25');
    assert.equal(await kpi(frame, 'kpi-success'), '92%'); // 23 of 25
    assert.equal(await kpi(frame, 'kpi-median'), '32 s'); // completed durations 10, 12, ..., 54
    assert.deepEqual((await chartTexts(frame, 'skillProjects')).filter((t) => t === 'alpha'), ['alpha']);
    assert.ok((await chartTexts(frame, 'skillErrors')).includes('timeout'));
    assert.equal(await page.locator('.tab', { hasText: 'Skill Metrics: code-review' }).count(), 1, 'the tab names the skill');
    });
    await shot('02-skill-light');
  });

  await check('a reload restores the page and the filters (serializer + getState)', async () => {
    await wb.runCommand('Developer: Reload Window');
    await wb.waitForWorkbench();
    const frame = await dashboard('skill');
    await eventually(async () => {
      assert.equal(text(await frame.locator('#skill-title').innerText()), 'code-review');
      const alphaId = await frame.locator('#filter-project option', { hasText: 'alpha' }).getAttribute('value');
      assert.equal(await frame.locator('#filter-project').inputValue(), alphaId);
      assert.equal(await frame.locator('button[data-range="all"]').getAttribute('aria-pressed'), 'true');
      assert.equal(await kpi(frame, 'kpi-invocations'), '25');
    });
  });

  await check('drill-down to a project: back to the overview, all projects, then a matrix chip scopes to gamma-less alpha', async () => {
    let frame = await dashboard('skill');
    await frame.locator('nav.crumbs button', { hasText: 'All projects' }).click();
    frame = await dashboard();
    await eventually(async () => assert.equal(await kpi(frame, 'kpi-invocations'), TOTAL.toLocaleString('en-US')));
    const generated = fixture.generated[0];
    await frame.locator('#card-matrix .chip', { hasText: generated.name }).click();
    frame = await dashboard();
    await eventually(async () => {
      assert.equal(await kpi(frame, 'kpi-invocations'), generated.records.toLocaleString('en-US'));
      assert.equal(await frame.locator('#filter-project option:checked').innerText().then(text), `${generated.name} · ${generated.records}`);
    });
    await frame.locator('nav.crumbs button', { hasText: 'All projects' }).click();
    await dashboard();
  });

  await check('exports: CSV of the top skills and PNG of the usage chart, through the save dialog', async () => {
    const save = async (button, file) => {
      await button.click();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      // The simple save dialog fills in the default path (the last export folder, a dated name) a moment
      // after it shows, and rewrites its input while it lists folders: type ours once it settled.
      await eventually(async () => assert.match(await input.inputValue(), /skill-metrics-\w+-\d{4}-\d{2}-\d{2}\.\w+$/));
      // Ours is final once the dialog listed the folder and two polls in a row found it unchanged.
      let held = 0;
      await eventually(async () => {
        if ((await input.inputValue()) !== file) { held = 0; await input.fill(file); }
        await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 2_000 });
        const value = await input.inputValue();
        held = value === file ? held + 1 : 0;
        assert.ok(held >= 2, `the save dialog holds ${value} (${held} poll(s) in a row)`);
      });
      await page.locator('.quick-input-widget .monaco-button', { hasText: /^(OK|Export)$/ }).first().click();
      await input.waitFor({ state: 'hidden' });
      await eventually(async () => assert.ok(fs.existsSync(file) && fs.statSync(file).size > 0, `${file} not written; the webview says: ${await wb.webviewFrame().locator('#status').innerText().catch(() => '')}`));
    };
    const frame = await dashboard();
    const csv = path.join(exportsDir, 'top-skills.csv');
    await save(frame.locator('#card-topSkills .export-btn[data-format="csv"]'), csv);
    const lines = fs.readFileSync(csv, 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
    assert.match(lines[0], /^skill_name,total_invocations,completed_invocations,success_rate/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2)), expectedTop.slice(0, 15).map(([s, n]) => [s, String(n)]));
    const png = path.join(exportsDir, 'usage.png');
    await save(frame.locator('#card-usage .export-btn[data-format="png"]'), png);
    assert.deepEqual([...fs.readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    await eventually(async () => assert.match(text(await frame.locator('#status').innerText()), /Saved PNG to .*usage\.png/));
  });

  await check('the status bar opens the dashboard on the project\'s top skill', async () => {
    await wb.runCommand('View: Close All Editors');
    await eventually(async () => assert.equal(await page.locator('iframe.webview').count(), 0, 'the dashboard closed'));
    const item = page.locator('.part.statusbar .statusbar-item', { hasText: /%/ }).first();
    const label = text(await item.innerText());
    const skill = label.replace(/\s+\d+%.*$/, '').replace(/^\W+/, '').trim();
    await item.click();
    const frame = await dashboard('skill');
    await eventually(async () => assert.equal(text(await frame.locator('#skill-title').innerText()), skill));
  });

  await check('dark theme: the charts re-render with the theme\'s colours', async () => {
    let frame = await dashboard('skill');
    await frame.locator('nav.crumbs button', { hasText: 'All projects' }).click();
    frame = await dashboard();
    await clickRange(frame, 'all');
    frame = await dashboard();
    const colourOf = () => frame.locator('[data-chart-id="usage"] svg path[fill]').evaluateAll((els) => els.map((e) => e.getAttribute('fill')).filter((f) => f && f !== 'none' && f !== 'transparent')[0]);
    // (#rrggbb: the dashboard drops a theme colour's alpha, see media/dashboard/theme.ts)
    const blue = () => frame.locator('body').evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-charts-blue').trim().toLowerCase().slice(0, 7));
    const before = await eventually(async () => {
      const colour = await colourOf();
      assert.equal(colour?.toLowerCase(), await blue(), 'the first series is --vscode-charts-blue');
      return colour;
    });
    assert.equal(await wb.setColorTheme('Dark Modern'), 'vs-dark');
    await eventually(async () => {
      const now = (await colourOf())?.toLowerCase();
      assert.equal(now, await blue());
      assert.notEqual(now, before?.toLowerCase(), 'the colour follows the theme');
    });
    await sleep(300);
    await shot('03-overview-dark');
    for (const [card, name] of [['#card-success', '03b-success-durations-dark'], ['#card-matrix', '03c-matrix-dark'], ['#card-graph', '03d-graph-transitions-dark'], ['#card-trends', '03e-trends-hotspots-dark'], ['#card-recommendations', '03f-recommendations-dark'], ['#card-timeline', '03g-timeline-dark']]) {
      await frame.locator(card).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await sleep(200);
      await shot(name);
    }
    await frame.locator('#top-skills-table tbody tr').first().click();
    await dashboard('skill');
    await sleep(300);
    await shot('04-skill-dark');
  });

  await check('high contrast: readable, with decal patterns', async () => {
    assert.equal(await wb.setColorTheme('Dark High Contrast'), 'hc-black');
    const frame = await dashboard('skill');
    await frame.locator('nav.crumbs button', { hasText: 'All projects' }).click();
    await dashboard();
    await sleep(300);
    await shot('05-overview-hc');
  });

  await check('an empty range says what to do', async () => {
    let frame = await dashboard();
    await frame.locator('button[data-range="custom"]').click();
    await frame.locator('#filter-since').fill('2001-01-01');
    await frame.locator('#filter-until').fill('2001-01-31');
    await frame.locator('.custom-range button[type="submit"]').click();
    await frame.locator('#empty-state[data-reason="noDataInRange"]').waitFor();
    frame = wb.webviewFrame();
    await eventually(async () => assert.match(text(await frame.locator('#empty-state').innerText()), /Nothing was recorded in 2001-01-01 to 2001-01-31.*Show All Time/));
    await frame.locator('#empty-state button', { hasText: 'Show All Time' }).click();
    frame = await dashboard();
    await eventually(async () => assert.equal(await kpi(frame, 'kpi-invocations'), TOTAL.toLocaleString('en-US')));
  });

  await check('no Content Security Policy violation was reported by the webview', async () => {
    const frame = wb.webviewFrame();
    // Hover the charts (tooltips are where chart libraries tend to write inline styles), until one showed.
    await eventually(async () => {
      for (const id of ['usage', 'success', 'matrix', 'graph', 'hotspots', 'timeline']) {
        const box = await frame.locator(`[data-chart-id="${id}"]`).boundingBox();
        if (box) for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.4], [0.7, 0.6]]) await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
      }
      assert.ok(await frame.locator('.sm-tooltip').count(), 'a tooltip was shown');
    });
    assert.equal(await cspViolations(frame), 0, 'violations recorded in the webview');
    assert.deepEqual(cspMessages, [], cspMessages.join('\n'));
  });
} catch (e) {
  failed = true;
  console.error(`[dashboard ui] FAILED: ${e.stack || e}`);
} finally {
  await ui?.close().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
}

const ok = summary() && !failed;
console.log(`[dashboard ui] ${ok ? 'passed' : 'FAILED'} against ${EXTENSION.label} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), SHOTS) || SHOTS}`);
process.exit(ok ? 0 : 1);
