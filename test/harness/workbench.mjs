// Playwright helpers for UI end-to-end tests against a running code-server workbench, in headless
// Debian Chromium (playwright-core: no browser download).
//
//   import { startUiSession, createChecker } from './workbench.mjs';
//   const ui = await startUiSession({ extensionDevelopmentPath: root, folder: fixtureDir });
//   const { check, summary } = createChecker({ onFail: (name) => ui.wb.screenshot(`FAIL ${name}`) });
//   await check('tree shows skills', async () => {
//     await ui.wb.openViewContainer('Skill Metrics');
//     assert.ok((await ui.wb.treeRows('Skills')).length > 0);
//   });
//   await ui.close();
//   process.exit(summary() ? 0 : 1);       // summary() prints "N passed, N failed"
//
// Lower level: launchBrowser() -> { context, page, close }, openWorkbench(url, folder) -> Workbench.
// UI tests run code-server WITHOUT the smoke-test driver: with it, notification toasts are suppressed.
//
// Env: CHROMIUM (browser executable), SKILL_METRICS_SCREENSHOT_DIR (default <tmp>/skill-metrics-screenshots),
// SKILL_METRICS_UI_DEBUG=1 (echo page errors and console errors).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { findChromium } from './setup.mjs';
import { installExtensionFolder, installVsix, startCodeServer, workbenchUrl } from './codeServer.mjs';

export const DEFAULT_VIEWPORT = Object.freeze({ width: 1400, height: 900 });
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Bounds, not waits: every wait ends as soon as its state is there. They are generous because a 2-core
// machine that also builds or benchmarks can take tens of seconds for what takes one on an idle one.
const DEFAULT_TIMEOUT_MS = 60_000;
const WORKBENCH_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// browser

/** playwright-core from the project's node_modules (or NODE_PATH), with a clear error when absent. */
export function loadPlaywright() {
  const require = createRequire(import.meta.url);
  try {
    return require('playwright-core');
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error('playwright-core is not installed: it is a devDependency of this project ' +
      '(npm install --save-dev --save-exact playwright-core@1.65.1)');
  }
}

/**
 * Headless Chromium with a fresh profile in a temp dir (its HOME/XDG dirs too, so crashpad/dconf
 * stay out of the real HOME). Returns { context, page, close() }; close() also removes the profile.
 * `parentDir`: where to make the profile (default the system temp dir); pass a code-server's tempDir
 * so that the profile goes with it even if this process is killed before close().
 */
export async function launchBrowser({ viewport = DEFAULT_VIEWPORT, env = {}, parentDir = os.tmpdir() } = {}) {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: apt-get install chromium, or set CHROMIUM');
  const { chromium } = loadPlaywright();
  const profile = fs.mkdtempSync(path.join(parentDir, 'skill-metrics-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport,
      args: CHROMIUM_ARGS,
      // our callers tear down in order (browser, then code-server) on signals; Playwright must not race them
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile, ...env },
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] || await context.newPage();
  let closed;
  const close = () => (closed ||= (async () => {
    await context.close().catch(() => {});
    await reapProcessesMentioning(profile); // helpers (crashpad, zygote) can outlive close() briefly
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  })());
  return { context, page, close };
}

/** PIDs whose command line mentions `text` (Linux /proc). */
function pidsMentioning(text) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

