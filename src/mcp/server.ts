/**
 * The Model Context Protocol server (`skill-metrics mcp`): the agent tools of src/core/tools.ts over stdio, with
 * the official TypeScript SDK. Results are the CLI's --json output as text and, for clients that read it, the
 * same JSON as structuredContent (each tool declares its outputSchema, src/core/outputs.ts); a failing call (unknown
 * project, bad window, database locked too long, bad input) is a tool error with the message, and the
 * server goes on. Nothing but protocol messages is written to stdout (logs go to stderr with --verbose).
 */
import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError, logger } from '../common/log';
import { version } from '../../package.json';
import type { ToolContext } from '../core/tools';
import { TOOLS, resultJson, structuredContent, toolErrorMessage } from '../core/tools';

const log = logger('mcp');

export const SERVER_NAME = 'skill-metrics';

const INSTRUCTIONS = `Skill Metrics answers questions about the AI coding skills the user runs (which skills, how often, how well, how long, in which order, in which projects), from the .session-buddy records of the user's registered projects, kept in a local database. Nothing leaves the machine.
Start with get_skill_summary for an overview, get_top_skills for skill names, analyze_skill_effectiveness for one skill, get_workflow_recommendations for what to change, and recommend_workflow_skills for what to run next. If results look empty or stale, call health_check, then collect_skill_metrics. Projects are named by id, folder path or name (list_registered_projects). Rates are fractions 0..1, durations seconds, instants ISO 8601 with offset. A skill with fewer invocations than the minimum evidence is not rated.`;

/** An MCP server with every tool registered against `ctx`. */
export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer({ name: SERVER_NAME, title: 'Skill Metrics', version }, { instructions: INSTRUCTIONS });
  for (const definition of TOOLS) {
    server.registerTool(
      definition.name,
      {
        title: definition.title,
        description: definition.description,
        inputSchema: definition.input,
        outputSchema: definition.output,
        annotations: {
          title: definition.title,
          readOnlyHint: definition.readOnly,
          destructiveHint: definition.destructive,
          idempotentHint: definition.idempotent,
          openWorldHint: false,
        },
      },
      async (input: unknown, extra): Promise<CallToolResult> => {
        const started = Date.now();
        try {
          const data = await definition.run({ ...ctx, signal: extra.signal }, input as never);
          log.debug(`${definition.name} answered in ${Date.now() - started} ms`);
          // The text for older clients; the same JSON as structuredContent, checked against outputSchema.
          const text = resultJson(ctx, data);
          return { content: [{ type: 'text', text }], structuredContent: structuredContent(definition, text) };
        } catch (err) {
          log.warn(`${definition.name} failed: ${describeError(err)}`);
          return { content: [{ type: 'text', text: toolErrorMessage(err) }], isError: true };
        }
      },
    );
  }
  return server;
}

export interface StdioStreams {
  stdin: Readable;
  stdout: Writable;
}

/**
 * Serves the tools on stdin/stdout until stdin ends (the client went away) or the transport closes. Calls
 * still running then are finished and answered first; a client that closes stdout ends it too.
 */
export async function serveStdio(ctx: ToolContext, streams: StdioStreams = { stdin: process.stdin, stdout: process.stdout }): Promise<void> {
  const server = createMcpServer(ctx);
  const transport = new StdioServerTransport(streams.stdin, streams.stdout);
  let ended = false;
  let stopped = false;
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => {
      stopped = true;
      resolve();
    };
    const end = () => {
      ended = true;
      resolve();
    };
    streams.stdin.once('end', end);
    streams.stdin.once('close', end);
    streams.stdout.once('error', (err) => {
      log.warn(`stdout failed (${describeError(err)}); stopping`);
      stopped = true;
      resolve();
    });
  });
  await server.connect(transport);

  // Requests not answered yet, so that the end of stdin does not cut off calls in flight.
  const pending = new Set<string | number>();
  let idle: (() => void) | undefined;
  const receive = transport.onmessage;
  transport.onmessage = (message) => {
    if ('method' in message && 'id' in message) pending.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message) => {
    await send(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined && pending.delete(message.id) && pending.size === 0) idle?.();
  };

  log.info(`serving ${TOOLS.length} tools on stdio`);
  await closed;
  if (ended && !stopped && pending.size > 0) {
    log.info(`input ended; finishing ${pending.size} call(s) first`);
    await new Promise<void>((resolve) => {
      idle = resolve;
      transport.onclose = resolve;
    });
  }
  await server.close().catch(() => undefined);
  log.info('client went away; stopped');
}
