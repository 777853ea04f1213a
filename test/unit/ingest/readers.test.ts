import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { SealedBatch } from '../../../src/common/recordBatch';
import { BatchBuilder, NULL_CODE, TzMode } from '../../../src/common/recordBatch';
import type { InvocationRecord } from '../../../src/common/recordBatch';
import type { LoadResult } from '../../../src/ingest/sourceLoader';
import { loadSource } from '../../../src/ingest/sourceLoader';
import type { SourceKind } from '../../../src/ingest/sourceKinds';
import { tempDir, v1, v1File, writeSource } from '../helpers';

/** Decodes a sealed batch back into plain rows, for assertions. */
function invocations(batch: SealedBatch) {
  const c = batch.invocations;
  const s = (code: number) => (code === NULL_CODE ? null : batch.dict[code]!);
  return Array.from({ length: c.length }, (_, i) => ({
    skill: s(c.skill[i]!), raw: c.invokedAtRaw[i], tz: c.tzMode[i], completed: c.completed[i] === 1,
    duration: Number.isNaN(c.duration[i]!) ? null : c.duration[i], path: s(c.workflowPath[i]!), error: s(c.errorType[i]!),
    errorRaw: s(c.errorRaw[i]!), followUps: c.followUps[i] === NULL_CODE ? [] : batch.followUpLists[c.followUps[i]!], session: s(c.session[i]!),
    format: s(c.sourceFormat[i]!), keyExtra: s(c.keyExtra[i]!),
  }));
}

function events(batch: SealedBatch) {
  const c = batch.events;
  const s = (code: number) => (code === NULL_CODE ? null : batch.dict[code]!);
  return Array.from({ length: c.length }, (_, i) => ({
    type: s(c.eventType[i]!), workflow: s(c.workflowId[i]!), node: s(c.nodeId[i]!), raw: c.tsRaw[i], session: s(c.session[i]!),
    duration: Number.isNaN(c.duration[i]!) ? null : c.duration[i], success: c.success[i] === -1 ? null : c.success[i] === 1, error: s(c.errorType[i]!),
  }));
}

async function load(file: string, kind: SourceKind): Promise<Extract<LoadResult, { status: 'parsed' }>> {
  const result = await loadSource({ path: file, kind, maxBytes: 50 << 20, previousHash: null, retryDelaysMs: [] });
  assert.equal(result.status, 'parsed', result.status === 'problem' ? result.message : '');
  return result as Extract<LoadResult, { status: 'parsed' }>;
}

