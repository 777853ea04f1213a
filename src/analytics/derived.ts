/**
 * The aggregate step: everything derived from the raw records, recomputed together in one transaction.
 *
 * - `skill_aggregates`: one row per (skill, project or '*', window, bucket) for the daily, weekly (ISO,
 *   Monday), monthly and all windows, buckets in the display time zone (the connection's TimeZone).
 *   Re-aggregation replaces a window's rows; it never adds to them. '*' counts active projects only.
 * - `session_summaries`: correlated sessions (DESIGN section 4): invocations and workflow events with the
 *   same session id form a session; items without one are grouped per project by time, a gap longer than
 *   the session gap starting a new (inferred) session.
 * - `skill_sessions`, `skill_pairs`, `skill_transitions`: per project and '*', how many sessions use each
 *   skill, each pair of skills, and how often one skill directly follows another within a session.
 * - `skill_errors`, `skill_paths`: per project and '*', failures by error type and use by workflow path.
 *
 * Derived data is fresh when it was computed from the current data version, in the current display zone
 * and with the current session gap (`derivedFreshness`). Queries that read it call `ensureDerived` first.
 */
import { logger } from '../common/log';
import { dataVersion } from './dataVersion';
import type { Db, Store } from './store';

const log = logger('aggregate');

export const AGGREGATE_WINDOWS = ['daily', 'weekly', 'monthly', 'all'] as const;
export type AggregateWindow = (typeof AGGREGATE_WINDOWS)[number];

export const DEFAULT_SESSION_GAP_MINUTES = 30;

/** bucket_start of the `all` window. */
export const ALL_TIME = new Date(0);

export interface AggregateOptions {
  windows?: readonly AggregateWindow[];
  sessionGapMinutes?: number;
}

export interface AggregateRun {
  windows: AggregateWindow[];
  rows_written: number;
  sessions: number;
  duration_ms: number;
}

/** The grouping set of each window; `day` is the local date in the display zone. */
const GROUPING: Record<AggregateWindow, string[]> = {
  daily: ['(skill_name, project_id, day)', '(skill_name, day)'],
  weekly: ['(skill_name, project_id, week)', '(skill_name, week)'],
  monthly: ['(skill_name, project_id, month)', '(skill_name, month)'],
  all: ['(skill_name, project_id)', '(skill_name)'],
};

const KEY: Record<Exclude<AggregateWindow, 'all'>, string> = { daily: 'day', weekly: 'week', monthly: 'month' };

/** Which window a grouped row belongs to (GROUPING() may only name keys some grouping set uses). */
function windowOf(windows: AggregateWindow[]): string {
  const keyed = windows.filter((w): w is Exclude<AggregateWindow, 'all'> => w !== 'all');
  if (!keyed.length) return "'all'";
  return `CASE ${keyed.map((w) => `WHEN grouping(${KEY[w]}) = 0 THEN '${w}'`).join(' ')} ELSE 'all' END`;
}

function bucketOf(windows: AggregateWindow[]): string {
  const keys = windows.filter((w): w is Exclude<AggregateWindow, 'all'> => w !== 'all').map((w) => KEY[w]);
  return keys.length ? `coalesce(${keys.join(', ')})` : 'NULL::DATE';
}

