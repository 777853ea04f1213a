/**
 * Claude Code transcripts (DESIGN.md section 8, FORMATS.md section 4): the reader against hand-written
 * fixtures whose figures were worked out by hand, against the generator's ground truth, read whole and
 * in arbitrary pieces, rewritten, truncated, and fed bad input. Every test uses files it writes itself.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { GeneratedRun } from '../../../src/demo/generator';
import { generateTranscripts } from '../../../src/demo/generator';
import { claudeProjectsDir, findTranscripts } from '../../../src/ingest/claudeCode/discovery';
import type { TranscriptFileState, TranscriptRead, TranscriptReadOptions } from '../../../src/ingest/claudeCode/reader';
import { readTranscript } from '../../../src/ingest/claudeCode/reader';
import { messageHeadSchema, quickHead, quickMessageHead, quickUsage, recordHeadSchema, usageSchema } from '../../../src/ingest/claudeCode/records';
import type { AttributedUsage, TranscriptInvocation } from '../../../src/ingest/claudeCode/rules';
import { tempDir } from '../helpers';

const FIXTURES = path.resolve(__dirname, '../../fixtures/claude-code');
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';

/** A copy of a fixture in a temp dir (tests never touch the repository's files). */
function fixture(name: string, dir = tempDir()): string {
  const to = path.join(dir, name);
  copyFileSync(path.join(FIXTURES, name), to);
  return to;
}

const byId = (invs: TranscriptInvocation[]) => new Map(invs.map((i) => [i.id, i]));

/** The figures a run has, as the generator states them. */
function figures(i: TranscriptInvocation | GeneratedRun) {
  return {
    id: i.id, kind: i.kind, skill: i.skill, builtin: i.builtin, sessionId: i.sessionId, chain: i.chain, invokedAt: i.invokedAt, endedAt: i.endedAt,
    durationSeconds: i.durationSeconds, outcome: i.outcome, errorType: i.errorType, responses: i.responses, tokens: i.tokens, cwd: i.cwd,
  };
}

/** Upserts reads by id, as a store would. */
class Sink {
  readonly runs = new Map<string, TranscriptInvocation>();
  readonly usage = new Map<string, AttributedUsage>();
  add(r: TranscriptRead): void {
    for (const i of r.invocations) this.runs.set(i.id, i);
    for (const u of r.usage) this.usage.set(u.id, u);
  }
}

/** The state as a caller stores it: through JSON. */
const stored = (s: TranscriptFileState): TranscriptFileState => JSON.parse(JSON.stringify(s)) as TranscriptFileState;

