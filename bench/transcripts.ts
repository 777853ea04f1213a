/**
 * `npm run bench:transcripts [-- --mb 700] [--runs 3]`: the Claude Code transcript reader (issue 16 goals).
 *
 * - Streaming throughput of a first read (fresh state) over generated transcripts (~200 MB), in MB/s of
 *   wall time and of this process's CPU time (the second is steadier on a shared machine). The files are
 *   in the page cache (they were just written): "cold" means no reader state, not an empty OS cache.
 * - Peak RSS of a first read of one large file (default 700 MB, goal < 300 MB), measured in a child
 *   process that does nothing else, with the same for a file of a seventh of the size to show the slope.
 * - A re-read of that file after it grew by one turn (goal < 100 ms), median of several.
 *
 * Data is generated into a temp folder (never the user's ~/.claude) and deleted afterwards.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateTranscripts } from '../src/demo/generator';
import { findTranscripts } from '../src/ingest/claudeCode/discovery';
import type { TranscriptFileState } from '../src/ingest/claudeCode/reader';
import { readTranscript } from '../src/ingest/claudeCode/reader';

const log = (m: string) => process.stderr.write(`[bench:transcripts] ${m}\n`);
const MB = 1024 * 1024;
/** Bytes of generated transcript per turn (measured: ~38 KB with the default large results). */
const BYTES_PER_TURN = 38_000;

interface ChildResult {
  bytes: number;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  invocations: number;
  problems: number;
  state: TranscriptFileState;
}

/** In a child: one first read of `file`, then its figures on stdout. */
async function child(file: string): Promise<void> {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = await readTranscript(file, null);
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(c);
  const out: ChildResult = {
    bytes: r.stats.bytes, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024,
    invocations: r.invocations.length, problems: r.problems.length, state: r.state,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function readInChild(file: string): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function bigFile(dir: string, mb: number, seed: number): string {
  const t = performance.now();
  const g = generateTranscripts({ outDir: dir, projects: 1, sessions: 1, turns: Math.ceil((mb * MB) / BYTES_PER_TURN), seed });
  const main = g.files.find((f) => !f.subagent)!;
  log(`generated ${(main.bytes / MB).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return main.path;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '700' }, runs: { type: 'string', default: '3' }, child: { type: 'string' } } });
  if (values.child) return child(values.child);
  const bigMb = Number(values.mb);
  const runs = Number(values.runs);
  const root = mkdtempSync(path.join(os.tmpdir(), 'sm-bench-transcripts-'));
  const rows: string[][] = [['what', 'value', 'goal', 'met']];
  try {
    // 1. Throughput of first reads over many files.
    const corpus = path.join(root, 'corpus');
    generateTranscripts({ outDir: corpus, projects: 4, sessions: 10, turns: 130, seed: 1 });
    const files = (await findTranscripts(corpus)).files;
    const total = files.reduce((s, f) => s + f.size, 0);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      for (const f of files) await readTranscript(f.path, null);
      wall.push(performance.now() - t);
      const u = process.cpuUsage(c);
      cpu.push((u.user + u.system) / 1000);
    }
    const rate = (ms: number) => total / MB / (ms / 1000);
    rows.push([`first read, ${files.length} files, ${(total / MB).toFixed(0)} MB: MB/s (wall)`, rate(median(wall)).toFixed(0), '>= 100', String(rate(median(wall)) >= 100)]);
    rows.push(['  the same, MB/s of CPU time', rate(median(cpu)).toFixed(0), '', '']);
    rmSync(corpus, { recursive: true, force: true });

    // 2. Peak RSS: a file of a seventh of the size, then the large one.
    const smallMb = Math.max(10, Math.round(bigMb / 7));
    for (const mb of [smallMb, bigMb]) {
      const dir = path.join(root, `big-${mb}`);
      const file = bigFile(dir, mb, 2);
      const r = readInChild(file);
      const size = statSync(file).size / MB;
      rows.push([`first read of one ${size.toFixed(0)} MB file: peak RSS MB`, r.maxRssMb.toFixed(0), mb === bigMb ? '< 300' : '', mb === bigMb ? String(r.maxRssMb < 300) : '']);
      rows.push([`  its MB/s (wall / CPU)`, `${(size / (r.ms / 1000)).toFixed(0)} / ${(size / (r.cpuMs / 1000)).toFixed(0)}`, '', '']);
      if (mb !== bigMb) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      // 3. The file grows by one turn (a prompt, a Skill call and its result, a streamed answer): re-read.
      let state = r.state;
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const turn = oneTurn(i);
        appendFileSync(file, turn);
        const t = performance.now();
        const again = await readTranscript(file, state);
        times.push(performance.now() - t);
        if (again.reset || !again.invocations.some((x) => x.id === `tool:toolu_bench_${i}`)) throw new Error(`the re-read missed the new run (reset ${again.reset})`);
        state = again.state;
      }
      rows.push([`re-read after one turn (${(oneTurn(0).length / 1024).toFixed(1)} KB) of the ${size.toFixed(0)} MB file: ms (median of 7)`, median(times).toFixed(1), '< 100', String(median(times) < 100)]);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((x, c) => x.padEnd(widths[c]!)).join('  ')}\n`);
}

function oneTurn(i: number): string {
  const base = { parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/dev/code/app-1', sessionId: 'bench', version: '2.1.80', gitBranch: 'main' };
  const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 0, i, s)).toISOString();
  const usage = { input_tokens: 3, output_tokens: 120, cache_creation_input_tokens: 10, cache_read_input_tokens: 30000 };
  const lines = [
    { ...base, type: 'user', message: { role: 'user', content: 'please review the parser' }, uuid: `bu-${i}-1`, timestamp: at(0) },
    { ...base, type: 'assistant', requestId: `breq-${i}`, message: { id: `bmsg-${i}`, model: 'claude-sonnet-4-5-20250929', content: [{ type: 'tool_use', id: `toolu_bench_${i}`, name: 'Skill', input: { skill: 'code-review' } }], usage }, uuid: `bu-${i}-2`, timestamp: at(1) },
    { ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_bench_${i}`, content: 'Launching skill: code-review' }] }, toolUseResult: { success: true, commandName: 'code-review' }, uuid: `bu-${i}-3`, timestamp: at(2) },
    { ...base, type: 'assistant', requestId: `breq2-${i}`, message: { id: `bmsg2-${i}`, model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'The parser looks fine. '.repeat(40) }], usage }, uuid: `bu-${i}-4`, timestamp: at(9) },
  ];
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
