/**
 * Top Skills: the most used skills in the chosen window (today / 7 days / 30 days / all) and project
 * filter. A skill expands to its success rate, durations, follow-ups, top errors and workflow paths.
 */
import * as vscode from 'vscode';
import { Commands, ContextValues, Views } from '../constants';
import type { ConfigService } from '../config';
import type { Effectiveness, TopSkill } from '../../core/service';
import * as fmt from '../../common/format';
import type { ViewWindow } from '../../core/scope';
import type { MetricsService } from '../metrics';
import type { ViewState } from '../viewState';
import { InfoNode, TreeNode, TreeProvider, themeIcon } from './treeNode';

/** The icon of a skill by its success rate: green, yellow, red; hollow without enough evidence. */
export function successIcon(rate: number | null, total: number, minEvidence: number): vscode.ThemeIcon {
  if (total < minEvidence || rate === null) return themeIcon('circle-outline', 'disabledForeground');
  if (rate >= 0.9) return themeIcon('circle-filled', 'testing.iconPassed');
  if (rate >= 0.6) return themeIcon('circle-filled', 'charts.yellow');
  return themeIcon('circle-filled', 'testing.iconFailed');
}

export function successText(rate: number | null, total: number, minEvidence: number): string {
  return total < minEvidence ? 'not enough data' : fmt.pct(rate);
}

interface SkillContext {
  service: MetricsService;
  minEvidence: number;
  project?: { id: string; name: string };
  windowLabel: string;
  window: ViewWindow;
}

export class SkillNode extends TreeNode {
  constructor(
    readonly skill: TopSkill,
    private readonly ctx: SkillContext,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const s = this.skill;
    const { minEvidence } = this.ctx;
    const item = new vscode.TreeItem(s.skill_name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `skill:${this.ctx.window}:${this.ctx.project?.id ?? '*'}:${s.skill_name}`;
    item.description = `${fmt.plural(s.total_invocations, 'use')} · ${successText(s.success_rate, s.total_invocations, minEvidence)}`;
    item.iconPath = successIcon(s.success_rate, s.total_invocations, minEvidence);
    item.contextValue = ContextValues.skill;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`$(graph) **${fmt.md(s.skill_name)}** · ${fmt.md(this.ctx.windowLabel)}${this.ctx.project ? ` · ${fmt.md(this.ctx.project.name)}` : ''}\n\n`);
    tip.appendMarkdown(`| | |\n|---|---|\n`);
    tip.appendMarkdown(`| Invocations | ${fmt.int(s.total_invocations)} (${fmt.int(s.completed_invocations)} completed) |\n`);
    tip.appendMarkdown(`| Success rate | ${fmt.md(successText(s.success_rate, s.total_invocations, minEvidence))} |\n`);
    tip.appendMarkdown(`| Duration | avg ${fmt.seconds(s.avg_duration_seconds)} · p95 ${fmt.seconds(s.p95_duration_seconds)} |\n`);
    tip.appendMarkdown(`| Follow-ups | ${fmt.num(s.avg_follow_ups, 2)} per use |\n`);
    tip.appendMarkdown(`| Projects | ${fmt.int(s.projects)} |\n`);
    if (s.total_invocations < minEvidence) tip.appendMarkdown(`\nFewer than ${minEvidence} invocations: not rated yet.`);
    item.tooltip = tip;
    return item;
  }

  override async getChildren(): Promise<TreeNode[]> {
    const engine = await this.ctx.service.engine();
    // The same window and project as the skill's own row, so the figures below add up to it.
    const e = await engine.effectiveness(this.skill.skill_name, { project: this.ctx.project?.id, window: this.ctx.window });
    return skillDetails(e, this.ctx.minEvidence);
  }
}

