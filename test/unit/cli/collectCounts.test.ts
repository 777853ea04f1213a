/** Issue 15 ("said unclearly"): collect and health name what they count, invocations and workflow events apart. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { cli, handBuilt, tempDir } from '../helpers';

describe('collect and health name what they count', () => {
  it('invocations and workflow events separately', async () => {
    const root = tempDir();
    const db = path.join(root, 'db.duckdb');
    const dir = handBuilt(root, 'alpha', [
      { skill: 'review', at: '2026-03-01T10:00:00', session: 's1' },
      { skill: 'commit', at: '2026-03-01T10:05:00', session: 's1' },
    ], [
      { type: 'workflow_started', at: '2026-03-01T09:59:00', session: 's1' },
      { type: 'node_completed', at: '2026-03-01T10:01:00', node: 'tests', session: 's1' },
      { type: 'workflow_completed', at: '2026-03-01T10:06:00', session: 's1', dur: 420, success: true },
    ]);
    const json = await cli(db, 'collect', dir, '--json');
    assert.deepEqual([json.json.records_seen, json.json.invocations_added, json.json.events_added, json.json.records_added], [5, 2, 3, 5]);
    const again = await cli(db, 'collect', dir);
    assert.match(again.stdout, /added 0 invocations and 0 workflow events; 0 pending invocations finished;/);
    const health = await cli(db, 'health', '--json');
    assert.deepEqual([health.json.records, health.json.workflow_events], [2, 3]);
    const text = await cli(db, 'health');
    assert.match(text.stdout, /^Records: +2 invocations, 3 workflow events$/m);
  });
});
