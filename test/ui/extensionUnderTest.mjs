// Which build of the extension a UI suite runs against:
//   node test/ui/ui.test.mjs                    the development folder (dist/ from npm run build), symlinked
//   node test/ui/ui.test.mjs --vsix FILE.vsix   a packaged VSIX, installed with code-server --install-extension
// ($SKILL_METRICS_UI_VSIX works like --vsix). The VSIX run is what proves the package: production bundles,
// only the shipped node_modules, the DuckDB binding loaded from the VSIX.
import fs from 'node:fs';
import path from 'node:path';
import { assert } from '../harness/workbench.mjs';
import { extensionHostReport } from '../harness/codeServer.mjs';

const EXTENSION_ID = 'skillmetrics.skill-metrics';

/** Prints, once per run, what the extension hosts logged about the extension (for the first failed check). */
let reported = false;
export function reportExtensionHost(server) {
  if (reported || !server) return;
  reported = true;
  console.log(`  --- what the extension hosts logged about ${EXTENSION_ID} (first failure only) ---`);
  console.log(extensionHostReport(server, EXTENSION_ID).split('\n').map((l) => `  ${l}`).join('\n'));
}

/**
 * { vsix, label, session, shotsDir, verifyInstalled(server) }: `session` goes into startUiSession;
 * `shotsDir` keeps the two runs' screenshots apart; verifyInstalled asserts that the extension code-server
 * loads is the VSIX's files (no sources, maps or development node_modules).
 */
export function extensionUnderTest(root, { argv = process.argv.slice(2), env = process.env, requiredBuild = [] } = {}) {
  const i = argv.indexOf('--vsix');
  const given = i >= 0 ? argv[i + 1] : env.SKILL_METRICS_UI_VSIX;
  if (!given) {
    const missing = requiredBuild.filter((f) => !fs.existsSync(path.join(root, f)));
    if (missing.length) {
      console.error(`[ui] ${missing.join(', ')} missing: run npm run build first`);
      process.exit(2);
    }
    return {
      vsix: undefined,
      label: 'the development folder',
      session: { extensionDevelopmentPath: root },
      shotsDir: path.join(root, 'test-results', 'screenshots'),
      verifyInstalled: () => {},
    };
  }
  const vsix = path.resolve(given);
  if (!fs.existsSync(vsix)) {
    console.error(`[ui] ${vsix} does not exist: make it with npm run package`);
    process.exit(2);
  }
  return {
    vsix,
    label: `the VSIX ${path.basename(vsix)}`,
    session: { vsix },
    shotsDir: path.join(root, 'test-results', 'screenshots-vsix'),
    verifyInstalled(server) {
      const installed = fs.readdirSync(server.extensionsDir).filter((d) => d.startsWith(`${EXTENSION_ID}-`));
      assert.equal(installed.length, 1, `one installed Skill Metrics in ${server.extensionsDir}: ${installed.join(', ')}`);
      const dir = path.join(server.extensionsDir, installed[0]);
      assert.ok(!fs.lstatSync(dir).isSymbolicLink(), 'installed from the VSIX, not linked to the repository');
      for (const f of ['dist/extension.js', 'dist/cli.js', 'node_modules/@duckdb/node-bindings/duckdb.js']) {
        assert.ok(fs.existsSync(path.join(dir, f)), `${f} installed`);
      }
      const files = fs.readdirSync(dir, { recursive: true }).map(String);
      assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.startsWith('src') || f.startsWith('test')), [], 'no maps, sources or tests');
      const nm = path.join(dir, 'node_modules');
      const modules = fs.readdirSync(nm).flatMap((d) => (d.startsWith('@') ? fs.readdirSync(path.join(nm, d)).map((s) => `${d}/${s}`) : [d])).sort();
      assert.equal(modules.length, 3, modules.join(', '));
      assert.match(modules.join(' '), /^@duckdb\/node-bindings @duckdb\/node-bindings-[\w-]+ detect-libc$/);
      console.log(`  installed ${installed[0]} (${files.length} files and folders); node_modules: ${modules.sort().join(', ')}`);
      return installed[0];
    },
  };
}