describe('readers', () => {
  it('reads Crackerjack v1 exactly as written (no session, naive local, advisory skills ignored)', async () => {
    const root = tempDir();
    const file = writeSource(root, 'skill_metrics.json', {
      ...v1File([
        v1({ follow_up_actions: ['git commit', ' run tests ', ''], duration_seconds: 165.3 }),
        v1({ skill_name: 'session-checkpoint', invoked_at: '2026-02-11T09:15:40', completed: false, duration_seconds: null, workflow_path: 'quick' }),
        v1({ invoked_at: '2026-02-11T09:20:00', completed: false, error_type: 'ValueError: bad value 3', duration_seconds: 0 }),
      ]),
      skills: { 'crackerjack-run': { total_invocations: 99, completion_rate: 12.5 } },
    });
    const r = await load(file, 'skill_metrics');
    assert.equal(r.format, 'v1');
    assert.equal(r.seen, 3);
    const rows = invocations(r.batch);
    assert.deepEqual(rows[0], {
      skill: 'crackerjack-run', raw: '2026-02-11T09:12:03.481220', tz: TzMode.SourceLocal, completed: true, duration: 165.3, path: 'daily',
      error: null, errorRaw: null, followUps: ['git commit', 'run tests'], session: null, format: 'v1', keyExtra: null,
    });
    assert.equal(rows[1]!.duration, null);
    assert.equal(rows[2]!.duration, 0, '0.0 is a measured duration');
    assert.equal(rows[2]!.error, 'ValueError');
    assert.equal(rows[2]!.errorRaw, 'ValueError: bad value 3');
  });

  it('reads Session Buddy v2 with sessions and never carries user_query', async () => {
    const root = tempDir();
    const secret = 'PLEASE FIX MY SECRET PAYROLL BUG';
    const file = writeSource(root, 'skill_metrics.json', {
      invocations: [
        { skill_name: 'code-review', invoked_at: '2026-03-01T10:00:00.5', session_id: 'abc', workflow_path: 'verification', completed: true,
          duration_seconds: 12, user_query: secret, alternatives_considered: ['x'], selection_rank: 1, follow_up_actions: [], error_type: null },
        { skill_name: 'code-review', invoked_at: '2026-03-01T10:05:00', session_id: 'migrated', workflow_path: null, completed: true,
          duration_seconds: 0.01, user_query: null, alternatives_considered: [], selection_rank: null, follow_up_actions: [], error_type: null },
      ],
      skills: {}, last_updated: '2026-03-01T10:05:00',
    });
    const r = await load(file, 'skill_metrics');
    assert.equal(r.format, 'v2');
    const rows = invocations(r.batch);
    assert.equal(rows[0]!.session, 'abc');
    assert.equal(rows[1]!.session, null, '"migrated" is the importer\'s placeholder, not a session');
    assert.equal(rows[1]!.duration, 0.01, 'v2 durations are measured; only v3 uses the placeholder');
    assert.ok(!r.batch.dict.some((v) => v.includes('PAYROLL')), 'user_query must never reach the batch');
    assert.ok(!JSON.stringify(r).includes('PAYROLL'));
  });

  it('reads the v3 export: placeholder 0.01 is unknown, aware and naive timestamps', async () => {
    const root = tempDir();
    const file = writeSource(root, 'skill_metrics.json', {
      invocations: [
        { skill_name: 'a', invoked_at: '2026-07-29T18:30:51.123456+00:00', session_id: 's1', workflow_path: null, completed: true, duration_seconds: 0.01, follow_up_actions: [], error_type: null },
        { skill_name: 'a', invoked_at: '2026-07-28T10:00:00', session_id: 's1', workflow_path: null, completed: false, duration_seconds: null, follow_up_actions: [], error_type: 'timeout' },
      ],
    });
    const r = await load(file, 'skill_metrics');
    assert.equal(r.format, 'v3');
    const rows = invocations(r.batch);
    assert.equal(rows[0]!.duration, null);
    assert.equal(rows[0]!.tz, TzMode.Offset);
    assert.equal(rows[1]!.tz, TzMode.SourceLocal);
  });

  it('accepts a file mixing v1 and v2 records (B4 cross-writer clobbering)', async () => {
    const root = tempDir();
    const file = writeSource(root, 'skill_metrics.json', v1File([v1(), { ...v1({ invoked_at: '2026-02-12T00:00:00' }), session_id: 's' }]));
    const r = await load(file, 'skill_metrics');
    assert.equal(r.format, 'v1+v2');
    assert.deepEqual(invocations(r.batch).map((x) => x.format), ['v1', 'v2']);
  });

  it('reads workflow events as a bare array and as {"events": [...]}', async () => {
    const root = tempDir();
    const list = [
      { event_type: 'workflow_started', workflow_id: 'crackerjack', node_id: null, timestamp: '2026-03-01T10:00:00', session_id: 'abc', metadata: {} },
      { event_type: 'node_completed', workflow_id: 'crackerjack', node_id: 'tests', timestamp: '2026-03-01T10:01:00', session_id: 'abc',
        metadata: { duration_seconds: 60, success: false, error_type: 'HookFailed: ruff', error_message: 'x' } },
    ];
    for (const [doc, format] of [[list, 'events-array'], [{ events: list }, 'events-object']] as const) {
      const r = await load(writeSource(root, 'workflow_events.json', doc), 'workflow_events');
      assert.equal(r.format, format);
      assert.deepEqual(events(r.batch), [
        { type: 'workflow_started', workflow: 'crackerjack', node: null, raw: '2026-03-01T10:00:00', session: 'abc', duration: null, success: null, error: null },
        { type: 'node_completed', workflow: 'crackerjack', node: 'tests', raw: '2026-03-01T10:01:00', session: 'abc', duration: 60, success: false, error: 'HookFailed' },
      ]);
    }
  });

  it('reads correlated_session.json, filing records under their session and ignoring synthetic keys', async () => {
    const root = tempDir();
    const file = writeSource(root, 'correlated_session.json', {
      sessions: {
        'sess-1': { session_id: 'sess-1', start_time: '2026-03-01T10:00:00', skill_invocations: [v1()], workflow_events: [
          { event_type: 'node_completed', workflow_id: 'crackerjack', node_id: 'tests', timestamp: '2026-03-01T10:01:00', session_id: null, metadata: { duration_seconds: 3 } },
        ] },
        'crackerjack-run-2026-02-11': { skill_invocations: [v1({ invoked_at: '2026-02-11T11:00:00' })], workflow_events: [] },
      },
      exported_at: '2026-03-01T12:00:00',
    });
    const r = await load(file, 'correlated_session');
    assert.equal(r.seen, 3);
    assert.deepEqual(invocations(r.batch).map((x) => [x.session, x.format]), [['sess-1', 'correlated-session'], [null, 'correlated-session']]);
    assert.equal(events(r.batch)[0]!.session, 'sess-1');
  });

  it('reads both skills.db schemas (compat plural table in a folder, storage singular table)', async () => {
    const SQL = await initSqlJs();
    const root = tempDir();
    const compat = new SQL.Database();
    compat.run(`CREATE TABLE skill_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, skill_name TEXT NOT NULL, user_query TEXT,
      workflow_phase TEXT, alternatives_considered TEXT, selection_rank INTEGER, completed BOOLEAN DEFAULT FALSE, error_type TEXT, follow_up_actions TEXT,
      created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, completed_at TIMESTAMP)`);
    compat.run(`INSERT INTO skill_invocations (session_id, skill_name, user_query, completed, error_type, follow_up_actions, created_at, completed_at) VALUES
      ('autofix-123', 'RefactoringAgent', 'secret task text', 1, NULL, '["git commit"]', '2026-02-20 10:00:00', '2026-02-20 10:00:42'),
      ('autofix-123', 'RefactoringAgent', 'secret task text', 0, 'RuntimeError: agent gave up at /x/y', '[]', '2026-02-20 10:00:00', '2026-02-20 10:00:05'),
      ('autofix-123', 'TestCreationAgent', NULL, 0, NULL, NULL, '2026-02-20 10:01:00', NULL)`);
    const compatFile = writeSource(root, 'skills.db/skills.db', Buffer.from(compat.export()));
    const c = await load(compatFile, 'skills_db');
    assert.equal(c.format, 'sqlite compat');
    const rows = invocations(c.batch);
    assert.deepEqual(rows.map((x) => [x.skill, x.raw, x.tz, x.completed, x.duration, x.error, x.followUps, x.session, x.keyExtra]), [
      ['RefactoringAgent', '2026-02-20 10:00:00', TzMode.NaiveUtc, true, 42, null, ['git commit'], 'autofix-123', 'compat:1'],
      ['RefactoringAgent', '2026-02-20 10:00:00', TzMode.NaiveUtc, false, 5, 'RuntimeError', [], 'autofix-123', 'compat:2'],
      ['TestCreationAgent', '2026-02-20 10:01:00', TzMode.NaiveUtc, false, null, null, [], 'autofix-123', 'compat:3'],
    ]);
    assert.ok(!c.batch.dict.some((v) => v.includes('secret')));

    // storage schema as after V1+V2+V4 (no V3 workflow_phase columns, B16)
    const storage = new SQL.Database();
    storage.run(`CREATE TABLE skill_invocation (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL, invoked_at TEXT NOT NULL, session_id TEXT NOT NULL,
      workflow_path TEXT, completed BOOLEAN NOT NULL DEFAULT 0, duration_seconds REAL, user_query TEXT, alternatives_considered TEXT, selection_rank INTEGER,
      follow_up_actions TEXT, error_type TEXT, created_at TEXT NOT NULL DEFAULT (datetime('now')), embedding BLOB)`);
    storage.run(`INSERT INTO skill_invocation (skill_name, invoked_at, session_id, workflow_path, completed, duration_seconds, follow_up_actions, error_type, embedding) VALUES
      ('code-review', '2026-03-01T10:00:00.25', 'migrated', 'daily', 1, 12.5, NULL, NULL, zeroblob(1536)),
      ('code-review', '2026-08-01T10:00:00+00:00', 's9', NULL, 1, 0.01, '["a","b"]', NULL, NULL),
      ('code-review', '2026-08-01T11:00:00Z', 's9', NULL, 0, NULL, 'not json', 'timeout', NULL)`);
    storage.run(`CREATE TABLE skill_metrics (skill_name TEXT, total INTEGER)`); // derived tables are never read (B14)
    storage.run(`INSERT INTO skill_metrics VALUES ('code-review', 999)`);
    const storageFile = writeSource(tempDir(), 'skills.db', Buffer.from(storage.export()));
    const s = await load(storageFile, 'skills_db');
    assert.equal(s.format, 'sqlite storage');
    assert.deepEqual(invocations(s.batch).map((x) => [x.raw, x.tz, x.duration, x.followUps, x.session, x.path]), [
      ['2026-03-01T10:00:00.25', TzMode.SourceLocal, 12.5, [], null, 'daily'],
      ['2026-08-01T10:00:00+00:00', TzMode.Offset, null, ['a', 'b'], 's9', null],
      ['2026-08-01T11:00:00Z', TzMode.Offset, null, ['not json'], 's9', null],
    ]);
  });

  it('treats a 0-byte skills.db and one without skill tables as empty, not as a problem (B13)', async () => {
    const root = tempDir();
    const empty = writeSource(root, 'skills.db', Buffer.alloc(0));
    assert.equal((await load(empty, 'skills_db')).seen, 0);
    const SQL = await initSqlJs();
    const other = new SQL.Database();
    other.run('CREATE TABLE unrelated (x INTEGER)');
    const otherFile = writeSource(tempDir(), 'skills.db', Buffer.from(other.export()));
    const r = await load(otherFile, 'skills_db');
    assert.equal(r.seen, 0);
    assert.equal(r.format, 'sqlite (no skill tables)');
  });

  it('reads rows still in the WAL of a database written by SQLite itself (python sqlite3, as upstream)', async function () {
    try {
      execFileSync('python3', ['-c', 'import sqlite3']);
    } catch {
      this.skip(); // Reason: python3 with its sqlite3 module writes the WAL-mode database this test needs; it is not installed here.
    }
    const root = tempDir();
    const dir = path.join(root, '.session-buddy', 'skills.db');
    const db = path.join(dir, 'skills.db');
    const script = path.join(root, 'write_wal.py');
    writeFileSync(script, `
import sqlite3, sys, os, shutil
os.makedirs(sys.argv[1], exist_ok=True)
db = os.path.join(sys.argv[1], 'skills.db')
c = sqlite3.connect(db)
c.execute('PRAGMA journal_mode=WAL')
c.execute("CREATE TABLE IF NOT EXISTS skill_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, skill_name TEXT NOT NULL, user_query TEXT, workflow_phase TEXT, alternatives_considered TEXT, selection_rank INTEGER, completed BOOLEAN DEFAULT FALSE, error_type TEXT, follow_up_actions TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, completed_at TIMESTAMP)")
c.commit()
c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
c.execute("INSERT INTO skill_invocations (session_id, skill_name, completed, created_at) VALUES ('s', 'checkpointed', 1, '2026-02-20 10:00:00')")
c.commit()
c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
for i in range(3):
    c.execute("INSERT INTO skill_invocations (session_id, skill_name, completed, created_at) VALUES ('s', 'in-wal-%d', 1, '2026-02-20 10:0%d:00')" % (i, i + 1))
c.commit()
c.execute("INSERT INTO skill_invocations (session_id, skill_name, completed, created_at) VALUES ('s', 'uncommitted', 1, '2026-02-20 11:00:00')")
# copy the files while the connection is open: the WAL is not checkpointed and the last insert is not committed
for suffix in ['', '-wal']:
    shutil.copy(db + suffix, db + suffix + '.copy')
c.rollback()
c.close()
for suffix in ['', '-wal']:
    shutil.move(db + suffix + '.copy', db + suffix)
if os.path.exists(db + '-shm'): os.remove(db + '-shm')
`);
    execFileSync('python3', [script, dir]);
    const r = await load(db, 'skills_db');
    assert.deepEqual(invocations(r.batch).map((x) => x.skill), ['checkpointed', 'in-wal-0', 'in-wal-1', 'in-wal-2']);
  });
});

