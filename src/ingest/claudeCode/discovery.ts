/**
 * Where Claude Code keeps its transcripts (DESIGN.md section 8): `<projects dir>/<project slug>/<session>.jsonl`
 * and, for subagents, `<projects dir>/<project slug>/<session>/subagents/agent-*.jsonl`. The projects dir is the
 * one given (the `skillMetrics.claudeCode.projectsDir` setting, `collect --claude-projects DIR`), else
 * `$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`.
 */
import type { Dirent } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileErrorMessage } from '../sourceLoader';
import type { TranscriptProblem } from './reader';

export interface TranscriptFile {
  path: string;
  /** The project folder's name under the projects dir (Claude Code's slug of the cwd). */
  project: string;
  /** The session the file belongs to (for a subagent file: its parent session). */
  sessionId: string;
  subagent: boolean;
  size: number;
  mtimeMs: number;
}

export interface TranscriptDiscovery {
  dir: string;
  /** False when the projects dir does not exist (Claude Code never ran here): not a problem. */
  exists: boolean;
  files: TranscriptFile[];
  problems: TranscriptProblem[];
}

/** The projects dir: `explicit` when given, else `$CLAUDE_CONFIG_DIR/projects`, else `<home>/.claude/projects`. */
export function claudeProjectsDir(explicit?: string | null, env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (explicit && explicit.trim()) return path.resolve(explicit.trim());
  const config = env.CLAUDE_CONFIG_DIR?.trim();
  if (config) return path.resolve(config, 'projects');
  return path.join(home, '.claude', 'projects');
}

async function list(dir: string, problems: TranscriptProblem[]): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ file: dir, line: null, message: `cannot list this folder: ${fileErrorMessage(err)}` });
    return [];
  }
}

async function fileInfo(file: string, problems: TranscriptProblem[]): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const st = await fsp.stat(file);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch (err) {
    problems.push({ file, line: null, message: fileErrorMessage(err) });
    return null;
  }
}

const isJsonl = (name: string) => name.toLowerCase().endsWith('.jsonl');

/** Every transcript under the projects dir, main and subagent files, sorted by path. */
export async function findTranscripts(dir: string): Promise<TranscriptDiscovery> {
  const problems: TranscriptProblem[] = [];
  const files: TranscriptFile[] = [];
  try {
    if (!(await fsp.stat(dir)).isDirectory()) {
      return { dir, exists: false, files, problems: [{ file: dir, line: null, message: 'is not a folder' }] };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { dir, exists: false, files, problems };
    return { dir, exists: false, files, problems: [{ file: dir, line: null, message: `cannot be opened: ${fileErrorMessage(err)}` }] };
  }
  for (const slug of await list(dir, problems)) {
    if (!slug.isDirectory() && !slug.isSymbolicLink()) continue;
    const projectDir = path.join(dir, slug.name);
    const entries = slug.isDirectory() || (await fileInfo(projectDir, [])) === null ? await list(projectDir, problems) : [];
    for (const entry of entries) {
      const full = path.join(projectDir, entry.name);
      if (isJsonl(entry.name) && !entry.isDirectory()) {
        const info = await fileInfo(full, problems);
        if (info) files.push({ path: full, project: slug.name, sessionId: entry.name.slice(0, -'.jsonl'.length), subagent: false, ...info });
      } else if (entry.isDirectory()) {
        // <session>/subagents/agent-*.jsonl
        const subagents = path.join(full, 'subagents');
        let inner: Dirent[];
        try {
          inner = await fsp.readdir(subagents, { withFileTypes: true });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ file: subagents, line: null, message: `cannot list this folder: ${fileErrorMessage(err)}` });
          continue;
        }
        for (const agent of inner) {
          if (!isJsonl(agent.name) || agent.isDirectory()) continue;
          const file = path.join(subagents, agent.name);
          const info = await fileInfo(file, problems);
          if (info) files.push({ path: file, project: slug.name, sessionId: entry.name, subagent: true, ...info });
        }
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dir, exists: true, files, problems };
}
