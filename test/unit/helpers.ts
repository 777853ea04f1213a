/** Shared test helpers: temp folders, a store on a real DuckDB file, the CLI in-process. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Store } from '../../src/analytics/store';
import { main } from '../../src/cli';

const created: string[] = [];

/** A fresh temp folder, removed after the run (see the root hook below). */
export function tempDir(prefix = 'sm-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function newStore(dir = tempDir(), displayTimeZone = 'UTC'): Store {
  return new Store({ path: path.join(dir, 'skill_metrics.duckdb'), displayTimeZone, lockTimeoutMs: 20_000 });
}

/** Writes `<root>/.session-buddy/<name>` (creating folders) and returns its path. */
export function writeSource(root: string, name: string, content: string | Buffer | object): string {
  const file = path.join(root, '.session-buddy', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2));
  return file;
}

export function project(root: string, name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Runs the CLI in this process against `db` (UTC unless the args say otherwise). */
export async function cli(db: string, ...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--db', db, ...args], {
    stdout: (t) => (stdout += `${t}\n`),
    stderr: (t) => (stderr += `${t}\n`),
    env: { SKILL_METRICS_SOURCE_TZ: 'UTC', SKILL_METRICS_DISPLAY_TZ: 'UTC' },
  });
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
  }
  return { code, stdout, stderr, json };
}

/** A v1 invocation (Crackerjack) with overridable fields. */
export function v1(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    skill_name: 'crackerjack-run',
    invoked_at: '2026-02-11T09:12:03.481220',
    workflow_path: 'daily',
    completed: true,
    duration_seconds: 10,
    follow_up_actions: [],
    error_type: null,
    ...overrides,
  };
}

export function v1File(invocations: Record<string, unknown>[]): object {
  return { invocations, skills: {}, last_updated: '2026-02-11T09:14:48.773014' };
}

export interface Inv {
  skill: string;
  at: string;
  ok?: boolean;
  dur?: number | null;
  err?: string | null;
  path?: string | null;
  fu?: string[];
  session?: string | null;
}

export interface Ev {
  type: string;
  at: string;
  node?: string | null;
  session?: string | null;
  dur?: number | null;
  success?: boolean | null;
}

/** Writes a project whose `.session-buddy/` holds exactly these invocations (v2 shape) and events. */
export function handBuilt(root: string, name: string, invocations: Inv[], events: Ev[] = []): string {
  const dir = project(root, name);
  writeSource(dir, 'skill_metrics.json', {
    invocations: invocations.map((i) => ({
      skill_name: i.skill, invoked_at: i.at, session_id: i.session ?? null, workflow_path: i.path ?? null, completed: i.ok ?? true,
      duration_seconds: i.dur === undefined ? 10 : i.dur, user_query: null, alternatives_considered: [], selection_rank: null,
      follow_up_actions: i.fu ?? [], error_type: i.err ?? null,
    })),
    skills: {},
    last_updated: '2026-11-01T00:00:00',
  });
  if (events.length) {
    writeSource(dir, 'workflow_events.json', events.map((e) => ({
      event_type: e.type, workflow_id: 'crackerjack', node_id: e.node ?? null, timestamp: e.at, session_id: e.session ?? null,
      metadata: e.dur === undefined && e.success === undefined ? {} : { duration_seconds: e.dur ?? null, success: e.success ?? null },
    })));
  }
  return dir;
}

/** n invocations of one skill a minute apart from `start` (naive UTC), with per-index overrides. */
export function many(skill: string, n: number, start: string, each: (i: number) => Partial<Inv> = () => ({})): Inv[] {
  const t0 = Date.parse(`${start}Z`);
  return Array.from({ length: n }, (_, i) => ({ skill, at: new Date(t0 + i * 60_000).toISOString().slice(0, 19), ...each(i) }));
}
