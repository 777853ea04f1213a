// The VSIX check of scripts/vsix.mjs on real zip files: a VSIX with exactly the allow-list passes; one
// without duckdb.node or the DuckDB library, with a source map, a source file, another node_modules
// package, a binding built for another platform, another target in its manifest or other bindings'
// versions fails, naming the problem. The native binary is the binding npm installed for this machine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TARGET, TARGETS, checkVsix, expectedContents, nativeArchitecture, readVsix } from '../../scripts/vsix.mjs';
import { parseArgs, stagedManifest } from '../../scripts/package.mjs';
import { writeZip } from './zip.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const BINDINGS = readJson(path.join(ROOT, 'node_modules/@duckdb/node-bindings/package.json'));
const VERSION = BINDINGS.version;

/** The target of this machine (the binding npm installed here). */
function hostTarget() {
  const musl = process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime;
  const found = Object.entries(TARGETS).find(([, t]) => t.os === process.platform && t.cpu === process.arch && (t.libc === 'musl') === musl);
  assert.ok(found, `no target for ${process.platform}-${process.arch}`);
  return found[0];
}

describe('packaging: the VSIX allow-list check (scripts/vsix.mjs)', () => {
  const host = hostTarget();
  const hostBinding = path.join(ROOT, 'node_modules', TARGETS[host].binding);
  const addon = fs.readFileSync(path.join(hostBinding, 'duckdb.node')).subarray(0, 64 * 1024);
  let dir;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-vsix-test-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A VSIX (zip) for `target` with every required entry, changed by `edit(entries)`. */
  function vsixFile(target, edit = (e) => e, { declared = target, version = VERSION } = {}) {
    const t = TARGETS[target];
    let entries = expectedContents(target).required.map((name) => {
      let data = Buffer.from(`content of ${name}\n`);
      if (name === 'extension.vsixmanifest') data = Buffer.from(`<PackageManifest><Metadata><Identity Id="skill-metrics" TargetPlatform="${declared}"/></Metadata></PackageManifest>`);
      if (name.endsWith('/duckdb.node')) data = addon;
      if (name.endsWith(`${t.binding}/package.json`)) data = Buffer.from(JSON.stringify({ name: t.binding, version }));
      if (name.endsWith('@duckdb/node-bindings/package.json')) data = Buffer.from(JSON.stringify({ name: '@duckdb/node-bindings', version }));
      return { name, data };
    });
    entries = edit(entries);
    const file = path.join(dir, `${target}-${Math.random().toString(36).slice(2)}.vsix`);
    writeZip(file, entries);
    return readVsix(file);
  }

  it('knows exactly the targets @duckdb/node-bindings publishes a binding for (musl = alpine)', () => {
    const published = Object.keys(BINDINGS.optionalDependencies).sort();
    assert.deepEqual(Object.values(TARGETS).map((t) => t.binding).sort(), published);
    for (const [name, t] of Object.entries(TARGETS)) {
      const suffix = t.binding.replace('@duckdb/node-bindings-', '');
      assert.equal(name, t.libc === 'musl' ? `alpine-${t.cpu}` : suffix, `${t.binding} is vsce target ${name}`);
      assert.equal(suffix.replace(/-musl$/, ''), `${t.os}-${t.cpu}`);
    }
    assert.equal(DEFAULT_TARGET, 'linux-x64');
  });

  it('reads the architecture of the installed binding from its header', () => {
    const t = TARGETS[host];
    assert.deepEqual(nativeArchitecture(addon), { format: t.format, machine: t.machine });
    assert.deepEqual(nativeArchitecture(Buffer.from('#!/bin/sh\necho not native\n')), { format: null, machine: null });
  });

  it(`passes a ${host} VSIX with exactly the allowed files`, () => {
    const vsix = vsixFile(host, (e) => [...e,
      { name: 'extension/dist/webview/codicon-B3TTTKGI.ttf', data: Buffer.from('font') },
      { name: `extension/node_modules/${TARGETS[host].binding}/LICENSE`, data: Buffer.from('MIT') },
    ]);
    assert.equal(vsix.entries.length, expectedContents(host).required.length + 2);
    assert.deepEqual(checkVsix(vsix, host, { bindingsVersion: VERSION }), []);
  });

  it('fails a VSIX without duckdb.node, or without the DuckDB library', () => {
    const { binding, library } = TARGETS[host];
    const noAddon = vsixFile(host, (e) => e.filter((x) => !x.name.endsWith('/duckdb.node')));
    assert.deepEqual(checkVsix(noAddon, host), [`missing: extension/node_modules/${binding}/duckdb.node`]);
    const noLibrary = vsixFile(host, (e) => e.filter((x) => !x.name.endsWith(`/${library}`)));
    assert.deepEqual(checkVsix(noLibrary, host), [`missing: extension/node_modules/${binding}/${library}`]);
    const emptyLibrary = vsixFile(host, (e) => e.map((x) => (x.name.endsWith(`/${library}`) ? { ...x, data: Buffer.alloc(0) } : x)));
    assert.deepEqual(checkVsix(emptyLibrary, host), [`empty: extension/node_modules/${binding}/${library}`]);
  });

  it('fails a VSIX with maps, sources, tests or other node_modules', () => {
    const extra = ['extension/dist/extension.js.map', 'extension/src/extension.ts', 'extension/test/ui/ui.test.mjs',
      'extension/node_modules/zod/package.json', 'extension/node_modules/@duckdb/node-bindings-darwin-arm64/duckdb.node',
      'extension/media/dashboard/main.ts', 'extension/.vscodeignore'];
    const vsix = vsixFile(host, (e) => [...e, ...extra.map((name) => ({ name, data: Buffer.from('x') }))]);
    assert.deepEqual(checkVsix(vsix, host), extra.map((f) => `not allowed: ${f}`));
  });

  it('fails a VSIX whose duckdb.node is built for another platform', () => {
    const other = Object.keys(TARGETS).find((k) => TARGETS[k].format !== TARGETS[host].format && TARGETS[k].machine === TARGETS[host].machine);
    const t = TARGETS[other];
    const vsix = vsixFile(other);
    assert.deepEqual(checkVsix(vsix, other), [
      `extension/node_modules/${t.binding}/duckdb.node is built for ${TARGETS[host].format} ${TARGETS[host].machine}, not ${t.format} ${t.machine}`,
    ]);
  });

  it('fails a VSIX whose manifest names another target, or whose bindings have another version', () => {
    const wrongTarget = vsixFile(host, undefined, { declared: 'win32-x64' });
    assert.deepEqual(checkVsix(wrongTarget, host), [`extension.vsixmanifest declares target win32-x64, not ${host}`]);
    const oldBindings = vsixFile(host, undefined, { version: '1.4.0-r.1' });
    assert.deepEqual(checkVsix(oldBindings, host, { bindingsVersion: VERSION }), [
      `@duckdb/node-bindings is 1.4.0-r.1, not ${VERSION}`,
      `${TARGETS[host].binding} is 1.4.0-r.1, not ${VERSION}`,
    ]);
  });
});

