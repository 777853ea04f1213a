// Builds the extension host bundle, the CLI, the parse worker and (when present) the webview bundle.
// `node esbuild.mjs [--production] [--watch] [--outdir DIR]` (DIR instead of dist/, no test bundles:
// scripts/package.mjs builds the VSIX contents into a staging folder this way).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : 'dist';
if (!outdir || outdir.startsWith('--')) throw new Error('--outdir needs a directory');

/** Prints errors in the shape of the $esbuild-watch problem matcher. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    if (!watch) return;
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  // The DuckDB binding is a native addon: it ships beside the bundle in node_modules (see .vscodeignore).
  external: ['vscode', '@duckdb/node-bindings'],
  plugins: [problemMatcher],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir },
  { ...node, entryPoints: { cli: 'src/cli.ts' }, outdir, banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { parseWorker: 'src/ingest/parseWorker.ts' }, outdir },
];
if (existsSync('media/dashboard/main.ts')) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'warning',
    entryPoints: { dashboard: 'media/dashboard/main.ts' },
    outdir: path.join(outdir, 'webview'),
    loader: { '.css': 'css', '.ttf': 'file' },
    plugins: [problemMatcher],
  });
}

// Extension-host tests (mocha inside VS Code): one bundle per file, loaded by out/test/extension/index.js.
const extensionTests = outdirArg < 0 && existsSync('test/extension')
  ? readdirSync('test/extension').filter((f) => f.endsWith('.ts')).map((f) => `test/extension/${f}`)
  : [];
if (extensionTests.length) {
  builds.push({
    ...node,
    entryPoints: extensionTests,
    outdir: 'out/test/extension',
    minify: false,
    sourcemap: 'inline',
    external: [...node.external, 'mocha'],
  });
}

// sql.js loads its WebAssembly at run time from beside the bundle.
mkdirSync(outdir, { recursive: true });
copyFileSync(path.join(path.dirname(require.resolve('sql.js')), 'sql-wasm.wasm'), path.join(outdir, 'sql-wasm.wasm'));

const entries = builds.filter((b) => Object.values(b.entryPoints).every((file) => existsSync(file)));
if (watch) {
  for (const options of entries) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(entries.map((options) => esbuild.build(options)));
}
