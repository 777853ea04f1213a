/**
 * Writes realistic `.session-buddy/` data for any number of projects, in every format the ingester
 * reads (FORMATS.md section 1), deterministically from a seed. Tests, the demo (`npm start`) and the
 * benchmark (`npm run bench`) all use it.
 *
 * The data has structure worth analysing: skills with different popularity, success rates that depend
 * on the workflow path, a dominant error for some skills, follow-up-heavy skills, sessions whose skills
 * follow each other (transitions), rising, declining and stale skills, and pending invocations that a
 * writer never completed. With `keep`, the generator returns the records it wrote (the ground truth
 * tests compare against).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { formatNaiveLocal, instantsOfLocal } from '../common/zonedTime';
import { Random } from './random';

export type GeneratedFormat = 'v1' | 'v2' | 'v3' | 'skills-db-compat' | 'skills-db-storage';

export const ALL_FORMATS: readonly GeneratedFormat[] = ['v1', 'v2', 'v3', 'skills-db-storage', 'skills-db-compat'];

export interface GenerateOptions {
  /** Folder the projects are written into (one sub-folder each). */
  outDir: string;
  projects: number;
  /** Invocations per project. */
  records: number;
  seed?: number;
  /** Format of project i is formats[i % formats.length]. Default: every format in turn. */
  formats?: readonly GeneratedFormat[];
  /** Write workflow_events.json for projects whose format has sessions (default true). */
  workflowEvents?: boolean;
  /** The writers' local zone, for the naive timestamps of v1, v2 and pre-2026-07-29 v3. Default UTC. */
  writerTimeZone?: string;
  /** The last instant data may have (default 2026-11-20T18:00Z); data spans `days` days before it. */
  end?: Date;
  days?: number;
  /** Project folder names: `${prefix}-NN` (default "project"). */
  prefix?: string;
  /** Return the records written (memory grows with the data; for tests). */
  keep?: boolean;
}

/** One invocation as written, with the facts a test needs to compute expected figures. */
export interface GeneratedInvocation {
  skill: string;
  /** The instant (ms) the raw timestamp denotes. */
  at: number;
  raw: string;
  completed: boolean;
  /** Duration as it will be stored: null when unknown (pending, v3 placeholder). */
  duration: number | null;
  /** Duration as written into the file (the v3 placeholder 0.01 included). */
  writtenDuration: number | null;
  workflowPath: string | null;
  error: string | null;
  followUps: string[];
  sessionId: string | null;
  pending: boolean;
}

export interface GeneratedEvent {
  eventType: string;
  nodeId: string | null;
  at: number;
  raw: string;
  sessionId: string;
  duration: number | null;
  success: boolean | null;
}

export interface GeneratedProject {
  name: string;
  dir: string;
  format: GeneratedFormat;
  records: number;
  /** Files written, relative to the project folder. */
  files: string[];
  invocations?: GeneratedInvocation[];
  events?: GeneratedEvent[];
}

/** Skill names as the real tools use them (Crackerjack skills, agents and stage skills, FORMATS 1.5). */
export const SKILL_POOL = [
  'crackerjack-run', 'session-checkpoint', 'session-start', 'session-end', 'code-review', 'commit-message', 'test-writer',
  'refactor', 'debug-session', 'docs-update', 'dependency-audit', 'security-review', 'pr-description', 'changelog',
  'RefactoringAgent', 'TestCreationAgent', 'FormattingAgent', 'SecurityAgent', 'DocumentationAgent', 'PerformanceAgent',
  'uv-install', 'npm-install', 'docker-build', 'compile', 'pytest-run', 'jest-run', 'test-discovery', 'coverage-report',
  'ruff-check', 'mypy-check', 'eslint-check', 'tsc-check', 'bandit-security', 'safety-check', 'npm-audit', 'docker-push',
  'helm-deploy', 'terraform-apply', 'npm-publish', 'pypi-publish',
];

