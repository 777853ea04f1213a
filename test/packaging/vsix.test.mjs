// The packaged VSIX itself (npm run test:package makes it and passes it in $SKILL_METRICS_VSIX): exactly
// the allow-list, the production bundles, the manifest as the Marketplace shows it, the binding for its
// target; and a packaging run whose binding lacks the DuckDB library fails and leaves no VSIX behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS, checkVsix, expectedContents, readVsix } from '../../scripts/vsix.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const MANIFEST = readJson(path.join(ROOT, 'package.json'));
const VERSION = MANIFEST.dependencies['@duckdb/node-bindings'];

describe('packaging: the VSIX npm run package made', function () {
  const file = process.env.SKILL_METRICS_VSIX;
  let vsix;
  let target;
  before(function () {
    assert.ok(file, 'SKILL_METRICS_VSIX names the VSIX to check (npm run test:package sets it)');
    vsix = readVsix(file);
    target = /TargetPlatform="([^"]+)"/.exec(vsix.read('extension.vsixmanifest').toString('utf8'))?.[1];
  });

  it('holds exactly the allow-list for its target, with the binding at the version @duckdb/node-api needs', () => {
    assert.ok(TARGETS[target], `a known target: ${target}`);
    assert.equal(path.basename(file), `skill-metrics-${target}-${MANIFEST.version}.vsix`);
    assert.deepEqual(checkVsix(vsix, target, { bindingsVersion: VERSION }), []);
    const names = vsix.entries.map((e) => e.name).sort();
    const optional = names.filter((n) => !expectedContents(target).required.includes(n));
    // besides the required files: the codicon font and the packages' licence/readme files, nothing else
    assert.ok(optional.every((n) => /codicon-[\w-]+\.ttf$|\/(LICENSE|README\.md)$|detect-libc\/lib\/[\w-]+\.js$/.test(n)), optional.join(', '));
    console.log(`      ${names.length} entries, ${vsix.size} bytes (${(vsix.size / 1e6).toFixed(1)} MB)`);
  });

  it('ships production bundles: minified, without source map references', () => {
    for (const name of ['extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/parseWorker.js', 'extension/dist/webview/dashboard.js']) {
      const js = vsix.read(name).toString('utf8');
      assert.doesNotMatch(js, /sourceMappingURL/, `${name} refers to no source map`);
      const lines = js.split('\n').length;
      assert.ok(js.length / lines > 500, `${name} is minified (${lines} lines for ${js.length} bytes)`);
    }
    assert.equal(vsix.read('extension/dist/cli.js').subarray(0, 19).toString(), '#!/usr/bin/env node');
    assert.deepEqual([...vsix.read('extension/dist/sql-wasm.wasm').subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
  });

  it('has the manifest as the Marketplace shows it; dependencies name only what ships', () => {
    const shipped = JSON.parse(vsix.read('extension/package.json').toString('utf8'));
    assert.deepEqual(shipped.dependencies, { '@duckdb/node-bindings': VERSION });
    assert.deepEqual({ ...shipped, dependencies: MANIFEST.dependencies }, MANIFEST);
    assert.deepEqual(shipped.extensionKind, ['workspace']);
    for (const key of ['displayName', 'description', 'categories', 'keywords', 'icon', 'license', 'repository', 'publisher']) {
      assert.ok(shipped[key] && String(shipped[key]).length, `${key} is set`);
    }
    assert.equal(shipped.capabilities.untrustedWorkspaces.supported, true);
    assert.equal(shipped.capabilities.virtualWorkspaces.supported, false);
    const icon = vsix.read(`extension/${shipped.icon}`);
    assert.equal(icon.subarray(1, 4).toString(), 'PNG');
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'icon at least 128x128');
    const xml = vsix.read('extension.vsixmanifest').toString('utf8');
    assert.match(xml, /<DisplayName>Skill Metrics<\/DisplayName>/);
    assert.match(xml, /Microsoft\.VisualStudio\.Code\.Engine" Value="\^1\.\d+\.\d+"/);
    assert.match(xml, /ExtensionKind" Value="workspace"/);
  });

  it('runs its CLI unpacked, on this Node: the binding, the worker and sql.js load from the VSIX alone', function () {
    if (TARGETS[target].os !== process.platform || TARGETS[target].cpu !== process.arch) this.skip(); // Reason: this VSIX carries another platform's DuckDB binding, which cannot load on this machine.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-unpacked-'));
    try {
      for (const e of vsix.entries) {
        const f = path.join(dir, 'vsix', e.name);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, vsix.read(e.name));
      }
      const cli = path.join(dir, 'vsix', 'extension', 'dist', 'cli.js');
      const db = path.join(dir, 'skill_metrics.duckdb');
      const run = (...args) => {
        const r = spawnSync(process.execPath, [cli, '--db', db, '--json', ...args], { encoding: 'utf8', cwd: dir });
        assert.equal(r.status, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        return JSON.parse(r.stdout);
      };
      // Data in two formats the extension reads with different code: v1 JSON (parse worker), Session Buddy's SQLite (sql.js)
      const gen = spawnSync(process.execPath, [cli, 'generate', path.join(dir, 'data'), '--projects', '2', '--records', '120', '--formats', 'v1,skills-db-storage'], { encoding: 'utf8' });
      assert.equal(gen.status, 0, gen.stderr);
      const collected = run('collect', path.join(dir, 'data', 'project-01'), path.join(dir, 'data', 'project-02'));
      assert.equal(collected.projects, 2);
      assert.deepEqual(collected.problems, []);
      assert.ok(collected.records_added >= 200, `${collected.records_added} records`);
      const projects = run('projects');
      assert.deepEqual(projects.map((p) => p.project_name).sort(), ['project-01', 'project-02']);
      const top = run('top', '--window', 'all', '--limit', '1000');
      assert.equal(top.reduce((n, t) => n + t.total_invocations, 0), projects.reduce((n, p) => n + p.total_invocations, 0));
      assert.ok(top.length > 5, `${top.length} skills`);
      assert.equal(run('health').ok, true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rewrites the README images to absolute URLs (the Marketplace cannot show relative ones)', () => {
    const readme = vsix.read('extension/readme.md').toString('utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 4, `the README shows screenshots (${images.length})`);
    for (const src of images) assert.match(src, /^https:\/\/[^ ]+\.png$/, src);
  });
});

describe('packaging: a binding without its DuckDB library fails the packaging', function () {
  let dir;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-badpkg-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 1, names the missing file and leaves no VSIX', () => {
    // A cache holding a win32-arm64 binding package with duckdb.node but no duckdb.dll (the shape a
    // broken download or a renamed library would have); the packager takes it from the cache.
    const target = 'win32-arm64';
    const t = TARGETS[target];
    const cache = path.join(dir, 'cache');
    const pkg = path.join(dir, 'pkg', 'package');
    fs.mkdirSync(pkg, { recursive: true });
    fs.mkdirSync(cache);
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: t.binding, version: VERSION, os: ['win32'], cpu: ['arm64'] }));
    // a PE header for arm64, so that only the missing library is wrong
    const pe = Buffer.alloc(512);
    pe.writeUInt16LE(0x5a4d, 0);
    pe.writeUInt32LE(0x80, 0x3c);
    pe.writeUInt32LE(0x00004550, 0x80);
    pe.writeUInt16LE(0xaa64, 0x84);
    fs.writeFileSync(path.join(pkg, 'duckdb.node'), pe);
    const tarball = path.join(cache, `${t.binding.replace('@', '').replace('/', '-')}-${VERSION}.tgz`);
    const tar = spawnSync('tar', ['-czf', tarball, '-C', path.dirname(pkg), 'package'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);

    const out = path.join(dir, 'out');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs'), '--target', target, '--out', out], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, SKILL_METRICS_BINDINGS_CACHE: cache },
    });
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`win32-arm64: the VSIX is WRONG and was deleted:\\n\\s+missing: extension/node_modules/${t.binding.replace('/', '\\/')}/duckdb\\.dll`));
    assert.match(r.stdout, /win32-arm64(\s+-){4}\s+FAILED: 1 problem\(s\)/);
    assert.deepEqual(fs.readdirSync(out), [], 'no VSIX left behind');
  });
});
