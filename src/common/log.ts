/**
 * A logging facade the core can use without `vscode`. The extension points it at its
 * LogOutputChannel; the CLI at stderr (only with --verbose); tests leave it silent.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogSink {
  log(level: LogLevel, component: string, message: string): void;
}

let sink: LogSink | undefined;

export function setLogSink(next: LogSink | undefined): void {
  sink = next;
}

function emit(level: LogLevel, component: string, message: string): void {
  sink?.log(level, component, message);
}

/** A logger bound to one component; messages read `[component] message`. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export function logger(component: string): Logger {
  return {
    trace: (m) => emit('trace', component, m),
    debug: (m) => emit('debug', component, m),
    info: (m) => emit('info', component, m),
    warn: (m) => emit('warn', component, m),
    error: (m, err) => emit('error', component, err === undefined ? m : `${m}: ${describeError(err)}`),
  };
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
