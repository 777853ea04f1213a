/**
 * Answers that are more than one analytics call, shared by the CLI commands (printed with --json) and the
 * agent tools (src/mcp/tools.ts), so that both give the same JSON for the same question.
 */
import type { CoreSettings } from '../common/settings';
import { computeAggregates } from '../analytics/derived';
import type { SkillGraph } from '../analytics/graph';
import type { ProjectWithCounts } from '../analytics/projects';
import type { Store } from '../analytics/store';
import { collect } from '../ingest/collector';
import type { CollectOptions, CollectResult } from '../ingest/collector';

/** One row of `projects --json` (DESIGN section 5). */
export interface ProjectRow {
  project_id: string;
  project_path: string;
  project_name: string;
  project_type: string | null;
  is_active: boolean;
  registered_at: Date;
  last_sync_at: Date | null;
  total_invocations: number;
}

export function projectRows(rows: readonly ProjectWithCounts[]): ProjectRow[] {
  return rows.map((p) => ({
    project_id: p.project_id,
    project_path: p.project_path,
    project_name: p.project_name,
    project_type: p.project_type,
    is_active: p.is_active,
    registered_at: p.registered_at,
    last_sync_at: p.last_sync_at,
    total_invocations: p.total_invocations,
  }));
}

/** `graph --json`: pairs without their support, and transitions. */
export interface GraphAnswer {
  pairs: { a: string; b: string; sessions: number; lift: number }[];
  transitions: SkillGraph['transitions'];
}

export function graphAnswer(g: SkillGraph): GraphAnswer {
  return { pairs: g.pairs.map(({ a, b, sessions, lift }) => ({ a, b, sessions, lift })), transitions: g.transitions };
}

export interface CollectRequest {
  /** Folders to register (if needed) and collect; none: every active project. */
  register?: string[];
  /** Skip refreshing the aggregates afterwards. */
  noAggregate?: boolean;
  origin: CollectOptions['origin'];
  loader?: CollectOptions['loader'];
  signal?: AbortSignal;
  /** DuckDB threads while parse workers use the other cores (reset to DuckDB's default afterwards). */
  threads?: number;
}

/** `collect`: ingest new records, then refresh the aggregates when anything changed (they follow the data). */
export async function collectAndAggregate(store: Store, settings: CoreSettings, request: CollectRequest): Promise<CollectResult> {
  if (request.threads !== undefined) store.setThreads(request.threads);
  const result = await collect(store, {
    register: request.register,
    sourceTimeZone: settings.sourceTimeZone,
    maxFileBytes: settings.maxFileBytes,
    origin: request.origin,
    loader: request.loader,
    signal: request.signal,
  });
  if (request.threads !== undefined) store.setThreads(undefined);
  if (request.noAggregate !== true && result.records_added + result.records_updated > 0) {
    await store.write((db) => computeAggregates(db, { sessionGapMinutes: settings.sessionGapMinutes }));
  }
  return result;
}
