/**
 * The shapes of answers that are more than one analytics row type, so that the CLI's --json and the agent
 * tools give the same JSON for the same question.
 */
import type { SkillGraph } from '../analytics/graph';
import type { ProjectWithCounts } from '../analytics/projects';

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
