/**
 * Benchmark data: the seed's scales generated with the project's generator into a cache folder outside
 * the repository (reused when present), plus the same invocations written as bare JSON arrays for the
 * engine-limit measurement.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from '../src/demo/generator';

export interface Scale {
  name: 'F' | 'S' | 'M' | 'L';
  projects: number;
  records: number;
}

export const SCALES: Record<Scale['name'], Scale> = {
  /** A new user's first collection: many small projects (issue 18). */
  F: { name: 'F', projects: 50, records: 1_000 },
  S: { name: 'S', projects: 10, records: 1_000 },
  M: { name: 'M', projects: 50, records: 10_000 },
  L: { name: 'L', projects: 100, records: 100_000 },
};

/** Bump when the generator's output changes, so cached data is regenerated. */
const DATA_VERSION = 2;
const SEED = 20261121;

export function benchRoot(): string {
  return process.env.SKILL_METRICS_BENCH_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'skill-metrics-bench');
}

export interface BenchData {
  dir: string;
  projects: string[];
  /** The same invocations as bare JSON arrays, one file per project. */
  bare: string[];
  bytes: number;
  bareBytes: number;
  invocations: number;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

export async function ensureData(scale: Scale, log: (m: string) => void): Promise<BenchData> {
  const dir = path.join(benchRoot(), `${scale.name}-v${DATA_VERSION}`);
  const marker = path.join(dir, 'ready.json');
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    log(`generating ${scale.name}: ${scale.projects} projects x ${scale.records} records into ${dir} ...`);
    // JSON formats only (the seed's "~2.5 GB of JSON" at L), no workflow events: one record is one invocation.
    const projects = await generate({
      outDir: path.join(dir, 'projects'), projects: scale.projects, records: scale.records, seed: SEED,
      formats: ['v1', 'v2', 'v3'], workflowEvents: false, writerTimeZone: 'Europe/Berlin',
    });
    mkdirSync(path.join(dir, 'bare'), { recursive: true });
    let invocations = 0;
    for (const p of projects) {
      const doc = JSON.parse(readFileSync(path.join(p.dir, '.session-buddy', 'skill_metrics.json'), 'utf8')) as { invocations: unknown[] };
      invocations += doc.invocations.length;
      writeFileSync(path.join(dir, 'bare', `${p.name}.json`), JSON.stringify(doc.invocations));
    }
    writeFileSync(marker, JSON.stringify({ invocations, generated_in_s: (Date.now() - started) / 1000 }));
    log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const meta = JSON.parse(readFileSync(marker, 'utf8')) as { invocations: number };
  const projectsDir = path.join(dir, 'projects');
  const projects = readdirSync(projectsDir).sort().map((n) => path.join(projectsDir, n));
  const bare = readdirSync(path.join(dir, 'bare')).sort().map((n) => path.join(dir, 'bare', n));
  return {
    dir,
    projects,
    bare,
    bytes: folderBytes(projectsDir),
    bareBytes: bare.reduce((s, f) => s + statSync(f).size, 0),
    invocations: meta.invocations,
  };
}
