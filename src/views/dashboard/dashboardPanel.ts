/**
 * The dashboard webview panel (one per window): its HTML and CSP, the message protocol with the
 * webview (protocol.ts; every inbound message validated with zod, inbound.ts), the queries behind each
 * view (data.ts, loaded lazily so that activation never loads DuckDB), exports through a save dialog,
 * and restore after a reload (WebviewPanelSerializer: the webview persists its UI state, the host
 * validates it and queries again).
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, logger } from '../../common/log';
import { isWithin } from '../../common/paths';
import type { ConfigService } from '../config';
import { Commands } from '../constants';
import { Disposable } from '../lifecycle';
import type { MetricsService } from '../metrics';
import { contentSecurityPolicy, newNonce } from '../webviewSecurity';
import { parseState, parseWebviewMessage } from './inbound';
import type {
  ChartId, DashboardState, ExportFormat, HostCommand, HostMessage, Page, Payload, ProjectOption, SkillPayload, WebviewMessage,
} from '../../core/dashboard/protocol';
import { DASHBOARD_VIEW_TYPE, DEFAULT_STATE } from '../../core/dashboard/protocol';

const log = logger('dashboard');

/** What a caller may ask the dashboard to show (a skill, a project scope). */
export interface DashboardTarget {
  skill?: string;
  project?: string;
}

const EXPORT_DIR_KEY = 'skillMetrics.dashboard.exportDir';

const HOST_COMMANDS: Record<HostCommand, [string, ...unknown[]]> = {
  collectNow: [Commands.collectNow],
  registerFolder: [Commands.registerFolder],
  openFolder: ['workbench.action.files.openFolder'],
  showLog: [Commands.showLog],
  minEvidenceSetting: ['workbench.action.openSettings', 'skillMetrics.minEvidence'],
};

type Query = Extract<WebviewMessage, { type: 'query' }>;

export class DashboardPanels extends Disposable implements vscode.WebviewPanelSerializer {
  private panel?: vscode.WebviewPanel;
  private panelDisposables: vscode.Disposable[] = [];
  private state?: DashboardState;
  /** What to show when the webview says it is ready (a new panel, or one asked for a target). */
  private initial?: DashboardState;
  private ready = false;
  /** The last payload of each kind of view, for CSV exports of exactly what is shown. */
  private lastPayload?: Payload;
  private running?: Promise<void>;
  private nextQuery?: Query;
  private refreshTimer?: NodeJS.Timeout;
  /** Milliseconds the last view took to assemble (tests, log). */
  lastElapsedMs?: number;

