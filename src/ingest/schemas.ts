/**
 * zod schemas for every input format of FORMATS.md. They accept the union of the writers' fields
 * (B4: v1 files have no session_id, v2/v3 add fields), ignore fields they do not store, and reject
 * anything whose type would make a wrong number. A record that fails is skipped with its reason; the
 * rest of its file is ingested.
 *
 * Privacy: `user_query` (a user's prompt, FORMATS B20) is accepted as input but never read into a
 * record: the schemas below simply do not carry it.
 */
import { z } from 'zod';
import { checkTimestamp } from './timestamps';

/** A writer's timestamp string (see timestamps.ts for the accepted shapes). */
export const timestampString = z.string().superRefine((value, ctx) => {
  const shape = checkTimestamp(value);
  if (typeof shape === 'string') ctx.addIssue({ code: 'custom', message: shape });
});

const optionalText = z.string().nullish();

/** A week: no skill or workflow node runs longer; a larger duration is a wrong value, not a measurement. */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;

/**
 * A duration in seconds: finite and at most MAX_DURATION_SECONDS (a value like 1.7e308 would turn every
 * average into Infinity). Negative values pass here and count as unknown (normalise.ts).
 */
const durationSeconds = z
  .number()
  .nullish()
  .refine((v) => v === null || v === undefined || (Number.isFinite(v) && v <= MAX_DURATION_SECONDS), {
    message: `is not a plausible duration (more than ${MAX_DURATION_SECONDS / 86400} days, or not finite)`,
  });

/** One skill invocation: Crackerjack v1, Session Buddy v2/v3, and the correlator's export. */
export const invocationSchema = z.object({
  skill_name: z.string().trim().min(1, 'must not be empty').max(300, 'is longer than 300 characters'),
  invoked_at: timestampString,
  session_id: optionalText,
  workflow_path: optionalText,
  completed: z.boolean(),
  duration_seconds: durationSeconds,
  follow_up_actions: z.array(z.string()).nullish(),
  error_type: optionalText,
});
export type InvocationInput = z.infer<typeof invocationSchema>;

/**
 * `skill_metrics.json`: `{invocations, skills?, last_updated?}`. v1/v2 carry `skills` and
 * `last_updated`; the v3 export only `invocations`. `skills` is advisory and never read (B8).
 */
export const skillMetricsEnvelope = z.object({
  invocations: z.array(z.unknown(), { error: (issue) => `"invocations" must be an array, found ${jsonKind(issue.input)}` }),
  skills: z.unknown().optional(),
  last_updated: z.unknown().optional(),
});

/** One workflow event as the Oneiric integration design describes it (FORMATS 1.6). */
export const workflowEventSchema = z.object({
  event_type: z.string().trim().min(1, 'must not be empty').max(200),
  workflow_id: optionalText,
  node_id: optionalText,
  timestamp: timestampString,
  session_id: optionalText,
  metadata: z
    .object({
      duration_seconds: durationSeconds,
      success: z.boolean().nullish(),
      error_type: optionalText,
    })
    .loose()
    .nullish(),
});
export type WorkflowEventInput = z.infer<typeof workflowEventSchema>;

/** `workflow_events.json`: a bare array of events, or `{"events": [...]}`. */
export const workflowEventsEnvelope = z.union([
  z.array(z.unknown()),
  z.object({ events: z.array(z.unknown(), { error: (issue) => `"events" must be an array, found ${jsonKind(issue.input)}` }) }),
]);

/** `correlated_session.json` (FORMATS 1.7): `{"sessions": {id: CorrelatedSession}, "exported_at"}`. */
export const correlatedSessionEnvelope = z.object({
  sessions: z.record(
    z.string(),
    z.object({
      session_id: z.string().nullish(),
      skill_invocations: z.array(z.unknown()).default([]),
      workflow_events: z.array(z.unknown()).default([]),
    }),
  ),
});

/** A row of crackerjack's compat `skill_invocations` table (FORMATS 1.4), as sql.js returns it. */
export const compatRowSchema = z.object({
  id: z.number().int(),
  session_id: z.string().nullish(),
  skill_name: z.string().trim().min(1, 'must not be empty').max(300),
  workflow_phase: optionalText,
  completed: z.union([z.number(), z.boolean()]).nullish(),
  error_type: optionalText,
  follow_up_actions: optionalText,
  created_at: timestampString,
  completed_at: timestampString.nullish(),
});

/** A row of Session Buddy's `skill_invocation` table (FORMATS 1.5); V3 columns may be missing (B16). */
export const storageRowSchema = z.object({
  id: z.number().int(),
  skill_name: z.string().trim().min(1, 'must not be empty').max(300),
  invoked_at: timestampString,
  session_id: z.string().nullish(),
  workflow_path: optionalText,
  workflow_phase: optionalText,
  completed: z.union([z.number(), z.boolean()]).nullish(),
  duration_seconds: durationSeconds,
  follow_up_actions: optionalText,
  error_type: optionalText,
});

/** A follow-up list stored as JSON text in SQLite: NULL, '[]' or a JSON array of strings (B16). */
export const followUpsText = z.array(z.string());

/** Deeper JSON than this in one record is refused: nothing the writers write nests past a few levels. */
export const MAX_NESTING = 64;

/**
 * Whether a parsed JSON value nests deeper than `max` levels, walked without recursion (a 20,000-level
 * array would overflow the stack of every recursive step after it: validation, JSON.stringify, DuckDB).
 */
export function nestsDeeperThan(value: unknown, max = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** One readable line for the first problem zod found: `completed: expected boolean, received string`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length ? issue.path.map(String).join('.') : '';
  const message = issue.message.replace(/^Invalid input: /, '');
  return where ? `${where}: ${message}` : message;
}