describe('Claude Code transcripts: the section 8 rules on a hand-written file', () => {
  it('finds every invocation with the outcome, window, duration and tokens worked out by hand', async () => {
    const r = await readTranscript(fixture(`${S1}.jsonl`), null);
    const runs = byId(r.invocations);
    assert.deepEqual([...runs.keys()].sort(), ['slash:11111111-1111-4111-8111-111111111111:u-020', 'slash:11111111-1111-4111-8111-111111111111:u-022', 'tool:toolu_1', 'tool:toolu_2', 'tool:toolu_3', 'tool:toolu_4', 'tool:toolu_5']);
    const tok = (input: number, output: number, cacheCreation = 0, cacheRead = 0) => ({ input, output, cacheCreation, cacheRead });
    const at = (s: number) => `2026-10-05T10:00:${String(s).padStart(2, '0')}.000Z`;
    const expect = (id: string, want: Partial<TranscriptInvocation>) => {
      const got = runs.get(id)!;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof TranscriptInvocation], v, `${id}.${k}`);
    };
    // pdf (leading slash removed): its issuing response (msg_A) is in no window; msg_B counts with its last
    // record's usage, the synthetic record is a response of its own, msg_E's first record lies in the window;
    // the progress record extends the window but its nested usage is never counted; msg_D goes to code-review.
    expect('tool:toolu_1', { kind: 'tool', skill: 'pdf', builtin: false, sessionId: S1, chain: 'main', invokedAt: at(2), endedAt: at(11), durationSeconds: 9, outcome: 'completed', errorType: null, responses: 3, tokens: tok(2, 60, 0, 500), windowOpen: false, cwd: '/w/app', line: 3 });
    // input.command; the window is empty (the next call follows at once); its result comes after the window
    // closed and still fails it; msg_G's attributionSkill sends that response here.
    expect('tool:toolu_2', { skill: 'code-review', endedAt: null, durationSeconds: null, outcome: 'failed', errorType: 'Unknown skill', responses: 1, tokens: tok(3, 30, 10, 0) });
    // input.name; completed, then "[Request interrupted by user]" abandons it; msg_G's record still dates the window.
    expect('tool:toolu_3', { skill: 'tests', endedAt: at(16), durationSeconds: 3, outcome: 'abandoned', errorType: null, responses: 0, tokens: tok(0, 0) });
    expect(`slash:${S1}:u-020`, { kind: 'slash', skill: 'deploy', builtin: false, invokedAt: at(30), endedAt: at(31), durationSeconds: 1, outcome: 'completed', responses: 1, tokens: tok(5, 6) });
    // /model as a system local_command: built-in; the side chain's records do not touch its window.
    expect(`slash:${S1}:u-022`, { kind: 'slash', skill: 'model', builtin: true, endedAt: at(44), durationSeconds: 4, responses: 1, tokens: tok(7, 8) });
    expect('tool:toolu_4', { skill: 'pdf', chain: 'side', endedAt: at(45), durationSeconds: 2, outcome: 'completed', responses: 0 });
    // A record of another session closes every window; the last call has no result yet: pending, window open.
    expect('tool:toolu_5', { sessionId: S2, outcome: 'pending', windowOpen: true, endedAt: at(52), durationSeconds: 1, responses: 1, tokens: tok(1, 2) });
    assert.deepEqual(r.usage.map((u) => [u.skill, u.sessionId, u.tokens]), [['code-review', S1, tok(2, 3)]]);
    // "/review the code" without tags is a prompt; the tool result that holds <command-name> and "name":"Skill" counts nothing.
    assert.deepEqual(r.problems.map((p) => [p.line, p.message]), [[29, 'a record of a type this version does not know; skipped']]);
    assert.deepEqual({ lines: r.stats.lines, skipped: r.stats.skipped, unknownType: r.stats.unknownType, otherSession: r.stats.otherSession }, { lines: 32, skipped: 1, unknownType: 1, otherSession: 3 });
  });

  it('reads every bad line or reports it by line number, without its contents, and keeps the rest', async () => {
    const file = fixture('bad-lines.jsonl');
    const r = await readTranscript(file, null);
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message.replace(/ \(.*\)/, '')]),
      [
        [2, 'not a JSON object; skipped'],
        [4, 'text after the JSON object; skipped'],
        [5, 'record without a "type"; skipped'],
        [6, 'timestamp: not an ISO 8601 date-time; skipped'],
        [7, 'a Skill call without a usable skill name'],
        [8, 'a command record without a closed <command-name>'],
        [9, r.problems.find((p) => p.line === 9)!.message],
        [11, 'not a JSON object; skipped'],
        [13, 'not JSON; skipped'],
      ],
    );
    assert.match(r.problems.find((p) => p.line === 6)!.message, /^timestamp: not an ISO 8601/);
    assert.match(r.problems.find((p) => p.line === 9)!.message, /^message\.usage\.input_tokens: expected number/);
    for (const p of r.problems) {
      assert.equal(p.file, file);
      for (const text of ['no skill name here', 'not a time', 'this line is', 'garbage', 'never-closed', 'many', 'cut-off-text']) assert.ok(!p.message.includes(text), p.message);
    }
    const runs = byId(r.invocations);
    // The result on the garbled line 4 is lost; the later one on line 10 settles the call. The Skill call
    // without a name and the response with bad usage still count as responses in its window.
    assert.deepEqual(figures(runs.get('tool:toolu_b1')!), {
      id: 'tool:toolu_b1', kind: 'tool', skill: 'pdf', builtin: false, sessionId: 'bad-1', chain: 'main', invokedAt: '2026-10-05T11:00:01.000Z',
      endedAt: '2026-10-05T11:00:07.000Z', durationSeconds: 6, outcome: 'completed', errorType: null, responses: 2, tokens: { input: 3, output: 4, cacheCreation: 0, cacheRead: 0 }, cwd: null,
    });
    assert.equal(runs.get('slash:bad-1:b-12')!.skill, 'ok-command');
    assert.equal(r.invocations.length, 2);
    assert.equal(r.stats.invalid, 6);
  });

  it('reads lines of 1 MB and more, reports one over the limit, and walks deeply nested junk without a deep stack', async () => {
    const dir = tempDir();
    const file = path.join(dir, 's.jsonl');
    const rec = (o: object) => `${JSON.stringify({ sessionId: 's', cwd: '/w', isSidechain: false, ...o })}\n`;
    const big = 'x\\"y\n'.repeat(300_000); // ~1.5 MB of escapes once encoded
    writeFileSync(
      file,
      rec({ type: 'user', uuid: 'a', timestamp: '2026-10-05T12:00:00.000Z', message: { role: 'user', content: 'go' } }) +
        rec({ type: 'assistant', uuid: 'b', timestamp: '2026-10-05T12:00:01.000Z', requestId: 'r1', message: { id: 'm1', content: [{ type: 'tool_use', id: 'toolu_big', name: 'Skill', input: { skill: 'pdf', args: big } }], usage: { input_tokens: 1, output_tokens: 1 } } }) +
        rec({ type: 'user', uuid: 'c', timestamp: '2026-10-05T12:00:02.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_big', content: big, is_error: true }] } }) +
        `${'['.repeat(200_000)}${']'.repeat(200_000)}\n` +
        `{"type":"user","sessionId":"s","deep":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}\n` +
        rec({ type: 'user', uuid: 'd', timestamp: '2026-10-05T12:00:03.000Z', message: { role: 'user', content: [{ type: 'text', text: 'y'.repeat(3_000_000) }] } }) +
        rec({ type: 'assistant', uuid: 'e', timestamp: '2026-10-05T12:00:04.000Z', requestId: 'r2', message: { id: 'm2', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 2, output_tokens: 2 } } }),
    );
    const r = await readTranscript(file, null, { maxLineBytes: 2_500_000, chunkBytes: 64 * 1024 });
    assert.ok(statSync(file).size > 6_000_000);
    assert.deepEqual(r.problems.map((p) => p.line), [4, 5, 6]);
    assert.match(r.problems[0]!.message, /^not a JSON object/);
    assert.match(r.problems[1]!.message, /^not JSON \(nested deeper than 512 levels\)/);
    assert.match(r.problems[2]!.message, /^a line of 2\.9 MB, longer than 2 MB; skipped/);
    const run = r.invocations.find((i) => i.id === 'tool:toolu_big')!;
    // The 1.5 MB result fails the call; the over-long prompt (line 6) is lost, so the window runs on to line 7.
    assert.deepEqual([run.outcome, run.errorType, run.endedAt, run.responses, run.tokens.input], ['failed', 'error', '2026-10-05T12:00:04.000Z', 1, 2]);
    assert.equal(r.stats.tooLong, 1);
  });
});

