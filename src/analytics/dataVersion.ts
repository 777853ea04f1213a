/**
 * Counters that change whenever stored records change: one for the whole store (collection added or
 * updated records, clean-up removed some, a project was registered or unregistered) and one per project
 * (its records changed). Derived data remembers the versions it was computed from (derived.ts), so a
 * refresh recomputes only the projects whose records changed.
 */
import type { Db } from './store';

export async function dataVersion(db: Db): Promise<number> {
  const row = await db.one<{ v: number }>("SELECT value::BIGINT AS v FROM meta WHERE key = 'data_version'");
  return row?.v ?? 0;
}

export async function bumpDataVersion(db: Db): Promise<void> {
  await db.run("UPDATE meta SET value = (value::BIGINT + 1)::VARCHAR WHERE key = 'data_version'");
}

/** Marks the projects' records as changed (inside the transaction that changed them). */
export async function bumpProjectVersions(db: Db, projectIds: readonly string[] | 'all'): Promise<void> {
  if (projectIds === 'all') await db.run('UPDATE projects SET data_version = data_version + 1');
  else if (projectIds.length) await db.run('UPDATE projects SET data_version = data_version + 1 WHERE list_contains($1, project_id)', [projectIds]);
}

/**
 * Records, with each project's version, the earliest invocation time the current transaction added or
 * updated for it (rows it wrote carry its `now()` as `ingested_at`); NULL when it wrote only workflow events.
 * Call after bumpProjectVersions, in the same transaction. A refresh then recomputes the cross-project
 * aggregates from that time on (derived.ts); a version bump without such a row means "anything changed".
 */
export async function recordChangedRanges(db: Db, projectIds: readonly string[]): Promise<void> {
  if (projectIds.length === 0) return;
  // One project (an incremental collection): an equality the scan can skip row groups with.
  const one = projectIds.length === 1;
  const of = (column: string) => (one ? `${column} = $1` : `list_contains($1, ${column})`);
  await db.run(
    `INSERT INTO changed_ranges
     SELECT p.project_id, p.data_version, u.since
     FROM projects p
     LEFT JOIN (SELECT project_id, min(invoked_at) AS since FROM skill_usage
                WHERE ${of('project_id')} AND ingested_at = now() GROUP BY project_id) u USING (project_id)
     WHERE ${of('p.project_id')}`,
    [one ? projectIds[0] : projectIds],
  );
}
