/**
 * Export of usage, aggregates or sessions (DESIGN section 5, `export`): Parquet written by DuckDB, CSV
 * written here with the one CSV rule (common/csv.ts: quoting, formula-injection escaping), JSON written here as `{"schema_version", "what", "exported_at", "display_time_zone", "rows": [...]}`
 * with instants as ISO 8601 with the display zone's offset. Rows are streamed, not held in memory.
 */
import { createWriteStream, statSync } from 'node:fs';
import type { ProjectRef } from './scope';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import { csvLine } from '../common/csv';
import { UsageError } from '../common/errors';
import { formatIsoInZone } from '../common/zonedTime';
import { SCHEMA_VERSION } from './migrations';
import { projectScope } from './scope';
import type { Db } from './store';

export const EXPORT_WHAT = ['usage', 'aggregates', 'sessions'] as const;
export const EXPORT_FORMATS = ['csv', 'json', 'parquet'] as const;
export type ExportWhat = (typeof EXPORT_WHAT)[number];
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  what: string;
  format: string;
  out: string;
  project?: ProjectRef;
}

export interface ExportResult {
  what: ExportWhat;
  format: ExportFormat;
  path: string;
  rows: number;
}

/** ISO 8601 text with the display zone's offset (e.g. 2026-06-10T12:00:00.000+02:00), for CSV. */
const iso = (col: string): string =>
  `strftime(${col}::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%g') || (WITH o AS (SELECT epoch(${col}::TIMESTAMP) - epoch(${col}) AS s)
   SELECT printf('%s%02d:%02d', CASE WHEN s < 0 THEN '-' ELSE '+' END, abs(s)::BIGINT // 3600, (abs(s)::BIGINT % 3600) // 60) FROM o)`;

/**
 * The rows of each export. CSV gets text for what CSV cannot hold: instants as ISO 8601 with offset and
 * lists as JSON arrays; Parquet and JSON keep the native types.
 */
function query(what: ExportWhat, format: ExportFormat): string {
  const csv = format === 'csv';
  const ts = (col: string, as: string) => (csv ? `CASE WHEN ${col} IS NOT NULL THEN ${iso(col)} END AS ${as}` : `${col} AS ${as}`);
  const list = (col: string, as: string) => (csv ? `to_json(${col})::VARCHAR AS ${as}` : `${col} AS ${as}`);
  switch (what) {
    case 'usage':
      return `SELECT u.record_id::VARCHAR AS record_id, u.project_id, p.project_name, u.skill_name, ${ts('u.invoked_at', 'invoked_at')},
                u.invoked_at_raw, u.tz_assumed, u.completed, u.duration_seconds, u.workflow_path, u.error_type, u.error_raw,
                ${list('u.follow_up_actions', 'follow_up_actions')}, u.session_id, u.source_format
              FROM skill_usage u JOIN projects p USING (project_id)
              WHERE p.is_active AND ($1::VARCHAR IS NULL OR u.project_id = $1) ORDER BY u.invoked_at, u.record_id`;
    case 'aggregates':
      return `SELECT a.skill_name, a.project_id, a.time_window, ${ts("(CASE WHEN a.time_window <> 'all' THEN a.bucket_start END)", 'bucket_start')}, a.total_invocations,
                a.completed_invocations, a.failed_invocations, a.abandoned_invocations, a.pending_invocations, a.avg_duration_seconds, a.p50_duration_seconds,
                a.p95_duration_seconds, a.avg_follow_ups, a.projects, ${ts('a.first_used', 'first_used')}, ${ts('a.last_used', 'last_used')}
              FROM skill_aggregates a LEFT JOIN projects p USING (project_id)
              WHERE (a.project_id = '*' OR p.is_active) AND ($1::VARCHAR IS NULL OR a.project_id = $1)
              ORDER BY a.time_window, a.bucket_start, a.project_id, a.skill_name`;
    case 'sessions':
      return `SELECT s.session_id, s.project_id, s.inferred, ${ts('s.start_time', 'start_time')}, ${ts('s.end_time', 'end_time')},
                ${list('s.skills_used', 'skills_used')}, s.invocations, s.skills_completed, s.workflow_nodes_completed,
                s.total_skill_duration, s.total_workflow_duration
              FROM session_summaries s JOIN projects p USING (project_id)
              WHERE p.is_active AND ($1::VARCHAR IS NULL OR s.project_id = $1) ORDER BY s.start_time, s.project_id, s.session_id`;
  }
}