describe('Claude Code transcripts: ground truth from the generator', () => {
  let dir: string;
  let truth: ReturnType<typeof generateTranscripts>;
  before(() => {
    dir = tempDir();
    truth = generateTranscripts({ outDir: dir, projects: 3, sessions: 4, turns: 30, seed: 11 });
  });

  it('the generated data holds every shape the rules distinguish', () => {
    const runs = truth.runs;
    for (const outcome of ['completed', 'failed', 'abandoned', 'pending']) assert.ok(runs.some((r) => r.outcome === outcome), outcome);
    for (const type of ['Unknown skill', 'not a prompt-based skill', 'Bash command failed']) assert.ok(runs.some((r) => r.errorType === type), type);
    assert.ok(runs.some((r) => r.kind === 'slash' && r.builtin) && runs.some((r) => r.kind === 'slash' && !r.builtin));
    assert.ok(runs.some((r) => r.chain === 'side') && runs.some((r) => r.durationSeconds === null));
    assert.ok(truth.files.some((f) => f.subagent) && truth.files.some((f) => f.noFinalNewline));
    assert.ok(truth.attributions.length > 0);
    const all = truth.files.map((f) => readFileSync(f.path, 'utf8')).join('');
    for (const type of ['"progress"', '"file-history-snapshot"', '"summary"', '"pr-link"', '"last-prompt"', '"queue-operation"', '<synthetic>', '"attributionSkill"', '"local_command"', '"isCompactSummary"']) {
      assert.ok(all.includes(type), type);
    }
  });

  it('finds main and subagent files and reads every run with the generator\'s figures', async () => {
    const found = await findTranscripts(dir);
    assert.equal(found.exists, true);
    assert.deepEqual(found.files.map((f) => f.path).sort(), truth.files.map((f) => f.path).sort());
    assert.deepEqual(found.files.filter((f) => f.subagent).map((f) => f.sessionId).sort(), truth.files.filter((f) => f.subagent).map((f) => f.sessionId).sort());
    const sink = new Sink();
    for (const f of found.files) {
      const r = await readTranscript(f.path, null);
      assert.deepEqual(r.problems, [], f.path);
      sink.add(r);
    }
    assert.equal(sink.runs.size, truth.runs.length);
    for (const want of truth.runs) assert.deepEqual(figures(sink.runs.get(want.id)!), figures(want), want.id);
    const usage = [...sink.usage.values()].map((u) => [u.skill, u.sessionId, u.tokens]).sort();
    assert.deepEqual(usage, truth.attributions.map((a) => [a.skill, a.sessionId, a.tokens]).sort());
  });

  it('read in arbitrary pieces (cut mid-line, state through JSON) gives the same runs as one read, never doubled', async () => {
    const work = tempDir();
    let pieces = 0;
    for (const f of truth.files) {
      const whole = readFileSync(f.path);
      const copy = path.join(work, `${pieces}-${path.basename(f.path)}`);
      mkdirSync(path.dirname(copy), { recursive: true });
      writeFileSync(copy, '');
      const once = await readTranscript(f.path, null);
      const sink = new Sink();
      let state: TranscriptFileState | null = null;
      let at = 0;
      let step = 0;
      while (at < whole.length) {
        const next = Math.min(whole.length, at + 1 + ((step++ * 7919 + whole.length) % 20_000));
        appendFileSync(copy, whole.subarray(at, next));
        at = next;
        const r = await readTranscript(copy, state);
        assert.equal(r.reset, false);
        assert.deepEqual(r.problems, []);
        sink.add(r);
        state = stored(r.state);
        pieces++;
      }
      // Nothing new: an empty read.
      const again = await readTranscript(copy, state);
      assert.deepEqual([again.invocations.length, again.stats.bytes], [0, 0]);
      assert.deepEqual([...sink.runs.values()].map((i) => ({ ...i, line: 0 })), once.invocations.map((i) => ({ ...i, line: 0 })), f.path);
      assert.deepEqual([...sink.runs.values()].map((i) => i.line), once.invocations.map((i) => i.line));
      assert.equal(state!.line, once.state.line);
    }
    assert.ok(pieces > truth.files.length * 3, `${pieces} reads`);
  });

  it('a rewritten or truncated file is read again from 0, with the same ids (nothing doubled)', async () => {
    const work = tempDir();
    const src = truth.files.filter((f) => !f.subagent).sort((a, b) => b.bytes - a.bytes)[0]!;
    const file = path.join(work, path.basename(src.path));
    copyFileSync(src.path, file);
    const first = await readTranscript(file, null);
    const ids = first.invocations.map((i) => i.id);
    // Truncated (a shorter file): read from 0, the runs before the cut come again with the same ids.
    const bytes = readFileSync(src.path);
    const cut = bytes.indexOf(0x0a, Math.floor(bytes.length / 2)) + 1;
    truncateSync(file, cut);
    const shorter = await readTranscript(file, stored(first.state));
    assert.deepEqual([shorter.reset, shorter.from], [true, 0]);
    assert.ok(shorter.invocations.length > 0 && shorter.invocations.every((i) => ids.includes(i.id)));
    // Rewritten with the same bytes after a changed first line (same size): the fingerprint notices.
    copyFileSync(src.path, file);
    const full = await readTranscript(file, null);
    const changed = Buffer.from(bytes);
    const i = changed.indexOf('"userType":"external"');
    changed.write('"userType":"externaX"', i);
    writeFileSync(file, changed);
    const rewritten = await readTranscript(file, stored(full.state));
    assert.equal(rewritten.reset, true);
    assert.deepEqual(rewritten.invocations.map((x) => x.id).sort(), ids.slice().sort());
    // Grown by appending only: no reset.
    appendFileSync(file, `${JSON.stringify({ type: 'user', sessionId: 'z', uuid: 'zz', timestamp: '2026-12-01T00:00:00.000Z', message: { role: 'user', content: 'more' } })}\n`);
    const grown = await readTranscript(file, stored(rewritten.state));
    assert.deepEqual([grown.reset, grown.from], [false, rewritten.state.offset]);
  });

  it('the resume state stays small however long the file is', async () => {
    const small = tempDir();
    const large = tempDir();
    const a = generateTranscripts({ outDir: small, projects: 1, sessions: 1, turns: 20, seed: 3, bigResultBytes: 0 });
    const b = generateTranscripts({ outDir: large, projects: 1, sessions: 1, turns: 1500, seed: 3, bigResultBytes: 0 });
    const size = async (f: string) => JSON.stringify((await readTranscript(f, null)).state).length;
    const sa = await size(a.files.find((f) => !f.subagent)!.path);
    const sb = await size(b.files.find((f) => !f.subagent)!.path);
    assert.ok(b.files.find((f) => !f.subagent)!.bytes > 50 * a.files.find((f) => !f.subagent)!.bytes);
    assert.ok(sb < 400_000, `state of the long file: ${sb} bytes (short file: ${sa})`);
  });
});

