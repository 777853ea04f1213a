/** Turns a caller's project reference (id, path or name) into a project id, or null for all active projects. */
import type { Db } from './store';
import { resolveProject } from './projects';

export async function projectScope(db: Db, project: string | undefined | null): Promise<string | null> {
  return project ? (await resolveProject(db, project)).project_id : null;
}
