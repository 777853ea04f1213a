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
import { PENDING_SQL } from './definitions';

const log = logger('aggregate');

export const AGGREGATE_WINDOWS = ['daily', 'weekly', 'monthly', 'all'] as const;
export type AggregateWindow = (typeof AGGREGATE_WINDOWS)[number];

export const DEFAULT_SESSION_GAP_MINUTES = 30;

/**
 * Co-usage is counted among at most this many skills of one session: its most used ones (first used on
 * ties). A session naming thousands of distinct skills (a generated or hostile file) would otherwise give
 * millions of pairs; real sessions use a handful, and are counted whole.
 */
export const MAX_PAIR_SKILLS = 50;

/** bucket_start of the `all` window. */
export const ALL_TIME = new Date(0);

export interface AggregateOptions {
  /** Only these windows, for every project (default: all windows). */
  windows?: readonly AggregateWindow[];
  sessionGapMinutes?: number;
  /**
   * Recompute every project (default when windows are given). Otherwise only projects whose records,
   * the display zone or the session gap changed since they were last derived, and the cross-project rows
   * of the buckets their changes touch (of every bucket when that is not known).
   */
  full?: boolean;
}

export interface AggregateRun {
  windows: AggregateWindow[];
  /** Projects whose rows were recomputed. */
  projects: number;
  rows_written: number;
  sessions: number;
  duration_ms: number;
  /** The two parts of duration_ms: skill aggregates (windows, errors, paths) and session analytics. */
  aggregates_ms: number;
  sessions_ms: number;
}

/** The grouping set of each window; `day` is the local date in the display zone. */
const GROUPING: Record<AggregateWindow, string> = { daily: 'day', weekly: 'week', monthly: 'month', all: '' };

/** Which window a grouped row belongs to (GROUPING() may only name keys some grouping set uses). */
function windowOf(windows: AggregateWindow[]): string {
  const keyed = windows.filter((w) => w !== 'all');
  if (!keyed.length) return "'all'";
  return `CASE ${keyed.map((w) => `WHEN grouping(${GROUPING[w]}) = 0 THEN '${w}'`).join(' ')} ELSE 'all' END`;
}

function bucketOf(windows: AggregateWindow[]): string {
  const keys = windows.filter((w) => w !== 'all').map((w) => GROUPING[w]);
  return keys.length ? `coalesce(${keys.join(', ')})` : 'NULL::DATE';
}

function groupingSets(windows: AggregateWindow[], keys: string[]): string {
  return windows.map((w) => `(${[...keys, ...(GROUPING[w] ? [GROUPING[w]] : [])].join(', ')})`).join(', ');
}

const ACTIVE = 'project_id IN (SELECT project_id FROM projects WHERE is_active)';

/**
 * The local date of every record, without a time-zone conversion per record: every zone's offset is a
 * multiple of 15 minutes, so a 15-minute slot never straddles local midnight. `tz_slots` maps the slots
 * that hold records to their local date (one ICU conversion per slot); records join it by integer key.
 */
const SLOT = 'floor(epoch_us(invoked_at) / 900000000)::BIGINT';

/** The records aggregates read (of the projects in scope, or of every active project), with their local date. */
const keyed = (scope: 'derive_scope' | 'active') => `
  keyed AS (
    SELECT u.project_id, u.skill_name, u.completed, u.duration_seconds, u.error_type IS NOT NULL AS has_error, ${PENDING_SQL('u.')} AS pending,
           len(u.follow_up_actions) AS follow_ups, u.invoked_at, z.day, z.day - CAST(isodow(z.day) - 1 AS INTEGER) AS week,
           date_trunc('month', z.day)::DATE AS month
    FROM skill_usage u JOIN tz_slots z ON z.k = ${SLOT.replace('invoked_at', 'u.invoked_at')}
    WHERE u.${scope === 'active' ? ACTIVE : IN_SCOPE}
  )`;

