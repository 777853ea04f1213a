#!/usr/bin/env node
// Run the extension-host test suite (mocha inside a real VS Code extension host) with
// @vscode/test-electron's standard runTests(). Exit code = test result.
//
//   node test/harness/runExtensionTests.mjs                       # the project's defaults:
//        extensionDevelopmentPath = repository root, extensionTestsPath = out/test/extension/index.js
//   node test/harness/runExtensionTests.mjs --workspace test/fixtures/ws --env SKILL_METRICS_FIXTURES=/abs/dir
//   node test/harness/runExtensionTests.mjs --extensionDevelopmentPath DIR --extensionTestsPath FILE [--timeout S]
//   import { runExtensionTests } from './runExtensionTests.mjs';  // resolves with the exit code
//
// Which VS Code, by SKILL_METRICS_VSCODE:
//   code-server (default)  VS Code desktop can't be downloaded here: runTests gets vscodeShim.cjs as its
//                          executable, which runs the same tests in code-server + headless Chromium.
//   desktop                runTests downloads VS Code desktop as usual (machines that can reach it).
//   <path>                 a VS Code executable already on the machine.
// Extra env (--env K=V, or `env` in the API) reaches the extension host in every mode; in code-server mode
// any SKILL_METRICS_* variable of this process does too.
// Exit codes: test runner's code (0 pass, 1 failures), 2 usage, 3 harness could not be installed/started,
// 124 timeout (code-server mode). Never skips silently.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHarness } from './setup.mjs';
import { loadPlaywright } from './workbench.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const SHIM = path.join(HERE, 'vscodeShim.cjs');
export const DEFAULTS = Object.freeze({
  extensionDevelopmentPath: REPO_ROOT,
  extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'extension', 'index.js'),
});
const EXIT_USAGE = 2;
const EXIT_HARNESS = 3;

const say = (msg) => process.stderr.write(`[harness:ext-tests] ${msg}\n`);

class UsageError extends Error {}

/** @vscode/test-electron from the project's node_modules, with a clear error when absent. */
function loadTestElectron() {
  try {
    return createRequire(import.meta.url)('@vscode/test-electron');
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    throw new UsageError('@vscode/test-electron is not installed (devDependency; run npm install)');
  }
}

/** Throw a UsageError unless `p` exists (`what` names it in the message, `hint` says how to fix). */
function mustExist(p, what, hint = '') {
  if (!fs.existsSync(p)) throw new UsageError(`${what} not found: ${p}${hint ? ` (${hint})` : ''}`);
}

/** Which executable runTests should launch: { mode, vscodeExecutablePath? }. */
export function resolveVscode(choice = process.env.SKILL_METRICS_VSCODE || 'code-server') {
  if (choice === 'code-server') return { mode: 'code-server', vscodeExecutablePath: SHIM };
  if (choice === 'desktop') return { mode: 'desktop' };
  const exe = path.resolve(choice);
  mustExist(exe, 'SKILL_METRICS_VSCODE executable', 'use code-server, desktop, or a path to a VS Code executable');
  return { mode: 'path', vscodeExecutablePath: exe };
}

/**
 * Run the tests; resolves with the exit code (0 = all passed).
 * @param {object} o
 * @param {string} [o.extensionDevelopmentPath]  extension root (package.json), default: repository root
 * @param {string} [o.extensionTestsPath]        module exporting run(), default: out/test/extension/index.js
 * @param {string} [o.workspace]                 folder or .code-workspace to open (default: none)
 * @param {Record<string,string>} [o.env]        extra env for the extension host
 * @param {string[]} [o.launchArgs]              extra VS Code arguments
 * @param {string} [o.vscode]                    overrides SKILL_METRICS_VSCODE
 * @param {number} [o.timeoutS]                  code-server mode: give up after this many seconds (exit 124)
 */
