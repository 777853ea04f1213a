/**
 * What the views are looking at: the time window of Top Skills (and the status bar) and an optional
 * project filter shared by Top Skills, Recommendations and Sessions. Kept per workspace.
 */
import * as vscode from 'vscode';
import type { ConfigService, ViewWindow } from './config';
import { VIEW_WINDOWS, WINDOW_LABELS } from './config';
import { ContextKeys, StateKeys } from './constants';
import { Disposable } from './lifecycle';

export interface ProjectFilter {
  id: string;
  name: string;
}

export class ViewState extends Disposable {
  private windowValue: ViewWindow;
  private filterValue: ProjectFilter | undefined;
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly memento: vscode.Memento,
    config: ConfigService,
  ) {
    super();
    const saved = memento.get<string>(StateKeys.timeWindow);
    this.windowValue = (VIEW_WINDOWS as readonly string[]).includes(saved ?? '') ? (saved as ViewWindow) : config.get('defaultWindow');
    const filter = memento.get<ProjectFilter>(StateKeys.projectFilter);
    this.filterValue = filter && typeof filter.id === 'string' && typeof filter.name === 'string' ? filter : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.projectFiltered, !!this.filterValue);
    // A new default window applies at once.
    this._register(
      config.onDidChange((change) => {
        if (change.changed('defaultWindow')) void this.setWindow(change.config.defaultWindow);
      }),
    );
  }

  get window(): ViewWindow {
    return this.windowValue;
  }

  get windowLabel(): string {
    return WINDOW_LABELS[this.windowValue];
  }

  get projectFilter(): ProjectFilter | undefined {
    return this.filterValue;
  }

  async setWindow(window: ViewWindow): Promise<void> {
    if (window === this.windowValue) return;
    this.windowValue = window;
    this.emitter.fire();
    await this.memento.update(StateKeys.timeWindow, window);
  }

  async setProjectFilter(filter: ProjectFilter | undefined): Promise<void> {
    if (filter?.id === this.filterValue?.id) return;
    this.filterValue = filter;
    this.emitter.fire();
    await this.memento.update(StateKeys.projectFilter, filter);
    await vscode.commands.executeCommand('setContext', ContextKeys.projectFiltered, !!filter);
  }
}