describe('packaging: scripts/package.mjs options and staged manifest', () => {
  it('packages linux-x64 by default, every target with --all, and refuses unknown targets', () => {
    assert.deepEqual(parseArgs([]).targets, ['linux-x64']);
    assert.deepEqual(parseArgs(['--all']).targets, Object.keys(TARGETS));
    assert.deepEqual(parseArgs(['--target', 'darwin-arm64', '-t', 'win32-x64', '--target', 'darwin-arm64']).targets, ['darwin-arm64', 'win32-x64']);
    assert.throws(() => parseArgs(['--target', 'linux-armhf']), /unknown target\(s\) linux-armhf/);
    assert.throws(() => parseArgs(['--frobnicate']), /unknown argument --frobnicate/);
  });

  it('ships the manifest unchanged except for dependencies, which name only the binding', () => {
    const manifest = readJson(path.join(ROOT, 'package.json'));
    const staged = stagedManifest(manifest, VERSION);
    assert.deepEqual(staged.dependencies, { '@duckdb/node-bindings': VERSION });
    assert.deepEqual({ ...staged, dependencies: manifest.dependencies }, manifest);
    assert.equal(manifest.dependencies['@duckdb/node-bindings'], VERSION, 'package.json pins the bindings @duckdb/node-api needs');
    assert.equal(readJson(path.join(ROOT, 'node_modules/@duckdb/node-api/package.json')).dependencies['@duckdb/node-bindings'], VERSION);
  });
});
