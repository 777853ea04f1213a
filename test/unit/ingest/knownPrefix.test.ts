import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { collect } from '../../../src/ingest/collector';
import type { LoadResult } from '../../../src/ingest/sourceLoader';
import { loadSource } from '../../../src/ingest/sourceLoader';
import { newStore, project, tempDir, v1, v1File, writeSource } from '../helpers';

type Parsed = Extract<LoadResult, { status: 'parsed' }>;

const invs = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => v1({ invoked_at: new Date(Date.UTC(2026, 0, 1) + (from + i) * 60_000).toISOString().slice(0, 19), duration_seconds: from + i }));

async function load(file: string, prior: Parsed | null): Promise<Parsed> {
  const r = await loadSource({
    path: file, kind: 'skill_metrics', maxBytes: 1 << 28, previousHash: null, retryDelaysMs: [],
    previousPrefix: prior?.prefix ? { ...prior.prefix, format: prior.format } : null,
  });
  assert.equal(r.status, 'parsed', r.status === 'problem' ? r.message : '');
  return r as Parsed;
}

describe('known prefix: only the tail of a grown file is parsed', () => {
  it('parses a grown file from where it changed, and collects exactly the new records', async () => {
    const root = tempDir();
    const p = project(root, 'alpha');
    const file = writeSource(p, 'skill_metrics.json', v1File(invs(0, 5000)));
    const first = await load(file, null);
    assert.equal(first.tailOnly, false);
    assert.ok(first.prefix && first.prefix.records > 4000 && first.prefix.records < 5000, JSON.stringify(first.prefix));
    const store = newStore(root);
    assert.equal((await collect(store, { register: [p], sourceTimeZone: 'UTC', maxFileBytes: 1 << 28, origin: 'test' })).records_added, 5000);

    writeFileSync(file, JSON.stringify(v1File(invs(0, 5100)), null, 2));
    const grown = await load(file, first);
    assert.equal(grown.tailOnly, true);
    assert.equal(grown.seen, 5100);
    assert.equal(grown.batch.invocations.length, 5100 - first.prefix!.records, 'the tail after the known prefix, and nothing else');
    const r = await collect(store, { sourceTimeZone: 'UTC', maxFileBytes: 1 << 28, origin: 'test' });
    assert.deepEqual([r.records_seen, r.records_added], [5100, 100]);
    // the store holds exactly what a full read of the file gives
    const fresh = newStore(tempDir());
    await collect(fresh, { register: [p], sourceTimeZone: 'UTC', maxFileBytes: 1 << 28, origin: 'test' });
    const ids = async (s: typeof store) => (await s.read((db) => db.all<{ r: string }>('SELECT record_id::VARCHAR AS r FROM skill_usage ORDER BY 1'))).map((x) => x.r);
    assert.deepEqual(await ids(store), await ids(fresh));
  });

  it('parses whole when the prefix changed, the layout is not the writers\', or the file is small', async () => {
    const root = tempDir();
    const file = writeSource(root, 'skill_metrics.json', v1File(invs(0, 5000)));
    const first = await load(file, null);
    // an old record finished later (pending -> done) changes the prefix: the whole file is read
    const changed = invs(0, 5050);
    changed[3] = { ...changed[3]!, duration_seconds: 999 };
    writeFileSync(file, JSON.stringify(v1File(changed), null, 2));
    const again = await load(file, first);
    assert.equal(again.tailOnly, false);
    assert.equal(again.batch.invocations.length, 5050);
    // compact JSON: no remembered prefix
    writeFileSync(file, JSON.stringify(v1File(invs(0, 5000))));
    assert.equal((await load(file, null)).prefix, null);
    // small files are read whole
    writeFileSync(file, JSON.stringify(v1File(invs(0, 100)), null, 2));
    assert.equal((await load(file, null)).prefix, null);
  });

  it('reports an invalid record in the tail with its position in the whole file', async () => {
    const root = tempDir();
    const file = writeSource(root, 'skill_metrics.json', v1File(invs(0, 5000)));
    const first = await load(file, null);
    const grown = invs(0, 5010);
    grown[5005] = { ...grown[5005]!, completed: 'yes' };
    writeFileSync(file, JSON.stringify(v1File(grown), null, 2));
    const r = await load(file, first);
    assert.equal(r.tailOnly, true);
    assert.deepEqual([r.invalid.count, r.invalid.examples[0]], [1, 'invocations[5005]: completed: expected boolean, received string']);
  });

  it('works on a file written by Python\'s json.dumps(indent=2), as the writers do', async function () {
    try {
      execFileSync('python3', ['-c', 'import json']);
    } catch {
      this.skip(); // Reason: python3 writes the file as the upstream writers do; it is not installed here.
    }
    const root = tempDir();
    const file = path.join(root, 'skill_metrics.json');
    const script = path.join(root, 'w.py');
    writeFileSync(script, `
import json, sys
n = int(sys.argv[2])
inv = [{"skill_name": "s%d" % (i % 9), "invoked_at": "2026-01-01T00:%02d:%02d.%06d" % (i // 3600 % 60, i // 60 % 60, i), "workflow_path": None,
        "completed": i % 4 != 0, "duration_seconds": i * 0.5, "follow_up_actions": ["git commit"] if i % 3 == 0 else [], "error_type": None} for i in range(n)]
skills = {"s%d" % k: {"skill_name": "s%d" % k, "total_invocations": n // 9, "workflow_paths": {}, "common_errors": {}} for k in range(9)}
open(sys.argv[1], "w").write(json.dumps({"invocations": inv, "skills": skills, "last_updated": "2026-01-02T00:00:00"}, indent=2))
`);
    execFileSync('python3', [script, file, '4000']);
    const first = await load(file, null);
    assert.ok(first.prefix, 'a prefix is remembered for the writers\' layout');
    execFileSync('python3', [script, file, '4025']);
    const grown = await load(file, first);
    assert.equal(grown.tailOnly, true);
    assert.equal(grown.seen, 4025);
    assert.equal(grown.batch.invocations.length, 4025 - first.prefix!.records);
    assert.ok(readFileSync(file, 'utf8').includes('\n    {\n      "skill_name"'));
  });
});
