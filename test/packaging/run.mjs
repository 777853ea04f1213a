#!/usr/bin/env node
// `npm run test:package`: what proves the package. Packages linux-x64 (scripts/package.mjs: production
// build, the binding staged, vsce, the allow-list check), checks the VSIX (test/packaging/vsix.test.mjs,
// including a packaging run that must fail), then runs the UI end-to-end suites against the VSIX
// installed into code-server with --install-extension (test/ui/ui.test.mjs and dashboard.ui.mjs --vsix);
// and `npm start` end to end (test/packaging/start.e2e.mjs: demo, URL, workbench with the data, Ctrl-C).
//
//   npm run test:package [-- --target linux-x64]     (the target must be this machine's: the UI runs it)
// Exit code 0 when every step passed; 1 otherwise. Runs every step it can and prints a summary.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetArg = process.argv.indexOf('--target');
const target = targetArg > 0 ? process.argv[targetArg + 1] : 'linux-x64';
const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const vsix = path.join(ROOT, 'vsix', `skill-metrics-${target}-${version}.vsix`);
const started = Date.now();
const steps = [];

function step(name, cmd, args, env = {}) {
  const t = Date.now();
  console.log(`\n[test:package] ${name}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  steps.push({ name, ok, s: ((Date.now() - t) / 1000).toFixed(1), code: r.status ?? r.signal });
  return ok;
}

const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
if (step(`package ${target}`, process.execPath, ['scripts/package.mjs', '--target', target])) {
  step('check the VSIX', process.execPath, [mocha, '--no-config', '--timeout', '300000', '--forbid-only', 'test/packaging/vsix.test.mjs'], { SKILL_METRICS_VSIX: vsix });
  step('UI suite against the VSIX', process.execPath, ['test/ui/ui.test.mjs', '--vsix', vsix]);
  step('dashboard UI suite against the VSIX', process.execPath, ['test/ui/dashboard.ui.mjs', '--vsix', vsix]);
}
// SKILL_METRICS_START_HARNESS_DIR: the harness cache for `npm start` alone (an empty folder = a new
// machine's first start, which installs code-server from npm script context; .ci/run sets it).
const startEnv = process.env.SKILL_METRICS_START_HARNESS_DIR ? { SKILL_METRICS_HARNESS_DIR: process.env.SKILL_METRICS_START_HARNESS_DIR } : {};
step(`npm start end to end${startEnv.SKILL_METRICS_HARNESS_DIR ? ' (from an empty harness cache)' : ''}`, process.execPath, ['test/packaging/start.e2e.mjs'], startEnv);

console.log('\n[test:package] summary');
for (const s of steps) console.log(`  ${s.ok ? 'PASS' : `FAIL (exit ${s.code})`}  ${s.name}  ${s.s} s`);
const ok = steps.length === 5 && steps.every((s) => s.ok);
console.log(`[test:package] ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s${fs.existsSync(vsix) ? `; ${path.relative(ROOT, vsix)}: ${fs.statSync(vsix).size} bytes` : ''}`);
process.exit(ok ? 0 : 1);
