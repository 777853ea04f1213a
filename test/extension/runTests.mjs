#!/usr/bin/env node
// `npm run test:extension`: builds a fresh fixture workspace in a temp dir, runs the extension-host suite
// (out/test/extension/index.js, built by `npm run build`) in a real VS Code through @vscode/test-electron's
// runTests (code-server here, see test/harness), and removes the fixture. Exit code = the tests' result;
// it fails loudly (never skips) when the harness cannot run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExtensionTests } from '../harness/runExtensionTests.mjs';
import { makeFixtureWorkspace } from '../fixtures/workspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tests = path.join(root, 'out', 'test', 'extension', 'index.js');
if (!fs.existsSync(tests)) {
  console.error(`[test:extension] ${path.relative(root, tests)} is missing: run npm run build first`);
  process.exit(2);
}
const started = Date.now();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-fixture-'));
let code = 1;
try {
  const fixture = await makeFixtureWorkspace(dir);
  code = await runExtensionTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: tests,
    workspace: fixture.workspaceFile,
    env: { SKILL_METRICS_FIXTURE: dir },
    timeoutS: 600,
  });
} catch (err) {
  console.error(`[test:extension] FAILED: ${err?.stack ?? err}`);
  code = 3;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
console.error(`[test:extension] ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
