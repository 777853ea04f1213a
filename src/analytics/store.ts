/**
 * The one module that owns the DuckDB database file.
 *
 * - The file is not held open while idle: every unit of work opens it (or joins the instance already
 *   open in this process) and the last user closes it. Several VS Code windows (several processes)
 *   share one file this way; DuckDB allows one read-write process per file, so an open that meets
 *   another process's lock waits and retries with backoff instead of failing.
 * - Migrations run forward on open; a database newer than this code is refused untouched.
 * - DuckDB never reaches the network: extension auto-install/auto-load and community extensions are off;
 *   only the built-in json, parquet and icu functionality is used.
 * - Queries take parameters; the only values spliced into SQL text are validated time-zone names.
 */
import { DOUBLE, DuckDBInstance, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, DatabaseUnavailableError, SchemaTooNewError, throwIfAborted } from '../common/errors';
import { logger } from '../common/log';
import { isValidTimeZone } from '../common/timeZones';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

const log = logger('store');

export interface StoreOptions {
  /** The database file (created with its folder when missing). */
  path: string;
  /** Zone for day/week/month buckets and for rendering instants (DESIGN section 3). */
  displayTimeZone: string;
  /** How long an open waits for another process's lock before giving up (ms). Default 60 s. */
  lockTimeoutMs?: number;
  /** Keep the file open this long after the last user, to serve a burst of queries with one open (ms). */
  lingerMs?: number;
  /**
   * Hold the file at most this long at a stretch (ms, default 2000): at the first idle moment past it the
   * file is closed and reopened a moment later, so another process waiting for it gets its turn even while
   * this one keeps querying.
   */
  maxHoldMs?: number;
  /** Open read-only for work that only reads, so several readers (windows, CLI) can share the file. */
  readOnlyReads?: boolean;
  /** DuckDB threads. */
  threads?: number;
  /** DuckDB's memory limit (default DEFAULT_MEMORY_LIMIT): beyond it, work spills to the temp folder. */
  memoryLimit?: string;
  /** At most this much spilled to the temp folder (default DEFAULT_MAX_TEMP_SIZE); past it a query fails. */
  maxTempSize?: string;
}

/** Bounds of DuckDB's memory and spill space (README "Limits"): hostile input must not fill RAM or disk. */
export const DEFAULT_MEMORY_LIMIT = '2GB';
export const DEFAULT_MAX_TEMP_SIZE = '4GB';

/**
 * DuckDB's spill folder for a database: beside it (inside the extension's storage), one sub-folder per
 * process, so readers sharing the file never share spill files.
 */
export function tempRoot(dbPath: string): string {
  return `${path.resolve(dbPath)}.tmp`;
}

/**
 * Removes spill files left by processes that died mid-query (kill -9, a crash). Called while this
 * process holds the read-write lock: no other process has the file open then, so every spill folder
 * but this process's own is left over. Returns how many entries were removed.
 */
export function removeLeftoverTemp(dbPath: string, ownPid = process.pid): number {
  const root = tempRoot(dbPath);
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of entries) {
    if (name === `pid-${ownPid}`) continue;
    try {
      rmSync(path.join(root, name), { recursive: true, force: true });
      removed++;
    } catch (err) {
      log.warn(`could not remove left-over temp file ${name}: ${(err as Error).message}`);
    }
  }
  if (removed) log.info(`removed ${removed} left-over DuckDB temp file(s) from ${root}`);
  return removed;
}

export type Row = Record<string, unknown>;

