#!/usr/bin/env node
// `npm start`: builds the extension, creates a demo and opens VS Code with the extension on it.
//
//   npm start                       VS Code desktop (`code` on PATH) with --extensionDevelopmentPath,
//                                   otherwise code-server on 127.0.0.1 (prints the URL to open)
//   npm start -- --code-server      code-server even when `code` is installed
//
// The demo lives in <tmp>/skill-metrics-demo (replaced on every start, never inside a folder of yours):
//   workspace/<five projects>/.session-buddy/   generated data in every input format (src/demo/generator.ts):
//                                              v1, v2, v3, Session Buddy's skills.db, Crackerjack's
//                                              skills.db/skills.db, plus workflow events
//   workspace/skill-metrics-demo.code-workspace the workspace VS Code opens (its folders are registered
//                                              automatically by the extension)
//   outside/infra-scripts/.session-buddy/      a project outside the workspace, registered and collected
//                                              beforehand with the CLI (`register`, `collect`) into the
//                                              database the editor's extension uses
//   editor/                                    the editor's own user-data and extensions dirs: your VS Code
//                                              profile and its Skill Metrics database are not touched
// Timestamps end a few minutes before now, in this machine's time zone (as the writers would write them).
// Ctrl-C (or closing VS Code) stops everything it started: code-server's whole process group, or the
// VS Code instance of the demo's user-data dir.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_DIR = path.join(os.tmpdir(), 'skill-metrics-demo');
const EXTENSION_ID = 'skillmetrics.skill-metrics';
const log = (msg) => console.log(`[start] ${msg}`);

/** The workspace projects: folder name and the input format the generator writes for it (in order). */
export const DEMO_PROJECTS = Object.freeze([
  { name: 'payments-api', format: 'v1' },
  { name: 'web-shop', format: 'v2' },
  { name: 'data-pipeline', format: 'v3' },
  { name: 'admin-console', format: 'skills-db-storage' },
  { name: 'ml-toolkit', format: 'skills-db-compat' },
]);
export const OUTSIDE_PROJECT = 'infra-scripts';

/** The database the extension uses for a given user-data dir: <user-data>/User/globalStorage/<id>/. */
export function extensionDatabase(userDataDir) {
  return path.join(userDataDir, 'User', 'globalStorage', EXTENSION_ID, 'skill_metrics.duckdb');
}

export function parseArgs(argv) {
  const o = { codeServer: false, dir: DEMO_DIR };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--code-server') o.codeServer = true;
    else if (a === '--dir') o.dir = path.resolve(argv[++i]); // for tests: another demo folder
    else throw new Error(`unknown argument ${a}: npm start [-- --code-server]`);
  }
  return o;
}

/** First executable called `name` on PATH. */
function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    for (const ext of process.platform === 'win32' ? ['.cmd', '.exe', ''] : ['']) {
      const f = path.join(dir, name + ext);
      try { if (fs.statSync(f).isFile()) { fs.accessSync(f, fs.constants.X_OK); return f; } } catch { /* not here */ }
    }
  }
  return null;
}

/** Is `pid` a live process? */
function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** Takes the demo dir for this process (refuses while another `npm start` uses it) and empties it. */
function claimDemoDir(dir) {
  const pidFile = path.join(dir, 'start.pid');
  const other = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : NaN);
  if (Number.isInteger(other) && other !== process.pid && alive(other)) {
    throw new Error(`another npm start (pid ${other}) is using ${dir}: stop it first (Ctrl-C in its terminal)`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(pidFile, String(process.pid));
  return () => { try { if (fs.readFileSync(pidFile, 'utf8') === String(process.pid)) fs.rmSync(pidFile); } catch { /* gone */ } };
}

/** Runs the CLI (dist/cli.js) on the demo database; prints its output. */
function cli(db, ...args) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), '--db', db, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skill-metrics ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * Writes the demo: five workspace projects (one per input format), the workspace file, one project
 * outside the workspace registered and collected into `db`. Returns what it wrote.
 */
export async function createDemo(dir, db, { now = Date.now(), records = 2000 } = {}) {
  const { generate } = await tsImport(pathToFileURL(path.join(ROOT, 'src/demo/generator.ts')).href, import.meta.url);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const workspace = path.join(dir, 'workspace');
  const common = { days: 60, end: new Date(now - 5 * 60_000), writerTimeZone: zone };
  const generated = await generate({ ...common, outDir: workspace, projects: DEMO_PROJECTS.length, records, seed: 42, formats: DEMO_PROJECTS.map((p) => p.format) });
  const projects = generated.map((g, i) => {
    const target = path.join(workspace, DEMO_PROJECTS[i].name);
    fs.renameSync(g.dir, target);
    return { name: DEMO_PROJECTS[i].name, dir: target, format: g.format, records: g.records };
  });
  const workspaceFile = path.join(workspace, 'skill-metrics-demo.code-workspace');
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders: projects.map((p) => ({ path: p.name })) }, null, 2));

  const outsideRoot = path.join(dir, 'outside');
  const [side] = await generate({ ...common, outDir: outsideRoot, projects: 1, records: Math.round(records / 2), seed: 7, formats: ['v1'], prefix: OUTSIDE_PROJECT });
  const outside = path.join(outsideRoot, OUTSIDE_PROJECT);
  fs.renameSync(side.dir, outside);
  fs.mkdirSync(path.dirname(db), { recursive: true });
  cli(db, 'register', outside, '--name', OUTSIDE_PROJECT);
  const collected = JSON.parse(cli(db, '--json', 'collect', outside));
  return { workspace, workspaceFile, projects, outside: { name: OUTSIDE_PROJECT, dir: outside, records: side.records, added: collected.records_added }, zone };
}

