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
 * Records, with the project's version, the earliest invocation time the current transaction added or
 * updated (rows it wrote carry its `now()` as `ingested_at`); NULL when it wrote only workflow events.
 * Call after bumpProjectVersions, in the same transaction. A refresh then recomputes the cross-project
 * aggregates from that time on (derived.ts); a version bump without such a row means "anything changed".
 */
export async function recordChangedRange(db: Db, projectId: string): Promise<void> {
  await db.run(
    `INSERT INTO changed_ranges
     SELECT project_id, data_version, (SELECT min(invoked_at) FROM skill_usage WHERE project_id = $1 AND ingested_at = now())
     FROM projects WHERE project_id = $1`,
    [projectId],
  );
}