export async function computeAggregates(db: Db, options: AggregateOptions = {}): Promise<AggregateRun> {
  const started = Date.now();
  const windows = [...(options.windows ?? AGGREGATE_WINDOWS)];
  const gap = options.sessionGapMinutes ?? DEFAULT_SESSION_GAP_MINUTES;
  return db.transaction(async () => {
    const version = await dataVersion(db);
    // The columns the aggregates need, once. The local date costs one time-zone conversion per record
    // (the connection's TimeZone is the display zone); weeks and months are plain date arithmetic on it,
    // and each bucket becomes an instant (local midnight) once per group, not once per record.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE active_usage AS
       SELECT u.project_id, u.skill_name, u.session_id, u.invoked_at, u.completed, u.duration_seconds, u.error_type, u.workflow_path,
              len(u.follow_up_actions) AS follow_ups, u.invoked_at::DATE AS day
       FROM skill_usage u JOIN projects p USING (project_id) WHERE p.is_active`,
    );
    for (const window of windows) await db.run('DELETE FROM skill_aggregates WHERE time_window = $1', [window]);
    const rows = await db.run(
      `INSERT INTO skill_aggregates
       WITH keyed AS (
         SELECT *, day - CAST(isodow(day) - 1 AS INTEGER) AS week, date_trunc('month', day)::DATE AS month FROM active_usage
       ),
       grouped AS (
         SELECT skill_name, coalesce(project_id, '*') AS project_id,
                ${windowOf(windows)} AS time_window,
                ${bucketOf(windows)} AS bucket_day,
                count(*) AS total, count(*) FILTER (WHERE completed) AS completed,
                count(*) FILTER (WHERE NOT completed AND error_type IS NOT NULL) AS failed, count(*) FILTER (WHERE NOT completed) AS abandoned,
                count(duration_seconds) FILTER (WHERE completed) AS duration_count, sum(duration_seconds) FILTER (WHERE completed) AS duration_sum,
                avg(duration_seconds) FILTER (WHERE completed) AS avg_duration,
                quantile_cont(duration_seconds, 0.5) FILTER (WHERE completed) AS p50,
                quantile_cont(duration_seconds, 0.95) FILTER (WHERE completed) AS p95,
                sum(follow_ups) AS follow_up_total, count(*) FILTER (WHERE follow_ups > 0) AS with_follow_ups, avg(follow_ups) AS avg_follow_ups,
                count(DISTINCT project_id) AS projects, min(invoked_at) AS first_used, max(invoked_at) AS last_used
         FROM keyed
         GROUP BY GROUPING SETS (${windows.flatMap((w) => GROUPING[w]).join(', ')})
       )
       SELECT skill_name, project_id, time_window,
              CASE WHEN bucket_day IS NULL THEN TIMESTAMPTZ '1970-01-01 00:00:00+00' ELSE bucket_day::TIMESTAMPTZ END,
              total, completed, failed, abandoned, duration_count, duration_sum, avg_duration, p50, p95,
              follow_up_total, with_follow_ups, avg_follow_ups, projects, first_used, last_used, now()
       FROM grouped`,
    );
    await db.run('DELETE FROM skill_errors');
    await db.run(
      `INSERT INTO skill_errors
       SELECT coalesce(project_id, '*'), skill_name, error_type, count(*) FROM active_usage
       WHERE NOT completed AND error_type IS NOT NULL
       GROUP BY GROUPING SETS ((project_id, skill_name, error_type), (skill_name, error_type))`,
    );
    await db.run('DELETE FROM skill_paths');
    await db.run(
      `INSERT INTO skill_paths
       SELECT coalesce(project_id, '*'), skill_name, workflow_path, count(*), count(*) FILTER (WHERE completed) FROM active_usage
       WHERE workflow_path IS NOT NULL
       GROUP BY GROUPING SETS ((project_id, skill_name, workflow_path), (skill_name, workflow_path))`,
    );
    const sessions = await computeSessions(db, gap);
    await db.run(
      'INSERT INTO aggregate_runs VALUES (now(), $1, $2, current_setting(\'TimeZone\'), $3, $4, $5)',
      [Date.now() - started, windows, gap, rows, version],
    );
    await db.run('DROP TABLE IF EXISTS active_usage');
    const run: AggregateRun = { windows, rows_written: rows, sessions, duration_ms: Date.now() - started };
    log.info(`aggregated ${windows.join(', ')}: ${rows} rows, ${sessions} sessions in ${run.duration_ms} ms`);
    return run;
  });
}

/** Rebuilds session summaries, skill-session counts, pairs and transitions. Returns the number of sessions. */
async function computeSessions(db: Db, gapMinutes: number): Promise<number> {
  // Every item (invocation or workflow event) of an active project, with the session it belongs to.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE session_items AS
     WITH items AS (
       SELECT project_id, session_id, invoked_at AS ts, true AS is_invocation, skill_name, completed, duration_seconds,
              NULL::VARCHAR AS event_type, NULL::VARCHAR AS node_id
       FROM active_usage
       UNION ALL
       SELECT e.project_id, e.session_id, e.ts, false, NULL, NULL, e.duration_seconds, e.event_type, e.node_id
       FROM workflow_events e JOIN projects p USING (project_id) WHERE p.is_active
     ),
     loose AS (
       SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY project_id ORDER BY ts) <= to_minutes($1::BIGINT) THEN 0 ELSE 1 END AS starts
       FROM items WHERE session_id IS NULL
     ),
     numbered AS (
       SELECT *, sum(starts) OVER (PARTITION BY project_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS n FROM loose
     )
     SELECT project_id, session_id, false AS inferred, ts, is_invocation, skill_name, completed, duration_seconds, event_type, node_id
     FROM items WHERE session_id IS NOT NULL
     UNION ALL
     SELECT project_id, 'inferred:' || strftime(min(ts) OVER (PARTITION BY project_id, n) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
            true, ts, is_invocation, skill_name, completed, duration_seconds, event_type, node_id
     FROM numbered`,
    [gapMinutes],
  );
  await db.run('DELETE FROM session_summaries');
  const sessions = await db.run(
    `INSERT INTO session_summaries
     WITH firsts AS (
       SELECT project_id, session_id, skill_name, min(ts) AS first_ts
       FROM session_items WHERE is_invocation GROUP BY ALL
     ),
     used AS (
       SELECT project_id, session_id, list(skill_name ORDER BY first_ts, skill_name) AS skills_used FROM firsts GROUP BY ALL
     ),
     totals AS (
       SELECT project_id, session_id, bool_or(inferred) AS inferred, min(ts) AS start_time, max(ts) AS end_time,
              count(*) FILTER (WHERE is_invocation) AS invocations,
              count(*) FILTER (WHERE is_invocation AND completed) AS skills_completed,
              count(*) FILTER (WHERE NOT is_invocation) AS workflow_events,
              count(*) FILTER (WHERE event_type = 'node_completed') AS workflow_nodes_completed,
              coalesce(sum(duration_seconds) FILTER (WHERE is_invocation), 0) AS total_skill_duration,
              coalesce(sum(duration_seconds) FILTER (WHERE event_type = 'workflow_completed'), 0) AS total_workflow_duration
       FROM session_items GROUP BY ALL
     )
     SELECT t.project_id, t.session_id, t.inferred, t.start_time, t.end_time, t.invocations, coalesce(u.skills_used, []::VARCHAR[]),
            t.skills_completed, t.workflow_events, t.workflow_nodes_completed, t.total_skill_duration, t.total_workflow_duration
     FROM totals t LEFT JOIN used u USING (project_id, session_id)`,
  );

  // Which skills each session used (once per session), and what follows what within a session.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE session_skill AS
     SELECT DISTINCT project_id, session_id, skill_name FROM session_items WHERE is_invocation`,
  );
  await db.run('DELETE FROM skill_sessions');
  await db.run(
    `INSERT INTO skill_sessions
     SELECT coalesce(project_id, '*'), skill_name, count(*) FROM session_skill
     GROUP BY GROUPING SETS ((project_id, skill_name), (skill_name))`,
  );
  await db.run('DELETE FROM skill_pairs');
  await db.run(
    `INSERT INTO skill_pairs
     SELECT coalesce(a.project_id, '*'), a.skill_name, b.skill_name, count(*)
     FROM session_skill a JOIN session_skill b ON a.project_id = b.project_id AND a.session_id = b.session_id AND a.skill_name < b.skill_name
     GROUP BY GROUPING SETS ((a.project_id, a.skill_name, b.skill_name), (a.skill_name, b.skill_name))`,
  );
  await db.run('DELETE FROM skill_transitions');
  await db.run(
    `INSERT INTO skill_transitions
     WITH ordered AS (
       SELECT project_id, skill_name AS from_skill,
              lead(skill_name) OVER (PARTITION BY project_id, session_id ORDER BY ts, skill_name) AS to_skill
       FROM session_items WHERE is_invocation
     )
     SELECT coalesce(project_id, '*'), from_skill, to_skill, count(*) FROM ordered WHERE to_skill IS NOT NULL
     GROUP BY GROUPING SETS ((project_id, from_skill, to_skill), (from_skill, to_skill))`,
  );
  await db.run('DROP TABLE IF EXISTS session_items');
  await db.run('DROP TABLE IF EXISTS session_skill');
  return sessions;
}

export interface Freshness {
  fresh: boolean;
  /** Why not, for logs and Health Check. */
  reason?: string;
}

/**
 * Whether the derived data matches the current data, display zone and session gap (the gap is not checked
 * when undefined: skill aggregates do not depend on it).
 */
export async function derivedFreshness(db: Db, sessionGapMinutes?: number): Promise<Freshness> {
  const runs = await db.all<{ windows: string[]; display_time_zone: string; session_gap_minutes: number; data_version: number; tz: string }>(
    `SELECT windows, display_time_zone, session_gap_minutes, data_version, current_setting('TimeZone') AS tz
     FROM aggregate_runs ORDER BY started_at DESC LIMIT 8`,
  );
  const version = await dataVersion(db);
  const last = runs[0];
  if (!last) return version === 0 ? { fresh: true } : { fresh: false, reason: 'never aggregated' };
  if (last.data_version !== version) return { fresh: false, reason: 'new records since the last aggregation' };
  if (last.display_time_zone !== last.tz) return { fresh: false, reason: `aggregated in ${last.display_time_zone}, displaying ${last.tz}` };
  if (sessionGapMinutes !== undefined && last.session_gap_minutes !== sessionGapMinutes) return { fresh: false, reason: `sessions built with a ${last.session_gap_minutes}-minute gap` };
  // Every window must have been computed since the data last changed.
  const covered = new Set(runs.filter((r) => r.data_version === version && r.display_time_zone === last.tz).flatMap((r) => r.windows));
  const missing = AGGREGATE_WINDOWS.filter((w) => !covered.has(w));
  return missing.length ? { fresh: false, reason: `window(s) ${missing.join(', ')} not aggregated` } : { fresh: true };
}

/** Makes sure derived data is fresh before a query reads it (recomputes it when not). */
export async function ensureDerived(store: Store, sessionGapMinutes: number): Promise<void> {
  const freshness = await store.read((db) => derivedFreshness(db, sessionGapMinutes));
  if (freshness.fresh) return;
  log.info(`aggregating first: ${freshness.reason}`);
  await store.write(async (db) => {
    // Another process may have done it meanwhile.
    if ((await derivedFreshness(db, sessionGapMinutes)).fresh) return;
    await computeAggregates(db, { sessionGapMinutes });
  });
}
