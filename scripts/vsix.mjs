// What a Skill Metrics VSIX must contain, per target, and how to read a VSIX (a zip) to check it.
// Used by scripts/package.mjs (every VSIX it builds is checked before it is reported) and by the
// packaging tests. No dependencies: a VSIX is read with a small zip central-directory reader.
//
//   import { TARGETS, readVsix, checkVsix } from './vsix.mjs';
//   const vsix = readVsix('skill-metrics-linux-x64-0.1.0.vsix');
//   const problems = checkVsix(vsix, 'linux-x64');   // [] when the VSIX is right

import fs from 'node:fs';
import zlib from 'node:zlib';

/**
 * Every target @duckdb/node-bindings publishes a binding for, as vsce names it. `binding` is the npm
 * package with the native addon (duckdb.node) and the DuckDB library beside it (`library`); `format`
 * and `machine` say what duckdb.node must be built for. The musl bindings are vsce's alpine targets.
 */
export const TARGETS = Object.freeze({
  'linux-x64': { os: 'linux', cpu: 'x64', binding: '@duckdb/node-bindings-linux-x64', library: 'libduckdb.so', format: 'elf', machine: 'x64' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', binding: '@duckdb/node-bindings-linux-arm64', library: 'libduckdb.so', format: 'elf', machine: 'arm64' },
  'alpine-x64': { os: 'linux', cpu: 'x64', libc: 'musl', binding: '@duckdb/node-bindings-linux-x64-musl', library: 'libduckdb.so', format: 'elf', machine: 'x64' },
  'alpine-arm64': { os: 'linux', cpu: 'arm64', libc: 'musl', binding: '@duckdb/node-bindings-linux-arm64-musl', library: 'libduckdb.so', format: 'elf', machine: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64', binding: '@duckdb/node-bindings-darwin-x64', library: 'libduckdb.dylib', format: 'macho', machine: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64', binding: '@duckdb/node-bindings-darwin-arm64', library: 'libduckdb.dylib', format: 'macho', machine: 'arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64', binding: '@duckdb/node-bindings-win32-x64', library: 'duckdb.dll', format: 'pe', machine: 'x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64', binding: '@duckdb/node-bindings-win32-arm64', library: 'duckdb.dll', format: 'pe', machine: 'arm64' },
});
export const DEFAULT_TARGET = 'linux-x64';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The VSIX's allow-list for `target`: `required` entries must be there, and every entry must match
 * one of `allowed`. Everything the extension runs is in dist/ (esbuild bundles; sql.js's wasm), its
 * icons in media/; from node_modules only the native binding (kept external by esbuild.mjs) ships.
 */
export function expectedContents(target) {
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
  const nm = 'extension/node_modules';
  const required = [
    'extension.vsixmanifest',
    '[Content_Types].xml',
    'extension/package.json',
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension/dist/cli.js',
    'extension/dist/parseWorker.js',
    'extension/dist/sql-wasm.wasm',
    'extension/dist/webview/dashboard.js',
    'extension/dist/webview/dashboard.css',
    'extension/media/icon.png',
    'extension/media/icons/skill-metrics.svg',
    'extension/media/icons/skill-metrics-light.svg',
    `${nm}/@duckdb/node-bindings/package.json`,
    `${nm}/@duckdb/node-bindings/duckdb.js`,
    `${nm}/${t.binding}/package.json`,
    `${nm}/${t.binding}/duckdb.node`,
    `${nm}/${t.binding}/${t.library}`,
    // The binding's one dependency: its loader asks detect-libc whether Linux is musl (npm would also
    // report the binding as broken without it).
    `${nm}/detect-libc/package.json`,
    `${nm}/detect-libc/lib/detect-libc.js`,
  ];
  const allowed = [
    ...required.map((f) => new RegExp(`^${escape(f)}$`)),
    /^extension\/dist\/webview\/codicon-[\w-]+\.ttf$/,
    new RegExp(`^${escape(nm)}/@duckdb/node-bindings/(LICENSE|README\\.md)$`),
    new RegExp(`^${escape(`${nm}/${t.binding}`)}/(LICENSE|README\\.md)$`),
    new RegExp(`^${escape(nm)}/detect-libc/(LICENSE|README\\.md|lib/[\\w-]+\\.js)$`),
  ];
  return { required, allowed };
}

// ---------------------------------------------------------------------------------------------
// zip

/** The entries of a zip file: [{ name, size, compressedSize, method, localHeaderOffset }]. */
export function readZipEntries(buffer) {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buffer.readUInt16LE(eocd + 10);
  let p = buffer.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(p) !== 0x02014b50) throw new Error(`corrupt zip central directory at ${p}`);
    const method = buffer.readUInt16LE(p + 10);
    const compressedSize = buffer.readUInt32LE(p + 20);
    const size = buffer.readUInt32LE(p + 24);
    const nameLength = buffer.readUInt16LE(p + 28);
    const extraLength = buffer.readUInt16LE(p + 30);
    const commentLength = buffer.readUInt16LE(p + 32);
    const localHeaderOffset = buffer.readUInt32LE(p + 42);
    const name = buffer.toString('utf8', p + 46, p + 46 + nameLength);
    entries.push({ name, size, compressedSize, method, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry (stored or deflated). */
export function readZipEntry(buffer, entry) {
  const p = entry.localHeaderOffset;
  if (buffer.readUInt32LE(p) !== 0x04034b50) throw new Error(`corrupt zip local header for ${entry.name}`);
  const start = p + 30 + buffer.readUInt16LE(p + 26) + buffer.readUInt16LE(p + 28);
  const data = buffer.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return zlib.inflateRawSync(data);
  throw new Error(`${entry.name}: unsupported zip method ${entry.method}`);
}

/** A VSIX read into memory: { file, size, entries, read(name) -> Buffer|undefined }. */
export function readVsix(file) {
  const buffer = fs.readFileSync(file);
  const entries = readZipEntries(buffer);
  const byName = new Map(entries.map((e) => [e.name, e]));
  return {
    file,
    size: buffer.length,
    entries,
    read: (name) => (byName.has(name) ? readZipEntry(buffer, byName.get(name)) : undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// native code

/** { format: 'elf'|'macho'|'pe'|null, machine: 'x64'|'arm64'|other } of a native binary's header. */
export function nativeArchitecture(bytes) {
  if (bytes.length >= 20 && bytes.readUInt32BE(0) === 0x7f454c46) {
    const le = bytes[5] === 1;
    const m = le ? bytes.readUInt16LE(18) : bytes.readUInt16BE(18);
    return { format: 'elf', machine: { 0x3e: 'x64', 0xb7: 'arm64' }[m] ?? `elf-machine-${m}` };
  }
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = bytes.readUInt32LE(4);
    return { format: 'macho', machine: { 0x01000007: 'x64', 0x0100000c: 'arm64' }[cpu] ?? `macho-cpu-${cpu}` };
  }
  if (bytes.length >= 64 && bytes.readUInt16LE(0) === 0x5a4d) {
    const pe = bytes.readUInt32LE(0x3c);
    if (bytes.length >= pe + 6 && bytes.readUInt32LE(pe) === 0x00004550) {
      const m = bytes.readUInt16LE(pe + 4);
      return { format: 'pe', machine: { 0x8664: 'x64', 0xaa64: 'arm64' }[m] ?? `pe-machine-${m}` };
    }
  }
  return { format: null, machine: null };
}

// ---------------------------------------------------------------------------------------------
// the check

/**
 * Problems with a VSIX for `target` ([] when it is right): a required file missing (the binding's
 * duckdb.node or DuckDB library above all), a file that should not ship (sources, tests, maps, other
 * node_modules, another platform's binding), a duckdb.node built for another platform, a manifest
 * that names another target, or bindings of another version than `bindingsVersion`.
 */
export function checkVsix(vsix, target, { bindingsVersion } = {}) {
  const t = TARGETS[target];
  const { required, allowed } = expectedContents(target);
  const names = new Set(vsix.entries.map((e) => e.name));
  const problems = [];
  for (const f of required) if (!names.has(f)) problems.push(`missing: ${f}`);
  for (const e of vsix.entries) {
    if (!allowed.some((re) => re.test(e.name))) problems.push(`not allowed: ${e.name}`);
  }
  for (const f of [`extension/node_modules/${t.binding}/duckdb.node`, `extension/node_modules/${t.binding}/${t.library}`]) {
    const e = vsix.entries.find((x) => x.name === f);
    if (e && e.size === 0) problems.push(`empty: ${f}`);
  }
  const addonName = `extension/node_modules/${t.binding}/duckdb.node`;
  if (names.has(addonName)) {
    const arch = nativeArchitecture(vsix.read(addonName).subarray(0, 4096));
    if (arch.format !== t.format || arch.machine !== t.machine) {
      problems.push(`${addonName} is built for ${arch.format ?? 'an unknown format'} ${arch.machine ?? ''}, not ${t.format} ${t.machine}`.trim());
    }
  }
  const manifest = vsix.read('extension.vsixmanifest')?.toString('utf8') ?? '';
  const declared = /TargetPlatform="([^"]+)"/.exec(manifest)?.[1];
  if (declared !== target) problems.push(`extension.vsixmanifest declares target ${declared ?? '(none)'}, not ${target}`);
  if (bindingsVersion) {
    for (const pkg of ['@duckdb/node-bindings', t.binding]) {
      const raw = vsix.read(`extension/node_modules/${pkg}/package.json`);
      const version = raw ? JSON.parse(raw.toString('utf8')).version : undefined;
      if (raw && version !== bindingsVersion) problems.push(`${pkg} is ${version}, not ${bindingsVersion}`);
    }
  }
  return problems;
}
