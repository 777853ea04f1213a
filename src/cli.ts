/**
 * `skill-metrics`: the command-line interface over the same core and database as the extension
 * (DESIGN section 5). The composition root of the two terminal adapters: the CLI (src/cli) and, for the
 * `mcp` command, the MCP server (src/mcp), each over one MetricsCore. Exit codes: 0 ok; 1 done but some input was bad (reported); 2 usage error;
 * 3 database unavailable.
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { COMMANDS } from './cli/commands';
import type { CliContext, Command } from './cli/commands';
import { DatabaseUnavailableError, ScopeError, UsageError } from './common/errors';
import { toJson } from './common/format';
import { printable } from './cli/output';
import { setLogSink } from './common/log';
import { defaultDatabasePath } from './common/paths';
import { resolveSettings } from './common/settings';
import { MetricsCore } from './core/service';

export const EXIT = { ok: 0, inputProblems: 1, usage: 2, database: 3 } as const;

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  'source-tz': { type: 'string' },
  'display-tz': { type: 'string' },
  'max-file-mb': { type: 'string' },
  'min-evidence': { type: 'string' },
  'session-gap': { type: 'string' },
};

function usage(): string {
  const visible = COMMANDS.filter((c) => !c.developer);
  const dev = COMMANDS.filter((c) => c.developer);
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  const list = (cs: Command[]) => cs.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: skill-metrics [--db PATH] [--json] <command> [options]

Skill usage analytics from your projects' .session-buddy records. Local only: nothing is sent anywhere.

Commands:
${list(visible)}

Developer commands:
${list(dev)}

Global options:
  --db PATH            database file (default: the extension's, or $SKILL_METRICS_DB): ${defaultDatabasePath()}
  --json               machine-readable output on stdout
  --source-tz ZONE     zone naive JSON timestamps were written in (default: this machine's; $SKILL_METRICS_SOURCE_TZ)
  --display-tz ZONE    zone for days, weeks and months (default: this machine's; $SKILL_METRICS_DISPLAY_TZ)
  --max-file-mb N      larger input files are reported, not read (default 100)
  --min-evidence N     fewer invocations than this are "not enough data" (default 5)
  --session-gap MIN    minutes without activity that end an inferred session (default 30)
  -v, --verbose        log progress to stderr
  -h, --help           this help

Exit codes: 0 ok; 1 done, but some input was bad (reported); 2 usage error; 3 database unavailable.`;
}

/** `help <command>`: its usage, what it does and the rules behind its figures. */
function commandHelp(command: Command): string {
  const rules = command.rules?.length ? `\n\nHow it counts:\n${command.rules.map((r) => `  - ${r}`).join('\n')}` : '';
  return `Usage: skill-metrics ${command.usage}\n\n${command.summary}${rules}`;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
};

function numberOption(values: Record<string, unknown>, key: string, env: string | undefined): number | undefined {
  const raw = (values[key] as string | undefined) ?? env;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got "${raw}"`);
  return n;
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const allOptions = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(allOptions, c.options ?? {});
  let json = argv.includes('--json');
  let core: MetricsCore | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: allOptions, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    json = values.json === true;
    const [name, ...args] = positionals;
    if (!name || name === 'help') {
      const command = COMMANDS.find((c) => c.name === args[0]);
      io.stdout(command ? commandHelp(command) : usage());
      return name || values.help ? EXIT.ok : EXIT.usage;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`Unknown command "${name}". Run skill-metrics --help for the list.`);
    if (values.help) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const known = new Set([...Object.keys(GLOBAL_OPTIONS), ...Object.keys(command.options ?? {})]);
    const foreign = Object.keys(values).filter((k) => !known.has(k));
    if (foreign.length) throw new UsageError(`${command.name} does not take --${foreign.join(', --')}. Usage: skill-metrics ${command.usage}`);
    const [min, max] = command.args;
    if (args.length < min || args.length > max) throw new UsageError(`Usage: skill-metrics ${command.usage}`);

    if (values.verbose) setLogSink({ log: (level, component, message) => io.stderr(`[${level}] [${component}] ${message}`) });
    const settings = (() => {
      try {
        return resolveSettings({
          sourceTimeZone: (values['source-tz'] as string | undefined) ?? io.env.SKILL_METRICS_SOURCE_TZ ?? '',
          displayTimeZone: (values['display-tz'] as string | undefined) ?? io.env.SKILL_METRICS_DISPLAY_TZ ?? '',
          maxFileSizeMB: numberOption(values, 'max-file-mb', io.env.SKILL_METRICS_MAX_FILE_MB),
          minEvidence: numberOption(values, 'min-evidence', io.env.SKILL_METRICS_MIN_EVIDENCE),
          sessionGapMinutes: numberOption(values, 'session-gap', io.env.SKILL_METRICS_SESSION_GAP),
        });
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError((err as Error).message.split('\n')[0]!);
      }
    })();
    const dbPath = (values.db as string | undefined) ?? defaultDatabasePath(io.env);
    const ctx: CliContext = {
      settings,
      core: () =>
        (core ??= new MetricsCore({
          dbPath,
          settings,
          origin: 'cli',
          registerSource: 'cli',
          workers: { size: Math.max(1, Math.min(4, os.availableParallelism() - 1)) },
          // Parse workers take cores of their own while collecting: DuckDB gets the rest (measured faster on 2 cores).
          shareCoresWhileCollecting: true,
        })),
      serveMcp: async () => {
        const { serveStdio } = await import('./mcp/server');
        await serveStdio({ core: ctx.core() });
      },
    };
    const result = await command.run(ctx, args, values as Record<string, string | boolean | undefined>);
    if (!result.silent) io.stdout(json ? toJson(result.data, settings.displayTimeZone) : printable(result.text, true));
    return result.inputProblems ? EXIT.inputProblems : EXIT.ok;
  } catch (err) {
    // A scope error names its fields: here they are flags.
    if (err instanceof ScopeError) err = err.wordedAs((f) => `--${f}`);
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof UsageError ? EXIT.usage : err instanceof DatabaseUnavailableError ? EXIT.database : EXIT.inputProblems;
    if (json) io.stdout(JSON.stringify({ error: message, exit_code: code }, null, 2));
    io.stderr(`skill-metrics: ${printable(message, true)}`);
    if (code === EXIT.inputProblems && err instanceof Error && err.stack) io.stderr(err.stack);
    return code;
  } finally {
    await core?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`skill-metrics: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
