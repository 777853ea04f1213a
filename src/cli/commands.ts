/**
 * The CLI's commands (DESIGN section 5). Each returns what it found as data (printed as JSON with
 * --json) and as text for a person, and whether some input was bad (exit code 1).
 */
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../common/errors';
import * as fmt from '../common/format';
import type { CoreSettings } from '../common/settings';
import { ALL_FORMATS, generate } from '../core/demo';
import type { GeneratedFormat } from '../core/demo';
import type { Scope, ScopeInput } from '../core/scope';
import { parseScope } from '../core/scope';
import type { AggregateWindow, MetricsCore } from '../core/service';
import { AGGREGATE_WINDOWS, EXPORT_FORMATS } from '../core/service';
import { graphAnswer } from '../core/answers';
import { RULES } from '../common/rules';
import { printable, table } from './output';

export interface CliContext {
  settings: CoreSettings;
  /** The core over the --db file (opened on first use). */
  core: () => MetricsCore;
  /** Serves the agent tools over MCP on stdio (the entry point wires the MCP adapter in). */
  serveMcp: () => Promise<void>;
}

export interface CommandResult {
  data: unknown;
  text: string;
  /** Done, but some input was bad (reported). */
  inputProblems?: boolean;
  /** The command wrote its own output (a protocol on stdout): print nothing more. */
  silent?: boolean;
}

type Options = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** The rules behind the command's figures, printed by `help <command>` (README: How the figures are counted). */
  rules?: string[];
  options?: NonNullable<ParseArgsConfig['options']>;
  args: [min: number, max: number];
  developer?: boolean;
  run(ctx: CliContext, args: string[], options: Options): Promise<CommandResult>;
}

const str = (o: Options, key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);

/** A count option: a whole number from 1 to `max` (default: a billion), else a usage error. */
function positiveInt(o: Options, key: string, fallback: number, max = 1_000_000_000): number {
  const raw = str(o, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`--${key} must be a whole number from 1 to ${max.toLocaleString('en-US')}, got "${raw}"`);
  }
  return n;
}

/** The longest retention `cleanup` takes: a hundred years (more is no clean-up, and overflows dates). */
const MAX_RETENTION_DAYS = 36_500;

/** The scope of a question from its flags, parsed once; errors name the flags. */
function scopeOf(o: Options, keys: readonly (keyof ScopeInput)[] = ['project', 'window', 'since', 'until']): Scope {
  const input: ScopeInput = {};
  for (const key of keys) if (key !== 'now') input[key] = str(o, key);
  // A ScopeError names the scope's fields; main() words them as flags (--since).
  return parseScope(input);
}

/** A time column's header says in which zone its times are. */
const at = (header: string, zone: string): string => `${header} (${zone})`;

function problemsText(problems: { file: string; message: string }[]): string {
  if (!problems.length) return '';
  return `\n\nProblems (${problems.length}):\n${problems.map((p) => `  ${printable(p.file)}\n    ${printable(p.message)}`).join('\n')}`;
}

