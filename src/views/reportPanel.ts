/**
 * The rendered report panels: a skill's effectiveness, and a skill across projects. One panel per kind,
 * reused and retitled; re-rendered when the data changes; restored after a reload (serializer, with the
 * target validated).
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import { describeError, logger } from '../common/log';
import type { ConfigService } from './config';
import { Commands, REPORT_PANEL_TYPE } from './constants';
import { Disposable } from './lifecycle';
import type { MetricsService } from './metrics';
import { compareHtml, effectivenessHtml } from './reportHtml';
import { newNonce } from './webviewSecurity';

const log = logger('report');

const targetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('effectiveness'), skill: z.string().min(1).max(500), project: z.string().max(500).optional() }),
  z.object({ kind: z.literal('compare'), skill: z.string().min(1).max(500) }),
]);
export type ReportTarget = z.infer<typeof targetSchema>;

interface OpenPanel {
  panel: vscode.WebviewPanel;
  target: ReportTarget;
  html: string;
}

export class ReportPanels extends Disposable implements vscode.WebviewPanelSerializer {
  private readonly open = new Map<ReportTarget['kind'], OpenPanel>();
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly service: MetricsService,
    private readonly config: ConfigService,
    private readonly extensionUri: vscode.Uri,
  ) {
    super();
    this._register(vscode.window.registerWebviewPanelSerializer(REPORT_PANEL_TYPE, this));
    this._register(service.onDidChangeData(() => this.scheduleRefresh()));
    this._register(config.onDidChange((c) => c.coreChanged && this.scheduleRefresh()));
  }

  /** The panel of a kind, if open (tests read its html). */
  get(kind: ReportTarget['kind']): { target: ReportTarget; html: string; panel: vscode.WebviewPanel } | undefined {
    return this.open.get(kind);
  }

  async show(target: ReportTarget, preserveFocus = false): Promise<vscode.WebviewPanel> {
    const existing = this.open.get(target.kind);
    if (existing) {
      existing.target = target;
      existing.panel.reveal(undefined, preserveFocus);
      await this.render(existing);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_PANEL_TYPE, this.title(target), { viewColumn: vscode.ViewColumn.Active, preserveFocus }, this.options());
    return this.adopt(panel, target);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const parsed = targetSchema.safeParse(state);
    if (!parsed.success || this.open.has(parsed.data.kind)) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    await this.adopt(panel, parsed.data);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: [Commands.analyzeEffectiveness, Commands.compareSkill, Commands.showRecommendations],
      localResourceRoots: [],
      retainContextWhenHidden: false,
    };
  }

  private async adopt(panel: vscode.WebviewPanel, target: ReportTarget): Promise<vscode.WebviewPanel> {
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'skill-metrics-light.svg'),
      dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'skill-metrics.svg'),
    };
    const entry: OpenPanel = { panel, target, html: '' };
    this.open.set(target.kind, entry);
    panel.onDidDispose(() => {
      if (this.open.get(target.kind)?.panel === panel) this.open.delete(target.kind);
    });
    await this.render(entry);
    return panel;
  }

  private title(target: ReportTarget): string {
    return target.kind === 'compare' ? `Compare: ${target.skill}` : `Effectiveness: ${target.skill}`;
  }

  private async render(entry: OpenPanel): Promise<void> {
    const { panel, target } = entry;
    panel.title = this.title(target);
    const frame = { cspSource: panel.webview.cspSource, nonce: newNonce(), title: this.title(target), state: target };
    const minEvidence = this.config.get('minEvidence');
    try {
      const engine = await this.service.engine();
      if (target.kind === 'effectiveness') {
        const [effectiveness, projects] = await Promise.all([engine.effectiveness(target.skill, { project: target.project }), engine.listProjects(true)]);
        const project = target.project ? projects.find((p) => p.project_id === target.project) : undefined;
        entry.html = effectivenessHtml(frame, { effectiveness, projectName: project?.project_name, projectId: project?.project_id, minEvidence, zone: engine.displayTimeZone });
      } else {
        const rows = await engine.compare(target.skill);
        entry.html = compareHtml(frame, { skill: target.skill, rows, minEvidence });
      }
    } catch (err) {
      log.error(`rendering ${this.title(target)} failed`, err);
      entry.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>Could not load: ${describeError(err).replace(/[&<>]/g, '')}</p></body></html>`;
    }
    if (this.open.get(target.kind) === entry) panel.webview.html = entry.html;
  }

  private scheduleRefresh(): void {
    if (!this.open.size) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      for (const entry of this.open.values()) void this.render(entry);
    }, 500);
  }

  override dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const entry of this.open.values()) entry.panel.dispose();
    this.open.clear();
    super.dispose();
  }
}
