/** Issue 15 ("said unclearly"): `help <command>` states the rules users ask about. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { cli, tempDir } from '../helpers';

describe('help <command> states the rules behind the figures', () => {
  it('percentiles, pending, workflow paths, trends, stale, re-reading and time zones', async () => {
    const db = path.join(tempDir(), 'db.duckdb');
    const help = async (command: string) => {
      const run = await cli(db, 'help', command);
      assert.equal(run.code, 0);
      assert.equal((await cli(db, command, '--help')).stdout, run.stdout, `${command} --help prints the same`);
      return run.stdout;
    };
    const top = await help('top');
    assert.match(top, /How it counts:/);
    assert.match(top, /interpolates linearly .*\(quantile_cont\): the p95 of 10, 20, 30 s is 29 s/);
    assert.match(top, /pending invocation .* is left out of success rate and durations until it finishes/);
    assert.match(await help('effectiveness'), /Success per workflow path counts only invocations that recorded a path; runs without one count in the totals but in no path/);
    const trends = await help('trends');
    assert.match(trends, /\|t\| >= 2, the fitted change is at least 30% of the weekly mean/);
    assert.match(trends, /3,3,4,3,4,4,4,5 is steady/);
    assert.match(trends, /Stale: used before, not in the last 30 days/);
    assert.match(await help('recommendations'), /Low success: below 60%; well-tuned: above 90%.*Stale: used before, not in the last 30 days/);
    const collect = await help('collect');
    assert.match(collect, /changing --source-tz applies to records read from then on, not to stored ones/);
    assert.match(collect, /a completed record edited later keeps its first version/);
    assert.match(collect, /earlier occurrence in a repeated hour/);
    assert.match(await help('export'), /every session \(unless --limit N\), keyed <project_id>\/<session_id>/);
  });
});
