/**
 * Retention clean-up (DESIGN section 5, `cleanup --older-than-days N`): deletes raw records (invocations,
 * workflow events) older than N days and the aggregate buckets that lie wholly before that instant, and
 * nothing else. The cut-off is remembered so the collector does not ingest those records again from files
 * that still hold them. Derived data is recomputed on next use.
 */
import { UsageError } from '../common/errors';
import { bumpDataVersion, bumpProjectVersions } from './dataVersion';
import type { Db } from './store';

export interface CleanupResult {
  cutoff: Date;
  usage_deleted: number;
  events_deleted: number;
  aggregates_deleted: number;
}

export async function cleanup(db: Db, options: { olderThanDays: number; now?: Date }): Promise<CleanupResult> {
  const days = options.olderThanDays;
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--older-than-days must be a whole number of days, 1 or more; got ${days}`);
  return db.transaction(async () => {
    const cutoff = (await db.one<{ c: Date }>('SELECT coalesce($1::TIMESTAMPTZ, now()) - to_days($2::BIGINT) AS c', [options.now ?? null, days]))!.c;
    const usage = await db.run('DELETE FROM skill_usage WHERE invoked_at < $1', [cutoff]);
    const events = await db.run('DELETE FROM workflow_events WHERE ts < $1', [cutoff]);
    const aggregates = await db.run(
      `DELETE FROM skill_aggregates WHERE
         (time_window = 'daily' AND bucket_start + INTERVAL 1 DAY <= $1) OR
         (time_window = 'weekly' AND bucket_start + INTERVAL 1 WEEK <= $1) OR
         (time_window = 'monthly' AND bucket_start + INTERVAL 1 MONTH <= $1)`,
      [cutoff],
    );
    await db.run(
      `UPDATE meta SET value = strftime(greatest(coalesce(try_cast(nullif(value, '') AS TIMESTAMPTZ), $1), $1) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')
       WHERE key = 'retention_cutoff'`,
      [cutoff],
    );
    if (usage + events + aggregates > 0) {
      await bumpProjectVersions(db, 'all');
      await bumpDataVersion(db);
    }
    return { cutoff, usage_deleted: usage, events_deleted: events, aggregates_deleted: aggregates };
  });
}

/** The instant before which records were cleaned up and are not ingested again, if any. */
export async function retentionCutoff(db: Db): Promise<Date | null> {
  const row = await db.one<{ c: Date | null }>("SELECT try_cast(nullif(value, '') AS TIMESTAMPTZ) AS c FROM meta WHERE key = 'retention_cutoff'");
  return row?.c ?? null;
}
