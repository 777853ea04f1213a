/** The core: every write announces itself (no caller refreshes by hand), and a scope is parsed once at the edge. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ScopeError } from '../../../src/common/errors';
import { resolveSettings } from '../../../src/common/settings';
import { parseScope } from '../../../src/core/scope';
import type { CoreChange } from '../../../src/core/service';
import { MetricsCore } from '../../../src/core/service';
import { handBuilt, many, tempDir } from '../helpers';

describe('core: MetricsCore', () => {
  it('announces each write, and resolves it only after its listeners settled', async () => {
    const root = tempDir();
    const alpha = handBuilt(root, 'alpha', many('lint', 6, '2026-11-10T10:00:00', (i) => ({ ok: i !== 0, session: 'one' })));
    const core = new MetricsCore({ dbPath: path.join(root, 'db.duckdb'), settings: resolveSettings({ sourceTimeZone: 'UTC', displayTimeZone: 'UTC' }), origin: 'test', registerSource: 'manual' });
    const seen: string[] = [];
    const activity: (readonly string[] | null)[] = [];
    core.onDidChange(async (c: CoreChange) => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push(`${c.reason}${c.collect ? `:${c.collect.records_added}` : ''}`);
    });
    core.onDidChangeActivity((a) => void activity.push(a.collecting));
    try {
      const [registration] = await core.register([alpha]);
      assert.deepEqual(seen, ['projects'], 'the listener finished before register resolved');
      assert.equal(registration!.project.source, 'manual');
      const result = await core.collect();
      assert.equal(result.records_added, 6);
      assert.deepEqual(seen, ['projects', 'collect:6']);
      assert.deepEqual(activity, [[registration!.project.project_id], null]);
      // Questions of derived data make it fresh by themselves (the collection already aggregated: no second run).
      assert.equal(await core.ensureDerived(), false);
      assert.deepEqual((await core.sessions({ limit: 5 })).map((s) => [s.session_id, s.skills_completed]), [['one', 5]]);
      await core.aggregate();
      await core.cleanup(36_500);
      await core.unregister('alpha');
      assert.deepEqual(seen, ['projects', 'collect:6', 'aggregate', 'cleanup', 'projects']);
    } finally {
      await core.close();
    }
  });

  it('parses a scope once, with errors that name its fields (each edge words them its way)', () => {
    assert.deepEqual(parseScope({ project: 'alpha', window: '7D', since: '2026-11-01' }), { project: 'alpha', window: '7d', since: '2026-11-01' });
    assert.deepEqual(parseScope({ project: '', window: undefined }), {});
    assert.throws(() => parseScope({ since: '2026-02-30' }), (err: ScopeError) => err instanceof ScopeError && err.message === 'since must be a date as YYYY-MM-DD, got "2026-02-30"');
    try {
      parseScope({ since: '2026-03-02', until: '2026-03-01' });
      assert.fail('accepted since after until');
    } catch (err) {
      assert.ok(err instanceof ScopeError);
      assert.equal(err.message, 'since 2026-03-02 is after until 2026-03-01');
      assert.equal(err.wordedAs((f) => `--${f}`).message, '--since 2026-03-02 is after --until 2026-03-01');
    }
    assert.throws(() => parseScope({ window: 'fortnight' }), /Unknown window "fortnight": use one of all, today, 7d, 30d, daily, weekly, monthly/);
  });
});
