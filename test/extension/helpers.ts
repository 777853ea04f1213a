/** Shared by the extension-host suites: the extension's API, the fixture manifest, waiting for things. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SkillMetricsApi, SkillMetricsInternals } from '../../src/views/api';
import type { RowSnapshot } from '../../src/views/trees/treeNode';

export const EXTENSION_ID = 'skillmetrics.skill-metrics';

export interface Manifest {
  root: string;
  now: number;
  workspaceFile: string;
  alpha: { dir: string; file: string; records: number; skills: Record<string, { total: number; completed: number; error: string; paths: string[] }> };
  generated: { name: string; dir: string; format: string; records: number; files: string[] }[];
  gamma: { dir: string; file: string; records: number };
  empty: string;
}

export function manifest(): Manifest {
  const root = process.env.SKILL_METRICS_FIXTURE;
  if (!root) throw new Error('SKILL_METRICS_FIXTURE is not set: run these tests with test/extension/runTests.mjs');
  return JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8')) as Manifest;
}

export async function api(): Promise<SkillMetricsApi> {
  const ext = vscode.extensions.getExtension<SkillMetricsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** The extension's live parts, once its start-up (database, projects, first collection) is done. */
export async function internals(): Promise<SkillMetricsInternals> {
  const a = await api();
  if (!a.internals) throw new Error('the extension does not expose its internals (not in extension mode Test?)');
  await a.whenIdle();
  return a.internals;
}

/** Retries `fn` until it stops throwing (or time runs out: then its last error). */
// A bound, not a wait: it ends as soon as `fn` passes. Generous, because a busy 2-core machine can take
// tens of seconds for what takes one on an idle one.
export async function eventually<T>(fn: () => Promise<T> | T, { timeout = 60_000, interval = 200 } = {}): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, interval));
    }
  }
}

export function labels(rows: RowSnapshot[]): string[] {
  return rows.map((r) => r.label);
}

export function row(rows: RowSnapshot[], label: string): RowSnapshot {
  const found = rows.find((r) => r.label === label);
  if (!found) throw new Error(`no row "${label}" in [${labels(rows).join(', ')}]`);
  return found;
}

export async function setSetting(key: string, value: unknown, target = vscode.ConfigurationTarget.Global): Promise<void> {
  await vscode.workspace.getConfiguration('skillMetrics').update(key, value, target);
}

/** The project id the extension gives a folder. */
export async function projectId(dir: string): Promise<string> {
  const engine = await (await internals()).service.engine();
  return engine.projectIdForPath(dir);
}

/** Points the views at the alpha fixture project over all time (a suite's before()); returns alpha's id. */
export async function focusOnAlpha(): Promise<string> {
  const id = await projectId(manifest().alpha.dir);
  await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', 'all');
  await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', id);
  return id;
}

/** Back to every project and the default window (a suite's after()). */
export async function resetFocus(): Promise<void> {
  await vscode.commands.executeCommand('skillMetrics.selectProjectFilter', null);
  await vscode.commands.executeCommand('skillMetrics.selectTimeWindow', '30d');
}
