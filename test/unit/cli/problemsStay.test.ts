/** Issue 15, point 1: a problem with a file stays reported until the file is fixed or removed. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { cli, project, tempDir, v1, v1File, writeSource } from '../helpers';

const TRUNCATED = JSON.stringify(v1File([v1(), v1({ invoked_at: '2026-02-11T10:00:00' })])).slice(0, 120);

async function brokenProject() {
  const root = tempDir();
  const db = path.join(root, 'db.duckdb');
  const dir = project(root, 'broken');
  const file = writeSource(dir, 'skill_metrics.json', TRUNCATED);
  return { db, dir, file };
}

const problemFiles = (run: { json: { problems: { file: string }[] } }): string[] => run.json.problems.map((p) => p.file);

describe('problems stay until the file is fixed or removed', () => {
  it('a truncated file is reported by every collect and by health, not only the first', async () => {
    const f = await brokenProject();
    const first = await cli(f.db, 'collect', f.dir, '--json');
    assert.deepEqual(problemFiles(first), [f.file]);
    for (let round = 2; round <= 3; round++) {
      const again = await cli(f.db, 'collect', '--json');
      assert.deepEqual(problemFiles(again), [f.file], `collect #${round} still reports the broken file`);
      const health = await cli(f.db, 'health', '--json');
      assert.equal(health.json.ok, false, `health after collect #${round}`);
      assert.deepEqual(problemFiles(health), [f.file]);
    }
  });

  it('fixing the file clears the problem and stores its records', async () => {
    const f = await brokenProject();
    await cli(f.db, 'collect', f.dir);
    await cli(f.db, 'collect');
    writeSource(f.dir, 'skill_metrics.json', v1File([v1(), v1({ invoked_at: '2026-02-11T10:00:00' })]));
    const fixed = await cli(f.db, 'collect', '--json');
    assert.deepEqual([fixed.json.problems, fixed.json.records_added], [[], 2]);
    const health = await cli(f.db, 'health', '--json');
    assert.deepEqual([health.json.ok, health.json.problems, health.json.records], [true, [], 2]);
  });

  it('removing the file clears the problem', async () => {
    const f = await brokenProject();
    await cli(f.db, 'collect', f.dir);
    await cli(f.db, 'collect');
    rmSync(f.file);
    const after = await cli(f.db, 'collect', '--json');
    assert.deepEqual(after.json.problems, []);
    const health = await cli(f.db, 'health', '--json');
    assert.deepEqual([health.json.ok, health.json.problems], [true, []]);
  });
});