export const COMMANDS: Command[] = [
  {
    name: 'register',
    usage: 'register <dir> [--name N] [--type T]',
    summary: 'Register a project folder',
    options: { name: { type: 'string' }, type: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [dir], o) {
      const [registration] = await ctx.core().register([dir!], { name: str(o, 'name'), type: str(o, 'type') });
      const { project, changed } = registration!;
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
      const { project } = await ctx.core().unregister(ref!);
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
      const rows = await ctx.core().projects(o.all === true);
      const data = rows;
      const zone = ctx.settings.displayTimeZone;
      const text = rows.length
        ? table(rows, [
            { header: 'NAME', value: (p) => p.project_name },
            { header: 'INVOCATIONS', value: (p) => fmt.int(p.total_invocations), align: 'right' },
            { header: at('LAST SYNC', zone), value: (p) => fmt.dateTime(p.last_sync_at, zone) },
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
    usage: 'collect [<dir>...] [--no-aggregate]',
    summary: 'Ingest new records (no dirs: every active project; dirs are registered if needed)',
    rules: [
      'records_seen counts the records read from changed files, invocations and workflow events together; what was added is named: invocations_added, events_added (records_added is their sum).',
      'Records are read once: changing --source-tz applies to records read from then on, not to stored ones; a completed record edited later keeps its first version (a pending one that finishes is updated).',
      'Naive timestamps are read as their Python writers meant them (fold=0): the earlier occurrence in a repeated hour; a time in a skipped hour with the offset from before the change (02:30 -> 03:30 summer time).',
      'A problem with a file is reported by every collect (and by health) until the file is fixed or removed.',
    ],
    options: { 'no-aggregate': { type: 'boolean' } },
    args: [0, Infinity],
    async run(ctx, dirs, o) {
      // Aggregates follow the data (DESIGN: they refresh after each collection).
      const result = await ctx.core().collect({ register: dirs, aggregate: o['no-aggregate'] !== true });
      const text =
        `Collected ${result.projects} project(s): ${result.files} file(s), ${result.files_read} read; ` +
        `${fmt.int(result.records_seen)} records seen (invocations and workflow events); added ${fmt.int(result.invocations_added)} invocations ` +
        `and ${fmt.int(result.events_added)} workflow events; ${fmt.int(result.records_updated)} pending invocations finished; ` +
        `${fmt.int(result.skipped_invalid)} skipped as invalid; ${fmt.millis(result.duration_ms)}.` +
        problemsText(result.problems);
      return { data: result, text, inputProblems: result.problems.length > 0 };
    },
  },
  {
    name: 'top',
    usage: 'top [--limit N] [--project P] [--window W] [--since D] [--until D]',
    summary: 'Most used skills with success rate and durations',
    rules: [
      'success_rate = completed / finished invocations. A pending invocation (saved before it finished) counts as a use (total_invocations, and apart in pending_invocations) and is left out of success rate and durations until it finishes.',
      'Durations are of completed invocations; p95 interpolates linearly between the two nearest durations (quantile_cont): the p95 of 10, 20, 30 s is 29 s.',
    ],
    options: { limit: { type: 'string' }, project: { type: 'string' }, window: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const rows = await ctx.core().topSkills({ ...scopeOf(o), limit: positiveInt(o, 'limit', 10) });
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
            { header: at('LAST USED', zone), value: (r) => fmt.dateTime(r.last_used, zone) },
          ])
        : 'No skill usage in this range.';
      return { data: rows, text };
    },
  },
  {
    name: 'health',
    usage: 'health',
    summary: 'Database, schema, last collection, aggregate freshness and current problems',
    rules: [
      'records counts stored invocations; workflow_events the stored workflow events. A problem with a file stays listed until the file is fixed or removed.',
    ],
    args: [0, 0],
    async run(ctx) {
      const h = await ctx.core().health();
      const zone = ctx.settings.displayTimeZone;
      const last = h.last_collection;
      const text = [
        `Status:          ${h.ok ? 'OK' : `${h.problems.length} problem(s)`}`,
        `Database:        ${ctx.core().databasePath} (schema ${h.schema_version})`,
        `Projects:        ${fmt.int(h.projects)} active`,
        `Records:         ${fmt.int(h.records)} invocations, ${fmt.int(h.workflow_events)} workflow events`,
        `Last collection: ${last ? `${fmt.dateTime(last.finished_at, zone)} ${zone} (${last.origin}, ${fmt.plural(last.files_read, 'file')} read, ${fmt.int(last.records_added)} added, ${fmt.plural(last.problems, 'problem')})` : 'never'}`,
        `Aggregates:      ${h.aggregates_fresh ? 'fresh' : 'stale (run: skill-metrics aggregate)'}`,
      ].join('\n') + problemsText(h.problems);
      return { data: h, text };
    },
  },
  {
    name: 'aggregate',
    usage: 'aggregate [--window daily|weekly|monthly|all]',
    summary: 'Recompute aggregates, sessions, pairs and transitions (default: every window)',
    options: { window: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const window = str(o, 'window');
      if (window && !(AGGREGATE_WINDOWS as readonly string[]).includes(window)) {
        throw new UsageError(`--window must be one of ${AGGREGATE_WINDOWS.join(', ')}`);
      }
      const run = await ctx.core().aggregate({ windows: window ? [window as AggregateWindow] : undefined });
      return {
        data: run,
        text:
          `Aggregated ${run.windows.join(', ')}: ${fmt.plural(run.rows_written, 'row')} in ${fmt.millis(run.aggregates_ms)}; ` +
          `${fmt.plural(run.sessions, 'session')}, co-usage and transitions in ${fmt.millis(run.sessions_ms)}.`,
      };
    },
  },
  {
    name: 'effectiveness',
    usage: 'effectiveness <skill> [--project P] [--window W] [--since D] [--until D]',
    summary: 'How well one skill works: success, durations, errors, workflow paths, follow-ups, insights',
    rules: [
      'success_rate = completed / finished invocations; pending invocations (saved before they finished) count as uses and apart in pending_invocations, not in success rate or durations; a skill is rated on its finished invocations.',
      'p50 and p95 interpolate linearly between the two nearest durations of completed invocations (quantile_cont).',
      'Success per workflow path counts only invocations that recorded a path; runs without one count in the totals but in no path.',
    ],
    options: { project: { type: 'string' }, window: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
    args: [1, 1],
    async run(ctx, [skill], o) {
      const e = await ctx.core().effectiveness(skill!, scopeOf(o));
      const zone = ctx.settings.displayTimeZone;
      const lines = [
        `${e.skill_name}${str(o, 'project') ? ` in ${str(o, 'project')}` : ''}`,
        `  invocations   ${fmt.int(e.total_invocations)} (${fmt.int(e.completed_invocations)} completed)`,
        `  success rate  ${fmt.pct(e.success_rate)}${e.enough_evidence ? '' : ' (not enough data to rate)'}`,
        `  duration      avg ${fmt.seconds(e.avg_duration_seconds)}, p50 ${fmt.seconds(e.p50_duration_seconds)}, p95 ${fmt.seconds(e.p95_duration_seconds)}`,
        `  follow-ups    ${fmt.num(e.avg_follow_ups, 2)} per use; ${fmt.pct(e.follow_up_share)} of uses have some`,
        `  used          ${fmt.dateTime(e.first_used, zone)} .. ${fmt.dateTime(e.last_used, zone)} (${zone})`,
      ];
      if (e.top_errors.length) lines.push('  top errors    ' + e.top_errors.map((x) => `${x.error_type} (${fmt.int(x.count)})`).join(', '));
      if (e.workflow_paths.length) lines.push('  paths         ' + e.workflow_paths.map((x) => `${x.workflow_path} ${fmt.pct(x.success_rate)} of ${fmt.int(x.count)}`).join(', '));
      if (e.insights.length) lines.push('', ...e.insights.map((i) => `  * ${i}`));
      return { data: e, text: lines.join('\n') };
    },
  },
  {
    name: 'compare',
    usage: 'compare <skill>',
    summary: 'One skill across projects',
    rules: [
      'success_rate = completed / finished invocations per project; pending invocations count as uses and apart in pending_invocations.',
    ],
    args: [1, 1],
    async run(ctx, [skill]) {
      const rows = await ctx.core().compare(skill!);
      const text = rows.length
        ? table(rows, [
            { header: 'PROJECT', value: (r) => r.project_name },
            { header: 'INVOCATIONS', value: (r) => fmt.int(r.total_invocations), align: 'right' },
            { header: 'SUCCESS', value: (r) => fmt.pct(r.success_rate), align: 'right' },
            { header: 'AVG', value: (r) => fmt.seconds(r.avg_duration_seconds), align: 'right' },
            { header: 'ID', value: (r) => r.project_id },
          ])
        : `No active project uses ${skill}.`;
      return { data: rows, text };
    },
  },
  {
    name: 'recommendations',
    usage: 'recommendations [--project P] [--limit N]',
    summary: 'What to change, most useful first, each with the numbers behind it',
    rules: [
      `No skill is rated on fewer invocations than --min-evidence (default 5). Low success: below ${fmt.pct(RULES.lowSuccessRate)}; well-tuned: above ${fmt.pct(RULES.highSuccessRate)}; ` +
        `error hotspot: one error type behind at least ${fmt.pct(RULES.errorHotspotShare)} of ${RULES.errorHotspotMinFailures} or more failures; ` +
        `a better workflow path: at least ${RULES.betterPathMargin * 100} points more success. Stale: used before, not in the last ${RULES.staleDays} days.`,
    ],
    options: { project: { type: 'string' }, limit: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const recs = await ctx.core().recommendations({ ...scopeOf(o, ['project']), limit: str(o, 'limit') ? positiveInt(o, 'limit', 20) : undefined });
      const zone = ctx.settings.displayTimeZone;
      const text = recs.length
        ? recs.map((r, i) => `${String(i + 1).padStart(2)}. [${r.priority}] ${r.message}\n    -> ${r.action}\n    evidence: ${Object.entries(r.evidence).map(([k, v]) => `${fmt.evidenceLabel(k)} ${fmt.evidenceValue(k, v, zone)}`).join('; ')}`).join('\n')
        : `No recommendations: no skill has ${ctx.settings.minEvidence}+ invocations with something to say.`;
      return { data: recs, text };
    },
  },
  {
    name: 'sessions',
    usage: 'sessions [--project P] [--limit N] [--skill S]',
    summary: 'Recent sessions: skills and workflow events that belong together',
    rules: [
      'A session belongs to a project: two projects that use one session id have two sessions. Invocations without a session id are grouped by time (--session-gap).',
    ],
    options: { project: { type: 'string' }, limit: { type: 'string' }, skill: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const rows = await ctx.core().sessions({ ...scopeOf(o, ['project']), limit: positiveInt(o, 'limit', 20), skill: str(o, 'skill') });
      const zone = ctx.settings.displayTimeZone;
      const text = rows.length
        ? table(rows, [
            { header: at('START', zone), value: (r) => fmt.dateTime(r.start_time, zone) },
            { header: 'SESSION', value: (r) => `${r.session_id}${r.inferred ? ' *' : ''}` },
            { header: 'SKILLS', value: (r) => r.skills_used.join(' > ') },
            { header: 'DONE', value: (r) => fmt.int(r.skills_completed), align: 'right' },
            { header: 'NODES', value: (r) => fmt.int(r.workflow_nodes_completed), align: 'right' },
            // A total of 0: no duration was known (shown as none, not as "0 s").
            { header: 'SKILL TIME', value: (r) => fmt.seconds(r.total_skill_duration || null), align: 'right' },
            { header: 'WORKFLOW TIME', value: (r) => fmt.seconds(r.total_workflow_duration || null), align: 'right' },
          ]) + '\n(* inferred from time gaps)'
        : 'No sessions.';
      return { data: rows, text };
    },
  },
  {
    name: 'graph',
    usage: 'graph [--project P] [--min-count N] [--limit N]',
    summary: 'Skills used together (sessions, lift) and what follows what (transitions)',
    options: { project: { type: 'string' }, 'min-count': { type: 'string' }, limit: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const g = await ctx.core().graph({ ...scopeOf(o, ['project']), minCount: positiveInt(o, 'min-count', 2), limit: positiveInt(o, 'limit', 25) });
      const data = graphAnswer(g);
      const text = [
        'Used together',
        g.pairs.length ? table(g.pairs, [
          { header: 'A', value: (p) => p.a }, { header: 'B', value: (p) => p.b },
          { header: 'SESSIONS', value: (p) => fmt.int(p.sessions), align: 'right' },
          { header: 'SUPPORT', value: (p) => fmt.pct(p.support), align: 'right' },
          { header: 'LIFT', value: (p) => fmt.num(p.lift, 2), align: 'right' },
        ]) : '  (none)',
        '',
        'Transitions',
        g.transitions.length ? table(g.transitions, [
          { header: 'FROM', value: (t) => t.from }, { header: 'TO', value: (t) => t.to },
          { header: 'COUNT', value: (t) => fmt.int(t.count), align: 'right' },
          { header: 'P(TO | FROM)', value: (t) => fmt.pct(t.probability), align: 'right' },
        ]) : '  (none)',
      ].join('\n');
      return { data, text };
    },
  },
  {
    name: 'trends',
    usage: 'trends [--project P] [--weeks N]',
    summary: 'Weekly use per skill: rising, declining, steady, stale',
    rules: [
      `The last ${RULES.trendWeeks} complete ISO weeks (--weeks; display zone), at least ${RULES.trendMinPoints} of them with use. Rising or declining only when ` +
        `the least-squares slope has |t| >= ${RULES.trendMinT}, the fitted change is at least ${fmt.pct(RULES.trendMinRelativeChange)} of the weekly mean, and the later ` +
        `half of the weeks differs from the earlier half by at least ${RULES.trendMinCountZ} * sqrt(later + earlier) (more than counting noise): 3,3,4,3,4,4,4,5 is steady.`,
      `Stale: used before, not in the last ${RULES.staleDays} days.`,
    ],
    options: { project: { type: 'string' }, weeks: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const rows = await ctx.core().trends({ ...scopeOf(o, ['project']), weeks: positiveInt(o, 'weeks', 8) });
      const zone = ctx.settings.displayTimeZone;
      const text = rows.length
        ? table(rows, [
            { header: 'SKILL', value: (r) => r.skill_name },
            { header: 'TREND', value: (r) => r.direction },
            { header: 'WEEKLY (oldest first)', value: (r) => r.weekly_counts.join(' ') },
            { header: 'SLOPE/WEEK', value: (r) => fmt.num(r.slope_per_week, 1), align: 'right' },
            { header: at('LAST USED', zone), value: (r) => fmt.dateTime(r.last_used, zone) },
          ])
        : 'No skill usage.';
      return { data: rows, text };
    },
  },
  {
    name: 'workflows',
    usage: 'workflows [--project P]',
    summary: 'Skills per workflow path and workflow node, with success and durations',
    options: { project: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const rows = await ctx.core().workflows(scopeOf(o, ['project']));
      const text = rows.length
        ? table(rows, [
            { header: 'KIND', value: (r) => r.kind }, { header: 'WORKFLOW', value: (r) => r.workflow }, { header: 'SKILL', value: (r) => r.skill_name },
            { header: 'INVOCATIONS', value: (r) => fmt.int(r.invocations), align: 'right' },
            { header: 'SUCCESS', value: (r) => fmt.pct(r.success_rate), align: 'right' },
            { header: 'AVG', value: (r) => fmt.seconds(r.avg_duration_seconds), align: 'right' },
          ])
        : 'No workflow paths or workflow nodes recorded.';
      return { data: rows, text };
    },
  },
  {
    name: 'report',
    usage: 'report [--project P]',
    summary: 'The correlation report: sessions, workflow nodes and their skills, as text',
    options: { project: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const report = await ctx.core().correlationReport(scopeOf(o, ['project']));
      return { data: { report }, text: report.trimEnd() };
    },
  },
  {
    name: 'export',
    usage: 'export --what usage|aggregates|sessions|correlated --format csv|json|parquet --out PATH [--project P] [--limit N]',
    summary: 'Write data to a file (correlated: the seed\'s correlated_session.json shape, json only; every session unless --limit)',
    rules: [
      '--what correlated writes every session (unless --limit N), keyed <project_id>/<session_id>: a session id alone is not unique across projects.',
    ],
    options: { what: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, project: { type: 'string' }, limit: { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      const what = str(o, 'what');
      const format = str(o, 'format');
      const out = str(o, 'out');
      if (!what || !format || !out) throw new UsageError('export needs --what, --format and --out');
      if (what === 'correlated') {
        if (format !== 'json') throw new UsageError('--what correlated is written as JSON only');
        const limit = str(o, 'limit') === undefined ? undefined : positiveInt(o, 'limit', 1);
        const { rows } = await ctx.core().exportCorrelated(scopeOf(o, ['project']), out, limit);
        return { data: { what, format, path: out, rows }, text: `Wrote ${fmt.plural(rows, 'session')} to ${out}.` };
      }
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
      if (str(o, 'limit') !== undefined) throw new UsageError('--limit applies to --what correlated only');
      const result = await ctx.core().export({ what, format, out, project: scopeOf(o, ['project']).project });
      return { data: result, text: `Wrote ${fmt.plural(result.rows, `${result.what} row`)} to ${result.path} (${result.format}).` };
    },
  },
  {
    name: 'cleanup',
    usage: 'cleanup --older-than-days N',
    summary: 'Delete records and aggregate buckets older than N days (nothing else)',
    options: { 'older-than-days': { type: 'string' } },
    args: [0, 0],
    async run(ctx, _args, o) {
      if (str(o, 'older-than-days') === undefined) throw new UsageError('cleanup needs --older-than-days N');
      const r = await ctx.core().cleanup(positiveInt(o, 'older-than-days', 1, MAX_RETENTION_DAYS));
      return {
        data: r,
        text: `Deleted ${fmt.plural(r.usage_deleted, 'invocation')}, ${fmt.plural(r.events_deleted, 'workflow event')} and ${fmt.plural(r.aggregates_deleted, 'aggregate row')} from before ${fmt.dateTime(r.cutoff, ctx.settings.displayTimeZone)} ${ctx.settings.displayTimeZone}.`,
      };
    },
  },
  {
    name: 'mcp',
    usage: 'mcp',
    summary: 'Serve the agent tools over the Model Context Protocol on stdin/stdout (for MCP clients)',
    args: [0, 0],
    async run(ctx) {
      await ctx.serveMcp();
      return { data: null, text: '', silent: true };
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