/** Waits for Ctrl-C / SIGTERM / SIGHUP, then runs `stop` once and exits. */
function untilStopped(stop) {
  return new Promise(() => {
    setInterval(() => {}, 1 << 30); // code-server runs detached (its own process group): keep this process alive
    let stopping = false;
    const handler = (signal) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\n');
      log(`${signal}: stopping…`);
      Promise.resolve(stop()).finally(() => process.exit(0));
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, handler);
  });
}

async function openInCodeServer(demo, editorDir) {
  const { ensureHarness } = await import('../test/harness/setup.mjs');
  const { installExtensionFolder, startCodeServer, workbenchUrl } = await import('../test/harness/codeServer.mjs');
  log('code-server (the VS Code workbench in a browser): checking the cached install (the first run installs it, ~2 min)');
  const harness = await ensureHarness();
  const extensionsDir = path.join(editorDir, 'extensions');
  installExtensionFolder(ROOT, extensionsDir);
  const server = await startCodeServer({
    harness,
    folder: demo.workspaceFile,
    userDataDir: path.join(editorDir, 'user-data'),
    extensionsDir,
  });
  const url = workbenchUrl(server.url, { workspace: demo.workspaceFile });
  console.log(`\n  Skill Metrics demo in code-server (VS Code ${harness.vscodeVersion ?? ''}):\n\n    ${url}\n\n  Open that URL in a browser on this machine. Ctrl-C stops code-server.\n`);
  await untilStopped(() => server.stop());
}

async function openInVsCode(code, demo, editorDir) {
  const { QUIET_SETTINGS } = await import('../test/harness/codeServer.mjs');
  const userData = path.join(editorDir, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));
  const args = ['--new-window', '--wait', '--user-data-dir', userData, '--extensions-dir', path.join(editorDir, 'extensions'),
    `--extensionDevelopmentPath=${ROOT}`, demo.workspaceFile];
  log(`${code} ${args.join(' ')}`);
  const child = spawn(code, args, { stdio: 'inherit', detached: process.platform !== 'win32' });
  console.log('\n  VS Code opened the Skill Metrics demo in a window of its own. Close it, or press Ctrl-C here, to stop.\n');
  const stop = async () => {
    // The `code` launcher and the VS Code instance of the demo's user-data dir (Electron detaches from the
    // launcher): nothing else.
    if (process.platform !== 'win32') {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      for (const pid of pidsMentioning(userData)) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
      await new Promise((r) => setTimeout(r, 1500));
      for (const pid of pidsMentioning(userData)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    } else {
      spawnSync('taskkill', ['/pid', String(child.pid), '/t', '/f']);
    }
  };
  child.on('exit', async () => { await stop(); log('VS Code closed'); process.exit(0); });
  await untilStopped(stop);
}

/** PIDs whose command line mentions `text` (Linux /proc; elsewhere `ps`). */
function pidsMentioning(text) {
  if (fs.existsSync('/proc/self/cmdline')) {
    return fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid).filter((e) => {
      try { return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text); } catch { return false; }
    }).map(Number);
  }
  const r = spawnSync('ps', ['-axo', 'pid=,command='], { encoding: 'utf8' });
  return (r.stdout || '').split('\n').filter((l) => l.includes(text)).map((l) => Number(l.trim().split(/\s+/)[0])).filter((p) => p && p !== process.pid);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const code = o.codeServer ? null : which('code');
  log('building (node esbuild.mjs)');
  const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');

  const release = claimDemoDir(o.dir);
  process.on('exit', release);
  const editorDir = path.join(o.dir, 'editor');
  const db = extensionDatabase(path.join(editorDir, 'user-data'));
  log(`writing the demo into ${o.dir}`);
  const demo = await createDemo(o.dir, db);
  for (const p of demo.projects) log(`  workspace/${p.name.padEnd(14)} ${p.format.padEnd(18)} ${p.records} records`);
  log(`  outside/${demo.outside.name.padEnd(16)} v1                 ${demo.outside.records} records, registered + collected with the CLI (${demo.outside.added} added)`);
  log(`  timestamps in ${demo.zone}; database ${db}`);
  log(`  try the CLI on it: node dist/cli.js --db ${JSON.stringify(db)} top`);

  if (code) await openInVsCode(code, demo, editorDir);
  else await openInCodeServer(demo, editorDir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`[start] FAILED: ${e.message}`);
    process.exit(1);
  });
}