/** The rows under a skill: its effectiveness figures in the view's window and project filter. */
export function skillDetails(e: Effectiveness, minEvidence: number): TreeNode[] {
  const rows: TreeNode[] = [];
  const open: vscode.Command = { command: Commands.analyzeEffectiveness, title: 'Analyze Skill Effectiveness', arguments: [e.skill_name] };
  const finished = e.total_invocations - e.pending_invocations;
  if (!e.enough_evidence) {
    rows.push(new InfoNode('Not enough data', `${fmt.int(finished)} of ${minEvidence} finished invocations needed to rate it`, themeIcon('info'), { contextValue: ContextValues.skillDetail }));
  }
  const inProgress = e.pending_invocations ? `, ${fmt.int(e.pending_invocations)} in progress` : '';
  rows.push(
    // Of the finished invocations: pending ones are in progress (README: How the figures are counted).
    new InfoNode('Success rate', `${e.enough_evidence ? fmt.pct(e.success_rate) : 'not rated'} · ${fmt.int(e.completed_invocations)} of ${fmt.int(finished)}${inProgress}`, themeIcon('pass'), {
      command: open,
      contextValue: ContextValues.skillDetail,
      tooltip: `${fmt.int(e.completed_invocations)} of ${fmt.plural(finished, 'finished invocation')} completed${inProgress}`,
    }),
    new InfoNode('Duration', `p50 ${fmt.seconds(e.p50_duration_seconds)} · p95 ${fmt.seconds(e.p95_duration_seconds)}`, themeIcon('watch'), {
      command: open,
      contextValue: ContextValues.skillDetail,
      tooltip: `Completed invocations with a known duration: median ${fmt.seconds(e.p50_duration_seconds)}, 95th percentile ${fmt.seconds(e.p95_duration_seconds)}, mean ${fmt.seconds(e.avg_duration_seconds)}.`,
    }),
    new InfoNode('Follow-ups', `avg ${fmt.num(e.avg_follow_ups, 1)} · ${fmt.pct(e.follow_up_share)} of uses`, themeIcon('reply'), {
      command: open,
      contextValue: ContextValues.skillDetail,
      tooltip: `${fmt.num(e.avg_follow_ups, 2)} follow-up actions per invocation on average; ${fmt.pct(e.follow_up_share)} of invocations had at least one.`,
    }),
  );
  rows.push(
    e.top_errors.length
      ? new InfoNode('Top errors', fmt.plural(e.top_errors.reduce((n, x) => n + x.count, 0), 'failure'), themeIcon('error'), {
          contextValue: ContextValues.skillDetail,
          children: e.top_errors.map((x) => new InfoNode(x.error_type, `${fmt.int(x.count)}×`, themeIcon('circle-small'), { contextValue: ContextValues.skillDetail, tooltip: `${x.error_type}: ${x.count} failure(s)` })),
        })
      : new InfoNode('Top errors', 'none recorded', themeIcon('error'), { contextValue: ContextValues.skillDetail }),
  );
  rows.push(
    e.workflow_paths.length
      ? new InfoNode('Workflow paths', fmt.plural(e.workflow_paths.length, 'path'), themeIcon('type-hierarchy'), {
          contextValue: ContextValues.skillDetail,
          children: e.workflow_paths.map((p) => new InfoNode(p.workflow_path, `${fmt.plural(p.count, 'use')} · ${fmt.pct(p.success_rate)}`, themeIcon('git-branch'), { contextValue: ContextValues.skillDetail })),
        })
      : new InfoNode('Workflow paths', 'none recorded', themeIcon('type-hierarchy'), { contextValue: ContextValues.skillDetail }),
  );
  return rows;
}

export class TopSkillsTree extends TreeProvider {
  constructor(
    private readonly service: MetricsService,
    private readonly config: ConfigService,
    private readonly viewState: ViewState,
  ) {
    super(Views.topSkills, { showCollapseAll: true });
    this.describe();
    this._register(service.onDidChangeData((e) => e.reason !== 'aggregate' && this.refresh()));
    this._register(service.onDidChangeState(() => this.describe()));
    this._register(viewState.onDidChange(() => (this.describe(), this.refresh(0))));
    this._register(config.onDidChange((c) => (c.changed('minEvidence') || c.changed('topSkillsLimit')) && this.refresh(0)));
  }

  private describe(): void {
    const filter = this.viewState.projectFilter;
    // Nothing to qualify before there is data (the welcome view speaks then).
    const ready = this.service.state.hasData || !this.service.state.ready;
    this.view.description = ready ? `${this.viewState.windowLabel}${filter ? ` · ${filter.name}` : ''}` : undefined;
  }

  protected async roots(): Promise<TreeNode[]> {
    const engine = await this.service.engineOrUndefined();
    if (!engine) return [];
    const filter = this.viewState.projectFilter;
    const rows = await engine.topSkills({ window: this.viewState.window, project: filter?.id, limit: this.config.get('topSkillsLimit') });
    const ctx: SkillContext = {
      service: this.service,
      minEvidence: this.config.get('minEvidence'),
      project: filter,
      window: this.viewState.window,
      windowLabel: this.viewState.windowLabel,
    };
    return rows.map((r) => new SkillNode(r, ctx));
  }
}
