/** Issue 15, points 2 and 3: `export --what correlated` keys sessions by project and id, and is complete. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, handBuilt, many, tempDir } from '../helpers';

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, { session_id: string; project_id: string; skill_invocations: unknown[] }> };

describe('export --what correlated', () => {
  it('keeps two projects\' sessions that share a session id apart', async () => {
    const root = tempDir();
    const db = path.join(root, 'db.duckdb');
    const a = handBuilt(root, 'alpha', [{ skill: 'review', at: '2026-03-01T10:00:00', session: 'autofix-4242' }]);
    const b = handBuilt(root, 'beta', [
      { skill: 'commit', at: '2026-03-02T10:00:00', session: 'autofix-4242' },
      { skill: 'review', at: '2026-03-02T10:05:00', session: 'autofix-4242' },
    ]);
    await cli(db, 'collect', a, b);
    const out = path.join(root, 'corr.json');
    const run = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', out, '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.rows, 2);
    const doc = read(out);
    const values = Object.values(doc.sessions).map((s) => [s.session_id, s.skill_invocations.length]).sort((x, y) => Number(x[1]) - Number(y[1]));
    assert.deepEqual(values, [['autofix-4242', 1], ['autofix-4242', 2]]);
    const projects = (await cli(db, 'projects', '--json')).json as { project_id: string }[];
    assert.deepEqual(Object.keys(doc.sessions).sort(), projects.map((p) => `${p.project_id}/autofix-4242`).sort());
  });

  it('writes every session, not the 1,000 most recent, unless --limit asks for fewer', async () => {
    const root = tempDir();
    const db = path.join(root, 'db.duckdb');
    const n = 1_050;
    const dir = handBuilt(root, 'busy', many('review', n, '2026-03-01T00:00:00', (i) => ({ session: `s${i}` })));
    await cli(db, 'collect', dir);
    const out = path.join(root, 'corr.json');
    const all = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', out, '--json');
    assert.equal(all.json.rows, n);
    assert.equal(Object.keys(read(out).sessions).length, n);
    const text = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', out);
    assert.match(text.stdout, /^Wrote 1,050 sessions to /);
    const limited = await cli(db, 'export', '--what', 'correlated', '--format', 'json', '--out', out, '--limit', '3', '--json');
    assert.equal(limited.json.rows, 3);
    assert.deepEqual(Object.values(read(out).sessions).map((s) => s.session_id), ['s1049', 's1048', 's1047'], 'the most recent first');
    assert.equal((await cli(db, 'export', '--what', 'usage', '--format', 'json', '--out', out, '--limit', '3')).code, 2);
  });
});
