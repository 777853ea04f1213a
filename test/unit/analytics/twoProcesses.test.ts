/**
 * Two processes (two VS Code windows, or a window and the CLI) collecting and querying one database file
 * at the same time: both succeed, no lock error reaches anyone, nothing is lost or doubled.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { generate } from '../../../src/demo/generator';
import { cli, tempDir } from '../helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function run(db: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--db', db, '--source-tz', 'UTC', '--display-tz', 'UTC', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('two processes on one database', () => {
  it('collect and query concurrently without errors, losses or duplicates', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built before the unit tests (npm test builds first)');
    const root = tempDir();
    const db = path.join(root, 'shared.duckdb');
    const projects = await generate({ outDir: path.join(root, 'data'), projects: 6, records: 3000, seed: 3, keep: true, formats: ['v1', 'v2', 'v3'] });
    const expected = projects.reduce((n, p) => n + p.invocations!.length, 0);
    const window = async (mine: string[]) => {
      const outcomes = [];
      for (const dir of mine) {
        outcomes.push(await run(db, ['collect', dir, '--json']));
        outcomes.push(await run(db, ['top', '--json', '--limit', '3']));
        outcomes.push(await run(db, ['projects', '--json']));
      }
      outcomes.push(await run(db, ['collect', '--json'])); // everything, overlapping the other window's projects
      return outcomes;
    };
    const [a, b] = await Promise.all([window(projects.slice(0, 3).map((p) => p.dir)), window(projects.slice(3).map((p) => p.dir))]);
    for (const o of [...a, ...b]) {
      assert.equal(o.code, 0, o.stderr);
      assert.doesNotMatch(o.stderr, /lock/i);
      JSON.parse(o.stdout);
    }
    const check = await cli(db, 'projects', '--json');
    const total = check.json.reduce((n: number, p: { total_invocations: number }) => n + p.total_invocations, 0);
    assert.equal(total, expected, 'every record once');
    const again = await cli(db, 'collect', '--json');
    assert.equal(again.json.records_added, 0);
  });
});