export async function exportData(db: Db, options: ExportOptions): Promise<ExportResult> {
  if (!(EXPORT_WHAT as readonly string[]).includes(options.what)) throw new UsageError(`--what must be one of ${EXPORT_WHAT.join(', ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const what = options.what as ExportWhat;
  const format = options.format as ExportFormat;
  checkOutputFolder(options.out);
  const params = [await projectScope(db, options.project)];
  if (format === 'parquet') {
    try {
      const rows = await db.copyTo(query(what, format), params, options.out, format);
      return { what, format, path: options.out, rows };
    } catch (err) {
      throw new UsageError(`Cannot write ${options.out}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const zone = (await db.one<{ tz: string }>("SELECT current_setting('TimeZone') AS tz"))!.tz;
  let rows = 0;
  await writeStreamed(options.out, async (write) => {
    if (format === 'csv') {
      // The CSV rule of every CSV (common/csv.ts): quoting and formula-injection escaping.
      let header: string[] = [];
      const chunks = db.stream<Record<string, unknown>>(query(what, format), params, (names) => (header = names));
      let started = false;
      for await (const chunk of chunks) {
        let text = started ? '' : `${csvLine(header)}\n`;
        started = true;
        for (const row of chunk) {
          text += `${csvLine(header.map((k) => row[k]))}\n`;
          rows++;
        }
        await write(text);
      }
      if (!started) await write(`${csvLine(header)}\n`);
      return;
    }
    const replacer = (_key: string, value: unknown) => value;
    await write(`{"schema_version": ${SCHEMA_VERSION}, "what": ${JSON.stringify(what)}, "exported_at": ${JSON.stringify(formatIsoInZone(new Date(), zone))}, "display_time_zone": ${JSON.stringify(zone)}, "rows": [`);
    for await (const chunk of db.stream<Record<string, unknown>>(query(what, format), params)) {
      let text = '';
      for (const row of chunk) {
        for (const [k, v] of Object.entries(row)) if (v instanceof Date) row[k] = formatIsoInZone(v, zone);
        text += `${rows++ === 0 ? '\n' : ',\n'}${JSON.stringify(row, replacer)}`;
      }
      await write(text);
    }
    await write('\n]}\n');
  });
  return { what, format, path: options.out, rows };
}

/** The folder an export is written into must exist (a usage error, said before any work is done). */
export function checkOutputFolder(out: string): void {
  const folder = path.dirname(path.resolve(out));
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`Cannot write ${out}: the folder ${folder} does not exist`);
}

/**
 * Writes a file through a stream, waiting for drain, and turns every write error (a full disk, /dev/full,
 * permission denied) into one clear UsageError instead of an unhandled 'error' event.
 */
export async function writeStreamed(out: string, fill: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  const stream = createWriteStream(out);
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) =>
    stream.on('error', (err) => {
      failure = err;
      reject(err);
    }),
  );
  failed.catch(() => undefined);
  const write = (text: string): Promise<void> => {
    if (failure) return Promise.reject(failure);
    return stream.write(text) ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), failed]);
  };
  try {
    await fill(write);
    stream.end();
    await Promise.race([finished(stream), failed]);
  } catch (err) {
    stream.destroy();
    const e = (failure ?? err) as NodeJS.ErrnoException;
    if (!failure && !e.code) throw err;
    throw new UsageError(`Cannot write ${out}: ${writeErrorMessage(e)}`);
  }
}

function writeErrorMessage(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'the folder does not exist';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return err.message;
  }
}
