/** Quick picks for a project and a skill, with the figures that help choosing. */
import * as vscode from 'vscode';
import type { ProjectWithCounts } from '../core/service';
import * as fmt from '../common/format';
import type { MetricsService } from './metrics';
import { successText } from './trees/topSkillsTree';

interface ProjectItem extends vscode.QuickPickItem {
  project?: ProjectWithCounts;
}

export const ALL_PROJECTS_LABEL = '$(globe) All projects';

/**
 * Lets the user pick an active project (or "All projects" when `allowAll`). Resolves undefined when
 * dismissed, null for "All projects".
 */
export async function pickProject(
  service: MetricsService,
  options: { title: string; placeHolder?: string; allowAll?: boolean; includeInactive?: boolean; activeId?: string },
): Promise<ProjectWithCounts | null | undefined> {
  const engine = await service.engine();
  const projects = await engine.listProjects(options.includeInactive);
  const items: ProjectItem[] = [];
  if (options.allowAll) items.push({ label: ALL_PROJECTS_LABEL, description: `${fmt.plural(projects.length, 'project')}`, picked: !options.activeId });
  for (const p of projects) {
    items.push({
      label: `$(root-folder) ${p.project_name}`,
      description: `${fmt.plural(p.total_invocations, 'record')}${p.is_active ? '' : ' · unregistered'}${p.project_id === options.activeId ? ' · current filter' : ''}`,
      detail: p.project_path,
      project: p,
    });
  }
  if (!items.length) {
    void vscode.window.showInformationMessage('Skill Metrics: no projects are registered yet.', 'Register Folder...').then((a) => {
      if (a) void vscode.commands.executeCommand('skillMetrics.registerFolder');
    });
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder ?? 'Choose a project', matchOnDetail: true });
  if (!picked) return undefined;
  return picked.project ?? null;
}

interface SkillItem extends vscode.QuickPickItem {
  skill?: string;
}

/** Lets the user pick a skill (most used first, with use count and success rate); undefined when dismissed. */
export async function pickSkill(service: MetricsService, options: { title: string; project?: string; minEvidence: number }): Promise<string | undefined> {
  const engine = await service.engine();
  const skills = await engine.topSkills({ window: 'all', project: options.project, limit: 1000 });
  if (!skills.length) {
    void vscode.window.showInformationMessage('Skill Metrics: no skill usage recorded yet.', 'Collect Now').then((a) => {
      if (a) void vscode.commands.executeCommand('skillMetrics.collectNow');
    });
    return undefined;
  }
  const items: SkillItem[] = skills.map((s) => ({
    label: s.skill_name,
    description: `${fmt.plural(s.total_invocations, 'use')} · ${successText(s.success_rate, s.total_invocations, options.minEvidence)}`,
    detail: `last used ${fmt.ago(s.last_used)} · ${fmt.plural(s.projects, 'project')}`,
    skill: s.skill_name,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: 'Choose a skill (most used first)', matchOnDescription: true });
  return picked?.skill;
}