describe('Claude Code transcripts: privacy', () => {
  it('no prompt, argument, tool input or output, or file text reaches the records, the problems or the state', async () => {
    const marker = 'PRIVATE-MARKER-7f3a';
    const dir = tempDir();
    const g = generateTranscripts({ outDir: dir, projects: 2, sessions: 3, turns: 40, seed: 5, marker, bigResultBytes: 50_000 });
    const raw = g.files.map((f) => readFileSync(f.path, 'utf8')).join('\n');
    // The marker is in every text position the generator writes (so this test can fail).
    const positions = ['"text":"[^"]*PRIVATE', '"args":"[^"]*PRIVATE', '"command":"[^"]*PRIVATE', '"file_path":"[^"]*PRIVATE', '"content":"[^"]*PRIVATE', '"thinking":"[^"]*PRIVATE',
      '"summary":"[^"]*PRIVATE', '"lastPrompt":"[^"]*PRIVATE', '"prUrl":"[^"]*PRIVATE', '"stdout":"[^"]*PRIVATE', '"data":"[^"]*PRIVATE', '<command-args>[^<]*PRIVATE',
      '<local-command-stdout>[^<]*PRIVATE', '"prompt":"[^"]*PRIVATE', 'Unknown skill: [^<]*PRIVATE|is not a prompt-based skill PRIVATE|exit code 1</tool_use_error> PRIVATE', '"toolUseResult":"Error: [^"]*PRIVATE'];
    for (const p of positions) assert.match(raw, new RegExp(p), p);
    // Also in files cut mid-line and in bad lines.
    const extra = path.join(dir, 'x', 'bad.jsonl');
    mkdirSync(path.dirname(extra), { recursive: true });
    writeFileSync(extra, `${marker} not json\n{"type":"${marker}"}\n{"type":"user","timestamp":"${marker}"}\n{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Skill","input":{"skill":"${marker} text"}}]}}\n{"type":"user","message":{"content":"<command-name>/x ${marker}</command-name>"}}\n{"type":"user","message":{"content":"${marker}`);
    const found = await findTranscripts(dir);
    let out = '';
    for (const f of found.files) {
      const r = await readTranscript(f.path, null);
      const half = await readTranscript(f.path, null, { chunkBytes: 4096 });
      out += JSON.stringify(r) + JSON.stringify(half);
    }
    assert.ok(out.length > 10_000 && out.includes('"tokens"'));
    assert.equal(out.includes(marker), false, 'the marker leaked into the output');
    assert.equal(out.includes('PRIVATE'), false);
  });
});