const ERRORS = [
  'timeout', 'ValueError', 'TypeError', 'AssertionError', 'lint-failed', 'TimeoutError: command exceeded 300s',
  'CalledProcessError: Command returned non-zero exit status 1', 'FileNotFoundError: [Errno 2] No such file or directory: /tmp/x',
  'PermissionError', 'merge-conflict', 'KeyError', 'RuntimeError: agent gave up after 3 attempts',
];
const FOLLOW_UPS = ['git commit', 'run tests', 'review changes', 'update docs', 'open PR', 'rerun hooks'];
const V1_PATHS = ['daily', 'quick', 'comprehensive'];
const PHASES = ['setup', 'execution', 'verification'];
const NODES = ['fast_hooks', 'tests', 'comprehensive_hooks', 'coverage_ratchet', 'commit'];
/** Session Buddy v3 writes aware UTC timestamps from this commit's date on (FORMATS 1.3, `ada169c`). */
const V3_AWARE_FROM = Date.UTC(2026, 6, 29);
const DAY = 86_400_000;

type Trend = 'rising' | 'declining' | 'flat' | 'stale';

interface SkillProfile {
  name: string;
  popularity: number;
  success: number;
  /** Success change per workflow path index (paths with a clearly better success). */
  pathBonus: number[];
  medianSeconds: number;
  followUpMean: number;
  errors: string[];
  trend: Trend;
  successor: number;
}

export async function generate(options: GenerateOptions): Promise<GeneratedProject[]> {
  const seed = options.seed ?? 42;
  const formats = options.formats ?? ALL_FORMATS;
  const end = (options.end ?? new Date(Date.UTC(2026, 10, 20, 18))).getTime();
  const days = options.days ?? 120;
  const zone = options.writerTimeZone ?? 'UTC';
  mkdirSync(options.outDir, { recursive: true });
  const out: GeneratedProject[] = [];
  for (let p = 0; p < options.projects; p++) {
    const format = formats[p % formats.length]!;
    const name = `${options.prefix ?? 'project'}-${String(p + 1).padStart(2, '0')}`;
    const dir = path.join(options.outDir, name);
    const rng = new Random(seed, p, 'project');
    const data = simulate(rng, seed, p, options.records, format, end - days * DAY, end, zone);
    const files = await writeProject(dir, format, data, p, options.workflowEvents ?? true, zone, end);
    const project: GeneratedProject = { name, dir, format, records: data.invocations.length, files };
    if (options.keep) {
      project.invocations = data.invocations;
      project.events = data.events;
    }
    out.push(project);
  }
  return out;
}

function profiles(rng: Random, seed: number, count: number): SkillProfile[] {
  const names = rng.shuffle([...SKILL_POOL]).slice(0, count);
  const trends: Trend[] = ['flat', 'flat', 'rising', 'declining', 'flat', 'stale'];
  return names.map((name, rank) => {
    // A skill behaves alike in every project (seeded by its name), with a per-project twist.
    const own = new Random(seed, name);
    const success = Math.min(0.99, Math.max(0.2, own.pick([0.42, 0.55, 0.72, 0.84, 0.93, 0.97]) + (rng.next() - 0.5) * 0.08));
    const bonus = own.chance(0.35) ? 0.25 : 0;
    return {
      name,
      popularity: 1 / Math.pow(rank + 1, 1.1),
      success,
      pathBonus: [bonus, -bonus, 0],
      medianSeconds: own.pick([4, 12, 30, 75, 160, 320]),
      followUpMean: own.pick([0.2, 0.6, 1.1, 2.6]),
      errors: own.chance(0.5) ? [own.pick(ERRORS)] : [own.pick(ERRORS), own.pick(ERRORS), own.pick(ERRORS)],
      trend: rank === 0 ? 'flat' : rng.pick(trends),
      successor: (rank + 1 + rng.int(0, 2)) % names.length,
    };
  });
}

function trendWeight(trend: Trend, position: number, at: number, end: number): number {
  switch (trend) {
    case 'rising':
      return 0.2 + 1.8 * position;
    case 'declining':
      return 2 - 1.8 * position;
    case 'stale':
      return end - at < 35 * DAY ? 0 : 1;
    default:
      return 1;
  }
}

interface Simulation {
  invocations: GeneratedInvocation[];
  events: GeneratedEvent[];
}

