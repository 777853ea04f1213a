/**
 * The agent tools in the editor: the fourteen tools of `skill-metrics mcp` (src/mcp/tools.ts) as
 * language-model tools for agent mode, and an MCP server definition, so that agent mode can also start the
 * server itself (`node <extension>/dist/cli.js --db <this database> ... mcp`, with the settings' zones).
 *
 * - Feature-detected: in a VS Code without these APIs nothing is registered and the rest of the extension
 *   works unchanged.
 * - Registration is cheap: names and flags come from toolInfo.ts; the catalogue (and DuckDB) loads on
 *   the first call. Answers are the CLI's --json for the same question, in the display zone.
 * - Tools that change state ask for confirmation first and go through the service's write queue, then
 *   refresh the views as the matching commands do. Errors reach the model as a clear message.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, logger } from '../common/log';
import { LM_TOOL_PREFIX, TOOL_INFO, TOOL_NAMES, describeChange } from '../mcp/toolInfo';
import type { ToolName } from '../mcp/toolInfo';
import type { ToolContext } from '../mcp/tools';
import type { ConfigService } from './config';
import type { CollectResult, Registration } from './engine';
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
    const { findTool, runTool, toolErrorMessage } = await import('../mcp/tools');
    const { service, config } = this.deps;
    const abort = new AbortController();
    const cancel = token?.onCancellationRequested(() => abort.abort());
    try {
      const definition = findTool(this.name)!;
      const engine = await service.engine();
      const ctx: ToolContext = {
        store: engine.store,
        settings: config.config.core,
        registerSource: 'manual',
        origin: 'extension',
        signal: abort.signal,
        ensureDerived: () => service.ensureDerived(),
        collect: (request) => this.collect(request),
      };
      // Reads, and collection (which queues itself), run as they are; other writes wait their turn.
      if (definition.readOnly || this.name === 'collect_skill_metrics') return (await runTool(definition, ctx, input)).text;
      const { data, text } = await service.exclusive(() => runTool(definition, ctx, input));
      await this.afterChange(data);
      return text;
    } catch (err) {
      log.warn(`${this.name} failed: ${describeError(err)}`);
      throw new Error(toolErrorMessage(err));
    } finally {
      cancel?.dispose();
    }
  }

  /** What the matching commands do after the change: opt-outs, state, views. */
  private async afterChange(data: unknown): Promise<void> {
    const { service, projectSync } = this.deps;
    const project = data as { project_path?: string } | undefined;
    if (this.name === 'register_project' && project?.project_path) await projectSync?.setOptedOut(project.project_path, false);
    if (this.name === 'unregister_project' && project?.project_path) {
      const engine = await service.engine();
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      if (folders.some((f) => engine.canonicalPath(f.uri.fsPath) === project.project_path)) await projectSync?.setOptedOut(project.project_path, true);
    }
    await service.refreshState();
    service.fireData(this.name === 'compute_aggregates' ? 'aggregate' : 'projects');
  }

  /** collect_skill_metrics through the service, so that the views follow and it queues with background collections. */
  private async collect(request: { paths: string[]; aggregate: boolean; signal?: AbortSignal }): Promise<CollectResult> {
    const { service, projectSync } = this.deps;
    let ids: string[] | undefined;
    if (request.paths.length) {
      const registrations: Registration[] = await service.exclusive(async (engine) => {
        const done = await engine.register(request.paths, 'manual');
        for (const r of done) await projectSync?.setOptedOut(r.project.project_path, false);
        await service.refreshState();
        service.fireData('projects');
        return done;
      });
      ids = registrations.map((r) => r.project.project_id);
    }
    const result = await service.collect({ projects: ids, explicit: true, signal: request.signal });
    if (request.aggregate && result.records_added + result.records_updated > 0 && (await service.ensureDerived())) service.fireData('aggregate');
    return result;
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
