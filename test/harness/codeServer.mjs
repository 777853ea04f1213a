// Start and stop an isolated code-server (the real VS Code workbench + Node extension host), and put
// extensions into an extensions dir for it.
//
//   import { startCodeServer, installExtensionFolder, installVsix } from './codeServer.mjs';
//   const ext = fs.mkdtempSync(...);                       // or let startCodeServer make one
//   installExtensionFolder(extensionRoot, ext);            // symlink publisher.name-version -> folder
//   const cs = await startCodeServer({ folder, extensionsDir: ext, settings: { 'x.y': 1 } });
//   ... open cs.url (or workbenchUrl(cs.url, { folder })) in a browser ...
//   await cs.stop();
//
// Isolation: HOME, XDG_*, TMPDIR point into a fresh temp dir; user settings are seeded quiet (no
// telemetry, update checks, experiments or AI features); the extension gallery points at a closed
// loopback port so nothing tries to reach outside hosts. The server runs in its own process group
// under groupGuard.cjs, so stop() (or our own death) takes down every process it spawned.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanNpmEnv, ensureHarness, tailFile } from './setup.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GUARD = path.join(HERE, 'groupGuard.cjs');

/** User settings every harness server starts with; callers' settings are merged on top. */
export const QUIET_SETTINGS = Object.freeze({
  'telemetry.telemetryLevel': 'off',
  'telemetry.feedback.enabled': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.autofetch': false,
  'git.openRepositoryInParentFolders': 'never',
  'github.gitAuthentication': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.surveys.enabled': false,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
});

/** Marketplace on a loopback port where nothing listens (9 = discard, privileged, normally closed). */
const CLOSED_GALLERY = JSON.stringify({
  serviceUrl: 'http://127.0.0.1:9/gallery',
  itemUrl: 'http://127.0.0.1:9/item',
  resourceUrlTemplate: 'http://127.0.0.1:9/r/{publisher}/{name}/{version}/{path}',
});

const HEALTH_POLL_MS = 100;
const DEFAULT_START_TIMEOUT_MS = 60_000;
const START_ATTEMPTS = 3; // a freshly probed free port can be taken before code-server binds it

// ---------------------------------------------------------------------------------------------
// helpers

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Make the directory layout of an isolated run under `root`; returns the paths. */
function makeSandbox(root) {
  const dirs = {
    home: path.join(root, 'home'),
    config: path.join(root, 'xdg', 'config'),
    data: path.join(root, 'xdg', 'data'),
    cache: path.join(root, 'xdg', 'cache'),
    runtime: path.join(root, 'xdg', 'runtime'),
    tmp: path.join(root, 'tmp'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  return dirs;
}

/**
 * Environment for a code-server (and its extension hosts) that keeps everything out of the real
 * HOME/TMPDIR: ~/.local, deviceid, ipc sockets, extension-created files (~/.duckdb ...) all land in
 * the sandbox. VSCODE_* / ELECTRON_* of an enclosing VS Code are dropped so they don't leak in.
 */
export function isolatedEnv(sandbox, harness, extra = {}) {
  const env = {};
  const base = cleanNpmEnv(); // an npm script's own variables must not reach the editor and its tasks
  for (const [k, v] of Object.entries(base)) {
    if (!/^(VSCODE_|ELECTRON_)/.test(k)) env[k] = v;
  }
  return {
    ...env,
    HOME: sandbox.home,
    XDG_CONFIG_HOME: sandbox.config,
    XDG_DATA_HOME: sandbox.data,
    XDG_CACHE_HOME: sandbox.cache,
    XDG_RUNTIME_DIR: sandbox.runtime,
    TMPDIR: sandbox.tmp,
    PATH: `${path.dirname(harness.node24Bin)}${path.delimiter}${base.PATH || ''}`,
    EXTENSIONS_GALLERY: process.env.EXTENSIONS_GALLERY || CLOSED_GALLERY,
    ...extra,
  };
}

/** Write <userDataDir>/User/settings.json = quiet defaults < existing file < caller's settings. */
function writeUserSettings(userDataDir, settings) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let existing = {};
  try { existing = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* none or JSONC: replace */ }
  fs.writeFileSync(file, JSON.stringify({ ...QUIET_SETTINGS, ...existing, ...settings }, null, 2));
  return file;
}

/** Resolves true once GET /healthz answers 200; false if `isDead()` turns true or time runs out. */
async function waitForHealth(url, { timeoutMs, isDead }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isDead()) return false;
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch { /* not listening yet */ }
    await sleep(HEALTH_POLL_MS);
  }
  return false;
}

/**
 * Workbench URL for a running server: `folder` (a directory) or `workspace` (a .code-workspace file)
 * to open, or an empty window; `payload` is VS Code's [[key, value], ...] launch payload.
 */
