/**
 * The session-start notification: when a window opens, this project's top skills and its most useful
 * recommendation, with Open Dashboard / Show Recommendations / Don't Show Again. At most once a day per
 * workspace (the day in the display time zone); off with `skillMetrics.sessionStartNotification`.
 */
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import type { ConfigService } from './config';
import { Commands, StateKeys } from './constants';
import type { Recommendation, TopSkill } from '../core/service';
import * as fmt from '../common/format';
import type { MetricsService } from './metrics';
import { currentFolder } from './statusBar';
import { successText } from './trees/topSkillsTree';

const log = logger('session-start');

/** Short labels: three buttons share a notification's width. */
export const ACTIONS = { dashboard: 'Open Dashboard', recommendations: 'Recommendations', never: "Don't Show Again" } as const;

/** The most useful recommendation that says something the message does not already (a top skill's rate). */
export function tipFor(recs: Recommendation[], top: TopSkill[]): Recommendation | undefined {
  const shown = new Set(top.map((s) => s.skill_name));
  return recs.find((r) => !(r.type === 'well_tuned' && r.skill_name && shown.has(r.skill_name)));
}

export type SkipReason = 'disabled' | 'shown-today' | 'no-project' | 'no-data';

/** Whether to show it: on, not yet today, and there is something to say. */
export function sessionStartDecision(input: { enabled: boolean; lastShown: string | undefined; today: string; hasData: boolean; hasProject: boolean }): { show: true } | { show: false; reason: SkipReason } {
  if (!input.enabled) return { show: false, reason: 'disabled' };
  if (input.lastShown === input.today) return { show: false, reason: 'shown-today' };
  if (!input.hasProject) return { show: false, reason: 'no-project' };
  if (!input.hasData) return { show: false, reason: 'no-data' };
  return { show: true };
}

/** "Skill Metrics · alpha: code-review 92%, test-writer 80%, refactor (not enough data). Tip: …" */
export function sessionStartMessage(projectName: string, top: TopSkill[], recommendation: Recommendation | undefined, minEvidence: number): string {
  const skills = top
    .map((s) => {
      const rate = successText(s.success_rate, s.total_invocations, minEvidence);
      return s.total_invocations < minEvidence ? `${s.skill_name} (${rate})` : `${s.skill_name} ${rate}`;
    })
    .join(', ');
  const tip = recommendation ? ` Tip: ${recommendation.message}` : '';
  return `Skill Metrics · ${projectName}: top skills ${skills}.${tip}`;
}

export interface SessionStartResult {
  shown: boolean;
  reason?: SkipReason | 'error';
  message?: string;
}

export class SessionStartNotifier {
  constructor(
    private readonly service: MetricsService,
    private readonly config: ConfigService,
    private readonly workspaceState: vscode.Memento,
  ) {}

  /**
   * Shows the notification when the rules allow. Resolves once it is shown (not when the user answers);
   * `now` is for tests. `onAnswer` receives the chosen action (tests).
   */
  async maybeShow(options: { now?: Date; onAnswer?: (action: string | undefined) => void } = {}): Promise<SessionStartResult> {
    try {
      const engine = await this.service.engine();
      const today = fmt.day(options.now ?? new Date(), engine.displayTimeZone);
      const folder = currentFolder();
      const project = folder ? (await engine.listProjects()).find((p) => p.project_id === engine.projectIdForPath(folder.uri.fsPath)) : undefined;
      const decision = sessionStartDecision({
        enabled: this.config.get('sessionStartNotification'),
        lastShown: this.workspaceState.get<string>(StateKeys.sessionStartLastShown),
        today,
        hasProject: !!project,
        hasData: (project?.total_invocations ?? 0) > 0,
      });
      if (!decision.show) {
        log.debug(`not shown: ${decision.reason}`);
        return (this.last = { shown: false, reason: decision.reason });
      }
      const top = await engine.topSkills({ window: this.config.get('defaultWindow'), project: project!.project_id, limit: 3 });
      const skills = top.length ? top : await engine.topSkills({ window: 'all', project: project!.project_id, limit: 3 });
      const recs = await engine.recommendations({ project: project!.project_id });
      const message = sessionStartMessage(project!.project_name, skills, tipFor(recs, skills), this.config.get('minEvidence'));
      await this.workspaceState.update(StateKeys.sessionStartLastShown, today);
      const target = { skill: skills[0]?.skill_name, project: project!.project_id };
      void vscode.window.showInformationMessage(message, ACTIONS.dashboard, ACTIONS.recommendations, ACTIONS.never).then(async (action) => {
        options.onAnswer?.(action);
        await this.handleAction(action, target);
      });
      log.info(`shown: ${message}`);
      return (this.last = { shown: true, message });
    } catch (err) {
      log.warn(`session-start notification failed: ${describeError(err)}`);
      return (this.last = { shown: false, reason: 'error' });
    }
  }

  /** What the last maybeShow() decided (tests). */
  get lastResult(): SessionStartResult | undefined {
    return this.last;
  }
  private last?: SessionStartResult;

  /** Carries out the action the user chose on the notification. */
  async handleAction(action: string | undefined, target: { skill?: string; project?: string }): Promise<void> {
    if (action === ACTIONS.dashboard) await vscode.commands.executeCommand(Commands.openDashboard, target);
    else if (action === ACTIONS.recommendations) await vscode.commands.executeCommand(Commands.showRecommendations);
    else if (action === ACTIONS.never) {
      await this.config.update('sessionStartNotification', false);
      log.info('turned off by the user ("Don\'t Show Again")');
    }
  }
}
