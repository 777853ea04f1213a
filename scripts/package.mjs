#!/usr/bin/env node
// `npm run package`: per-platform VSIXs with the DuckDB native binding.
//
//   node scripts/package.mjs                       linux-x64 (the default target)
//   node scripts/package.mjs --target darwin-arm64 [--target win32-x64 ...]
//   node scripts/package.mjs --all                 every target @duckdb/node-bindings publishes
//   options: --out DIR (default vsix/), --keep-staging, --json (a summary on stdout)
//
// For each target, in a clean staging folder outside the repository (the developer's node_modules is
// never touched):
//   1. the repository's files (git ls-files: tracked and new, not ignored) and a production build of
//      dist/ (esbuild.mjs --production --outdir: minified, no source maps), built once for all targets;
//   2. node_modules with exactly the externals of the bundles: @duckdb/node-bindings (the loader), its
//      dependency detect-libc, and the target's platform package (duckdb.node + the DuckDB library) at
//      the version @duckdb/node-api needs: copied from node_modules when it is installed there at that
//      version, otherwise fetched from the npm registry with `npm pack` (cached, see BINDINGS_CACHE);
//   3. package.json as the repository has it, except `dependencies`, which name only what ships in
//      node_modules (everything else is inside the bundles; vsce lists the dependencies with npm);
//   4. `vsce package --target <target>` with the repository's .vscodeignore (an allow-list);
//   5. the VSIX is read back and checked (scripts/vsix.mjs): every required file (duckdb.node and the
//      DuckDB library above all) present, nothing else, duckdb.node built for the target's OS and CPU,
//      the manifest's target platform, the bindings' version. A VSIX that fails is deleted and the
//      script exits 1.
// Then it prints each VSIX with its size. Network: only the npm registry (npm pack), only for
// bindings not in the cache.
//
// Env: SKILL_METRICS_BINDINGS_CACHE (where fetched binding tarballs are kept; default
// ${XDG_CACHE_HOME:-~/.cache}/skill-metrics-packaging).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TARGET, TARGETS, checkVsix, readVsix } from './vsix.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const T0 = Date.now();
const secs = () => `${((Date.now() - T0) / 1000).toFixed(1)}s`;
const log = (msg) => process.stderr.write(`[package +${secs()}] ${msg}\n`);
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

export const BINDINGS_CACHE = process.env.SKILL_METRICS_BINDINGS_CACHE
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'skill-metrics-packaging');

/** Runs a command to completion; throws with its output when it fails. */
function run(cmd, args, { cwd = ROOT, env = process.env, quiet = false } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.status}):\n${`${r.stdout}\n${r.stderr}`.trim().slice(-4000)}`);
  }
  if (!quiet) for (const line of `${r.stdout}${r.stderr}`.split('\n').filter(Boolean)) log(`  ${line}`);
  return r.stdout;
}

const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function parseArgs(argv) {
  const o = { targets: [], out: path.join(ROOT, 'vsix'), keepStaging: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--all') o.targets.push(...Object.keys(TARGETS));
    else if (a === '--target' || a === '-t') o.targets.push(argv[++i]);
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--keep-staging') o.keepStaging = true;
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown argument ${a} (see the header of scripts/package.mjs)`);
  }
  if (!o.targets.length) o.targets.push(DEFAULT_TARGET);
  o.targets = [...new Set(o.targets)];
  const unknown = o.targets.filter((t) => !TARGETS[t]);
  if (unknown.length) throw new Error(`unknown target(s) ${unknown.join(', ')}; known: ${Object.keys(TARGETS).join(', ')}`);
  return o;
}

/** The @duckdb/node-bindings version @duckdb/node-api needs, checked against package.json and node_modules. */
export function bindingsVersion(root = ROOT) {
  const api = readJson(path.join(root, 'node_modules/@duckdb/node-api/package.json'));
  const needed = api.dependencies?.['@duckdb/node-bindings'];
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(needed ?? '')) {
    throw new Error(`@duckdb/node-api ${api.version} asks for @duckdb/node-bindings "${needed}": expected an exact version`);
  }
  const declared = readJson(path.join(root, 'package.json')).dependencies?.['@duckdb/node-bindings'];
  if (declared !== needed) throw new Error(`package.json pins @duckdb/node-bindings ${declared}, but @duckdb/node-api ${api.version} needs ${needed}`);
  const installed = readJson(path.join(root, 'node_modules/@duckdb/node-bindings/package.json')).version;
  if (installed !== needed) throw new Error(`node_modules has @duckdb/node-bindings ${installed}, not ${needed}: run npm install`);
  return needed;
}

/** The files of the repository to stage: git's view (tracked + new, not ignored), else a walk. */
function repositoryFiles() {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status === 0 && r.stdout) {
    return r.stdout.split('\0').filter(Boolean).filter((f) => fs.existsSync(path.join(ROOT, f)));
  }
  const skip = new Set(['.git', 'node_modules', 'dist', 'out', 'vsix', 'test-results', '.bench', '.scratch', '.vscode-test']);
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) { if (!skip.has(e.name)) walk(rel); } else if (e.isFile()) files.push(rel);
    }
  };
  walk('');
  return files;
}