function simulate(
  rng: Random,
  seed: number,
  projectIndex: number,
  records: number,
  format: GeneratedFormat,
  start: number,
  end: number,
  zone: string,
): Simulation {
  const skills = profiles(rng, seed, Math.min(SKILL_POOL.length, rng.int(8, 22)));
  const hasSessions = format !== 'v1';
  const invocations: GeneratedInvocation[] = [];
  const events: GeneratedEvent[] = [];
  const sessionsNeeded = Math.max(1, Math.ceil(records / 3.5));
  const sessionStarts = Array.from({ length: sessionsNeeded }, () => start + rng.next() * (end - start - 3 * 3_600_000)).sort((a, b) => a - b);
  let s = 0;
  while (invocations.length < records) {
    const sessionStart = sessionStarts[s % sessionStarts.length]! + Math.floor(s / sessionStarts.length) * 1000;
    const sessionId =
      format === 'skills-db-compat' ? `autofix-${40000 + projectIndex * 1000 + s}` : `sess-${projectIndex + 1}-${String(s + 1).padStart(6, '0')}`;
    s++;
    const length = Math.min(records - invocations.length, 1 + rng.poisson(2.5));
    const position = (sessionStart - start) / (end - start);
    let t = sessionStart;
    let previous = -1;
    let sessionDuration = 0;
    for (let k = 0; k < length; k++) {
      const weights = skills.map((sk) => sk.popularity * trendWeight(sk.trend, position, t, end));
      const index = previous >= 0 && rng.chance(0.55) && weights[skills[previous]!.successor]! > 0 ? skills[previous]!.successor : rng.weighted(weights);
      const skill = skills[index]!;
      previous = index;
      const inv = invocation(rng, skill, format, t, zone, hasSessions ? sessionId : null);
      invocations.push(inv);
      sessionDuration += inv.duration ?? 0;
      t += (inv.duration ?? 20) * 1000 + rng.int(30, 600) * 1000;
    }
    // About a third of sessions ran a workflow (crackerjack) alongside the skills.
    if (hasSessions && rng.chance(0.3)) events.push(...workflowEvents(rng, sessionId, sessionStart, t, zone, format, sessionDuration));
  }
  invocations.sort((a, b) => a.at - b.at);
  return { invocations, events };
}

/** A naive local timestamp that denotes exactly one instant (not in a DST gap or repeated hour). */
function unambiguous(at: number, zone: string): number {
  let t = at;
  for (let i = 0; i < 3; i++) {
    const naive = formatNaiveLocal(t, zone, 3);
    if (instantsOfLocal(Date.parse(`${naive}Z`), zone).length === 1) return t;
    t += 3_600_000;
  }
  return t;
}

function invocation(rng: Random, skill: SkillProfile, format: GeneratedFormat, at0: number, zone: string, sessionId: string | null): GeneratedInvocation {
  const micros = rng.int(0, 999);
  const compat = format === 'skills-db-compat';
  const aware = format === 'v3' && at0 >= V3_AWARE_FROM;
  const naiveLocal = !compat && !aware;
  let at = Math.floor(naiveLocal ? unambiguous(at0, zone) : at0);
  if (compat) at = Math.floor(at / 1000) * 1000; // CURRENT_TIMESTAMP has whole seconds
  let raw: string;
  if (compat) raw = formatNaiveLocal(at, 'UTC', 0, ' ');
  else if (aware) raw = `${formatNaiveLocal(at, 'UTC', 6).slice(0, -3)}${String(micros).padStart(3, '0')}+00:00`;
  else raw = `${formatNaiveLocal(at, zone, 6).slice(0, -3)}${String(micros).padStart(3, '0')}`;

  const paths = format === 'v1' ? V1_PATHS : PHASES;
  const pathIndex = rng.chance(0.85) ? rng.weighted([0.5, 0.3, 0.2]) : -1;
  const workflowPath = pathIndex >= 0 ? paths[pathIndex]! : null;
  const pending = rng.chance(0.02);
  const success = Math.min(0.995, Math.max(0.02, skill.success + (pathIndex >= 0 ? skill.pathBonus[pathIndex]! : 0)));
  const completed = !pending && rng.chance(success);
  const error = !completed && !pending && rng.chance(0.8) ? (rng.chance(0.75) ? skill.errors[0]! : rng.pick(skill.errors)) : null;
  let measured: number | null = pending ? null : Math.round(rng.logNormal(skill.medianSeconds, 0.55) * 1000) / 1000;
  if (compat && measured !== null) measured = Math.max(1, Math.round(measured));
  const followUps = completed ? Array.from({ length: Math.min(5, rng.poisson(skill.followUpMean)) }, () => rng.pick(FOLLOW_UPS)) : [];
  // v3 never measures: 0.01 when completed, null when not (B10). Storage rows carry the same placeholder.
  const v3 = format === 'v3';
  const writtenDuration = v3 ? (completed ? 0.01 : null) : measured;
  return {
    skill: skill.name,
    at,
    raw,
    completed,
    duration: v3 ? null : writtenDuration,
    writtenDuration,
    workflowPath,
    error,
    followUps,
    sessionId,
    pending,
  };
}