describe('Claude Code transcripts: where they are', () => {
  it('the projects dir: the given one, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects', () => {
    assert.equal(claudeProjectsDir('/data/cc', { CLAUDE_CONFIG_DIR: '/etc/cc' }, '/home/u'), path.resolve('/data/cc'));
    assert.equal(claudeProjectsDir(null, { CLAUDE_CONFIG_DIR: '/etc/cc' }, '/home/u'), path.resolve('/etc/cc/projects'));
    assert.equal(claudeProjectsDir('  ', { CLAUDE_CONFIG_DIR: '' }, '/home/u'), path.join('/home/u', '.claude', 'projects'));
  });

  it('lists main and subagent transcripts only; a missing dir is no problem', async () => {
    const dir = tempDir();
    const write = (rel: string) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), '');
    };
    write('-w-app/aaa.jsonl');
    write('-w-app/aaa/subagents/agent-1.jsonl');
    write('-w-app/aaa/tool-results/x.txt');
    write('-w-app/notes.txt');
    write('-w-lib/bbb.jsonl');
    write('stray.jsonl');
    const found = await findTranscripts(dir);
    assert.deepEqual(
      found.files.map((f) => [path.relative(dir, f.path), f.project, f.sessionId, f.subagent]),
      [
        [path.join('-w-app', 'aaa.jsonl'), '-w-app', 'aaa', false],
        [path.join('-w-app', 'aaa', 'subagents', 'agent-1.jsonl'), '-w-app', 'aaa', true],
        [path.join('-w-lib', 'bbb.jsonl'), '-w-lib', 'bbb', false],
      ],
    );
    assert.deepEqual(found.problems, []);
    const missing = await findTranscripts(path.join(dir, 'nope'));
    assert.deepEqual([missing.exists, missing.files, missing.problems], [false, [], []]);
    assert.deepEqual(readdirSync(dir).sort(), ['-w-app', '-w-lib', 'stray.jsonl']);
  });
});

