/**
 * zod schemas for everything the dashboard webview sends and persists. The host parses every message
 * with `parseWebviewMessage` and drops what does not fit; a restored state that does not fit is
 * replaced by the default. The `Exact` checks below make the build fail when these schemas and the
 * protocol types drift apart.
 */
import { z } from 'zod';
import type { DashboardState, Filters, Page, WebviewMessage } from '../../core/dashboard/protocol';
import { CHART_IDS, EXPORT_FORMATS, GRANULARITIES, HOST_COMMANDS, RANGE_PRESETS, STATE_VERSION, TOP_SKILL_COLUMNS } from '../../core/dashboard/protocol';

const MAX_NAME = 500;
/** A PNG data URL or SVG text of one chart: generous, but bounded. */
export const MAX_IMAGE_CHARS = 20 * 1024 * 1024;

const id = z.string().min(1).max(MAX_NAME);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const filtersSchema = z
  .object({
    project: id.nullable(),
    range: z.enum([...RANGE_PRESETS, 'custom']),
    since: date.optional(),
    until: date.optional(),
    granularity: z.enum(GRANULARITIES),
  })
  .strict()
  .refine((f) => !f.since || !f.until || f.since <= f.until, { message: 'since is after until' });

export const pageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('overview') }).strict(),
  z.object({ kind: z.literal('skill'), skill: id }).strict(),
]);

const sessionRef = z.object({ projectId: id, sessionId: id }).strict();

export const stateSchema = z
  .object({
    v: z.literal(STATE_VERSION),
    filters: filtersSchema,
    page: pageSchema,
    session: sessionRef.nullable(),
    sort: z.object({ column: z.enum(TOP_SKILL_COLUMNS), descending: z.boolean() }).strict(),
  })
  .strict();

const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const webviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), state: stateSchema.nullable().catch(null) }).strict(),
  z.object({ type: z.literal('query'), id: requestId, filters: filtersSchema, page: pageSchema, session: sessionRef.nullable() }).strict(),
  z.object({ type: z.literal('session'), id: requestId, projectId: id, sessionId: id }).strict(),
  z
    .object({ type: z.literal('export'), chart: z.enum(CHART_IDS), format: z.enum(EXPORT_FORMATS), image: z.string().max(MAX_IMAGE_CHARS).optional() })
    .strict()
    .refine((m) => (m.format === 'csv' ? m.image === undefined : m.image !== undefined), { message: 'an image export carries the image, a CSV export none' })
    .refine((m) => m.format !== 'png' || (m.image ?? '').startsWith('data:image/png;base64,'), { message: 'a PNG export is a PNG data URL' })
    .refine((m) => m.format !== 'svg' || /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(m.image ?? ''), { message: 'an SVG export is SVG text' }),
  z.object({ type: z.literal('command'), command: z.enum(HOST_COMMANDS) }).strict(),
  z.object({ type: z.literal('state'), state: stateSchema }).strict(),
]);

// Compile-time: the schemas describe exactly the protocol's types.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [Exact<z.infer<typeof filtersSchema>, Filters>, Exact<z.infer<typeof pageSchema>, Page>, Exact<z.infer<typeof stateSchema>, DashboardState>, Exact<z.infer<typeof webviewMessageSchema>, WebviewMessage>] = [true, true, true, true];
void checks;

/** The message, or undefined (with the reason) when it does not fit the protocol. */
export function parseWebviewMessage(raw: unknown): { message?: WebviewMessage; error?: string } {
  const parsed = webviewMessageSchema.safeParse(raw);
  if (parsed.success) return { message: parsed.data as WebviewMessage };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
}

/** A persisted state, or undefined when it is missing or of another shape/version. */
export function parseState(raw: unknown): DashboardState | undefined {
  const parsed = stateSchema.safeParse(raw);
  return parsed.success ? (parsed.data as DashboardState) : undefined;
}
