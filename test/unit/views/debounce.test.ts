import assert from 'node:assert/strict';
import { Debouncer } from '../../../src/views/debounce';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function harness(delayMs: number, maxWaitMs?: number) {
  const tracked: Promise<void>[] = [];
  const runs: string[] = [];
  const debouncer = new Debouncer<string>((p) => tracked.push(p), delayMs, maxWaitMs);
  return { debouncer, runs, tracked, settled: () => Promise.all(tracked) };
}

describe('Debouncer (the file watchers\' bursts)', () => {
  it('runs a burst of calls for one key once, with the last call\'s work, and keeps each key apart', async () => {
    const h = harness(60);
    for (let i = 0; i < 5; i++) h.debouncer.schedule('alpha', async () => void h.runs.push(`alpha ${i}`));
    h.debouncer.schedule('beta', async () => void h.runs.push('beta'));
    assert.equal(h.tracked.length, 2, 'one tracked promise per pending key, not per call');
    await h.settled();
    assert.deepEqual(h.runs.sort(), ['alpha 4', 'beta']);
  });

  it('does not wait longer than maxWait while the calls keep coming', async () => {
    const h = harness(80, 150);
    const started = Date.now();
    while (Date.now() - started < 600 && h.runs.length === 0) {
      h.debouncer.schedule('alpha', async () => void h.runs.push('ran'));
      await sleep(20);
    }
    assert.equal(h.runs.length, 1, 'it ran although a call came every 20 ms, each shorter than the delay');
  });

  it('holds its tracked promise until the work (even failing work) is done', async () => {
    const h = harness(10);
    let finish!: () => void;
    h.debouncer.schedule('alpha', () => new Promise<void>((r) => (finish = r)).then(() => Promise.reject(new Error('failed'))));
    let settled = false;
    void h.settled().then(() => (settled = true));
    await sleep(80);
    assert.equal(settled, false, 'still running');
    finish();
    await h.settled();
    assert.equal(settled, true);
  });

  it('drops pending work on dispose and releases what it tracked', async () => {
    const h = harness(50);
    h.debouncer.schedule('alpha', async () => void h.runs.push('ran'));
    h.debouncer.dispose();
    await h.settled();
    await sleep(100);
    assert.deepEqual(h.runs, []);
  });
});
