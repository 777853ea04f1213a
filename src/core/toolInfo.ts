/**
 * What is known of each agent tool without loading the core: its name, title and whether it changes
 * anything. The editor registers its language-model tools from this at activation (when DuckDB must not be
 * loaded yet) and asks for confirmation before a tool that changes state; tools.ts adds the descriptions,
 * schemas and handlers. No imports, so that importing it costs nothing.
 */
export interface ToolInfo {
  title: string;
  /** Only reads (derived tables may be refreshed on the way, as the CLI does). */
  readOnly: boolean;
  /** May change or remove data the user cares about (MCP destructiveHint). */
  destructive: boolean;
  /** Calling it again with the same input changes nothing more (MCP idempotentHint). */
  idempotent: boolean;
}

const reads = (title: string): ToolInfo => ({ title, readOnly: true, destructive: false, idempotent: true });
const writes = (title: string): ToolInfo => ({ title, readOnly: false, destructive: false, idempotent: true });

/** Every tool, by the seed's names, in the order they are listed. */
export const TOOL_INFO = {
  register_project: writes('Register a project'),
  unregister_project: writes('Unregister a project'),
  list_registered_projects: reads('List registered projects'),
  collect_skill_metrics: writes('Collect skill metrics'),
  compute_aggregates: writes('Compute aggregates'),
  get_top_skills: reads('Top skills'),
  analyze_skill_effectiveness: reads('Analyze skill effectiveness'),
  compare_skill_across_projects: reads('Compare a skill across projects'),
  get_skill_summary: reads('Skill summary'),
  get_workflow_recommendations: reads('Workflow recommendations'),
  get_correlated_sessions: reads('Correlated sessions'),
  get_skill_graph: reads('Skill graph'),
  health_check: reads('Health check'),
  recommend_workflow_skills: reads('Recommend the next skills'),
} as const satisfies Record<string, ToolInfo>;

export type ToolName = keyof typeof TOOL_INFO;

export const TOOL_NAMES = Object.keys(TOOL_INFO) as ToolName[];

/** The prefix of the editor's language-model tool names (`skillMetrics_get_top_skills`): unique among extensions. */
export const LM_TOOL_PREFIX = 'skillMetrics_';

/**
 * What a tool that changes state is about to do, for the confirmation the editor asks for (undefined for a
 * tool that only reads). `input` is the model's raw input: only strings are taken from it.
 */
export function describeChange(name: ToolName, input: unknown): string | undefined {
  if (TOOL_INFO[name].readOnly) return undefined;
  const o = (input ?? {}) as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
  const paths = Array.isArray(o.paths) ? o.paths.filter((p): p is string => typeof p === 'string') : [];
  switch (name) {
    case 'register_project':
      return `Register the folder ${text('path') ?? '(none given)'}${text('name') ? ` as "${text('name')}"` : ''}: its .session-buddy records will be collected and analysed.`;
    case 'unregister_project':
      return `Unregister the project ${text('project') ?? '(none given)'}: nothing more is collected from it and analyses leave it out. Its records are kept.`;
    case 'collect_skill_metrics':
      return paths.length
        ? `Register (if needed) and collect ${paths.join(', ')}, then refresh the aggregates.`
        : 'Collect new skill records from every registered project, then refresh the aggregates.';
    case 'compute_aggregates':
      return `Recompute the ${text('window') ?? 'daily, weekly, monthly and all-time'} aggregates, sessions and transitions.`;
    default:
      return `Run ${TOOL_INFO[name].title}.`;
  }
}
