/**
 * Entry of the extension-host test run (VS Code calls run()): mocha, BDD, the suites in a fixed order
 * because they share one window, one database and one fixture workspace (test/fixtures/workspace.mjs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const SUITES = [
  'activation.test.js',
  'trees.test.js',
  'commands.test.js',
  'live.test.js',
  'settings.test.js',
  'notification.test.js',
  'agentTools.test.js',
  // Last: it deletes records.
  'retention.test.js',
];

export async function run(): Promise<void> {
  // Every suite runs: one built but not listed here fails the run instead of being left out silently.
  const unlisted = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && !SUITES.includes(f));
  if (unlisted.length) throw new Error(`test/extension/index.ts does not list ${unlisted.join(', ')}: add each suite to SUITES`);
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 300_000, forbidOnly: true, reporter: 'spec' });
  for (const suite of SUITES) mocha.addFile(path.join(__dirname, suite));
  const started = Date.now();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  console.log(`extension-host tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
