/**
 * The agent tools, defined once for the MCP server (src/mcp) and the editor's language-model tools:
 * each has a name (the seed's), a title, a description written for a language model (what it answers and
 * when to use it), a zod input schema, whether it only reads, and a handler whose result is the same JSON
 * the CLI prints with --json for the same question (the same core calls and shaping; instants as ISO 8601
 * with the display zone's offset). Tool input is parsed here, at the edge, into a Scope. No `vscode`.
 */
import { z } from 'zod';
import { UsageError } from '../common/errors';
import { toJson } from '../common/format';
import { AGGREGATE_WINDOWS } from '../analytics/derived';
import { DEFAULT_NEXT_SKILLS_LIMIT } from '../analytics/nextSkills';
import { WINDOWS } from '../analytics/timeRange';
import {
  aggregateOutput, collectOutput, compareRowOutput, effectivenessOutput, graphOutput, healthOutput, nextSkillsOutput, projectOutput,
  projectRowOutput, recommendationOutput, sessionOutput, summaryOutput, topSkillOutput,
} from './outputs';
import { parseScope } from './scope';
import type { MetricsCore } from './service';
import type { ToolInfo, ToolName } from './toolInfo';
import { LM_TOOL_PREFIX, TOOL_INFO } from './toolInfo';

/** What a tool runs against: the core of the surface that serves it (the MCP server's, the editor's). */
export interface ToolContext {
  core: MetricsCore;
  signal?: AbortSignal;
}

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> extends ToolInfo {
  name: ToolName;
  description: string;
  input: S;
  /** The answer's JSON (outputs.ts; an array answer is wrapped in an object under `listKey`). */
  output: z.ZodObject;
  /** For an answer that is a list (the CLI prints an array): the key structuredContent holds it under. */
  listKey?: string;
  run(ctx: ToolContext, input: z.output<S>): Promise<unknown>;
}

type Spec<S extends z.ZodObject> = Pick<ToolDefinition<S>, 'description' | 'input' | 'run'> & { output: z.ZodObject | [listKey: string, row: z.ZodObject] };

function tool<S extends z.ZodObject>(name: ToolName, { output, ...definition }: Spec<S>): ToolDefinition<S> {
  const [listKey, shape] = Array.isArray(output) ? [output[0], z.object({ [output[0]]: z.array(output[1]) })] : [undefined, output];
  return { name, ...TOOL_INFO[name], ...definition, output: shape, ...(listKey && { listKey }) };
}

const project = z
  .string()
  .min(1)
  .describe('A project id, folder path or name, as list_registered_projects shows them. Omit for every active project.');
const skill = z.string().min(1).describe('The skill name exactly as recorded (e.g. "code-review"), as get_top_skills shows it.');
const limit = (fallback: number, max: number, what: string) =>
  z.number().int().min(1).max(max).default(fallback).describe(`How many ${what} at most (default ${fallback}).`);
const date = (what: string) =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').describe(`${what} as YYYY-MM-DD in the display time zone, inclusive.`);

