/** Errors the CLI and the extension turn into clear messages and exit codes. */

/** The database could not be opened or used (locked too long, corrupt, too new). CLI exit code 3. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** The database was written by a newer version of Skill Metrics than this one. */
export class SchemaTooNewError extends DatabaseUnavailableError {
  constructor(
    readonly found: number,
    readonly known: number,
    dbPath: string,
  ) {
    super(
      `The database ${dbPath} has schema version ${found}, but this Skill Metrics only knows up to ${known}. ` +
        'It was written by a newer version: update Skill Metrics, or use another database file. Nothing was changed.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Bad arguments from a caller (a project that does not exist, an unknown window). CLI exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ScopeField = 'project' | 'window' | 'since' | 'until';

/**
 * A question's scope that does not parse (a bad window, a date that is none). The message names the scope's
 * fields (`since`); an edge may word them as its own flags (`--since`) with wordedAs.
 */
export class ScopeError extends UsageError {
  constructor(private readonly parts: (name: (field: ScopeField) => string) => string) {
    super(parts((f) => f));
    this.name = 'ScopeError';
  }

  wordedAs(name: (field: ScopeField) => string): UsageError {
    return new UsageError(this.parts(name));
  }
}

/** The operation was cancelled by its caller (AbortSignal). */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