/** Wait up to `graceMs` for processes mentioning `text` to exit, then SIGKILL the rest. */
async function reapProcessesMentioning(text, graceMs = 3000) {
  const deadline = Date.now() + graceMs;
  while (pidsMentioning(text).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pidsMentioning(text)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Regex matching exactly `text` (case-insensitive, surrounding whitespace allowed). */
const exactly = (text) => new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`, 'i');
const normalize = (s) => s.replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// workbench

/** A VS Code workbench page with helpers for what extension UI tests look at. */
export class Workbench {
  /** @param {import('playwright-core').Page} page */
  constructor(page, { close } = {}) {
    this.page = page;
    this.pageErrors = [];
    this._close = close;
    page.on('pageerror', (e) => {
      this.pageErrors.push(e.message);
      if (process.env.SKILL_METRICS_UI_DEBUG === '1') console.error('[pageerror]', e.message.slice(0, 500));
    });
    if (process.env.SKILL_METRICS_UI_DEBUG === '1') {
      page.on('console', (m) => { if (m.type() === 'error') console.error('[console.error]', m.text().slice(0, 500)); });
    }
  }

  /**
   * Wait until the workbench is laid out (activity bar, status bar items). Contributions of extensions
   * appear later, after activation: wait for those with the helpers below (they all wait).
   */
  async waitForWorkbench({ timeout = WORKBENCH_TIMEOUT_MS } = {}) {
    const { page } = this;
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout });
    await page.locator('.monaco-workbench .activitybar').first().waitFor({ timeout });
    await page.locator('.monaco-workbench .part.statusbar .statusbar-item').first().waitFor({ timeout });
  }

  /** Close a quick input (palette/picker) if one is open. */
  async closeQuickInput() {
    const widget = this.page.locator('.quick-input-widget');
    if (await widget.isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    }
  }

  /** Pick the quick-input row whose label is exactly `label` (after typing `filter` into it). */
  async _pickQuickInputRow(filter, label, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const { page } = this;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(filter);
    const row = page.locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
    await row.waitFor({ timeout });
    await row.click();
  }

  /**
   * Run a command by its palette title ("Category: Title", as shown in the palette) via F1.
   * Resolves once the palette left command mode: the command was started (not necessarily finished);
   * a command that opens its own quick pick leaves that open for the caller.
   */
  async runCommand(title, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    await this.closeQuickInput();
    // F1 before the workbench has focus opens nothing: press it again until the palette is there.
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await eventually(async () => {
      if (!(await input.isVisible())) await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
    }, { timeout });
    await this._pickQuickInputRow(`>${title}`, title, { timeout });
    await this.page.waitForFunction(() => {
      const input = document.querySelector('.quick-input-widget .quick-input-box input');
      return !input || !input.checkVisibility() || !input.value.startsWith('>');
    }, null, { timeout });
  }

  /** Show the activity-bar view container titled `title` (does not toggle it closed when already open). */
  async openViewContainer(title, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const { page } = this;
    const item = page.locator('.activitybar .action-item')
      .filter({ has: page.locator(`a.action-label[aria-label^="${title.replace(/"/g, '\\"')}"]`) }).first();
    await item.waitFor({ timeout });
    if (!(await item.getAttribute('class') || '').split(/\s+/).includes('checked')) await item.click();
    await page.locator('.part.sidebar .composite.title', { hasText: title }).first().waitFor({ timeout });
  }

  /** Locator of the view pane titled `viewTitle` (in the side bar, panel or secondary side bar). */
  viewPane(viewTitle) {
    const { page } = this;
    return page.locator('.pane').filter({ has: page.locator('.pane-header h3.title', { hasText: exactly(viewTitle) }) }).first();
  }

  /** Expand the pane `viewTitle` if collapsed; returns its locator. */
  async _expandedPane(viewTitle, timeout) {
    const pane = this.viewPane(viewTitle);
    await pane.waitFor({ state: 'attached', timeout });
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return pane;
  }

  /**
   * The rendered (visible) rows of the tree/list in view `viewTitle`, as
   * { label, description, level, expanded } (expanded: true/false, or null for a leaf).
   * Waits for at least `minRows` rows (default 1; 0 to read an empty view).
   */
  async treeItems(viewTitle, { minRows = 1, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const pane = await this._expandedPane(viewTitle, timeout);
    const rows = pane.locator('.pane-body .monaco-list-row');
    if (minRows > 0) await rows.nth(minRows - 1).waitFor({ timeout });
    return rows.evaluateAll((els) => els.map((row) => {
      const text = (sel) => (row.querySelector(sel)?.textContent || '').replace(/\s+/g, ' ').trim();
      const expanded = row.getAttribute('aria-expanded');
      return {
        label: text('.label-name') || text('.monaco-tl-contents') || (row.textContent || '').trim(),
        description: text('.label-description'),
        level: Number(row.getAttribute('aria-level')) || 1,
        expanded: expanded === null ? null : expanded === 'true',
      };
    }));
  }

  /** Visible row texts of view `viewTitle`: "label" or "label description". Options as treeItems(). */
  async treeRows(viewTitle, options) {
    return (await this.treeItems(viewTitle, options)).map((r) => (r.description ? `${r.label} ${r.description}` : r.label));
  }

  /** Expand the tree row containing `text` (in view `viewTitle` if given); waits until expanded. */
  async expandRow(text, { viewTitle, timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const scope = viewTitle ? await this._expandedPane(viewTitle, timeout) : this.page;
    const row = scope.locator('.monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout });
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      await row.locator('.monaco-tl-twistie').click();
      await this.page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout });
    }
  }

  /** Texts of the visible status bar items (codicons dropped by the renderer). */
  async statusBarTexts() {
    const texts = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return texts.map(normalize).filter(Boolean);
  }

  /** Messages of the notification toasts currently shown. */
  async notificationTexts() {
    const texts = await this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
    return texts.map(normalize).filter(Boolean);
  }

  /** Wait for a notification toast whose message matches `pattern` (RegExp or substring); returns its text. */
  async waitForNotification(pattern, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
    const toast = this.page.locator('.notifications-toasts .notification-list-item-message', { hasText: pattern }).first();
    await toast.waitFor({ timeout });
    return normalize(await toast.innerText());
  }

  /** Clear all notifications (so the next waitForNotification sees only new ones). */
  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => {});
  }

  /**
   * The content frame of a webview (`iframe.webview` → its inner `#active-frame`), as a FrameLocator.
   * `index` picks among several webviews (in DOM order).
   */
  webviewFrame({ index = 0 } = {}) {
    return this.page.locator('iframe.webview').nth(index).contentFrame().locator('#active-frame').contentFrame();
  }

  /** Save a PNG of the page as <dir>/<name>.png; returns the file path. */
  async screenshot(name, dir = process.env.SKILL_METRICS_SCREENSHOT_DIR || path.join(os.tmpdir(), 'skill-metrics-screenshots')) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The workbench's theme kind: 'vs' (light), 'vs-dark', 'hc-black' or 'hc-light'. */
  async themeKind() {
    const cls = (await this.page.locator('.monaco-workbench').first().getAttribute('class')) || '';
    return ['hc-light', 'hc-black', 'vs-dark', 'vs'].find((k) => cls.split(/\s+/).includes(k)) || null;
  }

  /**
   * Switch the color theme through "Preferences: Color Theme", by the label the picker shows
   * (e.g. 'Dark Modern', 'Light Modern', 'Dark 2026'). The picker loads the installed themes lazily and
   * its first opening can list none, so this retries. Waits until the workbench re-themed; returns
   * themeKind(). (To start in a theme, pass settings { 'workbench.colorTheme': ... } to the server.)
   */
  async setColorTheme(name, { timeout = DEFAULT_TIMEOUT_MS, attempts = 4 } = {}) {
    const themeClass = () => this.page.locator('.monaco-workbench').first().evaluate(
      (el) => [...el.classList].find((c) => c.startsWith('vscode-theme-')) || '');
    const before = await themeClass();
    for (let attempt = 1; ; attempt++) {
      await this.runCommand('Preferences: Color Theme', { timeout });
      try {
        await this._pickQuickInputRow(name, name, { timeout: 10_000 });
        break;
      } catch (e) {
        await this.closeQuickInput();
        if (attempt >= attempts) throw new Error(`color theme "${name}" not found in the theme picker: ${e.message.split('\n')[0]}`);
      }
    }
    const deadline = Date.now() + timeout;
    while ((await themeClass()) === before) {
      if (Date.now() > deadline) throw new Error(`color theme "${name}" was picked but not applied (already active?)`);
      await this.page.waitForTimeout(100);
    }
    return this.themeKind();
  }

  /** Close the browser (and whatever else the creator attached). */
  async close() {
    if (this._close) await this._close();
  }
}