describe('batch de-duplication', () => {
  const rec = (raw: string, over: Partial<InvocationRecord> = {}): InvocationRecord => ({
    skillName: 'a', invokedAtRaw: raw, tzMode: TzMode.SourceLocal, completed: true, durationSeconds: 1, workflowPath: null, errorType: null,
    errorRaw: null, followUps: [], sessionId: null, sourceFormat: 'v1', keyExtra: null, ...over,
  });

  it('keeps one row per key, also when a repeat comes after a long increasing run', () => {
    const b = new BatchBuilder();
    const pending = { completed: false, durationSeconds: null };
    b.addInvocation(rec('2026-01-01T00:00:01', pending));
    for (let i = 2; i <= 9; i++) b.addInvocation(rec(`2026-01-01T00:00:0${i}`));
    b.addInvocation(rec('2026-01-01T00:00:01', { durationSeconds: 42 })); // the pending one, now finished
    b.addInvocation(rec('2026-01-01T00:00:05', pending)); // a stale pending copy of a finished one: ignored
    b.addInvocation(rec('2026-01-01T00:00:05', { skillName: 'b' })); // same time, other skill: its own record
    b.addInvocation(rec('2026-01-01T00:00:05', { skillName: 'b', sessionId: 's' })); // other session: its own record
    const sealed = b.seal();
    assert.equal(sealed.invocations.length, 11);
    assert.equal(sealed.invocations.duration[0], 42);
    assert.equal(sealed.invocations.completed[4], 1);
  });
});