export async function runExtensionTests(o = {}) {
  const t0 = Date.now();
  const extensionDevelopmentPath = path.resolve(o.extensionDevelopmentPath || DEFAULTS.extensionDevelopmentPath);
  const extensionTestsPath = path.resolve(o.extensionTestsPath || DEFAULTS.extensionTestsPath);
  const env = { ...(o.env || {}) };
  const launchArgs = [...(o.launchArgs || [])];
  let tempDir;
  try {
    mustExist(path.join(extensionDevelopmentPath, 'package.json'), 'extension package.json');
    if (!fs.existsSync(extensionTestsPath) && !fs.existsSync(`${extensionTestsPath}.js`)) {
      mustExist(extensionTestsPath, 'extension tests entry', 'build the tests first: npm run build');
    }
    if (o.workspace) {
      mustExist(path.resolve(o.workspace), 'workspace');
      launchArgs.push(path.resolve(o.workspace));
    }
    const { runTests, TestRunFailedError } = loadTestElectron();
    const vscode = resolveVscode(o.vscode);

    if (vscode.mode === 'code-server') {
      try {
        loadPlaywright(); // the shim drives Chromium with it
        await ensureHarness(); // install up front, so a broken install is reported as such
      } catch (e) {
        say(`FAILED: the code-server harness is not usable: ${e.message}`);
        return EXIT_HARNESS;
      }
      // a throwaway profile per run (runTests would otherwise share ./.vscode-test/user-data)
      tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-ext-tests-'));
      launchArgs.push(`--user-data-dir=${path.join(tempDir, 'user-data')}`, `--extensions-dir=${path.join(tempDir, 'extensions')}`);
    }
    // for the shim (also when SKILL_METRICS_VSCODE names it by path): forward these names, besides
    // SKILL_METRICS_*, into the extension host; and its time limit
    env.SKILL_METRICS_FORWARD_ENV = Object.keys(env).join(',');
    if (o.timeoutS) env.SKILL_METRICS_TEST_TIMEOUT = String(o.timeoutS);
    say(`running ${path.relative(process.cwd(), extensionTestsPath) || extensionTestsPath} with VS Code: ${vscode.mode}`);
    try {
      await runTests({
        vscodeExecutablePath: vscode.vscodeExecutablePath,
        extensionDevelopmentPath,
        extensionTestsPath,
        launchArgs,
        extensionTestsEnv: env,
      });
      say(`PASSED in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      return 0;
    } catch (e) {
      if (!(e instanceof TestRunFailedError)) throw e;
      const code = Number.isInteger(e.code) && e.code !== 0 ? e.code : 1;
      say(`FAILED (exit ${code}${e.signal ? `, signal ${e.signal}` : ''}) in ${((Date.now() - t0) / 1000).toFixed(1)}s` +
        (code === EXIT_HARNESS ? ': the harness could not start VS Code (see above)' : ''));
      return code;
    }
  } catch (e) {
    say(`FAILED: ${e instanceof UsageError ? e.message : e.stack || e}`);
    return e instanceof UsageError ? EXIT_USAGE : EXIT_HARNESS;
  } finally {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

/** --extensionDevelopmentPath P --extensionTestsPath P --workspace P --env K=V (repeatable) --timeout S */
export function parseCli(argv) {
  const o = { env: {} };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--extensionDevelopmentPath': o.extensionDevelopmentPath = value(); break;
      case '--extensionTestsPath': o.extensionTestsPath = value(); break;
      case '--workspace': o.workspace = value(); break;
      case '--timeout': o.timeoutS = Number(value()); break;
      case '--env': {
        const kv = value() ?? '';
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env expects NAME=VALUE, got "${kv}"`);
        o.env[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      default: throw new UsageError(`unknown argument ${argv[i]}`);
    }
  }
  return o;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (e) {
    say(e.message);
    process.exit(EXIT_USAGE);
  }
  runExtensionTests(options).then((code) => process.exit(code));
}
