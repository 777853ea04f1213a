/**
 * The agent tools in the editor: the fourteen tools of `skill-metrics mcp` (src/core/tools.ts) as
 * language-model tools for agent mode, and an MCP server definition, so that agent mode can also start the
 * server itself (`node <extension>/dist/cli.js --db <this database> ... mcp`, with the settings' zones).
 *
 * - Feature-detected: in a VS Code without these APIs nothing is registered and the rest of the extension
 *   works unchanged.
 * - Registration is cheap: names and flags come from toolInfo.ts; the catalogue (and DuckDB) loads on
 *   the first call. Answers are the CLI's --json for the same question, in the display zone.
 * - Tools that change state ask for confirmation first; they run on this window's core, whose change
 *   events refresh the views. Errors reach the model as a clear message.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import { LM_TOOL_PREFIX, TOOL_INFO, TOOL_NAMES, describeChange } from '../core/toolInfo';
import type { ToolName } from '../core/toolInfo';
import type { ConfigService } from './config';
import type { MetricsService } from './metrics';
import type { ProjectSync } from './projectSync';

const log = logger('agent-tools');

/** package.json `contributes.mcpServerDefinitionProviders[].id`. */
export const MCP_PROVIDER_ID = 'skillMetrics.mcpServer';

export interface AgentToolDeps {
  service: MetricsService;
  config: ConfigService;
  projectSync?: ProjectSync;
  /** The extension's folder (dist/cli.js is the MCP server). */
  extensionPath: string;
  version?: string;
}

type Input = Record<string, unknown>;

/** One language-model tool: prepares (with a confirmation when it changes state) and runs a catalogue tool. */
export class SkillMetricsTool implements vscode.LanguageModelTool<Input> {
  constructor(
    readonly name: ToolName,
    private readonly deps: Pick<AgentToolDeps, 'service' | 'config' | 'projectSync'>,
  ) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<Input>): vscode.PreparedToolInvocation {
    const title = `Skill Metrics: ${TOOL_INFO[this.name].title}`;
    const change = describeChange(this.name, options.input);
    if (!change) return { invocationMessage: title };
    return { invocationMessage: title, confirmationMessages: { title: `${title}?`, message: new vscode.MarkdownString(change) } };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<Input>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const text = await this.run(options.input, token);
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  }

  /** Runs the tool; resolves with its JSON text, or rejects with an error whose message the model can act on. */
  async run(input: unknown, token?: vscode.CancellationToken): Promise<string> {
    const { findTool, runTool, toolErrorMessage } = await import('../core/tools');
    const abort = new AbortController();
    const cancel = token?.onCancellationRequested(() => abort.abort());
    try {
      const { data, text } = await runTool(findTool(this.name)!, { core: await this.deps.service.engine(), signal: abort.signal }, input);
      await this.afterChange(input, data);
      return text;
    } catch (err) {
      log.warn(`${this.name} failed: ${describeError(err)}`);
      throw new Error(toolErrorMessage(err));
    } finally {
      cancel?.dispose();
    }
  }

  /** What the matching commands do after registering or unregistering: the workspace opt-outs. */
  private async afterChange(input: unknown, data: unknown): Promise<void> {
    const { service, projectSync } = this.deps;
    const project = data as { project_path?: string } | undefined;
    const paths = (input as { paths?: unknown } | undefined)?.paths;
    if (this.name === 'collect_skill_metrics' && Array.isArray(paths)) {
      const engine = await service.engine();
      for (const p of paths) if (typeof p === 'string') await projectSync?.setOptedOut(engine.canonicalPath(p), false);
    }
    if (this.name === 'register_project' && project?.project_path) await projectSync?.setOptedOut(project.project_path, false);
    if (this.name === 'unregister_project' && project?.project_path) {
      const engine = await service.engine();
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      if (folders.some((f) => engine.canonicalPath(f.uri.fsPath) === project.project_path)) await projectSync?.setOptedOut(project.project_path, true);
    }
  }
}

/** The MCP server as agent mode starts it: this extension's CLI on this window's database and settings. */
export function mcpServerDefinition(deps: Pick<AgentToolDeps, 'service' | 'config' | 'extensionPath' | 'version'>): vscode.McpStdioServerDefinition {
  const core = deps.config.config.core;
  const args = [
    path.join(deps.extensionPath, 'dist', 'cli.js'),
    '--db', deps.service.databasePath,
    '--source-tz', core.sourceTimeZone,
    '--display-tz', core.displayTimeZone,
    '--min-evidence', String(core.minEvidence),
    '--session-gap', String(core.sessionGapMinutes),
    '--max-file-mb', String(core.maxFileBytes / (1024 * 1024)),
    'mcp',
  ];
  return new vscode.McpStdioServerDefinition('Skill Metrics', 'node', args, {}, deps.version);
}

/** Registers the language-model tools and the MCP server definition where this VS Code has the APIs. */
export function registerAgentTools(deps: AgentToolDeps): vscode.Disposable[] {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  const out: vscode.Disposable[] = [];
  if (typeof lm?.registerTool === 'function') {
    for (const name of TOOL_NAMES) out.push(lm.registerTool(`${LM_TOOL_PREFIX}${name}`, new SkillMetricsTool(name, deps)));
  } else {
    log.info('this VS Code has no language-model tools API: the agent tools are not registered');
  }
  if (typeof lm?.registerMcpServerDefinitionProvider === 'function') {
    const changed = new vscode.EventEmitter<void>();
    out.push(
      changed,
      deps.config.onDidChange((c) => c.coreChanged && changed.fire()),
      lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
        onDidChangeMcpServerDefinitions: changed.event,
        provideMcpServerDefinitions: () => [mcpServerDefinition(deps)],
      }),
    );
  }
  return out;
}
