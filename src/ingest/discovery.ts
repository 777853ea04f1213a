/**
 * Finds the input files of a project: its `.session-buddy/` folder and any below it to a bounded depth
 * (trackers write under `Path.cwd()`, so files land in sub-folders too, B18). Dependency, VCS, virtualenv
 * and build folders are skipped, symlinked folders are not followed while searching, and the walk has a
 * budget, so a large monorepo or a symlink loop cannot stall it.
 */
import type { Dirent } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fileErrorMessage } from './sourceLoader';
import type { SourceKind } from './sourceKinds';

export const SESSION_BUDDY_DIR = '.session-buddy';

/** Folder names never searched (besides every other dot-folder). */
const SKIPPED_DIRS = new Set([
  'node_modules', 'bower_components', 'jspm_packages', 'venv', 'env', 'virtualenv', '__pycache__', 'site-packages',
  'dist', 'build', 'out', 'target', 'bin', 'obj', 'coverage', 'htmlcov', 'vendor', 'Pods', 'DerivedData', 'tmp', 'temp',
]);

const FILE_KINDS: Record<string, SourceKind> = {
  'skill_metrics.json': 'skill_metrics',
  'workflow_events.json': 'workflow_events',
  'correlated_session.json': 'correlated_session',
};

export interface DiscoveredSource {
  path: string;
  kind: SourceKind;
}

export interface DiscoveryProblem {
  file: string;
  message: string;
}

export interface Discovery {
  /** False when the project folder itself is missing or unreadable (a problem says why). */
  rootOk: boolean;
  sources: DiscoveredSource[];
  problems: DiscoveryProblem[];
}

export interface DiscoveryOptions {
  /** How many folder levels below the project root are searched for `.session-buddy/` (root = 0). */
  maxDepth?: number;
  /** At most this many folders are listed per project. */
  maxDirectories?: number;
}

export async function discoverSources(root: string, options: DiscoveryOptions = {}): Promise<Discovery> {
  const maxDepth = options.maxDepth ?? 3;
  const budget = options.maxDirectories ?? 2000;
  const sources: DiscoveredSource[] = [];
  const problems: DiscoveryProblem[] = [];

  try {
    const st = await fsp.stat(root);
    if (!st.isDirectory()) return { rootOk: false, sources, problems: [{ file: root, message: 'project path is not a folder' }] };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'project folder not found (deleted or renamed?); its records are kept. Unregister the project if it is gone.'
        : `project folder cannot be opened: ${fileErrorMessage(err)}`;
    return { rootOk: false, sources, problems: [{ file: root, message }] };
  }

  let listed = 0;
  let frontier: string[] = [root];
  let skipped = 0;
  for (let depth = 0; depth <= maxDepth && frontier.length; depth++) {
    const next: string[] = [];
    for (const dir of frontier) {
      if (listed >= budget) {
        skipped++;
        continue;
      }
      listed++;
      let entries: Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        // The root must be listable; unreadable sub-folders are not our data and are passed over.
        if (dir === root) {
          problems.push({ file: root, message: `project folder cannot be listed: ${fileErrorMessage(err)}` });
          return { rootOk: false, sources, problems };
        }
        continue;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.name === SESSION_BUDDY_DIR) {
          await collectSessionBuddy(full, sources, problems);
        } else if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) {
          next.push(full);
        }
      }
    }
    frontier = next;
  }
  if (skipped) {
    problems.push({
      file: root,
      message:
        `searched the first ${budget.toLocaleString('en-US')} folders for ${SESSION_BUDDY_DIR} and stopped: ` +
        `${skipped.toLocaleString('en-US')} nested folder(s) were not searched, so records there are not collected ` +
        `(register the sub-folder that holds ${SESSION_BUDDY_DIR} as its own project)`,
    });
  }
  sources.sort((a, b) => a.path.localeCompare(b.path));
  return { rootOk: true, sources, problems };
}

async function collectSessionBuddy(dir: string, sources: DiscoveredSource[], problems: DiscoveryProblem[]): Promise<void> {
  let entries: Dirent[];
  try {
    const st = await fsp.stat(dir); // follows a symlinked .session-buddy; ELOOP on a loop
    if (!st.isDirectory()) return;
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ file: dir, message: `cannot list this folder: ${fileErrorMessage(err)}` });
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const kind = FILE_KINDS[entry.name];
    if (kind) {
      sources.push({ path: full, kind });
    } else if (entry.name === 'skills.db') {
      // A file (Session Buddy storage) or a folder holding skills.db (Crackerjack compat quirk, B12).
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = (await fsp.stat(full)).isDirectory();
        } catch (err) {
          problems.push({ file: full, message: fileErrorMessage(err) });
          continue;
        }
      }
      if (!isDir) {
        sources.push({ path: full, kind: 'skills_db' });
        continue;
      }
      const inner = path.join(full, 'skills.db');
      try {
        // Anything but a folder is read (and a FIFO, device or socket reported by the loader), never passed over.
        if (!(await fsp.stat(inner)).isDirectory()) sources.push({ path: inner, kind: 'skills_db' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push({ file: inner, message: fileErrorMessage(err) });
      }
    }
  }
}
