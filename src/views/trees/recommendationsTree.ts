/**
 * Recommendations: what to change, most useful first, with a priority icon; the evidence in the tooltip
 * and as children; a click opens the skill's effectiveness.
 */
import * as vscode from 'vscode';
import type { ConfigService } from '../config';
import { Commands, ContextValues, Views } from '../constants';
import type { Recommendation } from '../../core/service';
import * as fmt from '../../common/format';
import type { MetricsService } from '../metrics';
import type { ViewState } from '../viewState';
import { InfoNode, TreeNode, TreeProvider, themeIcon } from './treeNode';

export const PRIORITY_ICONS: Record<Recommendation['priority'], [icon: string, color: string]> = {
  high: ['flame', 'list.errorForeground'],
  medium: ['warning', 'list.warningForeground'],
  low: ['info', 'charts.blue'],
};

const TYPE_LABELS: Record<string, string> = {
  low_success_rate: 'Low success rate',
  error_hotspot: 'Error hotspot',
  high_follow_ups: 'Many follow-ups',
  prefer_workflow_path: 'Better workflow path',
  declining: 'Declining use',
  try_here: 'Try it here',
  usual_successor: 'Usual next skill',
  stale: 'Stale',
  well_tuned: 'Well tuned',
};

/** A short title for the tree row (the message is the description and the tooltip). */
export function recommendationTitle(r: Pick<Recommendation, 'type' | 'skill_name' | 'message' | 'evidence'>): string {
  const skill = r.skill_name;
  if (!skill) return r.message;
  switch (r.type) {
    case 'low_success_rate':
      return `Review ${skill}`;
    case 'error_hotspot':
      return `Error hotspot in ${skill}`;
    case 'high_follow_ups':
      return `Refine ${skill}`;
    case 'prefer_workflow_path':
      return `Better path for ${skill}`;
    case 'declining':
      return `${skill} is declining`;
    case 'try_here':
      return `Try ${skill} here`;
    case 'usual_successor':
      return typeof r.evidence.to === 'string' ? `${r.evidence.to} after ${skill}` : `What follows ${skill}`;
    case 'stale':
      return `${skill} is stale`;
    case 'well_tuned':
      return `${skill} is well tuned`;
    default:
      return r.message;
  }
}

export function typeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type.replace(/_/g, ' ');
}

export class RecommendationNode extends TreeNode {
  constructor(
    readonly rec: Recommendation,
    private readonly index: number,
    private readonly projectName: (id: string | null) => string | undefined,
    private readonly zone: string,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const r = this.rec;
    const item = new vscode.TreeItem(recommendationTitle(r), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `rec:${this.index}:${r.type}:${r.skill_name ?? ''}:${r.project_id ?? ''}`;
    const [icon, color] = PRIORITY_ICONS[r.priority] ?? PRIORITY_ICONS.low;
    item.iconPath = themeIcon(icon, color);
    const project = this.projectName(r.project_id);
    item.description = project ? `${project} · ${r.message}` : r.message;
    item.accessibilityInformation = { label: `${r.priority} priority: ${r.message}` };
    item.contextValue = r.skill_name ? ContextValues.recommendationForSkill : ContextValues.recommendation;
    if (r.skill_name) {
      item.command = {
        command: Commands.analyzeEffectiveness,
        title: 'Analyze Skill Effectiveness',
        arguments: [r.skill_name, r.project_id ?? undefined],
      };
    }
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`$(${icon}) **${fmt.md(r.priority)} priority** · ${fmt.md(typeLabel(r.type))}${project ? ` · ${fmt.md(project)}` : ''}\n\n`);
    tip.appendMarkdown(`${fmt.md(r.message)}\n\n`);
    tip.appendMarkdown(`**Suggested action:** ${fmt.md(r.action)}\n\n`);
    const entries = Object.entries(r.evidence);
    if (entries.length) {
      tip.appendMarkdown(`| Evidence | |\n|---|---|\n`);
      for (const [k, v] of entries) tip.appendMarkdown(`| ${fmt.md(fmt.evidenceLabel(k))} | ${fmt.md(fmt.evidenceValue(k, v, this.zone))} |\n`);
    }
    item.tooltip = tip;
    return item;
  }

  override getChildren(): TreeNode[] {
    const r = this.rec;
    return [
      new InfoNode('Suggested action', r.action, themeIcon('lightbulb'), { contextValue: ContextValues.evidence, tooltip: r.action }),
      ...Object.entries(r.evidence).map(([k, v]) => new InfoNode(fmt.evidenceLabel(k), fmt.evidenceValue(k, v, this.zone), themeIcon('symbol-number'), { contextValue: ContextValues.evidence })),
    ];
  }
}

export class RecommendationsTree extends TreeProvider {
  constructor(
    private readonly service: MetricsService,
    config: ConfigService,
    private readonly viewState: ViewState,
  ) {
    super(Views.recommendations);
    this.describe();
    this._register(service.onDidChangeData(() => this.refresh(300)));
    this._register(viewState.onDidChange(() => (this.describe(), this.refresh(0))));
    this._register(config.onDidChange((c) => c.changed('minEvidence') && this.refresh(0)));
  }

  private describe(): void {
    this.view.description = this.viewState.projectFilter?.name;
  }

  protected async roots(): Promise<TreeNode[]> {
    const engine = await this.service.engineOrUndefined();
    if (!engine || !this.service.state.hasData) return [];
    const filter = this.viewState.projectFilter;
    const [recs, projects] = await Promise.all([engine.recommendations({ project: filter?.id }), engine.listProjects()]);
    const names = new Map(projects.map((p) => [p.project_id, p.project_name]));
    // Name the project only where it adds something (no filter, or another project than the filter).
    const projectName = (id: string | null): string | undefined => (id && id !== filter?.id ? names.get(id) : undefined);
    return recs.map((r, i) => new RecommendationNode(r, i, projectName, engine.displayTimeZone));
  }
}
