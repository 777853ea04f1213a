import assert from 'node:assert/strict';
import { MAX_IMAGE_CHARS, parseState, parseWebviewMessage } from '../../../src/views/dashboard/inbound';
import { DEFAULT_STATE } from '../../../src/core/dashboard/protocol';

const filters = { project: null, range: '30d', granularity: 'daily' };

describe('dashboard messages from the webview (zod on the host)', () => {
  it('accepts every message of the protocol', () => {
    const ok = [
      { type: 'ready', state: null },
      { type: 'ready', state: DEFAULT_STATE },
      { type: 'query', id: 1, filters, page: { kind: 'overview' }, session: null },
      { type: 'query', id: 2, filters: { ...filters, range: 'custom', since: '2026-10-01', until: '2026-10-07', project: 'abc' }, page: { kind: 'skill', skill: 'code-review' }, session: { projectId: 'p', sessionId: 's' } },
      { type: 'session', id: 3, projectId: 'p', sessionId: 's' },
      { type: 'export', chart: 'usage', format: 'csv' },
      { type: 'export', chart: 'usage', format: 'png', image: 'data:image/png;base64,iVBORw0KGgo=' },
      { type: 'export', chart: 'matrix', format: 'svg', image: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
      { type: 'command', command: 'collectNow' },
      { type: 'state', state: DEFAULT_STATE },
    ];
    for (const m of ok) assert.deepEqual(parseWebviewMessage(m), { message: m }, JSON.stringify(m));
  });

  it('refuses what does not fit, and says where', () => {
    const bad: [unknown, RegExp][] = [
      [null, /invalid/i],
      [{ type: 'eval', code: '1' }, /type/],
      [{ type: 'query', id: 1, filters, page: { kind: 'overview' }, session: null, extra: 1 }, /unrecognized|extra/i],
      [{ type: 'query', id: -1, filters, page: { kind: 'overview' }, session: null }, /^id/],
      [{ type: 'query', id: 1, filters: { ...filters, range: '3y' }, page: { kind: 'overview' }, session: null }, /filters\.range/],
      [{ type: 'query', id: 1, filters: { ...filters, range: 'custom', since: '2026-10-08', until: '2026-10-01' }, page: { kind: 'overview' }, session: null }, /since is after until/],
      [{ type: 'query', id: 1, filters: { ...filters, since: '1 Oct' }, page: { kind: 'overview' }, session: null }, /filters\.since/],
      [{ type: 'query', id: 1, filters, page: { kind: 'skill', skill: '' }, session: null }, /page\.skill/],
      [{ type: 'query', id: 1, filters, page: { kind: 'skill', skill: 'x'.repeat(501) }, session: null }, /page\.skill/],
      [{ type: 'export', chart: 'usage', format: 'png', image: 'data:text/html;base64,PHNjcmlwdD4=' }, /PNG data URL/],
      [{ type: 'export', chart: 'usage', format: 'svg', image: '<html><script>1</script></html>' }, /SVG text/],
      [{ type: 'export', chart: 'usage', format: 'csv', image: 'data:image/png;base64,AAAA' }, /CSV export none/],
      [{ type: 'export', chart: 'usage', format: 'png', image: `data:image/png;base64,${'A'.repeat(MAX_IMAGE_CHARS)}` }, /image/],
      [{ type: 'export', chart: '../../etc/passwd', format: 'csv' }, /chart/],
      [{ type: 'command', command: 'workbench.action.terminal.new' }, /command/],
    ];
    for (const [m, why] of bad) {
      const r = parseWebviewMessage(m);
      assert.equal(r.message, undefined, JSON.stringify(m).slice(0, 100));
      assert.match(r.error!, why, JSON.stringify(m).slice(0, 100));
    }
  });

  it('a restored state of another shape or version is not used (ready still goes through)', () => {
    assert.deepEqual(parseState(DEFAULT_STATE), DEFAULT_STATE);
    assert.equal(parseState({ ...DEFAULT_STATE, v: 0 }), undefined);
    assert.equal(parseState({ ...DEFAULT_STATE, sort: { column: 'nope', descending: true } }), undefined);
    assert.equal(parseState(undefined), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'ready', state: { v: 99 } }), { message: { type: 'ready', state: null } });
  });
});
