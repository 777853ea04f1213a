/**
 * Forward-only schema migrations. Each runs once, in order, in one transaction, and is recorded in
 * `schema_migrations`. A database whose highest version is above SCHEMA_VERSION was written by a newer
 * Skill Metrics and is refused untouched (store.ts).
 *
 * No primary-key indexes on the large tables: DuckDB's ART indexes would cost hundreds of MB at 10M
 * rows. Idempotency comes from deterministic record ids and an anti-join per file (usageWriter.ts),
 * under the single-writer lock DuckDB holds per database file.
 */

export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'projects, source files, skill usage, workflow events, aggregates, runs',
    statements: [
      `CREATE TABLE projects (
        project_id VARCHAR PRIMARY KEY,
        project_path VARCHAR NOT NULL UNIQUE,
        project_name VARCHAR NOT NULL,
        project_type VARCHAR,
        source VARCHAR NOT NULL,
        registered_at TIMESTAMPTZ NOT NULL,
        last_sync_at TIMESTAMPTZ,
        is_active BOOLEAN NOT NULL DEFAULT true
      )`,
      `CREATE TABLE source_files (
        path VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        size BIGINT,
        mtime_ms DOUBLE,
        content_hash VARCHAR,
        format VARCHAR,
        last_ingest_at TIMESTAMPTZ,
        records_seen INTEGER NOT NULL DEFAULT 0,
        records_added INTEGER NOT NULL DEFAULT 0,
        records_updated INTEGER NOT NULL DEFAULT 0,
        records_invalid INTEGER NOT NULL DEFAULT 0,
        invalid_reasons JSON,
        last_problem VARCHAR,
        last_problem_at TIMESTAMPTZ,
        present BOOLEAN NOT NULL DEFAULT true
      )`,
      `CREATE TABLE skill_usage (
        record_id UHUGEINT NOT NULL,
        project_id VARCHAR NOT NULL,
        skill_name VARCHAR NOT NULL,
        invoked_at TIMESTAMPTZ NOT NULL,
        invoked_at_raw VARCHAR NOT NULL,
        tz_assumed BOOLEAN NOT NULL,
        completed BOOLEAN NOT NULL,
        duration_seconds DOUBLE,
        workflow_path VARCHAR,
        error_type VARCHAR,
        error_raw VARCHAR,
        follow_up_actions VARCHAR[] NOT NULL,
        session_id VARCHAR,
        source_format VARCHAR NOT NULL,
        source_file VARCHAR,
        machine_id VARCHAR,
        ingested_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE workflow_events (
        record_id UHUGEINT NOT NULL,
        project_id VARCHAR NOT NULL,
        event_type VARCHAR NOT NULL,
        workflow_id VARCHAR,
        node_id VARCHAR,
        ts TIMESTAMPTZ NOT NULL,
        ts_raw VARCHAR NOT NULL,
        tz_assumed BOOLEAN NOT NULL,
        session_id VARCHAR,
        duration_seconds DOUBLE,
        success BOOLEAN,
        error_type VARCHAR,
        error_raw VARCHAR,
        metadata JSON,
        source_file VARCHAR,
        machine_id VARCHAR,
        ingested_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE skill_aggregates (
        skill_name VARCHAR NOT NULL,
        project_id VARCHAR NOT NULL,
        time_window VARCHAR NOT NULL,
        bucket_start TIMESTAMPTZ NOT NULL,
        total_invocations BIGINT NOT NULL,
        completed_invocations BIGINT NOT NULL,
        failed_invocations BIGINT NOT NULL,
        abandoned_invocations BIGINT NOT NULL,
        duration_count BIGINT NOT NULL,
        duration_sum DOUBLE,
        avg_duration_seconds DOUBLE,
        p50_duration_seconds DOUBLE,
        p95_duration_seconds DOUBLE,
        follow_up_total BIGINT NOT NULL,
        with_follow_ups BIGINT NOT NULL,
        avg_follow_ups DOUBLE,
        projects BIGINT NOT NULL,
        first_used TIMESTAMPTZ,
        last_used TIMESTAMPTZ,
        computed_at TIMESTAMPTZ NOT NULL
      )`,
      // Derived by the aggregate step (derived.ts), like skill_aggregates: sessions and what they connect.
      `CREATE TABLE session_summaries (
        project_id VARCHAR NOT NULL,
        session_id VARCHAR NOT NULL,
        inferred BOOLEAN NOT NULL,
        start_time TIMESTAMPTZ NOT NULL,
        end_time TIMESTAMPTZ,
        invocations BIGINT NOT NULL,
        skills_used VARCHAR[] NOT NULL,
        skills_completed BIGINT NOT NULL,
        workflow_events BIGINT NOT NULL,
        workflow_nodes_completed BIGINT NOT NULL,
        total_skill_duration DOUBLE NOT NULL,
        total_workflow_duration DOUBLE NOT NULL
      )`,
      `CREATE TABLE skill_pairs (
        project_id VARCHAR NOT NULL,
        skill_a VARCHAR NOT NULL,
        skill_b VARCHAR NOT NULL,
        sessions BIGINT NOT NULL
      )`,
      `CREATE TABLE skill_sessions (
        project_id VARCHAR NOT NULL,
        skill_name VARCHAR NOT NULL,
        sessions BIGINT NOT NULL
      )`,
      `CREATE TABLE skill_errors (
        project_id VARCHAR NOT NULL,
        skill_name VARCHAR NOT NULL,
        error_type VARCHAR NOT NULL,
        failures BIGINT NOT NULL
      )`,
      `CREATE TABLE skill_paths (
        project_id VARCHAR NOT NULL,
        skill_name VARCHAR NOT NULL,
        workflow_path VARCHAR NOT NULL,
        invocations BIGINT NOT NULL,
        completed BIGINT NOT NULL
      )`,
      `CREATE TABLE skill_transitions (
        project_id VARCHAR NOT NULL,
        from_skill VARCHAR NOT NULL,
        to_skill VARCHAR NOT NULL,
        transitions BIGINT NOT NULL
      )`,
      `CREATE TABLE collection_runs (
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ NOT NULL,
        duration_ms DOUBLE NOT NULL,
        origin VARCHAR NOT NULL,
        projects INTEGER NOT NULL,
        files INTEGER NOT NULL,
        files_read INTEGER NOT NULL,
        records_seen BIGINT NOT NULL,
        records_added BIGINT NOT NULL,
        records_updated BIGINT NOT NULL,
        skipped_invalid BIGINT NOT NULL,
        problems JSON NOT NULL
      )`,
      `CREATE TABLE aggregate_runs (
        started_at TIMESTAMPTZ NOT NULL,
        duration_ms DOUBLE NOT NULL,
        windows VARCHAR[] NOT NULL,
        display_time_zone VARCHAR NOT NULL,
        session_gap_minutes INTEGER NOT NULL,
        rows_written BIGINT NOT NULL,
        data_version BIGINT NOT NULL
      )`,
      `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
      `INSERT INTO meta VALUES ('data_version', '0')`,
      // Records older than this instant were removed by a clean-up and are not ingested again.
      `INSERT INTO meta VALUES ('retention_cutoff', '')`,
    ],
  },
  {
    version: 2,
    description: 'known prefix of large JSON files (only the tail of a grown file is parsed)',
    statements: [
      'ALTER TABLE source_files ADD COLUMN prefix_bytes BIGINT',
      'ALTER TABLE source_files ADD COLUMN prefix_hash VARCHAR',
      'ALTER TABLE source_files ADD COLUMN prefix_records BIGINT',
    ],
  },
  {
    version: 3,
    description: 'per-project data versions, so aggregation recomputes only the projects that changed',
    statements: [
      'ALTER TABLE projects ADD COLUMN data_version BIGINT DEFAULT 0',
      `CREATE TABLE derived_state (
        project_id VARCHAR PRIMARY KEY,
        data_version BIGINT NOT NULL,
        display_time_zone VARCHAR NOT NULL,
        session_gap_minutes INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    description: 'the earliest record time each collection changed, so a refresh recomputes only the cross-project buckets it touched',
    statements: [
      `CREATE TABLE changed_ranges (
        project_id VARCHAR NOT NULL,
        data_version BIGINT NOT NULL,
        first_invoked_at TIMESTAMPTZ
      )`,
    ],
  },
  {
    version: 5,
    description: 'pending invocations counted apart in the aggregates (and left out of their figures); aggregates are derived again',
    statements: [
      'ALTER TABLE skill_aggregates ADD COLUMN pending_invocations BIGINT DEFAULT 0',
      'DELETE FROM derived_state',
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