/** A connection handed to one unit of work. Values come back as plain JS (bigint -> number, timestamps -> Date). */
export class Db {
  constructor(private readonly conn: DuckDBConnection) {}

  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const reader = params.length ? await this.conn.runAndReadAll(sql, ...bind(params)) : await this.conn.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => plain(row) as T);
  }

  async one<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = params.length ? await this.conn.run(sql, ...bind(params)) : await this.conn.run(sql);
    return Number(result.rowsChanged);
  }

  /** Streams a query's rows in chunks (plain JS values), for exports that must not hold everything in memory. */
  async *stream<T = Row>(sql: string, params: readonly unknown[] = [], onColumns?: (names: string[]) => void): AsyncGenerator<T[]> {
    const result = params.length ? await this.conn.stream(sql, ...bind(params)) : await this.conn.stream(sql);
    onColumns?.(result.columnNames());
    for await (const rows of result.yieldRowObjectJs()) yield rows.map((row) => plain(row) as T);
  }

  /**
   * Writes a query's result to a file with DuckDB's COPY (CSV or Parquet). The file path cannot be a
   * parameter of COPY: it is the one value this module puts into SQL text, quoted here and only here.
   */
  async copyTo(sql: string, params: readonly unknown[], file: string, format: 'csv' | 'parquet'): Promise<number> {
    if (file.includes('\0')) throw new Error('A file path cannot contain NUL');
    const target = `'${file.replace(/'/g, "''")}'`;
    const options = format === 'csv' ? '(FORMAT CSV, HEADER true)' : '(FORMAT PARQUET, COMPRESSION ZSTD)';
    return this.run(`COPY (${sql}) TO ${target} ${options}`, params);
  }

  /** Runs `fn` in one transaction: all of it lands, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await this.conn.run('COMMIT');
      return result;
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** The raw connection, for the appender (usageWriter.ts). */
  get raw(): DuckDBConnection {
    return this.conn;
  }
}

/**
 * Parameters as DuckDB values: string and number arrays become typed lists, Dates ISO text (cast by
 * the SQL where a timestamp is expected); everything else as node-api infers it.
 */
function bind(params: readonly unknown[]): [DuckDBValue[], DuckDBType[]] {
  const values: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  for (const p of params) {
    if (Array.isArray(p)) {
      const numeric = p.length > 0 && p.every((x) => typeof x === 'number');
      values.push(listValue(p as DuckDBValue[]));
      types.push(LIST(numeric ? DOUBLE : VARCHAR));
    } else if (p instanceof Date) {
      values.push(p.toISOString());
      types.push(VARCHAR);
    } else {
      values.push(p as DuckDBValue);
      types.push(undefined as unknown as DuckDBType);
    }
  }
  return [values, types];
}

function plain(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return plain(value as Record<string, unknown>); // structs
  }
  return value;
}

const defaultThreads = os.availableParallelism();

const LOCK_ERROR = /Could not set lock|Conflicting lock|Resource temporarily unavailable|database is locked/i;

interface OpenInstance {
  instance: DuckDBInstance;
  readOnly: boolean;
  users: number;
  openedAt: number;
  closeTimer?: NodeJS.Timeout;
}

/** Options of one unit of work. */
export interface UnitOptions {
  /** Aborting interrupts the running query; the unit then fails with CancelledError (its transaction rolls back). */
  signal?: AbortSignal;
}

export class Store {
  readonly path: string;
  private readonly options: Required<Omit<StoreOptions, 'threads'>> & Pick<StoreOptions, 'threads'>;
  private open?: OpenInstance;
  private opening?: Promise<OpenInstance>;
  private draining?: Promise<void>;
  private drained?: () => void;
  private migrated = false;
  private reopenAt = 0;

  constructor(options: StoreOptions) {
    if (!isValidTimeZone(options.displayTimeZone)) throw new Error(`Unknown display time zone "${options.displayTimeZone}"`);
    this.path = path.resolve(options.path);
    this.options = {
      lockTimeoutMs: 60_000, lingerMs: 0, maxHoldMs: 2000, readOnlyReads: false, memoryLimit: DEFAULT_MEMORY_LIMIT,
      maxTempSize: DEFAULT_MAX_TEMP_SIZE, ...options,
    };
  }

  get displayTimeZone(): string {
    return this.options.displayTimeZone;
  }

