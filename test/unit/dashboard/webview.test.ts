import assert from 'node:assert/strict';
import { dateTime, pct, seconds, shortDate, signedPct, signedPoints } from '../../../src/common/format';
import { opaque } from '../../../media/dashboard/colors';

describe('dashboard webview helpers (no DOM)', () => {
  it('formats figures the way the dashboard shows them', () => {
    assert.deepEqual([pct(0.846), pct(null), pct(1)], ['85%', '–', '100%']);
    assert.deepEqual([seconds(32), seconds(4.25), seconds(75), seconds(3725), seconds(null)], ['32 s', '4.3 s', '1m 15s', '1h 02m', '–']);
    assert.deepEqual([signedPct(0.123), signedPct(-0.08), signedPct(0)], ['+12%', '−8%', '±0%']);
    assert.deepEqual([signedPoints(0.035), signedPoints(-0.1)], ['+3.5 pts', '−10 pts']);
    assert.equal(shortDate('2026-11-03'), 'Nov 3');
    assert.equal(dateTime(Date.parse('2026-11-20T23:30:00Z'), 'Europe/Berlin'), '2026-11-21 00:30', 'in the display zone');
  });

  it('drops the alpha of translucent theme colours (stacked bars would mix with the background)', () => {
    assert.deepEqual([opaque('#d1861680'), opaque('#d18616'), opaque('#abc8'), opaque('rgba(209, 134, 22, 0.5)'), opaque('rgb(1, 2, 3)')], ['#d18616', '#d18616', '#abc', 'rgb(209, 134, 22)', 'rgb(1, 2, 3)']);
  });
});
