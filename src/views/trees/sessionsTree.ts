/**
 * Sessions: the most recent correlated sessions (explicit session ids, or inferred from time gaps), each
 * expanding to its skills and workflow nodes in time order.
 */
import * as vscode from 'vscode';
import { Commands, ContextValues, Views } from '../constants';
import type { CorrelatedSession, SessionTimeline } from '../../core/service';
import * as fmt from '../../common/format';
import type { MetricsService } from '../metrics';
import type { ViewState } from '../viewState';
import { InfoNode, TreeNode, TreeProvider, themeIcon } from './treeNode';

const SESSION_LIMIT = 50;

export class SessionNode extends TreeNode {
  constructor(
    readonly session: CorrelatedSession,
    private readonly service: MetricsService,
    private readonly zone: string,
    private readonly projectName: string | undefined,
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const s = this.session;
    const item = new vscode.TreeItem(fmt.shortDateTime(s.start_time, this.zone), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `session:${s.project_id}:${s.session_id}`;
    const span = s.end_time ? fmt.seconds((s.end_time.getTime() - s.start_time.getTime()) / 1000) : undefined;
    const skills = s.skills_used.length;
    item.description = [
      `${fmt.plural(skills, 'skill')}`,
      s.workflow_nodes_completed ? fmt.plural(s.workflow_nodes_completed, 'node') : undefined,
      span,
      s.inferred ? 'inferred' : undefined,
      this.projectName,
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = themeIcon(s.inferred ? 'history' : 'debug-alt-small', s.skills_completed === skills || !skills ? 'testing.iconPassed' : 'charts.yellow');
    item.contextValue = ContextValues.session;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`$(history) **Session ${fmt.md(s.session_id)}**${s.inferred ? ' (inferred from time gaps)' : ''}${this.projectName ? ` · ${fmt.md(this.projectName)}` : ''}\n\n`);
    tip.appendMarkdown(`| | |\n|---|---|\n`);
    tip.appendMarkdown(`| Start | ${fmt.dateTime(s.start_time, this.zone)} |\n`);
    tip.appendMarkdown(`| End | ${fmt.dateTime(s.end_time, this.zone)} |\n`);
    tip.appendMarkdown(`| Skills used | ${fmt.md(s.skills_used.join(', ') || '–')} |\n`);
    tip.appendMarkdown(`| Skills completed | ${fmt.int(s.skills_completed)} |\n`);
    tip.appendMarkdown(`| Workflow nodes completed | ${fmt.int(s.workflow_nodes_completed)} |\n`);
    tip.appendMarkdown(`| Time in skills | ${fmt.seconds(s.total_skill_duration)} |\n`);
    tip.appendMarkdown(`| Time in workflow | ${fmt.seconds(s.total_workflow_duration)} |\n`);
    item.tooltip = tip;
    return item;
  }

  override async getChildren(): Promise<TreeNode[]> {
    const timeline = await (await this.service.engine()).sessionTimeline(this.session.project_id, this.session.session_id);
    return timelineNodes(timeline, this.zone);
  }
}

/** Skills and workflow events of one session, merged in time order. */
export function timelineNodes(t: SessionTimeline, zone: string): TreeNode[] {
  const items: { at: number; node: TreeNode }[] = [];
  for (const inv of t.invocations) {
    const state = inv.completed ? 'completed' : inv.pending ? 'in progress' : inv.error_type ? `failed: ${inv.error_type}` : 'not completed';
    items.push({
      at: inv.invoked_at.getTime(),
      node: new InfoNode(inv.skill_name, [fmt.clock(inv.invoked_at, zone), state, inv.duration_seconds !== null ? fmt.seconds(inv.duration_seconds) : undefined, inv.workflow_path ?? undefined].filter(Boolean).join(' · '),
        inv.pending ? themeIcon('loading', 'charts.yellow') : themeIcon(inv.completed ? 'pass' : 'error', inv.completed ? 'testing.iconPassed' : 'testing.iconFailed'), {
          contextValue: ContextValues.sessionItem,
          command: { command: Commands.analyzeEffectiveness, title: 'Analyze Skill Effectiveness', arguments: [inv.skill_name] },
        }),
    });
  }
  for (const ev of t.events) {
    const icon = ev.success === false ? themeIcon('circle-slash', 'testing.iconFailed') : themeIcon('symbol-event', 'charts.purple');
    items.push({
      at: ev.ts.getTime(),
      node: new InfoNode(ev.node_id ?? ev.event_type, [fmt.clock(ev.ts, zone), ev.event_type, ev.duration_seconds !== null ? fmt.seconds(ev.duration_seconds) : undefined].filter(Boolean).join(' · '), icon, {
        contextValue: ContextValues.sessionItem,
      }),
    });
  }
  items.sort((a, b) => a.at - b.at);
  return items.length ? items.map((i) => i.node) : [new InfoNode('Nothing recorded in this session', undefined, themeIcon('info'))];
}

export class SessionsTree extends TreeProvider {
  constructor(
    private readonly service: MetricsService,
    private readonly viewState: ViewState,
  ) {
    super(Views.sessions);
    this.describe();
    this._register(service.onDidChangeData(() => this.view.visible && this.refresh(300)));
    this._register(this.view.onDidChangeVisibility((e) => e.visible && this.refresh(0)));
    this._register(viewState.onDidChange(() => (this.describe(), this.refresh(0))));
  }

  private describe(): void {
    this.view.description = this.viewState.projectFilter?.name;
  }

  protected async roots(): Promise<TreeNode[]> {
    const engine = await this.service.engineOrUndefined();
    if (!engine || !this.service.state.hasData) return [];
    const filter = this.viewState.projectFilter;
    const [list, projects] = await Promise.all([
      engine.sessions({ project: filter?.id, limit: SESSION_LIMIT }),
      filter ? Promise.resolve([]) : engine.listProjects(),
    ]);
    const names = new Map(projects.map((p) => [p.project_id, p.project_name]));
    const several = new Set(list.map((s) => s.project_id)).size > 1;
    return list.map((s) => new SessionNode(s, this.service, engine.displayTimeZone, several ? names.get(s.project_id) : undefined));
  }
}