function workflowEvents(
  rng: Random,
  sessionId: string,
  from: number,
  to: number,
  zone: string,
  format: GeneratedFormat,
  _skillSeconds: number,
): GeneratedEvent[] {
  const out: GeneratedEvent[] = [];
  const stamp = (at: number): { at: number; raw: string } => {
    const t = Math.floor(format === 'v3' && at >= V3_AWARE_FROM ? at : unambiguous(at, zone));
    const raw = format === 'v3' && t >= V3_AWARE_FROM ? `${formatNaiveLocal(t, 'UTC', 6)}+00:00` : formatNaiveLocal(t, zone, 6);
    return { at: t, raw };
  };
  const begin = stamp(from - 5000);
  out.push({ eventType: 'workflow_started', nodeId: null, ...begin, sessionId, duration: null, success: null });
  let t = from;
  let ok = true;
  const nodes = NODES.slice(0, rng.int(2, 4));
  for (const node of nodes) {
    const seconds = Math.round(rng.logNormal(25, 0.6) * 100) / 100;
    const success = rng.chance(0.9);
    ok &&= success;
    out.push({ eventType: 'node_started', nodeId: node, ...stamp(t), sessionId, duration: null, success: null });
    t += seconds * 1000;
    out.push({ eventType: 'node_completed', nodeId: node, ...stamp(t), sessionId, duration: seconds, success });
  }
  const total = Math.round((Math.max(t, to) - from) / 10) / 100;
  out.push({ eventType: 'workflow_completed', nodeId: null, ...stamp(Math.max(t, to)), sessionId, duration: total, success: ok });
  return out;
}

let sqlJs: Promise<SqlJsStatic> | undefined;

