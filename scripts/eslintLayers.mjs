// The layer rules of docs/ARCHITECTURE.md as ESLint rules (a local plugin, no dependency):
// - `layers/direction`: an import never runs up a layer, and an adapter (cli, mcp, views) imports only the
//   core, common and its own folder (never another adapter, never analytics or ingest directly).
// - `layers/no-cycle`: no import cycle between the modules of src/ (and media/).
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SRC = path.join(ROOT, 'src');

/** What each layer may import (besides itself). Lower layers first. */
const ALLOWED = {
  common: [],
  analytics: ['common'],
  ingest: ['common', 'analytics'],
  demo: ['common', 'analytics', 'ingest'],
  core: ['common', 'analytics', 'ingest', 'demo'],
  cli: ['common', 'core'],
  mcp: ['common', 'core'],
  views: ['common', 'core'],
  // The composition roots wire the adapters they serve.
  'root:extension': ['common', 'core', 'views'],
  'root:cli': ['common', 'core', 'cli', 'mcp'],
  // The webview bundle: the formatter and the dashboard protocol's types.
  media: ['common', 'core/dashboard'],
};

/** Known arrows up a layer that are still to be turned around: [importer, imported], relative to the repository. */
const EXCEPTIONS = new Set();

/** The layer of a file (absolute path), or undefined outside src/ and media/. */
function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel[0] === 'media') return 'media';
  if (rel[0] !== 'src') return undefined;
  if (rel.length === 2) return rel[1] === 'extension.ts' ? 'root:extension' : rel[1] === 'cli.ts' ? 'root:cli' : undefined;
  return rel[1];
}

/** The folder key an import lands in: its layer, or core/dashboard for the protocol. */
function targetKey(file) {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel[0] === '..') return undefined;
  if (rel[0] === 'core' && rel[1] === 'dashboard') return 'core/dashboard';
  return rel.length === 1 ? undefined : rel[0];
}

function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.mjs`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const direction = {
  meta: { type: 'problem', schema: [], messages: { up: '{{from}} may not import {{to}} ({{spec}}): see docs/ARCHITECTURE.md for the layers.' } },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from) return {};
    const check = (node, spec) => {
      const target = resolveImport(file, spec);
      if (!target) return;
      const to = targetKey(target);
      if (!to) {
        // src/extension.ts and src/cli.ts are roots: nothing imports them.
        if (path.dirname(target) === SRC) context.report({ node, messageId: 'up', data: { from, to: path.basename(target), spec } });
        return;
      }
      const own = from === to;
      const allowed = ALLOWED[from] ?? [];
      const arrow = `${path.relative(ROOT, file)} -> ${path.relative(ROOT, target)}`.split(path.sep).join('/');
      const ok = own || EXCEPTIONS.has(arrow) || allowed.includes(to) || (to === 'core/dashboard' && (allowed.includes('core') || from === 'core'));
      if (!ok) context.report({ node, messageId: 'up', data: { from, to, spec } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
    };
  },
};

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const graph = new Map();

/** The relative imports of a file (value and type imports alike: a type cycle is still a cycle in the design). */
function importsOf(file) {
  let out = graph.get(file);
  if (out) return out;
  out = [];
  graph.set(file, out);
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT_RE)) {
    const target = resolveImport(file, m[1] ?? m[2]);
    if (target && target.endsWith('.ts')) out.push(target);
  }
  return out;
}

/** A path from `start` back to `file`, if one exists. */
function cycleThrough(file) {
  const seen = new Set();
  const stack = [[file, [file]]];
  while (stack.length) {
    const [at, trail] = stack.pop();
    for (const next of importsOf(at)) {
      if (next === file) return trail;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push([next, [...trail, next]]);
    }
  }
  return undefined;
}

const noCycle = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'Import cycle: {{cycle}}' } },
  create(context) {
    const file = context.filename;
    if (!layerOf(file) || !file.endsWith('.ts')) return {};
    graph.clear();
    return {
      'Program:exit'(node) {
        const cycle = cycleThrough(file);
        if (cycle) context.report({ node, messageId: 'cycle', data: { cycle: [...cycle, file].map((f) => path.relative(ROOT, f)).join(' -> ') } });
      },
    };
  },
};

export default { rules: { direction, 'no-cycle': noCycle } };
