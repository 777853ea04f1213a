/**
 * The JSON of every answer, as zod types: what `skill-metrics <command> --json` prints and what each agent
 * tool returns (as text, and as MCP structuredContent checked against the tool's outputSchema). Instants are
 * ISO 8601 strings with the display zone's offset, rates fractions 0..1, durations seconds (DESIGN section 5).
 * Objects are open (looseObject): a later version may add fields, never remove or retype these.
 */
import { z } from 'zod';

const instant = z.string().describe('ISO 8601 with the display zone\'s offset');
const count = z.number();
/** A figure that is null when nothing is known (no completed run with a duration, no runs at all). */
const figure = z.number().nullable();
const problem = z.looseObject({ file: z.string(), message: z.string() });

export const projectOutput = z.looseObject({
  project_id: z.string(),
  project_path: z.string(),
  project_name: z.string(),
  project_type: z.string().nullable(),
  is_active: z.boolean(),
  registered_at: instant,
  last_sync_at: instant.nullable(),
});

export const projectRowOutput = projectOutput.extend({ total_invocations: count });

export const collectOutput = z.looseObject({
  projects: count,
  files: count,
  files_read: count,
  records_seen: count,
  records_added: count,
  records_updated: count,
  skipped_invalid: count,
  problems: z.array(problem),
  duration_ms: count,
});

export const aggregateOutput = z.looseObject({
  windows: z.array(z.string()),
  rows_written: count,
  sessions: count,
  duration_ms: count,
});

export const topSkillOutput = z.looseObject({
  skill_name: z.string(),
  total_invocations: count,
  completed_invocations: count,
  success_rate: figure,
  avg_duration_seconds: figure,
  p95_duration_seconds: figure,
  avg_follow_ups: figure,
  projects: count,
  first_used: instant.nullable(),
  last_used: instant.nullable(),
});

export const effectivenessOutput = z.looseObject({
  skill_name: z.string(),
  found: z.boolean(),
  total_invocations: count,
  completed_invocations: count,
  success_rate: figure,
  avg_duration_seconds: figure,
  p50_duration_seconds: figure,
  p95_duration_seconds: figure,
  avg_follow_ups: figure,
  follow_up_share: figure,
  top_errors: z.array(z.looseObject({ error_type: z.string(), count })),
  workflow_paths: z.array(z.looseObject({ workflow_path: z.string(), count, success_rate: figure })),
  first_used: instant.nullable(),
  last_used: instant.nullable(),
  enough_evidence: z.boolean(),
  insights: z.array(z.string()),
});

export const compareRowOutput = z.looseObject({
  project_id: z.string(),
  project_name: z.string(),
  total_invocations: count,
  success_rate: figure,
  avg_duration_seconds: figure,
});

export const recommendationOutput = z.looseObject({
  type: z.string(),
  priority: z.enum(['high', 'medium', 'low']),
  skill_name: z.string().nullable(),
  project_id: z.string().nullable(),
  message: z.string(),
  action: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

export const sessionOutput = z.looseObject({
  session_id: z.string(),
  inferred: z.boolean(),
  project_id: z.string(),
  start_time: instant,
  end_time: instant.nullable(),
  skills_used: z.array(z.string()),
  skills_completed: count,
  workflow_nodes_completed: count,
  total_skill_duration: figure,
  total_workflow_duration: figure,
});

export const graphOutput = z.looseObject({
  pairs: z.array(z.looseObject({ a: z.string(), b: z.string(), sessions: count, lift: figure })),
  transitions: z.array(z.looseObject({ from: z.string(), to: z.string(), count, probability: figure })),
});

export const healthOutput = z.looseObject({
  ok: z.boolean(),
  schema_version: count,
  projects: count,
  records: count,
  last_collection: z.looseObject({ finished_at: instant }).nullable(),
  aggregates_fresh: z.boolean(),
  problems: z.array(problem),
});

const summarySkill = z.looseObject({ skill_name: z.string(), total_invocations: count, success_rate: figure, avg_duration_seconds: figure, enough_evidence: z.boolean() });

export const summaryOutput = z.looseObject({
  project_id: z.string().nullable(),
  project_name: z.string().nullable(),
  window: z.string(),
  from: instant.nullable(),
  to: instant.nullable(),
  invocations: count,
  completed: count,
  success_rate: figure,
  median_duration_seconds: figure,
  skills: count,
  active_projects: count,
  change: z.looseObject({ invocations: figure, success_rate: figure }).nullable(),
  top_skills: z.array(summarySkill),
  needs_attention: z.array(summarySkill),
  best_recommendation: recommendationOutput.nullable(),
  recommendations: count,
  health: z.looseObject({ ok: z.boolean(), problems: count, aggregates_fresh: z.boolean(), last_collection: instant.nullable() }),
});

export const nextSkillsOutput = z.looseObject({
  next: z.array(z.looseObject({ position: count, skill_name: z.string(), reason: z.string(), why: z.string(), success_rate: figure, enough_evidence: z.boolean() })),
  excluded: z.array(z.looseObject({ skill_name: z.string(), reason: z.string() })),
  notes: z.array(z.string()),
});
