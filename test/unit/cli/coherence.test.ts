/** Issue 15, "said unclearly": what the CLI prints reads as every other surface (the one formatter). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, handBuilt, many, tempDir } from '../helpers';

describe('cli: one way to say a figure', () => {
  const root = tempDir();
  const db = path.join(root, 'db.duckdb');

  before(async () => {
    // "old" was last used on 2026-01-01 10:05 UTC (stale); "fresh" twice in one session.
    const alpha = handBuilt(root, 'alpha', [
      ...many('old', 6, '2026-01-01T10:00:00', () => ({ session: 'jan' })),
      ...many('fresh', 2, '2026-11-10T10:00:00', () => ({ session: 'nov', dur: null })),
    ]);
    const beta = handBuilt(root, 'beta', many('lint', 3, '2026-11-11T10:00:00', () => ({ session: 'only' })));
    assert.equal((await cli(db, 'collect', alpha, beta)).code, 0);
  });

  it('time columns say their zone', async () => {
    const top = await cli(db, 'top', '--display-tz', 'America/New_York');
    assert.match(top.stdout.split('\n')[0]!, /LAST USED \(America\/New_York\)$/);
    const sessions = await cli(db, 'sessions');
    assert.match(sessions.stdout.split('\n')[0]!, /^START \(UTC\)/);
  });

  it("recommendations' evidence gives last_used in the display zone, as the JSON does", async () => {
    const human = await cli(db, 'recommendations', '--display-tz', 'America/New_York');
    assert.match(human.stdout, /Last used 2026-01-01 05:05/);
    assert.doesNotMatch(human.stdout, /T10:05:00(\.000)?Z/);
    const json = await cli(db, 'recommendations', '--json', '--display-tz', 'America/New_York');
    const stale = json.json.find((r: { type: string }) => r.type === 'stale');
    assert.equal(stale.evidence.last_used, '2026-01-01T05:05:00.000-05:00');
  });

  it('no time known reads "–", not "0 ms"', async () => {
    const sessions = await cli(db, 'sessions');
    const nov = sessions.stdout.split('\n').find((l) => l.includes(' nov '))!;
    assert.ok(nov, sessions.stdout);
    assert.doesNotMatch(sessions.stdout, /0 ms/);
    assert.match(nov, /–/);
  });

  it('"Wrote 1 session", and the all-time bucket has no start (not the epoch in the display zone)', async () => {
    const out = path.join(root, 'correlated.json');
    const run = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', out, '--project', 'alpha');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Wrote 2 sessions to /);
    const one = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', out, '--project', 'beta');
    assert.match(one.stdout, /^Wrote 1 session to /);
    const aggregates = path.join(root, 'aggregates.json');
    assert.equal((await cli(db, 'export', '--what', 'aggregates', '--format', 'json', '--out', aggregates, '--display-tz', 'America/New_York')).code, 0);
    const rows = (JSON.parse(readFileSync(aggregates, 'utf8')) as { rows: { time_window: string; bucket_start: string | null }[] }).rows;
    const all = rows.filter((r) => r.time_window === 'all');
    assert.ok(all.length > 0);
    assert.ok(all.every((r) => r.bucket_start === null), JSON.stringify(all[0]));
    assert.ok(rows.some((r) => r.time_window === 'daily' && r.bucket_start !== null));
  });
});