export const TOOLS: readonly ToolDefinition[] = [
  tool('register_project', {
    output: projectOutput,
    description:
      'Registers a project folder so that the skill records in its .session-buddy folder are collected and analysed. ' +
      'Use it when the user wants a folder tracked that list_registered_projects does not show; then call collect_skill_metrics. ' +
      'Registering an already registered (or unregistered) folder reactivates it and changes nothing else. ' +
      'Returns the project: project_id, project_path, project_name, project_type, source, is_active, registered_at, last_sync_at.',
    input: z.object({
      path: z.string().min(1).describe('The absolute path of the project folder (the folder that contains .session-buddy).'),
      name: z.string().min(1).optional().describe('A display name (default: the folder name).'),
      type: z.string().min(1).optional().describe('The project type, e.g. python or node (default: detected from the files at its root).'),
    }),
    async run(ctx, input) {
      return (await ctx.core.register([input.path], { name: input.name, type: input.type }))[0]!.project;
    },
  }),
  tool('unregister_project', {
    output: projectOutput,
    description:
      'Stops collecting a project and leaves it out of every analysis. Its history is kept in the database (register_project brings it back). ' +
      'Use it only when the user asks to stop tracking a project. Returns the project with is_active false.',
    input: z.object({ project: project.describe('The project to unregister: its id, folder path or name.') }),
    run(ctx, input) {
      return ctx.core.unregister(input.project).then((r) => r.project);
    },
  }),
  tool('list_registered_projects', {
    output: ['projects', projectRowOutput],
    description:
      'Lists the projects whose skill records are tracked, with their id, path, name, type, whether active, when registered and last collected, ' +
      'and how many skill invocations are recorded. Use it to find the project id, path or name other tools take.',
    input: z.object({ include_inactive: z.boolean().default(false).describe('Include unregistered projects too (default false).') }),
    async run(ctx, input) {
      return ctx.core.projects(input.include_inactive);
    },
  }),
  tool('collect_skill_metrics', {
    output: collectOutput,
    description:
      'Reads new skill records from the .session-buddy folders of the registered projects (or of the given folders, registering them if needed) ' +
      'into the local database, then refreshes the aggregates. Collection is incremental and idempotent: unchanged files are not read again and ' +
      'no record is stored twice. Use it before analysing when the records may have changed. Returns projects, files, files_read, records_seen ' +
      '(invocations and workflow events read), records_added (invocations_added + events_added), invocations_added, events_added, ' +
      'records_updated (pending invocations seen finished), skipped_invalid, problems [{file, message}] and duration_ms.',
    input: z.object({
      paths: z.array(z.string().min(1)).default([]).describe('Project folders to register (if needed) and collect; omit for every active project.'),
      aggregate: z.boolean().default(true).describe('Refresh the aggregates afterwards when records changed (default true).'),
    }),
    run(ctx, input) {
      return ctx.core.collect({ register: input.paths, aggregate: input.aggregate, signal: ctx.signal });
    },
  }),
  tool('compute_aggregates', {
    output: aggregateOutput,
    description:
      'Recomputes the aggregates (per skill and project: daily, weekly, monthly and all-time buckets), the correlated sessions, co-usage and ' +
      'transitions from the collected records. Other tools do this by themselves when the data changed, so call it only when asked to. ' +
      'Returns windows, rows_written, sessions and duration_ms.',
    input: z.object({ window: z.enum(AGGREGATE_WINDOWS).optional().describe('Only this window (default: all four).') }),
    run(ctx, input) {
      return ctx.core.aggregate({ windows: input.window ? [input.window] : undefined, signal: ctx.signal });
    },
  }),
  tool('get_top_skills', {
    output: ['skills', topSkillOutput],
    description:
      'The most used AI coding skills, most used first, with total and completed invocations, success_rate (0..1), average and p95 duration ' +
      'in seconds, average follow-up actions, how many projects use each, and first and last use. Use it for "which skills do I use most" and ' +
      'to find skill names. Filter by project and time window (or dates).',
    input: z.object({
      limit: limit(10, 1000, 'skills'),
      project: project.optional(),
      window: z
        .enum(WINDOWS)
        .default('all')
        .describe('all; today, 7d, 30d (whole days up to today); daily, weekly, monthly (the current day, ISO week, month). Default all.'),
      since: date('The first day').optional(),
      until: date('The last day').optional(),
    }),
    run(ctx, input) {
      return ctx.core.topSkills({ ...parseScope(input), limit: input.limit });
    },
  }),
  tool('analyze_skill_effectiveness', {
    output: effectivenessOutput,
    description:
      'How well one skill works: invocations, success_rate, average/p50/p95 duration, follow-ups, its top errors, its success per workflow path, ' +
      'first and last use, whether there is enough evidence to rate it, and insights in plain sentences (low success, error hotspot, a better ' +
      'workflow path). Use it when the user asks about a specific skill or why it fails. found is false for a skill never recorded.',
    input: z.object({ skill, project: project.optional() }),
    run(ctx, input) {
      return ctx.core.effectiveness(input.skill, parseScope(input));
    },
  }),
  tool('compare_skill_across_projects', {
    output: ['projects', compareRowOutput],
    description:
      'One skill in every active project that uses it: invocations, success_rate and average duration per project, most used first. ' +
      'Use it to see where a skill works well and where it does not.',
    input: z.object({ skill }),
    run(ctx, input) {
      return ctx.core.compare(input.skill);
    },
  }),
  tool('get_skill_summary', {
    output: summaryOutput,
    description:
      'A compact overview in one call; start here for "how are my skills doing". For a time window (default the last 30 days): invocations, ' +
      'success_rate, median duration, how many skills and projects, the change against the period of equal length before, the top 5 skills, ' +
      'the rated skills that fail too often (needs_attention), the single most useful recommendation and how many there are, and data health.',
    input: z.object({
      project: project.optional(),
      window: z.enum(WINDOWS).default('30d').describe('The time window of the figures and top skills (default 30d); see get_top_skills.'),
    }),
    run(ctx, input) {
      return ctx.core.summary(parseScope(input));
    },
  }),
  tool('get_workflow_recommendations', {
    output: ['recommendations', recommendationOutput],
    description:
      'What to change in the user\'s skills and workflows, most useful first: each with type, priority (high, medium, low), the skill, a message, ' +
      'a suggested action and the evidence (the numbers behind it). Types: low_success_rate, error_hotspot, high_follow_ups, prefer_workflow_path, ' +
      'declining, try_here, usual_successor, stale, well_tuned. Skills with too few invocations are never rated.',
    input: z.object({
      project: project.optional(),
      limit: z.number().int().min(1).max(500).optional().describe('How many recommendations at most (default: all).'),
    }),
    run(ctx, input) {
      return ctx.core.recommendations({ ...parseScope(input), limit: input.limit });
    },
  }),
  tool('get_correlated_sessions', {
    output: ['sessions', sessionOutput],
    description:
      'Recent sessions, most recent first: the skills used in each (in order of first use) and the workflow events of the same session, with ' +
      'skills completed, workflow nodes completed, total skill and workflow duration, start and end. Sessions without a session id are inferred ' +
      'from time gaps (inferred true). Use it to see what was done together, or when a given skill was used.',
    input: z.object({
      project: project.optional(),
      limit: limit(20, 1000, 'sessions'),
      skill: skill.describe('Only sessions that used this skill.').optional(),
    }),
    run(ctx, input) {
      return ctx.core.sessions({ ...parseScope(input), limit: input.limit, skill: input.skill });
    },
  }),
  tool('get_skill_graph', {
    output: graphOutput,
    description:
      'Which skills are used together and what follows what. pairs: two skills used in the same sessions, with how many sessions and the lift ' +
      '(above 1: together more often than chance). transitions: from one skill to the next within a session, with count and probability ' +
      'P(to | from). Use it to understand workflows; for what to run next, use recommend_workflow_skills.',
    input: z.object({
      project: project.optional(),
      min_count: z.number().int().min(1).default(2).describe('Leave out pairs and transitions seen fewer times (default 2).'),
      limit: limit(25, 1000, 'pairs and transitions each'),
    }),
    async run(ctx, input) {
      return ctx.core.graphAnswer({ ...parseScope(input), minCount: input.min_count, limit: input.limit });
    },
  }),
  tool('health_check', {
    output: healthOutput,
    description:
      'Whether the skill metrics database is usable and the data trustworthy: ok, schema_version, active projects, records (stored invocations), workflow_events, the last collection ' +
      '(when, how long, files read, records added, problems), whether the aggregates are fresh, and every current problem [{file, message}] ' +
      '(unreadable files, skipped records, missing project folders). Use it when results look wrong or empty.',
    input: z.object({}),
    run(ctx) {
      return ctx.core.health();
    },
  }),
  tool('recommend_workflow_skills', {
    output: nextSkillsOutput,
    description:
      'Which skills to use next and in which order, learnt from what usually follows what in the user\'s sessions and how well each skill works. ' +
      'Give the skills used so far (the last one is where the plan continues) and/or a workflow (a workflow path or node name): with a workflow, ' +
      'only its skills are suggested and their success in that workflow counts, so a skill is included only where it works. A skill whose ' +
      'success rate is below the low threshold is left out (listed in excluded with the reason) unless nothing else fits. Each suggestion ' +
      'has the reason (usual_next, usual_start, typical_order), a sentence why, the transition probability and count, success_rate, and ' +
      'enough_evidence.',
    input: z.object({
      skills_so_far: z.array(z.string().min(1)).default([]).describe('The skills used so far in this session, in order.'),
      workflow: z.string().min(1).optional().describe('A workflow path (e.g. "daily") or workflow node (e.g. "tests") to plan within.'),
      project: project.optional(),
      limit: limit(DEFAULT_NEXT_SKILLS_LIMIT, 50, 'skills to suggest'),
    }),
    run(ctx, input) {
      return ctx.core.nextSkills({ ...parseScope(input), skillsSoFar: input.skills_so_far, workflow: input.workflow, limit: input.limit });
    },
  }),
];

