/** The one formatter: the same figure reads the same on every surface (CLI, trees, webview). */
import assert from 'node:assert/strict';
import * as fmt from '../../../src/common/format';

describe('common/format: the one formatter', () => {
  it('percentages are whole, never a rounded 0% or 100%', () => {
    assert.deepEqual([fmt.pct(0.529), fmt.pct(0.9166), fmt.pct(1), fmt.pct(0), fmt.pct(0.996), fmt.pct(0.0004), fmt.pct(null)], ['53%', '92%', '100%', '0%', '99.6%', '0.1%', '–']);
  });

  it('counts carry thousands separators; plurals agree with the count', () => {
    assert.deepEqual([fmt.int(1834), fmt.int(0), fmt.int(null)], ['1,834', '0', '–']);
    assert.deepEqual([fmt.plural(1, 'session'), fmt.plural(3057, 'session'), fmt.plural(0, 'row')], ['1 session', '3,057 sessions', '0 rows']);
  });

  it('durations read one way; nothing known or not finite is "–", never "0 ms" or "Infinity h"', () => {
    assert.deepEqual([fmt.seconds(0.4), fmt.seconds(4.25), fmt.seconds(32), fmt.seconds(125), fmt.seconds(3725)], ['0.4 s', '4.3 s', '32 s', '2m 05s', '1h 02m']);
    assert.deepEqual([fmt.seconds(null), fmt.seconds(Number.POSITIVE_INFINITY), fmt.seconds(Number.NaN)], ['–', '–', '–']);
    assert.deepEqual([fmt.millis(2345), fmt.millis(null)], ['2.3 s', '–']);
  });

  it('a number never reads "-0.0"', () => {
    assert.deepEqual([fmt.num(-0.04, 1), fmt.num(-0.0001, 2), fmt.num(-0.06, 1), fmt.num(0.25, 2)], ['0.0', '0.00', '-0.1', '0.25']);
  });

  it('instants read in the display zone, Dates and epoch milliseconds alike', () => {
    const at = Date.UTC(2026, 0, 1, 10, 5);
    assert.deepEqual([fmt.dateTime(at, 'America/New_York'), fmt.dateTime(new Date(at), 'Asia/Kolkata'), fmt.dateTime(null, 'UTC')], ['2026-01-01 05:05', '2026-01-01 15:35', '–']);
    assert.equal(fmt.toJson({ at: new Date(at) }, 'America/New_York'), '{\n  "at": "2026-01-01T05:05:00.000-05:00"\n}');
  });

  it("a recommendation's evidence reads as the rest: rates as percents, instants in the display zone (not UTC Z)", () => {
    assert.equal(fmt.evidenceLabel('success_rate'), 'Success rate');
    assert.equal(fmt.evidenceLabel('total_invocations'), 'Invocations');
    assert.equal(fmt.evidenceLabel('some_new_key'), 'Some new key');
    assert.equal(fmt.evidenceValue('success_rate', 0.529, 'UTC'), '53%');
    assert.equal(fmt.evidenceValue('total_invocations', 1834, 'UTC'), '1,834');
    assert.equal(fmt.evidenceValue('last_used', new Date(Date.UTC(2026, 0, 1, 10, 5)), 'America/New_York'), '2026-01-01 05:05');
    assert.equal(fmt.evidenceValue('best', { workflow_path: 'daily', success_rate: 0.9, count: 12 }, 'UTC'), 'daily: 90% of 12');
  });
});