describe('Claude Code transcripts: a line being written', () => {
  const line = (o: object) => JSON.stringify({ sessionId: 's', cwd: '/w', ...o });
  const call = line({ type: 'assistant', uuid: 'a', timestamp: '2026-10-05T12:00:01.000Z', requestId: 'r', message: { id: 'm', content: [{ type: 'tool_use', id: 'toolu_p', name: 'Skill', input: { skill: 'pdf' } }], usage: { input_tokens: 1, output_tokens: 1 } } });
  const ok = line({ type: 'user', uuid: 'b', timestamp: '2026-10-05T12:00:02.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_p', content: 'Launching skill: pdf' }] } });
  const opts: TranscriptReadOptions = {};

  it('keeps a partial last line for the next read, and finishes it once complete', async () => {
    const file = path.join(tempDir(), 's.jsonl');
    writeFileSync(file, `${call}\n${ok.slice(0, 40)}`);
    const first = await readTranscript(file, null, opts);
    assert.deepEqual([first.state.offset, first.state.line, first.stats.partialBytes], [call.length + 1, 1, 40]);
    assert.equal(first.invocations[0]!.outcome, 'pending');
    appendFileSync(file, `${ok.slice(40)}\n`);
    const second = await readTranscript(file, stored(first.state), opts);
    assert.deepEqual([second.from, second.problems, second.invocations[0]!.outcome, second.state.line], [call.length + 1, [], 'completed', 2]);
  });

  it('uses a whole record without a final newline at once, and does not read it twice when the newline comes', async () => {
    const file = path.join(tempDir(), 's.jsonl');
    writeFileSync(file, `${call}\n${ok}`);
    const first = await readTranscript(file, null, opts);
    assert.deepEqual([first.invocations[0]!.outcome, first.state.line, first.state.lineOpen, first.state.offset], ['completed', 2, true, statSync(file).size]);
    const next = line({ type: 'user', uuid: 'c', timestamp: '2026-10-05T12:00:09.000Z', message: { role: 'user', content: 'next prompt' } });
    appendFileSync(file, `\n${next}\n`);
    const second = await readTranscript(file, stored(first.state), opts);
    assert.deepEqual(second.problems, []);
    assert.deepEqual([second.state.line, second.state.lineOpen, second.invocations.length], [3, false, 1]);
    assert.equal(second.invocations[0]!.windowOpen, false);
    assert.equal(second.invocations[0]!.endedAt, '2026-10-05T12:00:02.000Z');
  });
});