export function findTool(name: string): ToolDefinition | undefined {
  return TOOLS.find((t) => t.name === name);
}

/** A tool's result as JSON text: exactly what the CLI prints with --json (instants in the display zone). */
export function resultJson(ctx: ToolContext, data: unknown): string {
  return toJson(data, ctx.core.displayTimeZone);
}

/**
 * An error as a tool's caller should read it: the core's message, with the CLI's wording of where to look
 * turned into the tools' ("see the projects command" -> list_registered_projects, "--since" -> since).
 */
export function toolErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .replace('see the projects command', 'see list_registered_projects')
    .replace('(run: skill-metrics aggregate)', '(call compute_aggregates)')
    .replace(/--(since|until|min-count)\b/g, (_m, name: string) => name.replace('-', '_'));
}

/**
 * Validates raw input against the tool's schema and runs it. Throws UsageError with a readable message for
 * bad input; errors of the analytics (unknown project, bad window, database unavailable) pass through.
 */
export async function runTool(
  definition: ToolDefinition,
  ctx: ToolContext,
  rawInput: unknown,
): Promise<{ data: unknown; text: string; structured: Record<string, unknown> }> {
  const parsed = definition.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    throw new UsageError(`Invalid input for ${definition.name}: ${issues.join('; ')}`);
  }
  const data = await definition.run(ctx, parsed.data);
  const text = resultJson(ctx, data);
  return { data, text, structured: structuredContent(definition, text) };
}

