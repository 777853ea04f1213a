/**
 * A caller's project reference: an id, path or name to resolve (one query), or a project the caller resolved
 * already for this request (resolved(), no query: the dashboard's parallel queries resolve it once).
 */
import type { Db } from './store';
import { resolveProject } from './projects';

/** A project resolved once for a request. */
export interface ResolvedProjectRef {
  readonly resolvedProjectId: string;
}

export type ProjectRef = string | ResolvedProjectRef;

export function resolved(projectId: string): ResolvedProjectRef {
  return { resolvedProjectId: projectId };
}

/** The project id of a reference, or null for all active projects. */
export async function projectScope(db: Db, project: ProjectRef | undefined | null): Promise<string | null> {
  if (!project) return null;
  if (typeof project !== 'string') return project.resolvedProjectId;
  return (await resolveProject(db, project)).project_id;
}