/** The platform package for `target` in a folder: from node_modules if it is there at `version`, else npm pack. */
function bindingPackage(target, version, scratch) {
  const { binding } = TARGETS[target];
  const local = path.join(ROOT, 'node_modules', binding);
  if (fs.existsSync(path.join(local, 'package.json')) && readJson(path.join(local, 'package.json')).version === version) {
    return { dir: local, source: 'node_modules' };
  }
  fs.mkdirSync(BINDINGS_CACHE, { recursive: true });
  const tarball = path.join(BINDINGS_CACHE, `${binding.replace('@', '').replace('/', '-')}-${version}.tgz`);
  let source = 'cache';
  if (!fs.existsSync(tarball)) {
    log(`fetching ${binding}@${version} from the npm registry`);
    const fetchDir = fs.mkdtempSync(path.join(BINDINGS_CACHE, 'fetch-'));
    try {
      const out = run(npmCommand, ['pack', `${binding}@${version}`, '--json', '--pack-destination', fetchDir], { cwd: fetchDir, quiet: true });
      const [{ filename, integrity }] = JSON.parse(out);
      fs.renameSync(path.join(fetchDir, path.basename(filename)), tarball);
      log(`  ${path.basename(tarball)} (${integrity})`);
    } finally {
      fs.rmSync(fetchDir, { recursive: true, force: true });
    }
    source = 'npm registry';
  }
  const dir = path.join(scratch, `${target}-binding`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', dir], { quiet: true });
  const unpacked = path.join(dir, 'package');
  const pkg = readJson(path.join(unpacked, 'package.json'));
  if (pkg.name !== binding || pkg.version !== version) throw new Error(`${tarball} holds ${pkg.name}@${pkg.version}, not ${binding}@${version}`);
  return { dir: unpacked, source };
}

/** The staged manifest: the repository's, with `dependencies` naming only what ships in node_modules. */
export function stagedManifest(manifest, version) {
  return { ...manifest, dependencies: { '@duckdb/node-bindings': version } };
}

function copyFile(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    return 0;
  }
  const manifest = readJson(path.join(ROOT, 'package.json'));
  const version = bindingsVersion();
  const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
  if (!fs.existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run npm install');
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'media/icon.png']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing`);
  }
  log(`Skill Metrics ${manifest.version}; targets ${o.targets.join(', ')}; DuckDB bindings ${version}`);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-package-'));
  const results = [];
  let failed = false;
  try {
    // 1. one production build for every target
    const build = path.join(scratch, 'build');
    log('production build (esbuild.mjs --production)');
    run(process.execPath, [path.join(ROOT, 'esbuild.mjs'), '--production', '--outdir', build], { quiet: true });
    const maps = fs.readdirSync(build, { recursive: true }).filter((f) => String(f).endsWith('.map'));
    if (maps.length) throw new Error(`the production build wrote source maps: ${maps.join(', ')}`);
    const files = repositoryFiles();
    fs.mkdirSync(o.out, { recursive: true });

    for (const target of o.targets) {
      const t = TARGETS[target];
      const stage = path.join(scratch, target);
      // 2. the repository's files, the build, exactly the binding
      for (const f of files) copyFile(path.join(ROOT, f), path.join(stage, f));
      fs.rmSync(path.join(stage, 'dist'), { recursive: true, force: true });
      fs.cpSync(build, path.join(stage, 'dist'), { recursive: true });
      const nm = path.join(stage, 'node_modules');
      fs.cpSync(path.join(ROOT, 'node_modules/@duckdb/node-bindings'), path.join(nm, '@duckdb/node-bindings'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'node_modules/detect-libc'), path.join(nm, 'detect-libc'), { recursive: true });
      const binding = bindingPackage(target, version, scratch);
      fs.cpSync(binding.dir, path.join(nm, t.binding), { recursive: true });
      // 3. the manifest
      fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(stagedManifest(manifest, version), null, 2)}\n`);
      // 4. vsce
      const file = path.join(o.out, `${manifest.name}-${target}-${manifest.version}.vsix`);
      fs.rmSync(file, { force: true });
      log(`${target}: vsce package --target ${target} (${t.binding} from ${binding.source})`);
      run(process.execPath, [vsce, 'package', '--target', target, '--out', file], {
        cwd: stage,
        env: { ...process.env, SKILL_METRICS_PACKAGING: '1' },
      });
      // 5. the check
      const vsix = readVsix(file);
      const problems = checkVsix(vsix, target, { bindingsVersion: version });
      if (problems.length) {
        fs.rmSync(file, { force: true });
        log(`${target}: the VSIX is WRONG and was deleted:\n${problems.map((p) => `    ${p}`).join('\n')}`);
        failed = true;
        results.push({ target, file: null, problems });
      } else {
        log(`${target}: checked: ${vsix.entries.length} entries, the allow-list and ${t.binding}'s duckdb.node (${t.format} ${t.machine}) + ${t.library}`);
        results.push({ target, file, bytes: vsix.size, files: vsix.entries.length, problems: [] });
      }
      if (!o.keepStaging) fs.rmSync(stage, { recursive: true, force: true });
    }
  } finally {
    if (o.keepStaging) log(`staging kept in ${scratch}`);
    else fs.rmSync(scratch, { recursive: true, force: true });
  }

  const rows = results.map((r) => (r.file
    ? [r.target, String(r.bytes), (r.bytes / 1e6).toFixed(1), (r.bytes / 2 ** 20).toFixed(1), String(r.files), path.relative(process.cwd(), r.file) || r.file]
    : [r.target, '-', '-', '-', '-', `FAILED: ${r.problems.length} problem(s)`]));
  const header = ['target', 'bytes', 'MB', 'MiB', 'files', 'vsix'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i) => i >= 1 && i <= 4;
  const line = (cells) => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const table = [line(header), ...rows.map(line)].join('\n');
  if (o.json) console.log(JSON.stringify(results, null, 2));
  else console.log(`\n${table}\n`);
  log(failed ? 'FAILED' : `done: ${results.length} VSIX${results.length === 1 ? '' : 's'}`);
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => {
    log(`FAILED: ${e.message}`);
    process.exit(1);
  });
}