/** A tool's JSON as MCP structuredContent: the same document, a list wrapped under the tool's listKey. */
export function structuredContent(definition: ToolDefinition, text: string): Record<string, unknown> {
  const json = JSON.parse(text) as unknown;
  return definition.listKey ? { [definition.listKey]: json } : (json as Record<string, unknown>);
}

/** The JSON schema of a tool's input (without `$schema`), as the editor's manifest declares it. */
export function inputJsonSchema(definition: ToolDefinition): Record<string, unknown> {
  const { $schema: _schema, ...schema } = z.toJSONSchema(definition.input, { io: 'input', target: 'draft-07' }) as Record<string, unknown>;
  return schema;
}

/** One entry of package.json `contributes.languageModelTools`. */
export interface LanguageModelToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: boolean;
  icon: string;
  userDescription: string;
  modelDescription: string;
  tags: string[];
  inputSchema: Record<string, unknown>;
}

/**
 * The editor's language-model tools as package.json declares them, generated from this catalogue (a unit
 * test keeps the manifest equal to it): the same names with a prefix, the same descriptions and schemas.
 */
export function languageModelToolContributions(): LanguageModelToolContribution[] {
  return TOOLS.map((t) => ({
    name: `${LM_TOOL_PREFIX}${t.name}`,
    displayName: `Skill Metrics: ${t.title}`,
    toolReferenceName: t.name,
    canBeReferencedInPrompt: true,
    icon: '$(graph)',
    userDescription: t.description.slice(0, t.description.indexOf('. ') + 1 || undefined),
    modelDescription: t.description,
    tags: ['skill-metrics', t.readOnly ? 'read-only' : 'changes-state'],
    inputSchema: inputJsonSchema(t),
  }));
}