async function writeProject(
  dir: string,
  format: GeneratedFormat,
  data: Simulation,
  index: number,
  withEvents: boolean,
  zone: string,
  end: number,
): Promise<string[]> {
  const sb = path.join(dir, '.session-buddy');
  rmSync(sb, { recursive: true, force: true });
  mkdirSync(sb, { recursive: true });
  writeFileSync(path.join(dir, index % 2 ? 'package.json' : 'pyproject.toml'), index % 2 ? '{"name": "demo"}\n' : '[project]\nname = "demo"\n');
  const files: string[] = [];
  const write = (rel: string, text: string | Uint8Array): void => {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    files.push(rel);
  };
  const written = (inv: GeneratedInvocation): number | null => inv.writtenDuration;
  const lastUpdated = formatNaiveLocal(end, zone, 6);

  if (format === 'v1') {
    const invocations = data.invocations.map((i) => ({
      skill_name: i.skill, invoked_at: i.raw, workflow_path: i.workflowPath, completed: i.completed,
      duration_seconds: written(i), follow_up_actions: i.followUps, error_type: i.error,
    }));
    write('.session-buddy/skill_metrics.json', JSON.stringify({ invocations, skills: advisory(data.invocations), last_updated: lastUpdated }, null, 2));
  } else if (format === 'v2' || format === 'v3') {
    const invocations = data.invocations.map((i) => ({
      skill_name: i.skill, invoked_at: i.raw, session_id: i.sessionId, workflow_path: i.workflowPath, completed: i.completed,
      duration_seconds: written(i), user_query: `please ${i.skill.replace(/-/g, ' ')} the payment module`, alternatives_considered: [],
      selection_rank: 1, follow_up_actions: i.followUps, error_type: i.error,
    }));
    const doc = format === 'v2' ? { invocations, skills: advisory(data.invocations), last_updated: lastUpdated } : { invocations };
    write('.session-buddy/skill_metrics.json', JSON.stringify(doc, null, 2));
  } else {
    sqlJs ??= initSqlJs();
    const SQL = await sqlJs;
    const db = new SQL.Database();
    if (format === 'skills-db-compat') {
      db.run(`CREATE TABLE skill_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, skill_name TEXT NOT NULL,
        user_query TEXT, workflow_phase TEXT, alternatives_considered TEXT, selection_rank INTEGER, completed BOOLEAN DEFAULT FALSE,
        error_type TEXT, follow_up_actions TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, completed_at TIMESTAMP)`);
      const stmt = db.prepare(`INSERT INTO skill_invocations (session_id, skill_name, user_query, workflow_phase, alternatives_considered,
        selection_rank, completed, error_type, follow_up_actions, created_at, completed_at) VALUES (?, ?, ?, ?, '[]', 1, ?, ?, ?, ?, ?)`);
      for (const i of data.invocations) {
        const finished = !i.pending && (i.completed || i.error !== null);
        const completedAt = finished && written(i) !== null ? formatNaiveLocal(i.at + written(i)! * 1000, 'UTC', 0, ' ') : null;
        stmt.run([i.sessionId, i.skill, 'Fix type errors in module', i.workflowPath, i.completed ? 1 : 0, i.error,
          finished ? JSON.stringify(i.followUps) : null, i.raw, completedAt]);
        // The duration a reader can know is completed_at - created_at at 1-s resolution.
        i.duration = completedAt ? (Date.parse(`${completedAt.replace(' ', 'T')}Z`) - i.at) / 1000 : null;
      }
      stmt.free();
      db.run('CREATE INDEX idx_session_id ON skill_invocations(session_id)');
      write('.session-buddy/skills.db/skills.db', db.export());
    } else {
      db.run(`CREATE TABLE skill_invocation (id INTEGER PRIMARY KEY AUTOINCREMENT, skill_name TEXT NOT NULL, invoked_at TEXT NOT NULL,
        session_id TEXT NOT NULL, workflow_path TEXT, completed BOOLEAN NOT NULL DEFAULT 0, duration_seconds REAL, user_query TEXT,
        alternatives_considered TEXT, selection_rank INTEGER, follow_up_actions TEXT, error_type TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')), embedding BLOB, workflow_phase TEXT, workflow_step_id TEXT)`);
      const stmt = db.prepare(`INSERT INTO skill_invocation (skill_name, invoked_at, session_id, workflow_path, completed, duration_seconds,
        user_query, follow_up_actions, error_type, workflow_phase) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const i of data.invocations) {
        if (i.pending) continue; // the storage log has one row per finished invocation
        stmt.run([i.skill, i.raw, i.sessionId, i.workflowPath, i.completed ? 1 : 0, written(i), 'optimise the query',
          i.followUps.length ? JSON.stringify(i.followUps) : null, i.error, i.workflowPath]);
      }
      stmt.free();
      data.invocations = data.invocations.filter((i) => !i.pending);
      write('.session-buddy/skills.db', db.export());
    }
    db.close();
  }

  if (withEvents && data.events.length) {
    const events = data.events.map((e) => ({
      event_type: e.eventType, workflow_id: 'crackerjack', node_id: e.nodeId, timestamp: e.raw, session_id: e.sessionId,
      metadata: e.duration === null ? {} : { duration_seconds: e.duration, success: e.success, ...(e.success === false ? { error_type: 'HookFailed' } : {}) },
    }));
    write('.session-buddy/workflow_events.json', JSON.stringify(index % 2 ? { events } : events, null, 2));
  }
  return files;
}

/** The advisory `skills` block the v1/v2 trackers write (never read by the ingester, B8). */
function advisory(invocations: GeneratedInvocation[]): Record<string, unknown> {
  const skills: Record<string, { skill_name: string; total_invocations: number; completed_invocations: number; abandoned_invocations: number }> = {};
  for (const i of invocations) {
    if (i.pending) continue;
    const s = (skills[i.skill] ??= { skill_name: i.skill, total_invocations: 0, completed_invocations: 0, abandoned_invocations: 0 });
    s.total_invocations++;
    if (i.completed) s.completed_invocations++;
    else s.abandoned_invocations++;
  }
  return skills;
}

/** Claude Code transcripts (FORMATS section 4) with their ground truth: see transcripts.ts. */
export { generateTranscripts } from './transcripts';
export type { GeneratedRun, GeneratedTranscripts, TranscriptGenerateOptions } from './transcripts';
