/**
 * Projects: every registered project (unregistered ones greyed, to register again), with its state,
 * last sync, record count and current problems with their reasons. Inline: collect, reveal, unregister.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isWithin } from '../../common/paths';
import { ContextValues, Views } from '../constants';
import type { Health, ProjectWithCounts } from '../../core/service';
import * as fmt from '../../common/format';
import type { MetricsService } from '../metrics';
import { InfoNode, TreeNode, TreeProvider, themeIcon } from './treeNode';

export interface ProjectProblem {
  file: string;
  message: string;
}

/** The problems of the health check that belong to `project` (by path). */
export function problemsOf(project: { project_path: string }, health: Health | undefined): ProjectProblem[] {
  if (!health) return [];
  const root = project.project_path;
  return health.problems.filter((p) => p.file === root || p.file.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
}

export class ProjectNode extends TreeNode {
  constructor(
    readonly project: ProjectWithCounts,
    private readonly problems: ProjectProblem[],
    private readonly collecting: boolean,
    private readonly zone: string,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const p = this.project;
    const item = new vscode.TreeItem(p.project_name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `project:${p.project_id}`;
    if (!p.is_active) {
      item.description = `unregistered · ${fmt.plural(p.total_invocations, 'record')} kept`;
      item.iconPath = themeIcon('circle-slash', 'disabledForeground');
      item.contextValue = ContextValues.projectInactive;
    } else {
      const sync = this.collecting ? 'collecting…' : p.last_sync_at ? `synced ${fmt.ago(p.last_sync_at)}` : 'not synced yet';
      const problems = this.problems.length ? ` · ${fmt.plural(this.problems.length, 'problem')}` : '';
      item.description = `${fmt.plural(p.total_invocations, 'record')} · ${sync}${problems}`;
      item.iconPath = this.collecting
        ? themeIcon('sync~spin')
        : this.problems.length
          ? themeIcon('warning', 'list.warningForeground')
          : themeIcon('root-folder', 'charts.blue');
      item.contextValue = ContextValues.projectActive;
    }
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`$(root-folder) **${fmt.md(p.project_name)}**${p.is_active ? '' : ' (unregistered)'}\n\n`);
    tip.appendMarkdown(`${fmt.md(p.project_path)}\n\n`);
    tip.appendMarkdown(`| | |\n|---|---|\n`);
    tip.appendMarkdown(`| Records | ${fmt.int(p.total_invocations)} |\n`);
    tip.appendMarkdown(`| Last sync | ${p.last_sync_at ? `${fmt.dateTime(p.last_sync_at, this.zone)} (${fmt.ago(p.last_sync_at)})` : 'never'} |\n`);
    tip.appendMarkdown(`| Registered | ${fmt.dateTime(p.registered_at, this.zone)} (${p.source}) |\n`);
    if (p.project_type) tip.appendMarkdown(`| Type | ${fmt.md(p.project_type)} |\n`);
    tip.appendMarkdown(`| Id | \`${p.project_id}\` |\n`);
    if (this.problems.length) {
      tip.appendMarkdown(`\n$(warning) ${fmt.plural(this.problems.length, 'problem')}:\n`);
      for (const problem of this.problems.slice(0, 5)) tip.appendMarkdown(`- ${fmt.md(path.relative(p.project_path, problem.file) || problem.file)}: ${fmt.md(problem.message)}\n`);
    }
    item.tooltip = tip;
    return item;
  }

  override getChildren(): TreeNode[] {
    const p = this.project;
    const rows: TreeNode[] = [
      new InfoNode('Status', p.is_active ? (this.collecting ? 'active · collecting…' : 'active') : 'unregistered (history kept)', themeIcon(p.is_active ? 'pass' : 'circle-slash'), { contextValue: ContextValues.projectDetail }),
      new InfoNode('Last sync', p.last_sync_at ? `${fmt.dateTime(p.last_sync_at, this.zone)} (${fmt.ago(p.last_sync_at)})` : 'never', themeIcon('history'), { contextValue: ContextValues.projectDetail }),
      new InfoNode('Records', fmt.int(p.total_invocations), themeIcon('database'), { contextValue: ContextValues.projectDetail }),
      new InfoNode('Path', p.project_path, themeIcon('folder'), { contextValue: ContextValues.projectDetail, tooltip: p.project_path }),
    ];
    if (this.problems.length) {
      rows.push(
        new InfoNode('Problems', fmt.plural(this.problems.length, 'problem'), themeIcon('warning', 'list.warningForeground'), {
          contextValue: ContextValues.projectDetail,
          children: this.problems.map((problem) => problemNode(p.project_path, problem)),
        }),
      );
    } else {
      rows.push(new InfoNode('Problems', 'none', themeIcon('check'), { contextValue: ContextValues.projectDetail }));
    }
    return rows;
  }
}

function problemNode(root: string, problem: ProjectProblem): TreeNode {
  const relative = path.relative(root, problem.file);
  const isFile = relative !== '' && isWithin(problem.file, root);
  return new InfoNode(isFile ? relative : path.basename(problem.file), problem.message, themeIcon('warning', 'list.warningForeground'), {
    contextValue: ContextValues.problem,
    tooltip: `${problem.file}\n${problem.message}`,
    command: isFile ? { command: 'vscode.open', title: 'Open File', arguments: [vscode.Uri.file(problem.file)] } : undefined,
  });
}

export class ProjectsTree extends TreeProvider {
  constructor(private readonly service: MetricsService) {
    super(Views.projects);
    this._register(service.onDidChangeData((e) => e.reason !== 'aggregate' && this.refresh()));
    let wasCollecting = false;
    this._register(
      service.onDidChangeState((s) => {
        this.badge(s.health);
        if (s.collecting !== wasCollecting) {
          wasCollecting = s.collecting;
          this.refresh();
        }
      }),
    );
  }

  private badge(health: Health | undefined): void {
    const n = health?.problems.length ?? 0;
    this.view.badge = n ? { value: n, tooltip: `${fmt.plural(n, 'problem')} in registered projects` } : undefined;
  }

  protected async roots(): Promise<TreeNode[]> {
    const engine = await this.service.engineOrUndefined();
    if (!engine) return [];
    const projects = await engine.listProjects(true);
    const { health, collectingProjects } = this.service.state;
    return projects.map((p) => new ProjectNode(p, p.is_active ? problemsOf(p, health) : [], collectingProjects.has(p.project_id), engine.displayTimeZone));
  }
}