/**
 * Launch a browser and open the workbench of the code-server at `url` (with `folder`, or the
 * `.code-workspace` file `workspace`, if given), waiting until it is laid out. Returns a Workbench whose
 * close() closes the browser. Options: viewport, parentDir (see launchBrowser).
 */
export async function openWorkbench(url, folder, { viewport, parentDir, workspace } = {}) {
  const browser = await launchBrowser({ viewport, parentDir });
  const wb = new Workbench(browser.page, { close: browser.close });
  try {
    await browser.page.goto(folder || workspace ? workbenchUrl(url, { folder, workspace }) : url, { waitUntil: 'domcontentloaded' });
    await wb.waitForWorkbench();
  } catch (e) {
    await browser.close();
    throw e;
  }
  wb.browser = browser;
  return wb;
}

/**
 * Everything a UI test needs: a code-server (no smoke-test driver) with the extension at
 * `extensionDevelopmentPath` symlinked in (or `vsix` installed), and a browser on its workbench.
 * Returns { server, wb, close() }.
 */
export async function startUiSession({ extensionDevelopmentPath, vsix, folder, workspace, settings, env, viewport } = {}) {
  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-ui-ext-'));
  let server;
  try {
    if (vsix) await installVsix(vsix, extensionsDir);
    else if (extensionDevelopmentPath) installExtensionFolder(extensionDevelopmentPath, extensionsDir);
    server = await startCodeServer({ folder, extensionsDir, settings, env, smokeTestDriver: false });
    const wb = await openWorkbench(server.url, folder, { viewport, parentDir: server.tempDir, workspace });
    const close = async () => {
      await wb.close();
      await server.stop();
      fs.rmSync(extensionsDir, { recursive: true, force: true });
    };
    return { server, wb, close };
  } catch (e) {
    await server?.stop();
    fs.rmSync(extensionsDir, { recursive: true, force: true });
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// check runner

/**
 * A tiny sequential check runner: check(name, fn) runs fn, prints PASS/FAIL with its duration and
 * the time since the runner was created; summary() prints "N passed, N failed" and returns true when
 * nothing failed. onFail(name, error) runs after a failure (e.g. take a screenshot).
 */
export function createChecker({ log = console.log, onFail } = {}) {
  let t0 = null; // the first check's start
  const results = [];
  const secs = (ms) => `${(ms / 1000).toFixed(2)}s`;
  async function check(name, fn) {
    const start = Date.now();
    t0 ??= start;
    try {
      await fn();
      results.push({ name, ok: true, ms: Date.now() - start });
      log(`PASS ${name} (${secs(Date.now() - start)}, @${secs(Date.now() - t0)})`);
      return true;
    } catch (e) {
      results.push({ name, ok: false, ms: Date.now() - start, error: e });
      log(`FAIL ${name} (${secs(Date.now() - start)}, @${secs(Date.now() - t0)}): ${String(e?.message ?? e).split('\n')[0]}`);
      if (onFail) await Promise.resolve(onFail(name, e)).catch(() => {});
      return false;
    }
  }
  function summary() {
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    for (const r of results.filter((x) => !x.ok)) log(`  failed: ${r.name}`);
    log(`checks took ${secs(t0 === null ? 0 : Date.now() - t0)}`);
    log(`${passed} passed, ${failed} failed`);
    return failed === 0;
  }
  return { check, summary, results };
}

const defaultChecker = createChecker();
/** check(name, fn) on a module-wide runner; see createChecker(). */
export const check = defaultChecker.check;
/** Prints and returns the module-wide runner's result. */
export const checkSummary = defaultChecker.summary;

export { assert };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it stops throwing (or rethrows its last error after `timeout` ms). */
export async function eventually(fn, { timeout = DEFAULT_TIMEOUT_MS, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(interval);
    }
  }
}