  /** Changes the display zone for later units of work (a settings change in the editor). */
  setDisplayTimeZone(zone: string): void {
    if (!isValidTimeZone(zone)) throw new Error(`Unknown display time zone "${zone}"`);
    this.options.displayTimeZone = zone;
  }

  /**
   * DuckDB worker threads for later units of work (e.g. fewer while parse workers use the other cores).
   * Undefined: DuckDB's default (all cores).
   */
  setThreads(threads: number | undefined): void {
    this.options.threads = threads;
  }

  /** Runs one unit of work that only reads. */
  read<T>(fn: (db: Db) => Promise<T>, options: UnitOptions = {}): Promise<T> {
    return this.use(fn, false, options);
  }

  /** Runs one unit of work that writes. */
  write<T>(fn: (db: Db) => Promise<T>, options: UnitOptions = {}): Promise<T> {
    return this.use(fn, true, options);
  }

  /** Closes the file now (waits for nothing: callers must have finished). */
  close(): void {
    const open = this.open;
    this.open = undefined;
    if (open) {
      clearTimeout(open.closeTimer);
      closeInstance(open.instance);
    }
  }

  private async use<T>(fn: (db: Db) => Promise<T>, write: boolean, options: UnitOptions): Promise<T> {
    throwIfAborted(options.signal);
    const open = await this.acquire(write);
    let conn: DuckDBConnection | undefined;
    const interrupt = () => conn?.interrupt();
    options.signal?.addEventListener('abort', interrupt);
    try {
      conn = await open.instance.connect();
      await conn.run(`SET TimeZone = '${this.options.displayTimeZone}'`);
      await conn.run(`SET threads = ${Math.max(1, Math.floor(this.options.threads ?? defaultThreads))}`);
      throwIfAborted(options.signal);
      return await fn(new Db(conn));
    } catch (err) {
      if (options.signal?.aborted) throw new CancelledError();
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', interrupt);
      conn?.closeSync();
      this.release(open);
    }
  }

  private async acquire(write: boolean): Promise<OpenInstance> {
    for (;;) {
      if (this.opening) {
        await this.opening.catch(() => undefined);
        continue;
      }
      const current = this.open;
      // Held long enough and idle: close and pause, so a waiting process can open it. (While units are
      // running, more may join: closing is impossible until they finish anyway, and the views stay live.)
      if (current && current.users === 0 && Date.now() - current.openedAt > this.options.maxHoldMs) {
        this.yieldFile();
        continue;
      }
      if (current && (!current.readOnly || !write)) {
        clearTimeout(current.closeTimer);
        current.closeTimer = undefined;
        current.users++;
        return current;
      }
      if (current) {
        // Open read-only but this work writes: wait for the readers, then reopen read-write.
        if (current.users > 0) {
          await this.waitDrained();
          continue;
        }
        this.close();
      }
      const pause = this.reopenAt - Date.now();
      if (pause > 0) {
        await sleep(pause);
        continue;
      }
      const readOnly = !write && this.options.readOnlyReads && this.migrated && existsSync(this.path);
      this.opening = this.openInstance(readOnly);
      try {
        const opened = await this.opening;
        this.open = opened;
      } finally {
        this.opening = undefined;
      }
    }
  }

  private release(open: OpenInstance): void {
    open.users--;
    if (open.users > 0 || this.open !== open) return;
    this.drained?.();
    this.draining = undefined;
    this.drained = undefined;
    if (Date.now() - open.openedAt > this.options.maxHoldMs) {
      this.yieldFile();
    } else if (this.options.lingerMs > 0) {
      open.closeTimer = setTimeout(() => {
        if (this.open === open && open.users === 0) this.close();
      }, this.options.lingerMs);
      open.closeTimer.unref?.();
    } else {
      this.close();
    }
  }

  /** Closes the file and keeps it closed for a moment, so a process waiting for the lock gets it. */
  private yieldFile(): void {
    this.close();
    this.reopenAt = Date.now() + 50 + Math.random() * 100;
  }

