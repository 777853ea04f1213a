/**
 * `npm run bench [-- --scale F|S|M|L] [--runs N]`: DESIGN section 7. Generates the seed's scales (cached)
 * and F (50 projects x 1k records, a new user's first collection: cold collection only), measures this
 * engine over several runs (median), and prints it beside DuckDB's read_json over the same files, the
 * upstream design's collector and the engine limit, with the goals. Not part of `npm test`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { compareSkill } from '../src/analytics/compare';
import type { AggregateRun } from '../src/analytics/derived';
import { computeAggregates } from '../src/analytics/derived';
import { effectiveness } from '../src/analytics/effectiveness';
import { skillGraph } from '../src/analytics/graph';
import { recommendations } from '../src/analytics/recommendations';
import { sessions } from '../src/analytics/sessions';
import { Store } from '../src/analytics/store';
import { topSkills } from '../src/analytics/topSkills';
import { trends } from '../src/analytics/trends';
import { overviewPayload, skillPayload } from '../src/core/dashboard/payloads';
import { formatNaiveLocal } from '../src/common/zonedTime';
import { engineLimit, readJsonWrapped, upstreamCollector } from './baselines';
import type { BenchData, Scale } from './data';
import { SCALES, benchRoot, ensureData } from './data';

const ROOT = path.resolve(__dirname, '..');
const ZONE = 'Europe/Berlin';

interface Row {
  scale: string;
  what: string;
  value: string;
  reader?: string;
  upstream?: string;
  limit?: string;
  goal?: string;
  met?: boolean;
  note?: string;
}

const rows: Row[] = [];
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const rate = (x: number) => `${Math.round(x / 1000).toLocaleString('en-US')}k rec/s`;

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function timeMedian(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await time(fn))[0]);
  return median(times);
}

interface CollectRun {
  code: number;
  records_added: number;
  records_seen: number;
  files_read: number;
  duration_ms: number;
  /** From the process's start until the CLI is loaded. */
  start_ms: number;
  /** The command itself, the database closed and written out included. */
  wall_ms: number;
  max_rss_kb: number;
  problems: unknown[];
}

