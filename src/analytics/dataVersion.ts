/**
 * A counter that changes whenever stored records change (collection added or updated some, clean-up
 * removed some). Derived data remembers the version it was computed from (derived.ts).
 */
import type { Db } from './store';

export async function dataVersion(db: Db): Promise<number> {
  const row = await db.one<{ v: number }>("SELECT value::BIGINT AS v FROM meta WHERE key = 'data_version'");
  return row?.v ?? 0;
}

export async function bumpDataVersion(db: Db): Promise<void> {
  await db.run("UPDATE meta SET value = (value::BIGINT + 1)::VARCHAR WHERE key = 'data_version'");
}