export function workbenchUrl(serverUrl, { folder, workspace, payload } = {}) {
  const params = new URLSearchParams();
  if (workspace) params.set('workspace', path.resolve(workspace));
  else if (folder) params.set('folder', path.resolve(folder));
  else params.set('ew', 'true');
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${serverUrl.replace(/\/$/, '')}/?${params}`;
}

// ---------------------------------------------------------------------------------------------
// start / stop

/**
 * Start an isolated code-server on a free port of 127.0.0.1 and wait until /healthz answers.
 *
 * @param {object} opts
 * @param {string} [opts.folder]          folder code-server opens by default (the URL can still choose)
 * @param {string} [opts.extensionsDir]   extensions dir (default: a fresh empty one, removed on stop)
 * @param {string} [opts.userDataDir]     user data dir (default: fresh, removed on stop)
 * @param {boolean} [opts.smokeTestDriver] pass `--vscode-option enable-smoke-test-driver`, needed for
 *        extension-host tests via the URL payload. It also suppresses notification toasts, so UI tests
 *        leave it off.
 * @param {object} [opts.settings]        user settings merged over QUIET_SETTINGS
 * @param {object} [opts.env]             extra env for the server and its extension hosts
 * @param {string[]} [opts.args]          extra code-server arguments
 * @param {object} [opts.harness]         result of ensureHarness() (default: call it)
 * @param {number} [opts.startTimeoutMs]
 * @returns {Promise<{url, port, pid, logFile, userDataDir, extensionsDir, tempDir, stop: () => Promise<void>}>}
 */
export async function startCodeServer(opts = {}) {
  const harness = opts.harness || await ensureHarness();
  let lastError;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(harness, opts);
    } catch (e) {
      lastError = e;
      if (!e.portInUse) break; // only a lost port race is worth another try
    }
  }
  throw lastError;
}

async function startOnce(harness, opts) {
  const t0 = Date.now();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-cs-'));
  const sandbox = makeSandbox(tempDir);
  const userDataDir = opts.userDataDir ? path.resolve(opts.userDataDir) : path.join(tempDir, 'user-data');
  const extensionsDir = opts.extensionsDir ? path.resolve(opts.extensionsDir) : path.join(tempDir, 'extensions');
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, opts.settings || {});

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(tempDir, 'code-server.log');
  const args = [
    harness.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', os.devNull, // no ~/.config/code-server/config.yaml with a generated password
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--reconnection-grace-time', '5',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.args || []),
    // without a folder: an empty window, never whatever a reused user-data-dir opened last
    ...(opts.folder ? [path.resolve(opts.folder)] : ['--ignore-last-opened']),
  ];
  // groupGuard leads a new process group (detached) and runs code-server inside it; its stdin is our
  // lifeline: if we die, it sees EOF and takes the group and tempDir down.
  const guard = spawn(process.execPath, [GUARD, logFile, JSON.stringify([tempDir]), harness.node24Bin, ...args], {
    cwd: sandbox.home,
    env: isolatedEnv(sandbox, harness, opts.env),
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  guard.unref();
  guard.stdin.unref?.();
  guard.stdin.on('error', () => {}); // EPIPE if the guard is gone: nothing to do
  let exited = false;
  guard.on('exit', () => { exited = true; });

  const server = { url, port, pid: guard.pid, logFile, userDataDir, extensionsDir, tempDir };
  server.stop = makeStop(guard, () => exited, tempDir);

  const healthy = await waitForHealth(url, { timeoutMs: opts.startTimeoutMs || DEFAULT_START_TIMEOUT_MS, isDead: () => exited });
  if (!healthy) {
    const logTail = tailFile(logFile, 40);
    await server.stop();
    const err = new Error(`code-server did not become healthy on ${url} (${exited ? 'it exited' : 'timeout'}). Log tail:\n${logTail}`);
    err.portInUse = /EADDRINUSE/.test(logTail);
    throw err;
  }
  log(`code-server up on ${url} in ${((Date.now() - t0) / 1000).toFixed(1)}s (pgid ${guard.pid})`);
  liveServers.add(server);
  return server;
}

/** stop(): ask the guard to take the group down (TERM, then KILL), then remove our temp dir. Idempotent. */
function makeStop(guard, hasExited, tempDir) {
  let stopping;
  return function stop() {
    stopping ||= (async () => {
      if (!hasExited()) {
        try { process.kill(guard.pid, 'SIGTERM'); } catch { /* gone */ }
        const deadline = Date.now() + 8000;
        while (!hasExited() && Date.now() < deadline) await sleep(50);
      }
      killGroupNow(guard.pid); // belt and braces: anything left in the group
      fs.rmSync(tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      for (const s of liveServers) if (s.pid === guard.pid) liveServers.delete(s);
    })();
    return stopping;
  };
}

function killGroupNow(pgid) {
  try { process.kill(-pgid, 'SIGKILL'); } catch { /* no such group: fine */ }
}

/** Servers not yet stopped: killed synchronously if this process exits without stopping them. */
const liveServers = new Set();
process.on('exit', () => {
  for (const s of liveServers) {
    killGroupNow(s.pid);
    try { fs.rmSync(s.tempDir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

function log(msg) {
  if (process.env.SKILL_METRICS_HARNESS_QUIET !== '1') process.stderr.write(`[harness:code-server] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// extensions

/** {id, version, dirName} of the extension whose package.json is in `extensionFolder`. */
export function extensionIdentity(extensionFolder) {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionFolder, 'package.json'), 'utf8'));
  if (!pkg.publisher || !pkg.name || !pkg.version) {
    throw new Error(`${extensionFolder}/package.json needs publisher, name and version`);
  }
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  return { id, version: pkg.version, dirName: `${id}-${pkg.version}` };
}