describe('Claude Code transcripts: the quick checks agree with the zod schemas', () => {
  it('accepts exactly what zod accepts, for good and bad heads, usages and message heads', () => {
    const heads: Record<string, unknown>[] = [
      { type: 'user' }, { type: 'user', uuid: 'u', sessionId: 's', cwd: '/w', timestamp: '2026-10-05T10:00:00.000Z', isSidechain: true, isMeta: null },
      { type: 3 }, { type: 'user', uuid: '' }, { type: 'user', uuid: 'x'.repeat(301) }, { type: 'user', timestamp: 'yesterday' }, { type: 'user', timestamp: 5 },
      { type: 'user', isSidechain: 'yes' }, { type: 'user', cwd: 'c'.repeat(5000) }, { type: 'user', requestId: '' }, { type: 'user', subtype: 's'.repeat(101) },
      { type: 'user', attributionSkill: 7 }, { type: 'user', timestamp: '2026-02-30T10:00:00Z' }, { type: 'user', sessionId: Symbol('too long') },
    ];
    for (const h of heads) assert.equal(quickHead(h) !== null, recordHeadSchema.safeParse(h).success, JSON.stringify(h));
    const usages: unknown[] = [{}, { input_tokens: 1, output_tokens: 0 }, { input_tokens: -1 }, { output_tokens: '5' }, { cache_read_input_tokens: Infinity }, { cache_creation_input_tokens: null }, [], 'x', null];
    for (const u of usages) assert.equal(quickUsage(u) !== null, usageSchema.safeParse(u).success, JSON.stringify(u));
    const messages = [{ id: 'm', model: 'x' }, { id: '', model: 'x' }, { id: 5, model: null }, { id: undefined, model: 'm'.repeat(301) }, { id: null, model: undefined }];
    for (const m of messages) assert.equal(quickMessageHead(m) !== null, messageHeadSchema.safeParse(m).success, JSON.stringify(m));
  });
});
