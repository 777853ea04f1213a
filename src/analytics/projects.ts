/**
 * The registry of projects (DESIGN section 3, `projects`). A project is a folder; its id is the first
 * 16 hex characters of sha256 of its real path. Unregistering is a soft delete: nothing is collected
 * from an inactive project and analyses leave it out, but its history stays.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../common/errors';
import { bumpDataVersion } from './dataVersion';
import type { Db } from './store';

export type ProjectSource = 'workspace' | 'manual' | 'cli';

export interface Project {
  project_id: string;
  project_path: string;
  project_name: string;
  project_type: string | null;
  source: ProjectSource;
  is_active: boolean;
  registered_at: Date;
  last_sync_at: Date | null;
}

export interface ProjectWithCounts extends Project {
  total_invocations: number;
}

/** The canonical path of a folder: its real path when it exists, else the resolved path. */
export function canonicalPath(dir: string): string {
  const resolved = path.resolve(dir);
  try {
    return realpathSync.native(resolved);
  } catch {
    return resolved;
  }
}

export function projectIdFor(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** A best guess at what kind of project a folder is, from the files at its root. */
export function detectProjectType(dir: string): string | null {
  const markers: [string, string][] = [
    ['pyproject.toml', 'python'], ['setup.py', 'python'], ['requirements.txt', 'python'], ['package.json', 'node'],
    ['Cargo.toml', 'rust'], ['go.mod', 'go'], ['pom.xml', 'java'], ['build.gradle', 'java'], ['Gemfile', 'ruby'],
    ['composer.json', 'php'], ['Package.swift', 'swift'], ['mix.exs', 'elixir'],
  ];
  for (const [file, type] of markers) if (existsSync(path.join(dir, file))) return type;
  return null;
}

export interface RegisterOptions {
  name?: string;
  type?: string;
  source: ProjectSource;
}

export interface Registration {
  project: Project;
  /** True when the project was new or had been unregistered. */
  changed: boolean;
}

export async function registerProject(db: Db, dir: string, options: RegisterOptions): Promise<Registration> {
  return (await registerProjects(db, [dir], options))[0]!;
}

/** Registers several folders with one look-up and one insert (a first collection of many projects). */
export async function registerProjects(db: Db, dirs: readonly string[], options: RegisterOptions): Promise<Registration[]> {
  const folders = dirs.map((dir) => {
    const canonical = canonicalPath(dir);
    let isDir = false;
    try {
      isDir = statSync(canonical).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new UsageError(`Not a folder: ${dir}`);
    return { canonical, id: projectIdFor(canonical) };
  });
  const ids = folders.map((f) => f.id);
  const known = new Map(
    ids.length === 1
      ? [await getProject(db, ids[0]!)].filter((p) => p !== undefined).map((p) => [p.project_id, p] as const)
      : (await db.all<Project>('SELECT * FROM projects WHERE list_contains($1, project_id)', [ids])).map((p) => [p.project_id, p] as const),
  );
  const out: Registration[] = [];
  const added: Project[] = [];
  let reactivated = false;
  for (const { canonical, id } of folders) {
    const existing = known.get(id);
    if (existing) {
      const name = options.name ?? existing.project_name;
      const type = options.type ?? existing.project_type;
      const changed = !existing.is_active;
      // Re-registering never demotes a workspace project to manual, and keeps its original date.
      await db.run('UPDATE projects SET is_active = true, project_name = $2, project_type = $3 WHERE project_id = $1', [id, name, type]);
      reactivated ||= changed;
      const project = { ...existing, is_active: true, project_name: name, project_type: type };
      known.set(id, project);
      out.push({ project, changed });
      continue;
    }
    const project: Project = {
      project_id: id,
      project_path: canonical,
      project_name: options.name ?? path.basename(canonical),
      project_type: options.type ?? detectProjectType(canonical),
      source: options.source,
      is_active: true,
      registered_at: new Date(),
      last_sync_at: null,
    };
    known.set(id, project);
    added.push(project);
    out.push({ project, changed: true });
  }
  if (reactivated) await bumpDataVersion(db); // their records count in analyses again
  if (added.length) {
    const fields = (p: Project) => [p.project_id, p.project_path, p.project_name, p.project_type, p.source];
    await db.run(
      `INSERT INTO projects (project_id, project_path, project_name, project_type, source, registered_at, is_active)
       VALUES ${added.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5}, now(), true)`).join(', ')}`,
      added.flatMap(fields),
    );
  }
  return out;
}

export async function unregisterProject(db: Db, ref: string): Promise<Project> {
  const project = await resolveProject(db, ref, { includeInactive: true });
  await db.run('UPDATE projects SET is_active = false WHERE project_id = $1', [project.project_id]);
  if (project.is_active) await bumpDataVersion(db); // analyses leave its records out from now on
  return { ...project, is_active: false };
}

export async function getProject(db: Db, id: string): Promise<Project | undefined> {
  return db.one<Project>('SELECT * FROM projects WHERE project_id = $1', [id]);
}

export async function listProjects(db: Db, options: { includeInactive?: boolean } = {}): Promise<ProjectWithCounts[]> {
  return db.all<ProjectWithCounts>(
    `SELECT p.*, coalesce(u.n, 0) AS total_invocations
     FROM projects p LEFT JOIN (SELECT project_id, count(*) AS n FROM skill_usage GROUP BY ALL) u USING (project_id)
     WHERE p.is_active OR $1
     ORDER BY p.is_active DESC, lower(p.project_name), p.project_path`,
    [options.includeInactive ?? false],
  );
}

/** The active projects (without counting their records). */
export async function activeProjects(db: Db): Promise<Project[]> {
  return db.all<Project>('SELECT * FROM projects WHERE is_active ORDER BY lower(project_name), project_path');
}

/** Finds a project by id, path or name; a name that several projects share is refused with their paths. */
export async function resolveProject(db: Db, ref: string, options: { includeInactive?: boolean } = {}): Promise<Project> {
  return (await resolveProjects(db, [ref], options))[0]!;
}

/** resolveProject for several references, with one look-up. */
export async function resolveProjects(db: Db, refs: readonly string[], options: { includeInactive?: boolean } = {}): Promise<Project[]> {
  const all = await db.all<Project>('SELECT * FROM projects WHERE is_active OR $1', [options.includeInactive ?? false]);
  return refs.map((ref) => {
    const byId = all.find((p) => p.project_id === ref);
    if (byId) return byId;
    const canonical = canonicalPath(ref);
    const byPath = all.find((p) => p.project_path === canonical || p.project_path === path.resolve(ref));
    if (byPath) return byPath;
    const byName = all.filter((p) => p.project_name === ref);
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) {
      throw new UsageError(`Several projects are named "${ref}": ${byName.map((p) => p.project_path).join(', ')}. Use the path or id.`);
    }
    throw new UsageError(`No ${options.includeInactive ? '' : 'active '}project matches "${ref}" (give a project id, path or name; see the projects command).`);
  });
}
