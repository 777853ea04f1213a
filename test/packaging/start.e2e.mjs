#!/usr/bin/env node
// `npm start` end to end, as a developer meets it: `npm start -- --code-server` (through npm, with the
// environment npm gives its scripts) in its own process group writes the demo into a temp dir and prints a URL; the workbench at that URL shows the demo
// (the five workspace projects and the one registered from outside, skills in Top Skills, the status bar);
// Ctrl-C (SIGINT to the group, as a terminal sends it) stops everything: no process of it is left.
//
//   node test/packaging/start.e2e.mjs        (npm run test:package runs it)
// With SKILL_METRICS_HARNESS_DIR pointing at an empty folder it is a new machine's first `npm start`:
// code-server is installed from npm script context (.ci/run does that on every run).
// Exit code 0 when every check passed; 1 otherwise.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, createChecker, eventually, openWorkbench } from '../harness/workbench.mjs';
import { DEMO_PROJECTS, OUTSIDE_PROJECT } from '../../scripts/start.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-start-test-'));
const demoDir = path.join(dir, 'demo');
const started = Date.now();

/** PIDs (other than ours) whose command line mentions `text`. */
function pidsMentioning(text) {
  return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid).filter((e) => {
    try { return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text); } catch { return false; }
  }).map(Number);
}
const groupAlive = (pgid) => { try { process.kill(-pgid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };

let output = '';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const start = spawn(npm, ['start', '--', '--code-server', '--dir', demoDir], {
  cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
});
start.stdout.on('data', (d) => { output += d; });
start.stderr.on('data', (d) => { output += d; });
let exited = null;
start.on('exit', (code, signal) => { exited = { code, signal }; });

let wb;
const { check, summary } = createChecker({
  onFail: async (name, e) => {
    console.log(`    ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n    ')}`);
    await wb?.screenshot(`start-FAIL ${name}`, path.join(ROOT, 'test-results', 'screenshots')).catch(() => {});
  },
});
let url;
let pgid;
try {
  await check('npm start builds, writes the demo and prints the code-server URL', async () => {
    url = await eventually(async () => {
      assert.equal(exited, null, `start exited early:\n${output}`);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?workspace=\S+)/.exec(output);
      assert.ok(m, 'no URL yet');
      return m[1];
    }, { timeout: 600_000 }); // a first run installs code-server
    pgid = Number(/\(pgid (\d+)\)/.exec(output)?.[1]);
    assert.ok(pgid > 0, 'the code-server process group is reported');
    assert.match(decodeURIComponent(url), new RegExp(`workspace=${demoDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/workspace/skill-metrics-demo\\.code-workspace$`));
    for (const p of DEMO_PROJECTS) assert.match(output, new RegExp(`workspace/${p.name}\\s+${p.format}\\s+\\d+ records`));
    assert.match(output, new RegExp(`outside/${OUTSIDE_PROJECT}\\s+v1\\s+1000 records, registered \\+ collected with the CLI \\(1000 added\\)`));
    for (const p of DEMO_PROJECTS) assert.ok(fs.existsSync(path.join(demoDir, 'workspace', p.name, '.session-buddy')), p.name);
    assert.ok(!fs.existsSync(path.join(ROOT, 'skill-metrics-demo')), 'nothing written into the repository');
  });

  await check('the workbench at that URL shows the demo: every project, skills, the status bar', async () => {
    wb = await openWorkbench(url);
    await wb.openViewContainer('Skill Metrics');
    await eventually(async () => {
      const projects = (await wb.treeItems('Projects')).map((r) => r.label).sort();
      assert.deepEqual(projects, [...DEMO_PROJECTS.map((p) => p.name), OUTSIDE_PROJECT].sort());
    });
    const top = await eventually(async () => {
      const rows = await wb.treeRows('Top Skills');
      assert.ok(rows.length >= 5 && rows.every((r) => /\d+ uses · (\d+%|not enough data)$/.test(r)), rows.join(' | '));
      return rows;
    });
    await eventually(async () => assert.ok((await wb.statusBarTexts()).some((t) => /^\S+ \d+%$/.test(t)), (await wb.statusBarTexts()).join(' | ')));
    console.log(`  Top Skills: ${top.slice(0, 3).join(' | ')} ...`);
    await wb.close();
    wb = undefined;
  });

  await check('Ctrl-C stops everything npm start started', async () => {
    process.kill(-start.pid, 'SIGINT'); // what a terminal does: the whole foreground group
    await eventually(async () => assert.ok(exited, 'npm start exited'));
    // npm itself ends on the SIGINT (as in a terminal); start.mjs, in the same group, stops cleanly: the
    // checks below wait until no process of the group is left and the demo folder is released.
    assert.ok(exited.code === 0 || exited.code === 130 || exited.signal === 'SIGINT', `npm start ended with ${JSON.stringify(exited)}:\n${output.slice(-2000)}`);
    await eventually(async () => {
      assert.equal(groupAlive(pgid), false, `code-server's process group ${pgid} is gone`);
      assert.deepEqual(pidsMentioning(demoDir), [], 'no process uses the demo folder');
      assert.equal(groupAlive(start.pid), false, 'no process of npm start\'s own group is left');
    });
    await eventually(async () => assert.ok(!fs.existsSync(path.join(demoDir, 'start.pid')), 'the demo folder is released'));
    assert.match(output, /SIGINT: stopping/);
  });
} finally {
  await wb?.close().catch(() => {});
  if (!exited) { try { process.kill(-start.pid, 'SIGKILL'); } catch { /* gone */ } }
  if (pgid) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } }
  fs.rmSync(dir, { recursive: true, force: true });
}
const ok = summary();
console.log(`[start e2e] ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(ok ? 0 : 1);
