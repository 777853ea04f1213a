import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkTimestamp } from '../../../src/ingest/timestamps';
import { formatIsoInZone, formatNaiveLocal, instantsOfLocal, offsetMinutes } from '../../../src/common/zonedTime';

describe('timestamps', () => {
  it('accepts every shape the writers produce and says whether it has an offset', () => {
    const cases: [string, boolean][] = [
      ['2026-02-11T01:14:06.123456', false], // crackerjack v1 / session-buddy v2, naive local
      ['2026-02-11T01:14:06', false], // isoformat() when microseconds are 0
      ['2026-07-29T18:30:51.123456+00:00', true], // session-buddy >= ada169c
      ['2026-02-10T12:34:56Z', true], // docs examples
      ['2026-02-11 01:14:06', false], // SQLite CURRENT_TIMESTAMP
      ['2026-02-11T01:14', false],
      ['2026-02-11T01:14:06+0530', true],
      ['2026-02-11T01:14:06.123456789', false],
    ];
    for (const [raw, hasOffset] of cases) assert.deepEqual(checkTimestamp(raw), { hasOffset }, raw);
  });

  it('rejects what is not a date-time, with a reason', () => {
    const bad = ['', '2026-02-11', 'yesterday', '2026-13-01T00:00:00', '2026-02-30T00:00:00', '2025-02-29T00:00:00',
      '2026-02-11T24:00:00', '2026-02-11T10:61:00', '2026-02-11T10:00:00+25:00', '11/02/2026 10:00', '2026-02-11T10:00:00.', '0001-01-01T00:00:00'];
    for (const raw of bad) assert.equal(typeof checkTimestamp(raw), 'string', raw);
    assert.deepEqual(checkTimestamp('2024-02-29T00:00:00'), { hasOffset: false });
  });

  it('every accepted shape casts in DuckDB to the instant it denotes, in the source zone, across DST', async () => {
    const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const conn = await instance.connect();
    const instant = async (raw: string, zone: string, naive: boolean): Promise<string> => {
      const sql = naive ? `SELECT epoch_ms(timezone($2, $1::TIMESTAMP))` : `SELECT epoch_ms($1::TIMESTAMPTZ)`;
      const r = await conn.runAndReadAll(sql, naive ? [raw, zone] : [raw]);
      return new Date(Number(r.getRows()[0]![0])).toISOString();
    };
    // naive local in Berlin: winter +01:00, summer +02:00
    assert.equal(await instant('2026-02-11T09:12:03.481220', 'Europe/Berlin', true), '2026-02-11T08:12:03.481Z');
    assert.equal(await instant('2026-07-11T09:12:03', 'Europe/Berlin', true), '2026-07-11T07:12:03.000Z');
    assert.equal(await instant('2026-02-11 01:14:06', 'UTC', true), '2026-02-11T01:14:06.000Z');
    assert.equal(await instant('2026-02-11T01:14:06.123456789', 'UTC', true), '2026-02-11T01:14:06.123Z');
    assert.equal(await instant('2026-02-11T01:14', 'America/New_York', true), '2026-02-11T06:14:00.000Z');
    assert.equal(await instant('2026-07-29T18:30:51.123456+00:00', 'UTC', false), '2026-07-29T18:30:51.123Z');
    assert.equal(await instant('2026-02-10T12:34:56Z', 'UTC', false), '2026-02-10T12:34:56.000Z');
    assert.equal(await instant('2026-02-11T01:14:06+0530', 'UTC', false), '2026-02-10T19:44:06.000Z');
    // the same wall-clock instant via the JS helpers the generator uses
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
      for (const iso of ['2026-01-15T12:00:00Z', '2026-03-29T00:30:00Z', '2026-07-01T23:59:59Z', '2026-10-25T00:30:00Z', '2026-11-01T05:30:00Z']) {
        const ms = Date.parse(iso);
        const naive = formatNaiveLocal(ms, zone, 3);
        if (instantsOfLocal(Date.parse(`${naive}Z`), zone).length !== 1) continue; // repeated hour: ambiguous by nature
        assert.equal(await instant(naive, zone, true), new Date(ms).toISOString(), `${zone} ${naive}`);
      }
    }
    conn.closeSync();
    instance.closeSync();
  });

  it('knows zone offsets, DST gaps and repeated hours', () => {
    assert.equal(offsetMinutes('Europe/Berlin', Date.parse('2026-01-01T00:00:00Z')), 60);
    assert.equal(offsetMinutes('Europe/Berlin', Date.parse('2026-07-01T00:00:00Z')), 120);
    assert.equal(offsetMinutes('Asia/Kolkata', Date.parse('2026-07-01T00:00:00Z')), 330);
    // 2026-03-29 02:30 does not exist in Berlin; 2026-10-25 02:30 happens twice
    assert.equal(instantsOfLocal(Date.parse('2026-03-29T02:30:00Z'), 'Europe/Berlin').length, 0);
    assert.equal(instantsOfLocal(Date.parse('2026-10-25T02:30:00Z'), 'Europe/Berlin').length, 2);
    assert.equal(formatIsoInZone(Date.parse('2026-02-11T08:12:03.481Z'), 'Europe/Berlin'), '2026-02-11T09:12:03.481+01:00');
    assert.equal(formatIsoInZone(Date.parse('2026-02-11T08:12:03.481Z'), 'Asia/Kolkata'), '2026-02-11T13:42:03.481+05:30');
    assert.equal(formatIsoInZone(Date.parse('2026-02-11T08:12:03.481Z'), 'UTC'), '2026-02-11T08:12:03.481+00:00');
  });
});