/**
 * "Install" an unpacked extension folder (package.json + built main) into `extensionsDir` as a symlink
 * named publisher.name-version, replacing other versions of it. Caveat: VS Code ignores a folder in an
 * extensions dir whose extensions.json exists and does not list it; so if that file exists we add
 * (or replace) our entry, and in a fresh dir we leave it absent (the dir is then scanned).
 * Returns the link path.
 */
export function installExtensionFolder(extensionFolder, extensionsDir) {
  const folder = path.resolve(extensionFolder);
  const { id, version, dirName } = extensionIdentity(folder);
  fs.mkdirSync(extensionsDir, { recursive: true });
  const otherVersion = new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d`, 'i'); // not "<id>-two-1.0"
  for (const entry of fs.readdirSync(extensionsDir)) {
    if (otherVersion.test(entry)) fs.rmSync(path.join(extensionsDir, entry), { recursive: true, force: true });
  }
  const link = path.join(extensionsDir, dirName);
  fs.symlinkSync(folder, link, 'dir');

  const manifest = path.join(extensionsDir, 'extensions.json');
  if (fs.existsSync(manifest)) {
    const entries = JSON.parse(fs.readFileSync(manifest, 'utf8')).filter((e) => e?.identifier?.id?.toLowerCase() !== id);
    entries.push({
      identifier: { id },
      version,
      location: { $mid: 1, fsPath: link, external: pathToFileURL(link).href, path: link, scheme: 'file' },
      relativeLocation: dirName,
      metadata: { installedTimestamp: Date.now(), source: 'resource', pinned: true },
    });
    fs.writeFileSync(manifest, JSON.stringify(entries));
  }
  return link;
}

/**
 * Install a .vsix into `extensionsDir` with `code-server --install-extension` (isolated HOME etc.).
 * Resolves with the command's output; rejects with it on failure.
 */
export async function installVsix(vsixPath, extensionsDir, { harness } = {}) {
  harness ||= await ensureHarness();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-vsix-'));
  try {
    const sandbox = makeSandbox(tempDir);
    fs.mkdirSync(extensionsDir, { recursive: true });
    const args = [harness.codeServerEntry, '--config', os.devNull, '--user-data-dir', path.join(tempDir, 'user-data'),
      '--extensions-dir', path.resolve(extensionsDir), '--install-extension', path.resolve(vsixPath), '--force'];
    const { code, output } = await runCollect(harness.node24Bin, args, { env: isolatedEnv(sandbox, harness), cwd: sandbox.home });
    if (code !== 0 || /failed|error/i.test(output) && !/successfully installed/i.test(output)) {
      throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${code}):\n${output}`);
    }
    return output;
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Run a command to completion, collecting stdout+stderr. */
function runCollect(cmd, args, { env, cwd }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => resolve({ code: 127, output: `${output}${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// ---------------------------------------------------------------------------------------------
// diagnostics

/**
 * What the extension hosts of `server` logged about extension `extensionId` (`publisher.name`): each
 * host's activation lines and errors, and the tail of the extension's own output channels. For a failed
 * check, so a flake in CI says whether the extension activated, and what it did.
 */
export function extensionHostReport(server, extensionId, lines = 30) {
  const logsRoot = path.join(server.userDataDir, 'logs');
  const out = [];
  let sessions = [];
  try { sessions = fs.readdirSync(logsRoot).sort(); } catch { return `(no logs under ${logsRoot})`; }
  for (const session of sessions) {
    const dir = path.join(logsRoot, session);
    for (const host of fs.readdirSync(dir).filter((d) => d.startsWith('exthost')).sort()) {
      const hostLog = path.join(dir, host, 'remoteexthost.log');
      const text = fs.existsSync(hostLog) ? fs.readFileSync(hostLog, 'utf8') : '';
      const relevant = text.split('\n').filter((l) => l.includes(extensionId) || /\b(error|Not activating)\b/i.test(l) || /Extension host with pid/.test(l));
      out.push(`${session}/${host}/remoteexthost.log:`, ...relevant.slice(-lines).map((l) => `  ${l}`));
      const own = path.join(dir, host, extensionId);
      if (!fs.existsSync(own)) { out.push(`  (no output channel of ${extensionId}: it never logged in this host)`); continue; }
      for (const f of fs.readdirSync(own).filter((n) => n.endsWith('.log'))) {
        out.push(`${session}/${host}/${extensionId}/${f}:`, ...tailFile(path.join(own, f), lines).split('\n').map((l) => `  ${l}`));
      }
    }
  }
  return out.join('\n');
}
