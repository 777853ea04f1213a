/**
 * The shape every tree of the container shares: nodes know their TreeItem and children; a provider
 * owns its TreeView, refreshes debounced (watcher bursts), and can render itself to plain rows
 * (snapshot) for tests and logs.
 */
import * as vscode from 'vscode';
import { describeError, logger } from '../../common/log';
import { ContextValues } from '../constants';
import { Disposable } from '../lifecycle';

const log = logger('views');

export abstract class TreeNode {
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return [];
  }
}

/** A leaf with a label, description and icon. */
export class InfoNode extends TreeNode {
  constructor(
    private readonly label: string,
    private readonly description?: string,
    private readonly icon?: vscode.ThemeIcon,
    private readonly options: { tooltip?: string | vscode.MarkdownString; command?: vscode.Command; contextValue?: string; children?: TreeNode[] } = {},
  ) {
    super();
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.label,
      this.options.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.description = this.description;
    item.iconPath = this.icon;
    item.tooltip = this.options.tooltip ?? (this.description ? `${this.label}: ${this.description}` : this.label);
    item.command = this.options.command;
    item.contextValue = this.options.contextValue ?? ContextValues.message;
    return item;
  }

  override getChildren(): TreeNode[] {
    return this.options.children ?? [];
  }
}

/** What a test or log sees of a tree row. */
export interface RowSnapshot {
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  icon?: string;
  iconColor?: string;
  command?: string;
  commandArgs?: unknown[];
  collapsible: boolean;
  children?: RowSnapshot[];
}

export abstract class TreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<TreeNode | undefined | void>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<TreeNode>;
  private refreshTimer?: NodeJS.Timeout;
  private loadsEmitter = this._register(new vscode.EventEmitter<number>());
  /** Fires after each load of the root rows (with their count). */
  readonly onDidLoad = this.loadsEmitter.event;

  constructor(viewId: string, options: { showCollapseAll?: boolean } = {}) {
    super();
    this.view = this._register(vscode.window.createTreeView(viewId, { treeDataProvider: this, showCollapseAll: options.showCollapseAll ?? false }));
  }

  /** Reloads the tree soon; bursts of calls reload once. */
  refresh(delayMs = 150): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changeEmitter.fire();
    }, delayMs);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (node) return await node.getChildren();
      const roots = await this.roots();
      this.loadsEmitter.fire(roots.length);
      return roots;
    } catch (err) {
      log.error(`${this.view.title ?? 'view'}: loading failed`, err);
      return [new InfoNode('Could not load', describeError(err), new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')), {
        command: { command: 'skillMetrics.showLog', title: 'Show Log' },
      })];
    }
  }

  protected abstract roots(): Promise<TreeNode[]>;

  /** The tree as plain rows, children expanded to `depth` levels (0: roots only). */
  async snapshot(depth = 0): Promise<RowSnapshot[]> {
    const walk = async (nodes: TreeNode[], level: number): Promise<RowSnapshot[]> => {
      const out: RowSnapshot[] = [];
      for (const node of nodes) {
        const item = node.getTreeItem();
        const row: RowSnapshot = {
          label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
          description: typeof item.description === 'string' ? item.description : undefined,
          tooltip: typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value,
          contextValue: item.contextValue,
          icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined,
          iconColor: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.color?.id : undefined,
          command: item.command?.command,
          commandArgs: item.command?.arguments,
          collapsible: item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None,
        };
        if (level < depth && row.collapsible) row.children = await walk(await node.getChildren(), level + 1);
        out.push(row);
      }
      return out;
    };
    return walk(await this.getChildren(), 0);
  }

  override dispose(): void {
    clearTimeout(this.refreshTimer);
    super.dispose();
  }
}

export function themeIcon(id: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}