export async function computeAggregates(db: Db, options: AggregateOptions = {}): Promise<AggregateRun> {
  const started = Date.now();
  const windows = [...(options.windows ?? AGGREGATE_WINDOWS)];
  const gap = options.sessionGapMinutes ?? DEFAULT_SESSION_GAP_MINUTES;
  const full = options.full ?? options.windows !== undefined;
  return db.transaction(async () => {
    const version = await dataVersion(db);
    // The projects to recompute: every active one, or those derived from other data, zone or gap.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE derive_scope AS
       SELECT p.project_id FROM projects p LEFT JOIN derived_state d USING (project_id)
       WHERE p.is_active AND ($1 OR d.project_id IS NULL OR d.data_version <> p.data_version
             OR d.display_time_zone <> current_setting('TimeZone') OR d.session_gap_minutes <> $2)`,
      [full, gap],
    );
    const projects = (await db.one<{ n: number }>('SELECT count(*) AS n FROM derive_scope'))!.n;
    const rows = await computeSkillAggregates(db, windows, full ? undefined : await crossProjectSince(db));
    const aggregatesDone = Date.now();
    const sessions = await computeSessions(db, gap);
    const done = Date.now();
    if (windows.length === AGGREGATE_WINDOWS.length) {
      await db.run(
        `INSERT OR REPLACE INTO derived_state
         SELECT project_id, p.data_version, current_setting('TimeZone'), $1 FROM derive_scope JOIN projects p USING (project_id)`,
        [gap],
      );
      // What those versions changed is derived now.
      await db.run('DELETE FROM changed_ranges c USING derived_state d WHERE c.project_id = d.project_id AND c.data_version <= d.data_version');
    }
    await db.run(`DELETE FROM derived_state WHERE NOT ${ACTIVE}`);
    await db.run(`DELETE FROM changed_ranges WHERE NOT ${ACTIVE}`);
    await db.run(
      "INSERT INTO aggregate_runs VALUES (now(), $1, $2, current_setting('TimeZone'), $3, $4, $5)",
      [done - started, windows, gap, rows, version],
    );
    await db.run('DROP TABLE IF EXISTS derive_scope');
    const run: AggregateRun = {
      windows, projects, rows_written: rows, sessions, duration_ms: done - started, aggregates_ms: aggregatesDone - started, sessions_ms: done - aggregatesDone,
    };
    log.info(
      `aggregated ${windows.join(', ')} for ${projects} project(s): ${rows} rows in ${run.aggregates_ms} ms; ${sessions} sessions in ${run.sessions_ms} ms`,
    );
    return run;
  });
}

/** Project rows to replace: the projects in scope, and any of a project no longer active. */
const REPLACED = `(project_id IN (SELECT project_id FROM derive_scope) OR (project_id <> '*' AND NOT ${ACTIVE}))`;
const IN_SCOPE = 'project_id IN (SELECT project_id FROM derive_scope)';

/**
 * From when the cross-project ('*') rows need recomputing, when only the projects in derive_scope changed:
 * `undefined` = every bucket (a project was added, removed or re-zoned, records were deleted, or a change
 * was not recorded); `null` = the `all` bucket only (no invocation changed); a time = the `all` bucket and
 * the dated buckets from the one holding that time on. Collections, the only writers of invocations,
 * record the earliest time they changed with each project version (changed_ranges).
 */
async function crossProjectSince(db: Db): Promise<Date | null | undefined> {
  const row = await db.one<{ unsafe: boolean; since: Date | null }>(
    `WITH changes AS (
       -- per project in scope: the versions since it was derived, and the changes recorded for them
       SELECT any_value(p.data_version - d.data_version) AS versions,
              bool_or(d.data_version IS NULL OR d.display_time_zone <> current_setting('TimeZone') OR p.data_version < d.data_version) AS unknown,
              count(DISTINCT c.data_version) AS recorded, min(c.first_invoked_at) AS since
       FROM derive_scope JOIN projects p USING (project_id) LEFT JOIN derived_state d USING (project_id)
       LEFT JOIN changed_ranges c ON c.project_id = p.project_id AND c.data_version > d.data_version AND c.data_version <= p.data_version
       GROUP BY p.project_id
     )
     SELECT coalesce(bool_or(unknown OR recorded <> versions), false)
              OR EXISTS (SELECT 1 FROM skill_aggregates WHERE project_id <> '*' AND NOT ${ACTIVE}) AS unsafe,
            min(since) AS since
     FROM changes`,
  );
  return row!.unsafe ? undefined : row!.since;
}

/**
 * Fills `tz_slots` (see SLOT) with the slots that hold records, not every slot between the first and the
 * last: its size follows the data, however far apart two records lie. Returns its rows.
 */
export async function buildTzSlots(db: Db): Promise<number> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE tz_slots AS
     SELECT k, to_timestamp(k * 900)::DATE AS day FROM (SELECT DISTINCT ${SLOT} AS k FROM skill_usage)`,
  );
  return (await db.one<{ n: number }>('SELECT count(*) AS n FROM tz_slots'))!.n;
}

/** The start of the bucket of this row's window that holds the instant `param` (NULL for `all`). */
const bucketHolding = (param: string) =>
  `CASE time_window WHEN 'daily' THEN date_trunc('day', ${param}::TIMESTAMPTZ) WHEN 'weekly' THEN date_trunc('week', ${param}::TIMESTAMPTZ)
   WHEN 'monthly' THEN date_trunc('month', ${param}::TIMESTAMPTZ) END`;

/**
 * skill_aggregates for the windows asked for, and the error and workflow-path breakdowns. Returns rows
 * written. `since`: which cross-project rows to recompute (crossProjectSince; undefined = all of them).
 */
async function computeSkillAggregates(db: Db, windows: AggregateWindow[], since: Date | null | undefined): Promise<number> {
  await buildTzSlots(db);
  // The cross-project rows recomputed below, with their parameters ($1: the windows).
  const crossRows = since === undefined ? 'TRUE' : `(time_window = 'all' OR bucket_start >= ${bucketHolding('$2')})`;
  const crossParams = since === undefined ? [windows] : [windows, since];
  await db.run(`DELETE FROM skill_aggregates WHERE list_contains($1, time_window) AND ((project_id = '*' AND ${crossRows}) OR ${REPLACED})`, crossParams);
  // Per project in scope: every figure in one scan, all windows as grouping sets.
  let rows = await db.run(
    `INSERT INTO skill_aggregates
     WITH ${keyed('derive_scope')},
     grouped AS (
       SELECT skill_name, project_id, ${windowOf(windows)} AS time_window, ${bucketOf(windows)} AS bucket_day,
              count(*) AS total, count(*) FILTER (WHERE completed) AS completed,
              count(*) FILTER (WHERE NOT completed AND has_error) AS failed, count(*) FILTER (WHERE NOT completed AND NOT pending) AS abandoned,
              count(*) FILTER (WHERE pending) AS pending,
              count(duration_seconds) FILTER (WHERE completed) AS duration_count, sum(duration_seconds) FILTER (WHERE completed) AS duration_sum,
              quantile_cont(duration_seconds, [0.5, 0.95]) FILTER (WHERE completed) AS q,
              sum(follow_ups) AS follow_up_total, count(*) FILTER (WHERE follow_ups > 0) AS with_follow_ups,
              min(invoked_at) AS first_used, max(invoked_at) AS last_used
       FROM keyed
       GROUP BY GROUPING SETS (${groupingSets(windows, ['skill_name', 'project_id'])})
     )
     SELECT skill_name, project_id, time_window,
            CASE WHEN bucket_day IS NULL THEN TIMESTAMPTZ '1970-01-01 00:00:00+00' ELSE bucket_day::TIMESTAMPTZ END,
            total, completed, failed, abandoned, duration_count, duration_sum, duration_sum / nullif(duration_count, 0), q[1], q[2],
            follow_up_total, with_follow_ups, follow_up_total / nullif(total, 0), 1, first_used, last_used, now(), pending
     FROM grouped`,
  );
  // Across projects ('*'): sums of the project rows, and percentiles from the records (they do not add up).
  // The dated windows read the records from the earliest bucket recomputed on; `all` reads every record.
  const dated = windows.filter((w) => w !== 'all');
  const quantiles: string[] = [];
  if (dated.length && since !== null) {
    quantiles.push(
      `SELECT skill_name, ${windowOf(dated)} AS time_window, (${bucketOf(dated)})::TIMESTAMPTZ AS bucket_start,
              quantile_cont(duration_seconds, [0.5, 0.95]) FILTER (WHERE completed) AS q
       FROM keyed ${since === undefined ? '' : "WHERE invoked_at >= least(date_trunc('week', $2::TIMESTAMPTZ), date_trunc('month', $2::TIMESTAMPTZ))"}
       GROUP BY GROUPING SETS (${groupingSets(dated, ['skill_name'])})`,
    );
  }
  if (windows.includes('all')) {
    quantiles.push(
      `SELECT skill_name, 'all' AS time_window, TIMESTAMPTZ '1970-01-01 00:00:00+00' AS bucket_start,
              quantile_cont(duration_seconds, [0.5, 0.95]) FILTER (WHERE completed) AS q
       FROM skill_usage WHERE ${ACTIVE} GROUP BY skill_name`,
    );
  }
  if (quantiles.length) {
    rows += await db.run(
      `INSERT INTO skill_aggregates
       WITH ${keyed('active')},
       q AS (${quantiles.join(' UNION ALL ')}),
       sums AS (
         SELECT skill_name, time_window, bucket_start, sum(total_invocations) AS total, sum(completed_invocations) AS completed,
                sum(failed_invocations) AS failed, sum(abandoned_invocations) AS abandoned, sum(duration_count) AS duration_count,
                sum(duration_sum) AS duration_sum, sum(follow_up_total) AS follow_up_total, sum(with_follow_ups) AS with_follow_ups,
                count(*) AS projects, min(first_used) AS first_used, max(last_used) AS last_used, sum(pending_invocations) AS pending
         FROM skill_aggregates WHERE project_id <> '*' AND list_contains($1, time_window) AND ${ACTIVE} AND ${crossRows} GROUP BY ALL
       )
       SELECT s.skill_name, '*', s.time_window, s.bucket_start, s.total, s.completed, s.failed, s.abandoned, s.duration_count, s.duration_sum,
              s.duration_sum / nullif(s.duration_count, 0), q.q[1], q.q[2], s.follow_up_total, s.with_follow_ups, s.follow_up_total / nullif(s.total, 0),
              s.projects, s.first_used, s.last_used, now(), s.pending
       FROM sums s JOIN q USING (skill_name, time_window, bucket_start)`,
      crossParams,
    );
  }
  await db.run(`DELETE FROM skill_errors WHERE project_id = '*' OR ${REPLACED}`);
  await db.run(
    `INSERT INTO skill_errors
     SELECT project_id, skill_name, error_type, count(*) FROM skill_usage
     WHERE NOT completed AND error_type IS NOT NULL AND ${IN_SCOPE} GROUP BY ALL`,
  );
  await db.run(`INSERT INTO skill_errors SELECT '*', skill_name, error_type, sum(failures) FROM skill_errors WHERE project_id <> '*' GROUP BY ALL`);
  await db.run(`DELETE FROM skill_paths WHERE project_id = '*' OR ${REPLACED}`);
  await db.run(
    `INSERT INTO skill_paths
     SELECT project_id, skill_name, workflow_path, count(*), count(*) FILTER (WHERE completed) FROM skill_usage
     WHERE workflow_path IS NOT NULL AND NOT ${PENDING_SQL()} AND ${IN_SCOPE} GROUP BY ALL`,
  );
  await db.run(
    `INSERT INTO skill_paths SELECT '*', skill_name, workflow_path, sum(invocations), sum(completed) FROM skill_paths WHERE project_id <> '*' GROUP BY ALL`,
  );
  await db.run('DROP TABLE IF EXISTS tz_slots');
  return rows;
}

/**
 * Rebuilds session summaries, skill-session counts, pairs and transitions. Returns the number of sessions.
 *
 * A session's invocations become one list of {t, s} (time, skill) sorted once per session: that gives its
 * skills in order of first use, its transitions (consecutive elements) and its distinct skills (for
 * co-usage), without ordered aggregates or a global sort. Items without a session id are sorted per project
 * once, to split them where more than the gap passes.
 */
async function computeSessions(db: Db, gapMinutes: number): Promise<number> {
  // Items without a session id (invocations and workflow events), numbered into inferred sessions per project.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE loose_items AS
     WITH items AS (
       SELECT project_id, invoked_at AS ts, skill_name, completed, duration_seconds, NULL::VARCHAR AS event_type
       FROM skill_usage WHERE session_id IS NULL AND ${IN_SCOPE}
       UNION ALL
       SELECT project_id, ts, NULL, NULL, duration_seconds, event_type FROM workflow_events WHERE session_id IS NULL AND ${IN_SCOPE}
     ),
     flagged AS (
       SELECT *, coalesce(ts - lag(ts) OVER (PARTITION BY project_id ORDER BY ts) > to_minutes($1::BIGINT), true)::INTEGER AS starts FROM items
     )
     SELECT *, sum(starts) OVER (PARTITION BY project_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS g FROM flagged`,
    [gapMinutes],
  );
  // One row per session: explicit ids (invocations and events grouped by id) and inferred ones.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE session_rows AS
     WITH inv AS (
       SELECT project_id, session_id, min(invoked_at) AS start_time, max(invoked_at) AS end_time, count(*) AS invocations,
              count(*) FILTER (WHERE completed) AS skills_completed, coalesce(sum(duration_seconds), 0) AS total_skill_duration,
              list_sort(list({'t': epoch_us(invoked_at), 's': skill_name})) AS seq
       FROM skill_usage WHERE session_id IS NOT NULL AND ${IN_SCOPE} GROUP BY ALL
     ),
     ev AS (
       SELECT project_id, session_id, min(ts) AS start_time, max(ts) AS end_time, count(*) AS workflow_events,
              count(*) FILTER (WHERE event_type = 'node_completed') AS workflow_nodes_completed,
              coalesce(sum(duration_seconds) FILTER (WHERE event_type = 'workflow_completed'), 0) AS total_workflow_duration
       FROM workflow_events WHERE session_id IS NOT NULL AND ${IN_SCOPE} GROUP BY ALL
     ),
     explicit AS (
       SELECT project_id, session_id, false AS inferred, least(inv.start_time, ev.start_time) AS start_time,
              greatest(inv.end_time, ev.end_time) AS end_time, coalesce(inv.invocations, 0) AS invocations,
              coalesce(inv.skills_completed, 0) AS skills_completed, coalesce(ev.workflow_events, 0) AS workflow_events,
              coalesce(ev.workflow_nodes_completed, 0) AS workflow_nodes_completed, coalesce(inv.total_skill_duration, 0) AS total_skill_duration,
              coalesce(ev.total_workflow_duration, 0) AS total_workflow_duration, coalesce(inv.seq, []::STRUCT(t BIGINT, s VARCHAR)[]) AS seq
       FROM inv FULL OUTER JOIN ev USING (project_id, session_id)
     ),
     inferred AS (
       SELECT project_id, 'inferred:' || strftime(min(ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS session_id, true AS inferred,
              min(ts) AS start_time, max(ts) AS end_time, count(skill_name) AS invocations,
              count(*) FILTER (WHERE completed) AS skills_completed, count(event_type) AS workflow_events,
              count(*) FILTER (WHERE event_type = 'node_completed') AS workflow_nodes_completed,
              coalesce(sum(duration_seconds) FILTER (WHERE skill_name IS NOT NULL), 0) AS total_skill_duration,
              coalesce(sum(duration_seconds) FILTER (WHERE event_type = 'workflow_completed'), 0) AS total_workflow_duration,
              coalesce(list_sort(list({'t': epoch_us(ts), 's': skill_name}) FILTER (WHERE skill_name IS NOT NULL)), []::STRUCT(t BIGINT, s VARCHAR)[]) AS seq
       FROM loose_items GROUP BY project_id, g
     )
     SELECT *, list_transform(seq, x -> x.s) AS skills, list_distinct(list_transform(seq, x -> x.s)) AS distinct_skills
     FROM (SELECT * FROM explicit UNION ALL SELECT * FROM inferred)`,
  );
  await db.run(`DELETE FROM session_summaries WHERE ${REPLACED}`);
  await db.run(
    `INSERT INTO session_summaries
     SELECT project_id, session_id, inferred, start_time, end_time, invocations,
            -- skills in order of first use: each distinct skill with the position of its first occurrence
            list_transform(list_sort(list_transform(distinct_skills, k -> {'p': list_position(skills, k), 's': k})), x -> x.s),
            skills_completed, workflow_events, workflow_nodes_completed, total_skill_duration, total_workflow_duration
     FROM session_rows`,
  );
  const sessions = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM session_summaries WHERE ${ACTIVE}`))!.n;
  // Per project in scope, then across projects as sums of the project rows (sessions belong to one project).
  await db.run(`DELETE FROM skill_sessions WHERE project_id = '*' OR ${REPLACED}`);
  await db.run(
    `INSERT INTO skill_sessions
     SELECT project_id, skill_name, count(*) FROM (SELECT project_id, unnest(distinct_skills) AS skill_name FROM session_rows) GROUP BY ALL`,
  );
  await db.run(`INSERT INTO skill_sessions SELECT '*', skill_name, sum(sessions) FROM skill_sessions WHERE project_id <> '*' GROUP BY ALL`);
  await db.run(`DELETE FROM skill_pairs WHERE project_id = '*' OR ${REPLACED}`);
  // Co-usage pairs among at most MAX_PAIR_SKILLS skills per session (its most used, first used on ties), so
  // the pairs of one session are bounded (C(k, 2)) however many distinct skills it names.
  await db.run(
    `INSERT INTO skill_pairs
     WITH big AS (
       SELECT project_id, session_id, s, count(*) AS n, min(i) AS first FROM (
         SELECT project_id, session_id, unnest(skills) AS s, generate_subscripts(skills, 1) AS i
         FROM session_rows WHERE len(distinct_skills) > ${MAX_PAIR_SKILLS}
       ) GROUP BY ALL
     ),
     chosen AS (
       SELECT project_id, distinct_skills AS ds FROM session_rows WHERE len(distinct_skills) BETWEEN 2 AND ${MAX_PAIR_SKILLS}
       UNION ALL
       SELECT project_id, list(s ORDER BY n DESC, first)[1:${MAX_PAIR_SKILLS}] FROM big GROUP BY project_id, session_id
     ),
     pairs AS (
       SELECT project_id, a, b FROM (
         SELECT project_id, unnest(ds) AS a, ds FROM chosen
       ), LATERAL (SELECT unnest(ds) AS b) WHERE a < b
     )
     SELECT project_id, a, b, count(*) FROM pairs GROUP BY ALL`,
  );
  await db.run(`INSERT INTO skill_pairs SELECT '*', skill_a, skill_b, sum(sessions) FROM skill_pairs WHERE project_id <> '*' GROUP BY ALL`);
  await db.run(`DELETE FROM skill_transitions WHERE project_id = '*' OR ${REPLACED}`);
  await db.run(
    `INSERT INTO skill_transitions
     WITH steps AS (
       SELECT project_id, unnest(list_transform(range(1, len(skills)), i -> {'f': skills[i], 't': skills[i + 1]})) AS step
       FROM session_rows WHERE len(skills) > 1
     )
     SELECT project_id, step.f, step.t, count(*) FROM steps GROUP BY ALL`,
  );
  await db.run(
    `INSERT INTO skill_transitions SELECT '*', from_skill, to_skill, sum(transitions) FROM skill_transitions WHERE project_id <> '*' GROUP BY ALL`,
  );
  await db.run('DROP TABLE IF EXISTS loose_items');
  await db.run('DROP TABLE IF EXISTS session_rows');
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
