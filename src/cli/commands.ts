/**
 * The CLI's commands (DESIGN section 5). Each returns what it found as data (printed as JSON with
 * --json) and as text for a person, and whether some input was bad (exit code 1).
 */
import * as os from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../common/errors';
import type { CoreSettings } from '../common/settings';
import { health } from '../analytics/health';
import { listProjects, registerProject, unregisterProject } from '../analytics/projects';
import type { Store } from '../analytics/store';
import { topSkills } from '../analytics/topSkills';
import { collect } from '../ingest/collector';
import type { WorkerPool } from '../ingest/workerPool';
import { ALL_FORMATS, generate } from '../demo/generator';
import type { GeneratedFormat } from '../demo/generator';
import { fmt, table } from './output';

export interface CliContext {
  settings: CoreSettings;
  store: () => Store;
  pool: () => WorkerPool | undefined;
}

export interface CommandResult {
  data: unknown;
  text: string;
  /** Done, but some input was bad (reported). */
  inputProblems?: boolean;
}

type Options = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  args: [min: number, max: number];
  developer?: boolean;
  run(ctx: CliContext, args: string[], options: Options): Promise<CommandResult>;
}

const str = (o: Options, key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);

function positiveInt(o: Options, key: string, fallback: number): number {
  const raw = str(o, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} must be a positive whole number, got "${raw}"`);
  return n;
}

function problemsText(problems: { file: string; message: string }[]): string {
  if (!problems.length) return '';
  return `\n\nProblems (${problems.length}):\n${problems.map((p) => `  ${p.file}\n    ${p.message}`).join('\n')}`;
}

export const COMMANDS: Command[] = [
  {
    name: 'register',
    usage: 'register <dir> [--name N] [--type T]',
    summary: 'Register a project folder',
    options: { name: { type: 'string' }, type: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [dir], o) {
      const { project, changed } = await ctx.store().write((db) =>
        registerProject(db, dir!, { source: 'cli', name: str(o, 'name'), type: str(o, 'type') }),
      );
      return {
        data: project,
        text: `${changed ? 'Registered' : 'Already registered'}: ${project.project_name} (${project.project_path}, id ${project.project_id})`,
      };
    },
  },
  {
    name: 'unregister',
    usage: 'unregister <dir>',
    summary: 'Unregister a project (its history is kept)',
    args: [1, 1],
    async run(ctx, [ref]) {
      const project = await ctx.store().write((db) => unregisterProject(db, ref!));
      return { data: project, text: `Unregistered ${project.project_name} (${project.project_path}); its records are kept.` };
    },
  },
  {
    name: 'projects',
    usage: 'projects [--all]',
    summary: 'List registered projects (--all: with unregistered ones)',
    options: { all: { type: 'boolean' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const rows = await ctx.store().read((db) => listProjects(db, { includeInactive: o.all === true }));
      const data = rows.map((p) => ({
        project_id: p.project_id,
        project_path: p.project_path,
        project_name: p.project_name,
        project_type: p.project_type,
        is_active: p.is_active,
        registered_at: p.registered_at,
        last_sync_at: p.last_sync_at,
        total_invocations: p.total_invocations,
      }));
      const zone = ctx.settings.displayTimeZone;
      const text = rows.length
        ? table(rows, [
            { header: 'NAME', value: (p) => p.project_name },
            { header: 'INVOCATIONS', value: (p) => fmt.int(p.total_invocations), align: 'right' },
            { header: 'LAST SYNC', value: (p) => fmt.date(p.last_sync_at, zone) },
            { header: 'ACTIVE', value: (p) => (p.is_active ? 'yes' : 'no') },
            { header: 'ID', value: (p) => p.project_id },
            { header: 'PATH', value: (p) => p.project_path },
          ])
        : 'No projects registered. Register one with: skill-metrics register <dir>';
      return { data, text };
    },
  },
  {
    name: 'collect',
    usage: 'collect [<dir>...]',
    summary: 'Ingest new records (no dirs: every active project; dirs are registered if needed)',
    args: [0, Infinity],
    async run(ctx, dirs) {
      const pool = ctx.pool();
      const store = ctx.store();
      // Parse workers take cores of their own: DuckDB gets the rest (measured faster on 2 cores).
      store.setThreads(Math.max(1, os.availableParallelism() - (pool?.size ?? 0)));
      const result = await collect(store, {
        register: dirs,
        sourceTimeZone: ctx.settings.sourceTimeZone,
        maxFileBytes: ctx.settings.maxFileBytes,
        origin: 'cli',
        loader: pool?.loader,
      });
      const text =
        `Collected ${result.projects} project(s): ${result.files} file(s), ${result.files_read} read; ` +
        `${fmt.int(result.records_seen)} records seen, ${fmt.int(result.records_added)} added, ${fmt.int(result.records_updated)} updated, ` +
        `${fmt.int(result.skipped_invalid)} skipped as invalid; ${(result.duration_ms / 1000).toFixed(2)} s.` +
        problemsText(result.problems);
      return { data: result, text, inputProblems: result.problems.length > 0 };
    },
  },
  {
    name: 'top',
    usage: 'top [--limit N] [--project P] [--window W] [--since D] [--until D]',
    summary: 'Most used skills with success rate and durations',
    options: { limit: { type: 'string' }, project: { type: 'string' }, window: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const rows = await ctx.store().read((db) =>
        topSkills(db, {
          limit: positiveInt(o, 'limit', 10),
          project: str(o, 'project'),
          window: str(o, 'window'),
          since: str(o, 'since'),
          until: str(o, 'until'),
        }),
      );
      const zone = ctx.settings.displayTimeZone;
      const text = rows.length
        ? table(rows, [
            { header: 'SKILL', value: (r) => r.skill_name },
            { header: 'INVOCATIONS', value: (r) => fmt.int(r.total_invocations), align: 'right' },
            { header: 'SUCCESS', value: (r) => fmt.pct(r.success_rate), align: 'right' },
            { header: 'AVG', value: (r) => fmt.seconds(r.avg_duration_seconds), align: 'right' },
            { header: 'P95', value: (r) => fmt.seconds(r.p95_duration_seconds), align: 'right' },
            { header: 'FOLLOW-UPS', value: (r) => fmt.num(r.avg_follow_ups, 2), align: 'right' },
            { header: 'PROJECTS', value: (r) => fmt.int(r.projects), align: 'right' },
            { header: 'LAST USED', value: (r) => fmt.date(r.last_used, zone) },
          ])
        : 'No skill usage in this range.';
      return { data: rows, text };
    },
  },
  {
    name: 'health',
    usage: 'health',
    summary: 'Database, schema, last collection, aggregate freshness and current problems',
    args: [0, 0],
    async run(ctx) {
      const h = await ctx.store().read((db) => health(db, ctx.settings.displayTimeZone));
      const zone = ctx.settings.displayTimeZone;
      const last = h.last_collection;
      const text = [
        `Status:          ${h.ok ? 'OK' : `${h.problems.length} problem(s)`}`,
        `Database:        ${ctx.store().path} (schema ${h.schema_version})`,
        `Projects:        ${h.projects} active`,
        `Records:         ${fmt.int(h.records)}`,
        `Last collection: ${last ? `${fmt.date(last.finished_at, zone)} (${last.origin}, ${last.files_read} file(s) read, ${fmt.int(last.records_added)} added, ${last.problems} problem(s))` : 'never'}`,
        `Aggregates:      ${h.aggregates_fresh ? 'fresh' : 'stale (run: skill-metrics aggregate)'}`,
      ].join('\n') + problemsText(h.problems);
      return { data: h, text };
    },
  },
  {
    name: 'generate',
    usage: 'generate <dir> [--projects N] [--records N] [--seed S] [--formats v1,v2,v3,skills-db-storage,skills-db-compat] [--writer-tz Z]',
    summary: 'Write generated demo/test data (every input format) into <dir>',
    developer: true,
    options: {
      projects: { type: 'string' }, records: { type: 'string' }, seed: { type: 'string' }, formats: { type: 'string' }, 'writer-tz': { type: 'string' },
    },
    args: [1, 1],
    async run(_ctx, [dir], o) {
      const formats = (str(o, 'formats')?.split(',') ?? [...ALL_FORMATS]) as GeneratedFormat[];
      const unknown = formats.filter((f) => !ALL_FORMATS.includes(f));
      if (unknown.length) throw new UsageError(`Unknown format(s) ${unknown.join(', ')}: use ${ALL_FORMATS.join(', ')}`);
      const projects = await generate({
        outDir: dir!,
        projects: positiveInt(o, 'projects', 5),
        records: positiveInt(o, 'records', 1000),
        seed: positiveInt(o, 'seed', 42),
        formats,
        writerTimeZone: str(o, 'writer-tz') ?? 'UTC',
      });
      const data = projects.map((p) => ({ name: p.name, dir: p.dir, format: p.format, records: p.records, files: p.files }));
      return { data, text: table(data, [
        { header: 'PROJECT', value: (p) => p.name },
        { header: 'FORMAT', value: (p) => p.format },
        { header: 'RECORDS', value: (p) => fmt.int(p.records), align: 'right' },
        { header: 'DIR', value: (p) => p.dir },
      ]) };
    },
  },
];
