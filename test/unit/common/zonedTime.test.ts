/**
 * Issue 15, point 4: wall-clock times in every IANA zone, checked against an independent conversion
 * (Intl.DateTimeFormat asked directly for each instant: its wall clock and its "GMT+hh:mm" offset).
 */
import assert from 'node:assert/strict';
import { formatIsoInZone, formatNaiveLocal, instantOfLocal, instantsOfLocal, offsetMinutes } from '../../../src/common/zonedTime';

const references = new Map<string, Intl.DateTimeFormat>();

/** What Intl itself says the instant is in `zone`, as `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM`. */
function reference(ms: number, zone: string): string {
  let f = references.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, timeZoneName: 'longOffset',
    });
    references.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.slice(3);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${p.fractionalSecond}${offset}`;
}

/** The offset string of the reference alone (cheap enough to scan with). */
const referenceOffset = (ms: number, zone: string): string => reference(ms, zone).slice(23);

const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2028-01-01T00:00:00Z');
/** Shorter than the shortest time between two changes of any zone (Morocco's Ramadan pause: about a month). */
const STEP = 9 * 86_400_000 + 37 * 60_000 + 1234;
const MINUTE = 60_000;

/**
 * Checks the module against the reference every STEP (at an odd time of day that moves along) and
 * returns the transitions of `zone` in [FROM, TO), to the second, found with the reference alone.
 */
function sweep(zone: string): { transitions: number[]; checked: number } {
  const found: number[] = [];
  let checked = 0;
  let prevAt = FROM;
  let prev = reference(FROM, zone);
  for (let t = FROM + STEP; t < TO + STEP; t += STEP) {
    const now = reference(t, zone);
    assert.equal(formatIsoInZone(t, zone), now, `${zone} at ${new Date(t).toISOString()}`);
    checked++;
    if (now.slice(23) !== prev.slice(23)) {
      let lo = prevAt;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (referenceOffset(mid, zone) === prev.slice(23)) lo = mid;
        else hi = mid;
      }
      found.push(hi - (hi % 1000));
    }
    prev = now;
    prevAt = t;
  }
  return { transitions: found, checked };
}

describe('zoned time', () => {
  it('the issue\'s examples: half-hour zones show the right wall clock and offset right after a change', () => {
    assert.equal(formatIsoInZone(Date.parse('2026-03-08T05:45:00Z'), 'America/St_Johns'), '2026-03-08T03:15:00.000-02:30');
    assert.equal(formatIsoInZone(Date.parse('2026-10-03T16:45:00Z'), 'Australia/Adelaide'), '2026-10-04T03:15:00.000+10:30');
    assert.equal(formatIsoInZone(Date.parse('2026-10-03T15:45:00Z'), 'Australia/Lord_Howe'), '2026-10-04T02:45:00.000+11:00');
    // and just before each change (a cache must not carry one side into the other, in either order)
    assert.equal(formatIsoInZone(Date.parse('2026-03-08T05:29:59Z'), 'America/St_Johns'), '2026-03-08T01:59:59.000-03:30');
    assert.equal(formatIsoInZone(Date.parse('2026-10-03T16:29:59.999Z'), 'Australia/Adelaide'), '2026-10-04T01:59:59.999+09:30');
    assert.equal(formatIsoInZone(Date.parse('2026-10-03T15:29:59Z'), 'Australia/Lord_Howe'), '2026-10-04T01:59:59.000+10:30');
    assert.equal(offsetMinutes('America/St_Johns', Date.parse('2026-03-08T05:30:00Z')), -150);
  });

  it('agrees with Intl for every IANA zone around every transition of 2024-2027, and every 9 days in between', function () {
    const zones = Intl.supportedValuesOf('timeZone');
    assert.ok(zones.length > 300, `${zones.length} zones`);
    let checked = 0;
    let changes = 0;
    const offsets = [-3_600_000, -30 * MINUTE, -MINUTE, -1, 0, 1, MINUTE, 15 * MINUTE, 29 * MINUTE + 59_999, 30 * MINUTE, 45 * MINUTE, 59 * MINUTE, 3_600_000, 2 * 3_600_000];
    for (const zone of zones) {
      const swept = sweep(zone);
      checked += swept.checked;
      for (const change of swept.transitions) {
        changes++;
        // Ask after the change first, then before, so no order of lookups can hide a stale remembered offset.
        for (const order of [[...offsets].reverse(), offsets]) {
          for (const d of order) {
            const t = change + d;
            assert.equal(formatIsoInZone(t, zone), reference(t, zone), `${zone} at ${new Date(t).toISOString()} (change at ${new Date(change).toISOString()})`);
            checked++;
          }
        }
      }
    }
    assert.ok(changes > 500, `${changes} transitions checked`);
    assert.ok(checked > 50_000, `${checked} instants checked`);
  });

  it('a naive time: one instant normally, two in a repeated hour, none in a gap; fold=0 picks the earlier / shifts a gap forward', () => {
    const naive = (s: string) => Date.parse(`${s}Z`);
    const iso = (ms: number) => new Date(ms).toISOString();
    assert.deepEqual(instantsOfLocal(naive('2026-10-25T02:10:00'), 'Europe/Berlin').map(iso), ['2026-10-25T00:10:00.000Z', '2026-10-25T01:10:00.000Z']);
    assert.equal(iso(instantOfLocal(naive('2026-10-25T02:10:00'), 'Europe/Berlin')), '2026-10-25T00:10:00.000Z');
    assert.deepEqual(instantsOfLocal(naive('2026-03-29T02:30:00'), 'Europe/Berlin'), []);
    assert.equal(iso(instantOfLocal(naive('2026-03-29T02:30:00'), 'Europe/Berlin')), '2026-03-29T01:30:00.000Z');
    assert.equal(formatNaiveLocal(instantOfLocal(naive('2026-03-29T02:30:00'), 'Europe/Berlin'), 'Europe/Berlin', 0), '2026-03-29T03:30:00');
    // Lord Howe goes back by half an hour: 01:30-02:00 happens twice (+11:00, then +10:30).
    assert.equal(iso(instantOfLocal(naive('2026-04-05T01:45:00'), 'Australia/Lord_Howe')), '2026-04-04T14:45:00.000Z');
    assert.equal(iso(instantOfLocal(naive('2026-07-01T12:00:00'), 'Europe/Berlin')), '2026-07-01T10:00:00.000Z');
  });
});
