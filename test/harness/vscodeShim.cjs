#!/usr/bin/env node
// A stand-in for the VS Code desktop executable, for @vscode/test-electron's
// runTests({ vscodeExecutablePath }) on machines where VS Code desktop cannot be downloaded.
//
// It takes the desktop test arguments that runTests passes:
//   --extensionDevelopmentPath=P (repeatable)  --extensionTestsPath=P
//   [--user-data-dir=D] [--extensions-dir=E] [FOLDER | FILE.code-workspace]
//   (desktop-only flags such as --no-sandbox, --disable-gpu-sandbox, --skip-welcome are ignored)
// and runs the same tests in code-server's Node extension host instead:
//   1. start code-server with `--vscode-option enable-smoke-test-driver` (a built workbench honours the
//      URL payload below only with the smoke-test driver on),
//   2. open its workbench in headless Chromium with a payload naming extensionDevelopmentPath,
//      extensionTestsPath (as vscode-remote:// URIs) and extensionEnvironment,
//   3. print the extension host's test output (the page calls window.codeAutomationLog) on stdout,
//   4. exit with the test runner's exit code (the page calls window.codeAutomationExit(code)).
// `--version` prints VS Code's version/commit/arch like the desktop executable.
//
// Env: SKILL_METRICS_* variables (and the names listed in SKILL_METRICS_FORWARD_ENV, comma-separated)
// are passed to the extension host. SKILL_METRICS_SHIM_VERBOSE=1 also prints the workbench's own log lines.
// SKILL_METRICS_TEST_TIMEOUT (seconds, default 600): on expiry the
// shim prints why, saves a screenshot and exits 124. Exit 3 = the harness could not be installed/started.

'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');

const EXIT_USAGE = 2;
const EXIT_HARNESS = 3;
const EXIT_TIMEOUT = 124;
const DEFAULT_TIMEOUT_S = 600;
const FORWARD_PREFIX = 'SKILL_METRICS_';