function collectChild(db: string, dirs: string[]): CollectRun {
  const child = path.join(ROOT, 'bench', 'collectChild.cjs');
  const r = spawnSync(process.execPath, [child, db, ...dirs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`collect failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as CollectRun;
}

/** Appends 1k new invocations to a project's v1 file (as a writer rewriting it would). */
function grow(project: string, round: number): void {
  const file = path.join(project, '.session-buddy', 'skill_metrics.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { invocations: Record<string, unknown>[] };
  const start = Date.parse('2026-11-21T00:00:00Z') + round * 86_400_000;
  for (let i = 0; i < 1000; i++) {
    doc.invocations.push({
      skill_name: `grown-${i % 7}`, invoked_at: formatNaiveLocal(start + i * 1000, ZONE, 6), workflow_path: 'daily', completed: i % 5 !== 0,
      duration_seconds: 3 + (i % 17), follow_up_actions: i % 3 ? [] : ['git commit'], error_type: i % 5 === 0 ? 'timeout' : null,
    });
  }
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

async function benchScale(scale: Scale, runs: number): Promise<void> {
  const data: BenchData = await ensureData(scale, log);
  const work = path.join(benchRoot(), `work-${scale.name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const label = `${scale.name} (${scale.projects} x ${scale.records.toLocaleString('en-US')})`;
  log(`${label}: ${data.invocations.toLocaleString('en-US')} records, ${(data.bytes / 1e9).toFixed(2)} GB of JSON`);

  // Baselines: the engine limit and DuckDB's reader on the same wrapped files, alternately; the upstream collector
  const limitRuns: number[] = [];
  const readerRuns: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    limitRuns.push((await engineLimit(data.bare, work, data.invocations)).seconds);
    readerRuns.push((await readJsonWrapped(data.projects, work, data.invocations)).seconds);
  }
  const limitSeconds = median(limitRuns);
  const readerSeconds = median(readerRuns);
  const limit = data.invocations / limitSeconds;
  const upstream = scale.name === 'F' ? null : await upstreamCollector(data.projects, work, scale.name === 'S' ? 2000 : 5000);
  log(`engine limit ${rate(limit)}, DuckDB read_json on the wrapped files ${rate(data.invocations / readerSeconds)}${upstream ? `, upstream ${upstream.perSecond.toFixed(0)} rec/s` : ''}`);

  // Cold collect (the CLI in a child process, as a user runs it)
  const db = path.join(work, 'skill_metrics.duckdb');
  const cold: CollectRun[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    const r = collectChild(db, data.projects);
    if (r.problems.length) throw new Error(`problems: ${JSON.stringify(r.problems).slice(0, 500)}`);
    if (r.records_added !== data.invocations) throw new Error(`cold collect stored ${r.records_added} of ${data.invocations} records`);
    cold.push(r);
    log(`cold collect ${i + 1}/${runs}: ${r.records_added} in ${ms(r.wall_ms)} (after ${ms(r.start_ms)} of process start), peak RSS ${(r.max_rss_kb / 1024).toFixed(0)} MB`);
  }
  const coldMs = median(cold.map((r) => r.wall_ms));
  const coldRate = data.invocations / (coldMs / 1000);
  const rss = Math.max(...cold.map((r) => r.max_rss_kb)) / 1024;
  const goals: Partial<Record<Scale['name'], [string, boolean]>> = {
    F: ['< 500 ms (process start apart)', coldMs < 500],
    M: ['no slower than DuckDB read_json on the same files', coldMs / 1000 <= readerSeconds],
    L: ['>= 200k rec/s and >= 50% of the limit', coldRate >= 200_000 && coldRate >= limit / 2],
  };
  const upstreamSeconds = upstream ? data.invocations / upstream.perSecond : 0;
  rows.push({
    scale: label, what: 'cold collect (the command, database written out)', value: `${ms(coldMs)} = ${rate(coldRate)}`,
    reader: `${ms(readerSeconds * 1000)} = ${rate(data.invocations / readerSeconds)} (engine ${(readerSeconds / (coldMs / 1000)).toFixed(2)}x its speed)`,
    upstream: upstream
      ? `${upstreamSeconds >= 3600 ? `${(upstreamSeconds / 3600).toFixed(1)} h` : ms(upstreamSeconds * 1000)} = ${upstream.perSecond.toFixed(0)} rec/s (${(coldRate / upstream.perSecond).toFixed(0)}x slower)`
      : undefined,
    limit: `${ms(limitSeconds * 1000)} = ${rate(limit)} (engine at ${((coldRate / limit) * 100).toFixed(0)}%)`,
    goal: goals[scale.name]?.[0],
    met: goals[scale.name]?.[1],
    note: 'the CLI in a child process, from its arguments to its exit code, the database closed; its process start is the row below',
  });
  rows.push({
    scale: label, what: 'CLI process start (before it)', value: ms(median(cold.map((r) => r.start_ms))),
    note: 'node starting and loading the CLI bundle and DuckDB, until the command begins',
  });
  rows.push({ scale: label, what: 'peak RSS (cold collect)', value: `${rss.toFixed(0)} MB`, goal: scale.name === 'L' ? '< 1 GB' : undefined, met: scale.name === 'L' ? rss < 1024 : undefined });
  if (scale.name === 'F') return; // a first collection only

  // Re-collect with no change
  const again: number[] = [];
  for (let i = 0; i < Math.max(runs, 5); i++) {
    const r = collectChild(db, []);
    if (r.records_added !== 0) throw new Error('re-collect added records');
    again.push(r.duration_ms);
  }
  rows.push({ scale: label, what: 're-collect, no change', value: ms(median(again)), goal: '< 200 ms', met: median(again) < 200 });

  // Aggregate every window (full recompute) and the derived sessions, pairs, transitions
  const store = new Store({ path: db, displayTimeZone: ZONE, lingerMs: 600_000 });
  const fullRuns: AggregateRun[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) fullRuns.push(await store.write((d) => computeAggregates(d, { full: true })));
  const aggMs = median(fullRuns.map((r) => r.aggregates_ms));
  const sessMs = median(fullRuns.map((r) => r.sessions_ms));
  rows.push({ scale: label, what: 'aggregate, every window (full)', value: ms(aggMs), goal: scale.name === 'L' ? '< 10 s' : undefined, met: scale.name === 'L' ? aggMs < 10_000 : undefined });
  rows.push({
    scale: label, what: 'sessions, co-usage, transitions (full)', value: ms(sessMs),
    note: 'derived with the aggregates; after a collection only the changed projects are recomputed (see the refresh row)',
  });
  store.close();

  // Re-collect after one project's file grew by 1k records, then the incremental refresh the editor runs
  const grownProject = data.projects[0]!;
  const grownFile = path.join(grownProject, '.session-buddy', 'skill_metrics.json');
  copyFileSync(grownFile, path.join(work, 'original.json'));
  const grew: number[] = [];
  const refresh: number[] = [];
  try {
    for (let i = 0; i < Math.max(runs, 3); i++) {
      grow(grownProject, i);
      const r = collectChild(db, []);
      if (r.records_added !== 1000) throw new Error(`expected 1000 new records, got ${r.records_added}`);
      grew.push(r.duration_ms);
      const run = await store.write((d) => computeAggregates(d, {}));
      if (run.projects !== 1) throw new Error(`expected one project to refresh, got ${run.projects}`);
      refresh.push(run.duration_ms);
      store.close();
    }
  } finally {
    copyFileSync(path.join(work, 'original.json'), grownFile);
  }
  rows.push({ scale: label, what: 're-collect, one file +1k records', value: ms(median(grew)), goal: '< 1 s', met: median(grew) < 1000 });
  rows.push({ scale: label, what: 'refresh after it (incremental aggregate)', value: ms(median(refresh)) });

  // Questions, with the file open as the extension keeps it during a burst (the first open is measured apart)
  const [openMs] = await time(() => store.read(async () => 1));
  const top = (await store.read((d) => topSkills(d, { limit: 1 })))[0]!.skill_name;
  const q = async (what: string, goal: number, fn: () => Promise<unknown>, n = 5) => {
    await fn();
    const t = await timeMedian(n, fn);
    rows.push({ scale: label, what, value: ms(t), goal: `< ${goal} ms`, met: t < goal });
  };
  await q('top skills (from aggregates)', 50, () => store.read((d) => topSkills(d, { limit: 10 })), 20);
  await q(`effectiveness (${top})`, 500, () => store.read((d) => effectiveness(d, top, { minEvidence: 5 })));
  await q('compare', 500, () => store.read((d) => compareSkill(d, top)));
  await q('sessions (latest 20)', 500, () => store.read((d) => sessions(d, { limit: 20 })));
  await q('graph', 500, () => store.read((d) => skillGraph(d, {})));
  await q('recommendations', 500, () => store.read((d) => recommendations(d, { minEvidence: 5 })));
  await q('trends', 500, () => store.read((d) => trends(d, {})));
  // The dashboard: exactly what the panel asks the host for, one view at a time.
  const view = { minEvidence: 5, zone: ZONE };
  await q('dashboard: overview, all projects, 30 days', 1000, () =>
    overviewPayload(store, { project: null, range: '30d', granularity: 'daily' }, null, view), 3);
  await q('dashboard: overview, all projects, all time', 1000, () =>
    overviewPayload(store, { project: null, range: 'all', granularity: 'weekly' }, null, view), 3);
  await q(`dashboard: skill page (${top})`, 1000, () => skillPayload(store, top, { project: null, range: '30d', granularity: 'daily' }, null, view), 3);
  rows.push({ scale: label, what: 'database open (first query of a burst)', value: ms(openMs), note: 'paid once per burst; the file is not held while idle' });
  store.close();
}

function printTable(meta: Record<string, string>): string {
  const lines = [
    `Skill Metrics benchmark — ${meta.date}`,
    `machine: ${meta.cpus} cores (${meta.cpu}), ${meta.memory}; node ${meta.node}; DuckDB ${meta.duckdb}`,
    '',
    '| scale | measurement | this engine | DuckDB read_json, same files | upstream collector | engine limit | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.scale} | ${r.what} | ${r.value} | ${r.reader ?? ''} | ${r.upstream ?? ''} | ${r.limit ?? ''} | ${r.goal ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
    ),
  ];
  const notes = [...new Set(rows.filter((r) => r.note).map((r) => `- ${r.what}: ${r.note}`))];
  return [...lines, '', 'DuckDB read_json, same files: read_json over the same wrapped files, unnest(invocations) into an on-disk table, checkpointed (no validation, ids or time zones).',
    'Upstream collector: one INSERT per record (prepared, autocommit) through @duckdb/node-api, measured on a sample and extrapolated.',
    'Engine limit: DuckDB read_json over the same records as bare JSON arrays into an on-disk table, checkpointed.', ...notes].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string' }, runs: { type: 'string' } } });
  const scales = values.scale ? values.scale.split(',').map((s) => SCALES[s.toUpperCase() as Scale['name']]) : [SCALES.F, SCALES.S, SCALES.M, SCALES.L];
  if (scales.some((s) => !s)) throw new Error('--scale takes F, S, M or L (comma-separated)');
  for (const scale of scales) await benchScale(scale!, Number(values.runs ?? (scale!.name === 'L' ? 3 : 5)));
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const probe = await DuckDBInstance.create(':memory:');
  const conn = await probe.connect();
  const duckdb = String((await conn.runAndReadAll('SELECT version()')).getRows()[0]![0]);
  conn.closeSync();
  probe.closeSync();
  const meta = {
    date: new Date().toISOString(), cpus: String(os.availableParallelism()), cpu: os.cpus()[0]?.model ?? '?',
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`, node: process.version, duckdb,
  };
  const table = printTable(meta);
  process.stdout.write(`\n${table}\n`);
  const out = path.join(ROOT, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latest.md'), `${table}\n`);
  writeFileSync(path.join(out, 'latest.json'), JSON.stringify({ meta, rows }, null, 2));
  log(`written to ${path.relative(ROOT, out)}/latest.{md,json}`);
}

if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { stdio: 'inherit', cwd: ROOT });
main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exitCode = 1;
});
