/**
 * Issue 15, point 5: a naive local time is read as the Python writers meant it (fold=0): the earlier
 * occurrence in a repeated hour, the offset from before the change in a skipped hour.
 */
import assert from 'node:assert/strict';
import { instantOfLocal } from '../../../src/common/zonedTime';
import { collect } from '../../../src/ingest/collector';
import type { Ev, Inv } from '../helpers';
import { handBuilt, newStore, tempDir } from '../helpers';

async function stored(zone: string, invs: Inv[], events: Ev[] = []): Promise<{ inv: Map<string, string>; ev: Map<string, string> }> {
  const root = tempDir();
  const dir = handBuilt(root, 'p', invs, events);
  const store = newStore(root, 'UTC');
  await collect(store, { register: [dir], sourceTimeZone: zone, maxFileBytes: 1 << 26, origin: 'test', retryDelaysMs: [] });
  return store.read(async (db) => {
    const iso = (rows: { raw: string; at: Date }[]) => new Map(rows.map((r) => [r.raw, r.at.toISOString()]));
    return {
      inv: iso(await db.all('SELECT invoked_at_raw AS raw, invoked_at AS at FROM skill_usage')),
      ev: iso(await db.all('SELECT ts_raw AS raw, ts AS at FROM workflow_events')),
    };
  });
}

describe('naive local times (fold=0)', () => {
  it('Berlin: the repeated autumn hour is the earlier occurrence, the skipped spring hour shifts forward', async () => {
    const at = ['2026-10-25T02:10:00', '2026-10-25T01:59:00', '2026-10-25T03:00:00', '2026-03-29T02:30:00', '2026-03-29T03:00:00', '2026-07-01T12:00:00'];
    const s = await stored('Europe/Berlin', at.map((a, i) => ({ skill: `s${i}`, at: a })), [{ type: 'workflow_started', at: '2026-10-25T02:10:00' }]);
    assert.deepEqual(Object.fromEntries(s.inv), {
      '2026-10-25T02:10:00': '2026-10-25T00:10:00.000Z', // not 01:10Z, the later occurrence
      '2026-10-25T01:59:00': '2026-10-24T23:59:00.000Z',
      '2026-10-25T03:00:00': '2026-10-25T02:00:00.000Z',
      '2026-03-29T02:30:00': '2026-03-29T01:30:00.000Z', // does not exist: read with +01:00, i.e. 03:30 CEST
      '2026-03-29T03:00:00': '2026-03-29T01:00:00.000Z',
      '2026-07-01T12:00:00': '2026-07-01T10:00:00.000Z',
    });
    assert.equal(s.ev.get('2026-10-25T02:10:00'), '2026-10-25T00:10:00.000Z', 'workflow events follow the same rule');
  });

  it('agrees with the fold=0 reading every 10 minutes around each 2026 change in zones with odd changes', async function () {
    const zones = ['America/St_Johns', 'Australia/Lord_Howe', 'Antarctica/Troll', 'Pacific/Chatham'];
    for (const zone of zones) {
      const wanted = new Map<string, string>();
      // naive local times every 10 minutes through 2026, near the changes only (where the reading is delicate)
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 600_000) {
        const naive = new Date(t).toISOString().slice(0, 19);
        const instant = instantOfLocal(t, zone);
        const near = Math.abs(instantOfLocal(t - 4 * 3_600_000, zone) + 4 * 3_600_000 - instant) > 0 || Math.abs(instantOfLocal(t + 4 * 3_600_000, zone) - 4 * 3_600_000 - instant) > 0;
        if (near) wanted.set(naive, new Date(instant).toISOString());
      }
      assert.ok(wanted.size >= 48, `${zone}: ${wanted.size} times near a change`);
      const s = await stored(zone, [...wanted.keys()].map((at) => ({ skill: 'x', at })));
      assert.deepEqual(Object.fromEntries(s.inv), Object.fromEntries(wanted), zone);
    }
  });
});