const T0 = Date.now();
const say = (msg) => process.stderr.write(`[vscode-shim +${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// arguments

/** Parse desktop VS Code CLI arguments (both `--k=v` and `--k v` forms for the options we need). */
function parseArgs(argv) {
  const out = { version: false, devPaths: [], testsPath: null, userDataDir: null, extensionsDir: null, positional: [] };
  const valued = { extensionDevelopmentPath: 'devPaths', extensionTestsPath: 'testsPath', 'user-data-dir': 'userDataDir', 'extensions-dir': 'extensionsDir' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version' || arg === '-v') { out.version = true; continue; }
    const m = arg.match(/^--([^=]+)(?:=(.*))?$/);
    if (!m) { out.positional.push(arg); continue; }
    const key = valued[m[1]];
    if (!key) continue; // a desktop-only flag
    const value = m[2] !== undefined ? m[2] : argv[++i];
    if (key === 'devPaths') out.devPaths.push(path.resolve(value));
    else out[key] = path.resolve(value);
  }
  return out;
}

/** The variables the caller wants in the extension host. */
function forwardedEnv(env = process.env) {
  const extra = (env.SKILL_METRICS_FORWARD_ENV || '').split(',').map((s) => s.trim()).filter(Boolean);
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(FORWARD_PREFIX) || extra.includes(k)) out[k] = v;
  }
  return out;
}

/** `vscode-remote://HOST:PORT/abs/path` for a path on the (local) code-server. */
function remoteUri(authority, fsPath) {
  return `vscode-remote://${authority}${path.resolve(fsPath).split('/').map(encodeURIComponent).join('/')}`;
}

// ---------------------------------------------------------------------------------------------
// --version

async function printVersion() {
  const { harnessPaths, VERSIONS } = await import('./setup.mjs');
  let ready = null;
  try { ready = JSON.parse(fs.readFileSync(harnessPaths().readyFile, 'utf8')); } catch { /* not installed yet */ }
  // code-server 4.x.y bundles VS Code 1.x.y
  const version = ready?.vscodeVersion || VERSIONS.codeServer.replace(/^\d+/, '1');
  console.log(`${version}\n${ready?.vscodeCommit || 'unknown'}\n${process.arch}`);
}

// ---------------------------------------------------------------------------------------------
// test run

/**
 * Workbench (renderer) chatter that reaches codeAutomationLog together with the extension host's output;
 * dropped unless SKILL_METRICS_SHIM_VERBOSE=1. Includes the refused queries to our closed gallery port.
 */
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/, /^\[Service Worker\]/, /^\[AgentHost/, /^\[AccountPolicyGate\]/,
  /ECONNREFUSED 127\.0\.0\.1:9\b/,
];

/** Forward one codeAutomationLog(type, args) call from the page to stdout. */
function printAutomationLog(type, args) {
  const list = Array.isArray(args) ? args : [args];
  const text = typeof list[0] === 'string'
    ? util.format(...list)
    : list.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  if (process.env.SKILL_METRICS_SHIM_VERBOSE !== '1' && WORKBENCH_NOISE.some((re) => re.test(text))) return;
  process.stdout.write(`${text.replace(/%c/g, '')}\n`);
}

/** Everything started so far, so it can be torn down from any exit path. */
const resources = { server: null, browser: null };
async function cleanup() {
  const { server, browser } = resources;
  resources.server = resources.browser = null;
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
}

async function runTestsInCodeServer(args) {
  const [{ ensureHarness }, { startCodeServer, workbenchUrl }, { launchBrowser, loadPlaywright }] = await Promise.all([
    import('./setup.mjs'), import('./codeServer.mjs'), import('./workbench.mjs'),
  ]);
  const testEnv = forwardedEnv();
  const timeoutS = Number(process.env.SKILL_METRICS_TEST_TIMEOUT || DEFAULT_TIMEOUT_S);

  let server;
  try {
    loadPlaywright(); // fail before starting anything when the driver is missing
    const harness = await ensureHarness();
    server = resources.server = await startCodeServer({
      harness,
      smokeTestDriver: true,
      userDataDir: args.userDataDir || undefined,
      extensionsDir: args.extensionsDir || undefined,
      // also in the server's env, so the variables are there however the extension host is started
      env: testEnv,
    });
    resources.browser = await launchBrowser({ parentDir: server.tempDir }); // removed with the server's temp dir
  } catch (e) {
    say(`FAILED to start the code-server harness: ${e.message}`);
    return EXIT_HARNESS;
  }
  const { page } = resources.browser;

  let finish;
  const exited = new Promise((resolve) => { finish = resolve; });
  await page.exposeFunction('codeAutomationLog', printAutomationLog);
  await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
  page.on('pageerror', (e) => say(`page error: ${String(e.message).slice(0, 300)}`));

  const authority = new URL(server.url).host;
  const payload = [
    ...args.devPaths.map((p) => ['extensionDevelopmentPath', remoteUri(authority, p)]),
    ['extensionTestsPath', remoteUri(authority, args.testsPath)],
    ['extensionEnvironment', JSON.stringify(testEnv)],
  ];
  const target = args.positional[0];
  const url = workbenchUrl(server.url, target && target.endsWith('.code-workspace')
    ? { workspace: target, payload } : { folder: target, payload });
  say(`running ${args.testsPath} in code-server ${server.url}${target ? ` on ${target}` : ''}`);
  await page.goto(url, { waitUntil: 'domcontentloaded' });

  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutS * 1000); });
  const code = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (code === 'timeout') {
    const shot = path.join(os.tmpdir(), `skill-metrics-shim-timeout-${process.pid}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    const { tailFile } = await import('./setup.mjs');
    say(`TIMEOUT: the extension tests did not finish within ${timeoutS}s (SKILL_METRICS_TEST_TIMEOUT). ` +
      `Screenshot: ${shot}\n--- code-server log tail ---\n${tailFile(server.logFile, 30)}`);
    return EXIT_TIMEOUT;
  }
  say(`extension host test run exited with code ${code}`);
  return Number.isInteger(code) ? code : 1;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) { await printVersion(); return 0; }
  if (!args.testsPath || !args.devPaths.length) {
    say('usage: vscodeShim.cjs --extensionDevelopmentPath=DIR --extensionTestsPath=PATH [--user-data-dir=D] [--extensions-dir=E] [FOLDER]');
    return EXIT_USAGE;
  }
  return runTestsInCodeServer(args);
}

/** Tear everything down once and exit; the first caller's code wins (a signal beats a later error). */
let exiting = null;
function exitWith(code) {
  exiting ||= cleanup().finally(() => process.exit(code));
  return exiting;
}

// SIGINT from runTests' Ctrl+C handling, or SIGTERM from a CI timeout: tear down, then exit.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => { say(`${signal}: stopping`); exitWith(code); });
}

main().then(exitWith, (e) => {
  if (!exiting) say(`fatal: ${(e && e.stack) || e}`);
  return exitWith(EXIT_HARNESS);
});