  private waitDrained(): Promise<void> {
    this.draining ??= new Promise<void>((resolve) => (this.drained = resolve));
    return this.draining;
  }

  private async openInstance(readOnly: boolean): Promise<OpenInstance> {
    mkdirSync(path.dirname(this.path), { recursive: true });
    const settings: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      access_mode: readOnly ? 'READ_ONLY' : 'READ_WRITE',
      memory_limit: this.options.memoryLimit,
      temp_directory: path.join(tempRoot(this.path), `pid-${process.pid}`),
      max_temp_directory_size: this.options.maxTempSize,
    };

    const started = Date.now();
    let delay = 20;
    let waited = false;
    for (;;) {
      try {
        const instance = await DuckDBInstance.create(this.path, settings);
        if (waited) log.info(`opened ${this.path} after waiting ${Date.now() - started} ms for another process`);
        const open: OpenInstance = { instance, readOnly, users: 0, openedAt: Date.now() };
        if (!readOnly) removeLeftoverTemp(this.path);
        try {
          await this.checkSchema(instance, readOnly);
        } catch (err) {
          closeInstance(instance);
          if (err instanceof NeedsMigration) return await this.openInstance(false);
          throw err;
        }
        return open;
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        if (LOCK_ERROR.test(message)) {
          if (Date.now() - started > this.options.lockTimeoutMs) {
            throw new DatabaseUnavailableError(
              `The database ${this.path} stayed locked by another process for ${Math.round(this.options.lockTimeoutMs / 1000)} s; try again when it is done.`,
              { cause: err },
            );
          }
          if (!waited) log.debug(`database locked by another process; waiting (${message})`);
          waited = true;
          await sleep(delay + Math.random() * delay);
          delay = Math.min(delay * 2, 400);
          continue;
        }
        if (err instanceof DatabaseUnavailableError) throw err;
        throw new DatabaseUnavailableError(`Cannot open the database ${this.path}: ${message}`, { cause: err });
      }
    }
  }

  private async checkSchema(instance: DuckDBInstance, readOnly: boolean): Promise<void> {
    const conn = await instance.connect();
    try {
      const hasTable = await conn.runAndReadAll(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = 'main'",
      );
      const exists = Number(hasTable.getRows()[0]?.[0] ?? 0) > 0;
      let version = 0;
      if (exists) {
        const v = await conn.runAndReadAll('SELECT coalesce(max(version), 0) FROM schema_migrations');
        version = Number(v.getRows()[0]?.[0] ?? 0);
      } else {
        const other = await conn.runAndReadAll("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'");
        if (Number(other.getRows()[0]?.[0] ?? 0) > 0) {
          throw new DatabaseUnavailableError(`The file ${this.path} is a DuckDB database of something else (it has tables but no Skill Metrics schema); nothing was changed.`);
        }
      }
      if (version > SCHEMA_VERSION) throw new SchemaTooNewError(version, SCHEMA_VERSION, this.path);
      if (version === SCHEMA_VERSION) {
        this.migrated = true;
        return;
      }
      if (readOnly) throw new NeedsMigration();
      if (!exists) await conn.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
      for (const migration of MIGRATIONS) {
        if (migration.version <= version) continue;
        await conn.run('BEGIN TRANSACTION');
        try {
          for (const statement of migration.statements) await conn.run(statement);
          await conn.run('INSERT INTO schema_migrations VALUES ($1, now())', [migration.version]);
          await conn.run('COMMIT');
        } catch (err) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw new DatabaseUnavailableError(`Migration ${migration.version} (${migration.description}) failed: ${(err as Error).message}`, { cause: err });
        }
        log.info(`applied migration ${migration.version}: ${migration.description}`);
      }
      this.migrated = true;
    } finally {
      conn.closeSync();
    }
  }
}

class NeedsMigration extends Error {}

function closeInstance(instance: DuckDBInstance): void {
  try {
    instance.closeSync();
  } catch (err) {
    log.warn(`closing the database failed: ${(err as Error).message}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
