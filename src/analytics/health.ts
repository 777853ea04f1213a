/**
 * Health check (DESIGN section 5, `health`): is the database usable, what schema, how much data, when
 * was the last collection and how did it go, are the aggregates fresh, and every current problem.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_SESSION_GAP_MINUTES, derivedFreshness } from './derived';
import { SCHEMA_VERSION } from './migrations';
import type { Db } from './store';

export interface HealthProblem {
  file: string;
  message: string;
}

export interface LastCollection {
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  origin: string;
  files_read: number;
  records_added: number;
  problems: number;
}

export interface Health {
  ok: boolean;
  schema_version: number;
  projects: number;
  /** Skill invocations stored for the active projects (workflow events are counted in workflow_events). */
  records: number;
  workflow_events: number;
  last_collection: LastCollection | null;
  aggregates_fresh: boolean;
  problems: HealthProblem[];
}

/**
 * The health of the store as this caller sees it. The display zone is the connection's (store.ts); it is
 * accepted here for callers that pass it.
 */
export async function health(db: Db, _displayTimeZone?: string, sessionGapMinutes = DEFAULT_SESSION_GAP_MINUTES): Promise<Health> {
  const schema = await db.one<{ v: number }>('SELECT max(version) AS v FROM schema_migrations');
  const projects = await db.all<{ project_id: string; project_path: string }>('SELECT project_id, project_path FROM projects WHERE is_active');
  const records = await db.one<{ n: number }>(
    'SELECT count(*) AS n FROM skill_usage u JOIN projects p USING (project_id) WHERE p.is_active',
  );
  const events = await db.one<{ n: number }>(
    'SELECT count(*) AS n FROM workflow_events e JOIN projects p USING (project_id) WHERE p.is_active',
  );
  const last = await db.one<LastCollection>(
    `SELECT started_at, finished_at, duration_ms, origin, files_read, records_added, json_array_length(problems) AS problems
     FROM collection_runs ORDER BY finished_at DESC LIMIT 1`,
  );
  const problems: HealthProblem[] = [];
  for (const p of projects) {
    if (!existsSync(p.project_path)) {
      problems.push({ file: p.project_path, message: 'project folder not found (deleted or renamed?); its records are kept' });
    }
  }
  const files = await db.all<HealthProblem>(
    `SELECT f.path AS file, f.last_problem AS message FROM source_files f JOIN projects p USING (project_id)
     WHERE p.is_active AND f.present AND f.last_problem IS NOT NULL ORDER BY f.path`,
  );
  problems.push(...files);
  const invalid = await db.all<{ file: string; n: number; reason: string | null }>(
    `SELECT f.path AS file, f.records_invalid AS n, f.invalid_reasons->>'$.reasons[0].reason' AS reason
     FROM source_files f JOIN projects p USING (project_id)
     WHERE p.is_active AND f.present AND f.last_problem IS NULL AND f.records_invalid > 0 ORDER BY f.path`,
  );
  for (const r of invalid) {
    problems.push({ file: r.file, message: `${r.n} record${r.n === 1 ? '' : 's'} skipped as invalid${r.reason ? ` (e.g. ${r.reason})` : ''}` });
  }
  return {
    ok: problems.length === 0,
    schema_version: schema?.v ?? SCHEMA_VERSION,
    projects: projects.length,
    records: records?.n ?? 0,
    workflow_events: events?.n ?? 0,
    last_collection: last ?? null,
    aggregates_fresh: (await derivedFreshness(db, sessionGapMinutes)).fresh,
    problems,
  };
}
