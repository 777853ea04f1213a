#!/usr/bin/env node
// Takes the README's screenshots (docs/images/*.png) in the real workbench: the `npm start` demo in a
// fresh temp dir, code-server with the extension (test/harness), headless Chromium at 1400x900.
//
//   npm run build && node scripts/screenshots.mjs [--out docs/images]
//
// The pictures are committed; look at each one before committing it (they show whatever the extension
// draws today). Each stays well under 400 KB.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExtensionFolder, startCodeServer, workbenchUrl } from '../test/harness/codeServer.mjs';
import { openWorkbench } from '../test/harness/workbench.mjs';
import { createDemo, extensionDatabase } from './start.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const OUT = path.resolve(ROOT, outArg > 0 ? process.argv[outArg + 1] : 'docs/images');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => console.log(`[screenshots] ${m}`);

if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) {
  console.error('[screenshots] dist/extension.js is missing: run npm run build first');
  process.exit(2);
}
fs.mkdirSync(OUT, { recursive: true });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-shots-'));
const userDataDir = path.join(tmp, 'editor', 'user-data');
const extensionsDir = path.join(tmp, 'editor', 'extensions');
let server;
let wb;
try {
  const demo = await createDemo(tmp, extensionDatabase(userDataDir));
  installExtensionFolder(ROOT, extensionsDir);
  server = await startCodeServer({
    folder: demo.workspaceFile, userDataDir, extensionsDir,
    settings: { 'workbench.colorTheme': 'Default Dark Modern', 'window.commandCenter': false, 'workbench.layoutControl.enabled': false },
  });
  wb = await openWorkbench(workbenchUrl(server.url, { workspace: demo.workspaceFile }), undefined, { parentDir: server.tempDir });
  const { page } = wb;
  const shot = async (name, clip) => {
    const file = path.join(OUT, `${name}.png`);
    await page.mouse.move(1395, 450); // no hover effects
    await sleep(400);
    await page.screenshot({ path: file, ...(clip ? { clip } : {}) });
    log(`${path.relative(ROOT, file)}: ${fs.statSync(file).size} bytes`);
  };
  const dashboardReady = async (kind = 'overview') => {
    const frame = wb.webviewFrame();
    await frame.locator(`body[data-view="${kind}"] #key-figures`).waitFor({ timeout: 60_000 });
    for (let i = 0; i < 100 && (await frame.locator('#content').getAttribute('aria-busy')) !== 'false'; i++) await sleep(200);
    await sleep(1200); // chart animations
    return frame;
  };

  // 1. Session start: the notification and the status bar item (bottom of the window).
  await wb.waitForNotification(/Skill Metrics · /, { timeout: 90_000 });
  await sleep(800);
  await shot('status-bar-and-notification', { x: 0, y: 560, width: 1400, height: 340 });
  await wb.clearNotifications();

  // 2. The activity-bar views beside the dashboard (dark).
  await wb.openViewContainer('Skill Metrics');
  const top = (await wb.treeItems('Top Skills'))[0];
  await wb.expandRow(top.label, { viewTitle: 'Top Skills' });
  await wb.runCommand('Skill Metrics: Open Dashboard');
  await dashboardReady();
  await shot('views-and-dashboard-dark');

  // 3. The dashboard alone, dark then light.
  await wb.runCommand('View: Close Primary Side Bar');
  await sleep(600);
  await dashboardReady();
  await shot('dashboard-dark');
  await wb.setColorTheme('Light Modern');
  const light = await dashboardReady();
  const scrollTo = async (card) => {
    await light.locator(card).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await sleep(1500); // charts draw as they come into view
  };
  await scrollTo('#card-success');
  await shot('dashboard-light');
  await scrollTo('#card-graph');
  await shot('dashboard-relations-light');

  // 4. An effectiveness page (light): the skill with the most uses below 60% success.
  await wb.runCommand('View: Open Primary Side Bar').catch(() => wb.runCommand('View: Toggle Primary Side Bar Visibility'));
  await wb.page.locator('.monaco-list-row[aria-expanded="true"] .monaco-tl-twistie').first().click(); // collapse the skill again
  await sleep(300);
  const weak = (await wb.treeItems('Top Skills')).find((r) => /· ([0-5]\d)%$/.test(r.description)) ?? top;
  await wb.runCommand('Skill Metrics: Analyze Skill Effectiveness...');
  await wb._pickQuickInputRow(weak.label, weak.label);
  await page.locator('.tab', { hasText: `Effectiveness: ${weak.label}` }).first().waitFor({ timeout: 20_000 });
  await wb.webviewFrame({ index: (await page.locator('iframe.webview').count()) - 1 }).locator('h1').waitFor({ timeout: 20_000 });
  await shot('effectiveness');
} finally {
  await wb?.close().catch(() => {});
  await server?.stop().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
}