  constructor(
    private readonly service: MetricsService,
    private readonly config: ConfigService,
    private readonly extensionUri: vscode.Uri,
    private readonly globalState: vscode.Memento,
  ) {
    super();
    this._register(vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, this));
    this._register(service.onDidChangeData(() => this.scheduleRefresh()));
    this._register(
      config.onDidChange((c) => {
        if (c.coreChanged) this.scheduleRefresh(true);
      }),
    );
  }

  /** The open panel, its UI state and the last payload it was sent (tests). */
  get current(): { panel: vscode.WebviewPanel; state: DashboardState | undefined; payload: Payload | undefined } | undefined {
    return this.panel ? { panel: this.panel, state: this.state, payload: this.lastPayload } : undefined;
  }

  /**
   * Opens the dashboard on one skill's page (Analyze Skill Effectiveness, Compare Skill Across Projects: the
   * one detail page per skill) and resolves with what that page shows: the payload of the panel's scope.
   */
  async showSkill(target: { skill: string; project?: string }): Promise<SkillPayload> {
    this.show(target);
    const filters = (this.state ?? this.defaultState()).filters;
    return (await this.service.engine()).skillPayload(target.skill, filters, null);
  }

  /** Opens (or reveals) the dashboard, on a skill's page or a project's scope when asked. */
  show(target: DashboardTarget = {}, preserveFocus = false): vscode.WebviewPanel {
    const page: Page | undefined = target.skill ? { kind: 'skill', skill: target.skill } : undefined;
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      if (page || target.project) {
        const state = this.withTarget(this.state ?? this.defaultState(), target);
        this.state = state;
        this.title(state);
        if (this.ready) this.post({ type: 'navigate', filters: target.project ? { project: target.project } : undefined, page: page ?? { kind: 'overview' } });
        else this.initial = state;
      }
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Skill Metrics', { viewColumn: vscode.ViewColumn.Active, preserveFocus }, {
      ...this.options(),
      retainContextWhenHidden: false,
      enableFindWidget: true,
    });
    this.adopt(panel, this.withTarget(this.defaultState(), target));
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown): Promise<void> {
    const state = raw === undefined || raw === null ? this.defaultState() : parseState(raw);
    if (!state || this.panel) {
      // A state of another shape (or a second dashboard): not restored.
      log.info(`not restoring a dashboard panel: ${this.panel ? 'one is open already' : 'its state is not valid'}`);
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    this.adopt(panel, state);
  }

  private options(): vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    };
  }

  private defaultState(): DashboardState {
    const range = this.config.get('defaultWindow');
    return { ...structuredClone(DEFAULT_STATE), filters: { ...DEFAULT_STATE.filters, range } };
  }

  private withTarget(state: DashboardState, target: DashboardTarget): DashboardState {
    return {
      ...state,
      filters: target.project ? { ...state.filters, project: target.project } : state.filters,
      page: target.skill ? { kind: 'skill', skill: target.skill } : target.project ? { kind: 'overview' } : state.page,
      session: target.skill || target.project ? null : state.session,
    };
  }

  private adopt(panel: vscode.WebviewPanel, state: DashboardState): void {
    this.panel = panel;
    this.initial = state;
    this.state = state;
    this.ready = false;
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'skill-metrics-light.svg'),
      dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'skill-metrics.svg'),
    };
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState((e) => {
        // A hidden webview is torn down (no retained context); it says `ready` again when shown.
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.ready = false;
          this.lastPayload = undefined;
          for (const d of this.panelDisposables.splice(0)) d.dispose();
        }
      }),
    );
    panel.webview.html = this.html(panel.webview);
    this.title(state);
  }

  private html(webview: vscode.Webview): string {
    const nonce = newNonce();
    const asset = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', file)).toString();
    const csp = contentSecurityPolicy(webview.cspSource, nonce);
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dashboard.css')}">
<title>Skill Metrics</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('dashboard.js')}"></script>
</body>
</html>`;
  }

  private post(message: HostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private title(state: DashboardState): void {
    if (this.panel) this.panel.title = state.page.kind === 'skill' ? `Skill Metrics: ${state.page.skill}` : 'Skill Metrics';
  }

  private async receive(raw: unknown): Promise<void> {
    const { message, error } = parseWebviewMessage(raw);
    if (!message) {
      log.warn(`ignored a message from the dashboard webview that does not fit the protocol (${error})`);
      return;
    }
    switch (message.type) {
      case 'ready': {
        // A restored webview brings its own state; a new one (or one asked for a target) gets the host's.
        const state = this.initial ?? message.state ?? this.state ?? this.defaultState();
        this.initial = undefined;
        this.state = state;
        this.ready = true;
        this.title(state);
        try {
          const engine = await this.service.engine();
          this.post({ type: 'init', state, projects: await this.projects(), zone: engine.displayTimeZone, minEvidence: engine.minEvidence });
        } catch (err) {
          // The webview shows the failure of its first query; the database state says why.
          this.post({ type: 'init', state, projects: [], zone: 'UTC', minEvidence: this.config.get('minEvidence') });
          log.warn(`dashboard without a database: ${describeError(err)}`);
        }
        return;
      }
      case 'state':
        this.state = message.state;
        this.title(message.state);
        return;
      case 'query':
        this.state = { ...(this.state ?? this.defaultState()), filters: message.filters, page: message.page, session: message.session };
        this.title(this.state);
        this.enqueue(message);
        return;
      case 'session':
        try {
          await this.service.ensureDerived();
          const timeline = await (await this.service.engine()).timelinePayload(message.projectId, message.sessionId);
          this.post({ type: 'sessionResult', id: message.id, timeline });
        } catch (err) {
          this.post({ type: 'failed', id: message.id, message: describeError(err) });
        }
        return;
      case 'export':
        await this.export(message.chart, message.format, message.image);
        return;
      case 'command': {
        const [command, ...args] = HOST_COMMANDS[message.command];
        await vscode.commands.executeCommand(command, ...args);
        return;
      }
    }
  }

  /** Runs queries one at a time; of those that arrive meanwhile only the latest runs. */
  private enqueue(query: Query): void {
    this.nextQuery = query;
    if (this.running) return;
    this.running = (async () => {
      while (this.nextQuery) {
        const q = this.nextQuery;
        this.nextQuery = undefined;
        await this.answer(q);
      }
    })().finally(() => (this.running = undefined));
  }

  private async answer(q: Query): Promise<void> {
    try {
      const engine = await this.service.engine();
      const payload = q.page.kind === 'skill' ? await engine.skillPayload(q.page.skill, q.filters, q.session) : await engine.overviewPayload(q.filters, q.session);
      this.lastPayload = payload;
      this.lastElapsedMs = payload.elapsedMs;
      log.debug(`${payload.kind} view assembled in ${payload.elapsedMs} ms`);
      this.post({ type: 'result', id: q.id, payload });
    } catch (err) {
      log.error('a dashboard view could not be assembled', err);
      this.post({ type: 'failed', id: q.id, message: describeError(err) });
    }
  }

  private async projects(): Promise<ProjectOption[]> {
    return (await this.service.engine()).projectOptions();
  }

  private scheduleRefresh(reinit = false): void {
    if (!this.panel) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (!this.panel || !this.ready) return;
      void (async () => {
        try {
          const engine = await this.service.engine();
          const projects = await this.projects();
          if (reinit && this.state) this.post({ type: 'init', state: this.state, projects, zone: engine.displayTimeZone, minEvidence: engine.minEvidence });
          else this.post({ type: 'refresh', projects });
        } catch (err) {
          log.debug(`dashboard refresh skipped: ${describeError(err)}`);
        }
      })();
    }, 500);
  }

  // ----------------------------------------------------------------------------------------------
  // export

  private async export(chart: ChartId, format: ExportFormat, image: string | undefined): Promise<void> {
    const fail = (message: string): void => this.post({ type: 'exportFailed', chart, format, message });
    let bytes: Uint8Array;
    if (format === 'csv') {
      const { csvFor } = await import('../../core/dashboard/payloads');
      const csv = this.lastPayload && csvFor(chart, this.lastPayload);
      if (csv === undefined) return fail('that view is not shown any more; export again');
      bytes = Buffer.from(`\ufeff${csv}`, 'utf8'); // BOM: spreadsheets read UTF-8 names right
    } else if (format === 'png') {
      bytes = Buffer.from(image!.slice('data:image/png;base64,'.length), 'base64');
      if (bytes.length < 8 || Buffer.compare(Buffer.from(bytes.subarray(0, 8)), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) !== 0) return fail('the image is not a PNG');
    } else {
      bytes = Buffer.from(image!, 'utf8');
    }
    const stamp = new Date().toISOString().slice(0, 10);
    const view = this.lastPayload?.kind === 'skill' ? `-${this.lastPayload.skill.replace(/[^\w.-]+/g, '_')}` : '';
    const name = `skill-metrics-${chart}${view}-${stamp}.${format}`;
    const uri = await vscode.window.showSaveDialog({
      title: `Export ${chart} as ${format.toUpperCase()}`,
      saveLabel: 'Export',
      defaultUri: vscode.Uri.file(path.join(this.exportDir(), name)),
      filters: { [format.toUpperCase()]: [format] },
    });
    if (!uri) return; // cancelled
    const inside = await this.projectContaining(uri);
    if (inside) {
      const message = `${uri.fsPath} is inside the project folder ${inside}: Skill Metrics never writes into project folders. Choose another folder.`;
      void vscode.window.showWarningMessage(message);
      return fail(message);
    }
    try {
      await vscode.workspace.fs.writeFile(uri, bytes);
      await this.globalState.update(EXPORT_DIR_KEY, path.dirname(uri.fsPath));
      log.info(`exported ${chart} as ${format} to ${uri.fsPath}`);
      this.post({ type: 'exported', chart, format, file: uri.fsPath });
    } catch (err) {
      fail(describeError(err));
    }
  }

  private exportDir(): string {
    const last = this.globalState.get<string>(EXPORT_DIR_KEY);
    if (last && existsSync(last)) return last;
    const downloads = path.join(os.homedir(), 'Downloads');
    return existsSync(downloads) ? downloads : os.homedir();
  }

  /** The project folder (registered or open in the workspace) that holds `uri`, if any. */
  private async projectContaining(uri: vscode.Uri): Promise<string | undefined> {
    const roots = new Set<string>((vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath));
    try {
      const engine = await this.service.engine();
      for (const p of await engine.listProjects(true)) roots.add(p.project_path);
    } catch {
      // without the database, the workspace folders still count
    }
    const file = path.resolve(uri.fsPath);
    for (const root of roots) if (file !== path.resolve(root) && isWithin(file, path.resolve(root))) return root;
    return undefined;
  }

  override dispose(): void {
    clearTimeout(this.refreshTimer);
    this.panel?.dispose();
    for (const d of this.panelDisposables.splice(0)) d.dispose();
    super.dispose();
  }
}
