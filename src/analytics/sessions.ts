/**
 * Correlated sessions (DESIGN section 4; the seed's CorrelatedSession): skills and workflow events that
 * belong together, from the summaries the aggregate step derives (derived.ts). Call `ensureDerived` first.
 */
import { PENDING_SQL } from './definitions';
import { formatIsoInZone } from '../common/zonedTime';
import type { ProjectRef } from './scope';
import { pct } from './definitions';
import { projectScope } from './scope';
import type { Db } from './store';

export interface CorrelatedSession {
  session_id: string;
  inferred: boolean;
  project_id: string;
  start_time: Date;
  end_time: Date | null;
  skills_used: string[];
  skills_completed: number;
  workflow_nodes_completed: number;
  total_skill_duration: number;
  total_workflow_duration: number;
}

/** A session's key wherever sessions of several projects meet: ids such as `migrated` recur across projects. */
export const sessionKey = (s: { project_id: string; session_id: string }): string => `${s.project_id}/${s.session_id}`;

export interface SessionQuery {
  project?: ProjectRef;
  /** At most this many (default 20); null: all of them. */
  limit?: number | null;
  /** Only sessions that used this skill. */
  skill?: string;
}

/** The most recent sessions first. */
export async function sessions(db: Db, query: SessionQuery = {}): Promise<CorrelatedSession[]> {
  const projectId = await projectScope(db, query.project);
  return db.all<CorrelatedSession>(
    `SELECT session_id, inferred, project_id, start_time, end_time, skills_used, skills_completed, workflow_nodes_completed,
            total_skill_duration, total_workflow_duration
     FROM session_summaries s
     WHERE s.project_id IN (SELECT project_id FROM projects WHERE is_active) -- a semi-join: DuckDB takes the top rows without joining every session
       AND ($1::VARCHAR IS NULL OR s.project_id = $1) AND ($3::VARCHAR IS NULL OR list_contains(s.skills_used, $3))
     ORDER BY start_time DESC, project_id, session_id LIMIT $2`,
    [projectId, query.limit === null ? null : (query.limit ?? 20), query.skill ?? null],
  );
}

export interface TimelineInvocation {
  skill_name: string;
  invoked_at: Date;
  completed: boolean;
  duration_seconds: number | null;
  error_type: string | null;
  workflow_path: string | null;
  /** Saved before it finished: in progress (PENDING_SQL). */
  pending: boolean;
}

export interface TimelineEvent {
  event_type: string;
  node_id: string | null;
  ts: Date;
  success: boolean | null;
  duration_seconds: number | null;
}

export interface SessionTimeline {
  invocations: TimelineInvocation[];
  events: TimelineEvent[];
}

/** Everything that happened in one session, in time order (a session timeline). */
/** Whether a session was inferred from time gaps; undefined when there is no such session. */
export async function sessionInferred(db: Db, projectId: string, sessionId: string): Promise<boolean | undefined> {
  const row = await db.one<{ inferred: boolean }>('SELECT inferred FROM session_summaries WHERE project_id = $1 AND session_id = $2', [projectId, sessionId]);
  return row?.inferred;
}

export async function sessionTimeline(db: Db, q: { projectId: string; sessionId: string; gapMinutes?: number }): Promise<SessionTimeline> {
  const key = { project_id: q.projectId, session_id: q.sessionId };
  return (await sessionTimelines(db, [key])).get(sessionKey(key)) ?? { invocations: [], events: [] };
}

/**
 * The timelines of many sessions in two queries (not two per session), by `sessionKey`. An inferred
 * session is its project's session-less items between its first and last instant.
 */
export async function sessionTimelines(db: Db, keys: { project_id: string; session_id: string }[]): Promise<Map<string, SessionTimeline>> {
  const out = new Map<string, SessionTimeline>();
  if (!keys.length) return out;
  const chosen = `s AS (
       SELECT s.project_id, s.session_id, s.inferred, s.start_time, coalesce(s.end_time, s.start_time) AS end_time
       FROM (SELECT unnest($1::VARCHAR[]) AS project_id, unnest($2::VARCHAR[]) AS session_id) k JOIN session_summaries s USING (project_id, session_id)
     )`;
  const belongs = (table: string, ts: string) =>
    `SELECT s.project_id AS sp, s.session_id AS ss, x.* FROM s JOIN ${table} x ON x.project_id = s.project_id AND x.session_id = s.session_id WHERE NOT s.inferred
     UNION ALL
     SELECT s.project_id, s.session_id, x.* FROM s JOIN ${table} x ON x.project_id = s.project_id AND x.session_id IS NULL
       AND x.${ts} BETWEEN s.start_time AND s.end_time WHERE s.inferred`;
  const params = [keys.map((k) => k.project_id), keys.map((k) => k.session_id)];
  const entry = (r: { sp: string; ss: string }): SessionTimeline => {
    const key = sessionKey({ project_id: r.sp, session_id: r.ss });
    let t = out.get(key);
    if (!t) out.set(key, (t = { invocations: [], events: [] }));
    return t;
  };
  const invocations = await db.all<TimelineInvocation & { sp: string; ss: string }>(
    `WITH ${chosen} SELECT sp, ss, skill_name, invoked_at, completed, duration_seconds, error_type, workflow_path, ${PENDING_SQL()} AS pending
     FROM (${belongs('skill_usage', 'invoked_at')}) ORDER BY sp, ss, invoked_at, skill_name`,
    params,
  );
  for (const { sp, ss, ...i } of invocations) entry({ sp, ss }).invocations.push(i);
  const events = await db.all<TimelineEvent & { sp: string; ss: string }>(
    `WITH ${chosen} SELECT sp, ss, event_type, node_id, ts, success, duration_seconds
     FROM (${belongs('workflow_events', 'ts')}) ORDER BY sp, ss, ts, event_type`,
    params,
  );
  for (const { sp, ss, ...e } of events) entry({ sp, ss }).events.push(e);
  return out;
}

export interface SessionOverview {
  sessions: number;
  explicit: number;
  inferred: number;
  with_workflow: number;
  avg_skills_per_session: number | null;
  skill_completion_rate: number | null;
  total_skill_duration: number;
  total_workflow_duration: number;
}

export async function sessionOverview(db: Db, project?: ProjectRef): Promise<SessionOverview> {
  const projectId = await projectScope(db, project);
  return (await db.one<SessionOverview>(
    `SELECT count(*) AS sessions, count(*) FILTER (WHERE NOT inferred) AS explicit, count(*) FILTER (WHERE inferred) AS inferred,
            count(*) FILTER (WHERE workflow_events > 0) AS with_workflow,
            avg(invocations) FILTER (WHERE invocations > 0) AS avg_skills_per_session,
            (SELECT count(*) FILTER (WHERE completed) / nullif(count(*) FILTER (WHERE NOT ${PENDING_SQL('u.')}), 0)
             FROM skill_usage u JOIN projects p USING (project_id)
             WHERE p.is_active AND ($1::VARCHAR IS NULL OR u.project_id = $1)) AS skill_completion_rate, -- pending: not finished yet
            coalesce(sum(total_skill_duration), 0) AS total_skill_duration, coalesce(sum(total_workflow_duration), 0) AS total_workflow_duration
     FROM session_summaries s JOIN projects p USING (project_id)
     WHERE p.is_active AND ($1::VARCHAR IS NULL OR s.project_id = $1)`,
    [projectId],
  ))!;
}

/** Per workflow node: how many sessions ran it, and the skills most often used in those sessions. */
export async function workflowNodeSkills(
  db: Db,
  project?: ProjectRef,
  topSkills = 5,
): Promise<{ node_id: string; sessions: number; completed: number; skills: { skill_name: string; sessions: number }[] }[]> {
  const projectId = await projectScope(db, project);
  return db.all(
    `WITH nodes AS (
       SELECT e.project_id, e.session_id, e.node_id, bool_or(e.event_type = 'node_completed') AS completed
       FROM workflow_events e JOIN projects p USING (project_id)
       WHERE p.is_active AND e.node_id IS NOT NULL AND e.session_id IS NOT NULL AND ($1::VARCHAR IS NULL OR e.project_id = $1)
       GROUP BY ALL
     ),
     joined AS (
       SELECT n.node_id, n.session_id, n.project_id, n.completed, s.skills_used
       FROM nodes n JOIN session_summaries s ON s.project_id = n.project_id AND s.session_id = n.session_id
     ),
     per_skill AS (
       SELECT node_id, skill_name, count(*) AS sessions FROM (SELECT node_id, unnest(skills_used) AS skill_name FROM joined) GROUP BY ALL
     )
     SELECT j.node_id, count(*) AS sessions, count(*) FILTER (WHERE j.completed) AS completed,
            (SELECT list({'skill_name': p.skill_name, 'sessions': p.sessions} ORDER BY p.sessions DESC, p.skill_name)[1:$2]
             FROM per_skill p WHERE p.node_id = j.node_id) AS skills
     FROM joined j GROUP BY j.node_id ORDER BY sessions DESC, j.node_id`,
    [projectId, topSkills],
  );
}

/** The seed's correlation report, as text a person reads. */
export async function correlationReport(db: Db, q: { project?: ProjectRef; limit?: number } = {}): Promise<string> {
  const zone = (await db.one<{ tz: string }>("SELECT current_setting('TimeZone') AS tz"))!.tz;
  const o = await sessionOverview(db, q.project);
  const recent = await sessions(db, { project: q.project, limit: q.limit ?? 10 });
  const nodes = await workflowNodeSkills(db, q.project);
  const lines: string[] = [];
  const h = (title: string) => lines.push('', title, '-'.repeat(title.length));
  lines.push('Skill Metrics: skills and workflow correlation report', '='.repeat(52));
  lines.push(`Scope: ${q.project ?? 'all active projects'}`);
  h('Sessions');
  lines.push(`${o.sessions} sessions (${o.explicit} with a session id, ${o.inferred} inferred from time gaps); ${o.with_workflow} ran a workflow.`);
  if (o.avg_skills_per_session !== null) lines.push(`Skills per session: ${o.avg_skills_per_session.toFixed(1)} on average.`);
  if (o.skill_completion_rate !== null) lines.push(`Skill completion rate: ${pct(o.skill_completion_rate)}.`);
  lines.push(`Time in skills: ${hours(o.total_skill_duration)}; in workflows: ${hours(o.total_workflow_duration)}.`);
  if (o.total_workflow_duration > 0 && o.total_skill_duration > 2 * o.total_workflow_duration) {
    lines.push('Insight: skill time is more than twice workflow time: interactive work dominates.');
  } else if (o.total_skill_duration > 0 && o.total_workflow_duration > 2 * o.total_skill_duration) {
    lines.push('Insight: workflow time is more than twice skill time: automated workflows dominate.');
  }
  h('Workflow nodes and the skills used with them');
  if (!nodes.length) lines.push('No workflow events with a session id.');
  for (const n of nodes) {
    const skills = (n.skills ?? []).map((k) => `${k.skill_name} (${k.sessions})`).join(', ');
    lines.push(`${n.node_id}: ${n.sessions} session(s), completed in ${n.completed}; most used skills: ${skills || '-'}`);
  }
  h(`Most recent sessions (${recent.length})`);
  for (const s of recent) {
    lines.push(
      `${formatIsoInZone(s.start_time, zone).slice(0, 16).replace('T', ' ')}  ${s.session_id}${s.inferred ? ' (inferred)' : ''}: ${s.skills_used.join(' -> ') || 'no skills'}; ` +
        `${s.skills_completed} completed, ${s.workflow_nodes_completed} workflow node(s) completed; ` +
        `skills ${s.total_skill_duration.toFixed(0)} s, workflow ${s.total_workflow_duration.toFixed(0)} s`,
    );
  }
  lines.push('', 'Inferred sessions: invocations without a session id, split where more than the session gap passes without activity.');
  return `${lines.join('\n')}\n`;
}

function hours(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${(seconds / 60).toFixed(1)} min`;
}

/**
 * The seed's `correlated_session.json` shape (FORMATS 1.7):
 * `{"sessions": {key: CorrelatedSession with its skill_invocations and workflow_events}, "exported_at"}`, every
 * session in scope (most recent first) unless a limit is given. The key is `<project_id>/<session_id>` (a
 * session id alone is not unique across projects); each value carries its `session_id` and `project_id`.
 */
export async function correlatedSessionsExport(db: Db, q: { project?: ProjectRef; limit?: number } = {}): Promise<{ sessions: Record<string, unknown>; exported_at: Date }> {
  const list = await sessions(db, { project: q.project, limit: q.limit ?? null });
  const timelines = await sessionTimelines(db, list);
  const out: Record<string, unknown> = {};
  for (const s of list) {
    const t = timelines.get(sessionKey(s)) ?? { invocations: [], events: [] };
    out[sessionKey(s)] = {
      session_id: s.session_id,
      project_id: s.project_id,
      inferred: s.inferred,
      start_time: s.start_time,
      end_time: s.end_time,
      skill_invocations: t.invocations,
      workflow_events: t.events,
      total_skill_duration: s.total_skill_duration,
      total_workflow_duration: s.total_workflow_duration,
      skills_completed: s.skills_completed,
      workflow_nodes_completed: s.workflow_nodes_completed,
    };
  }
  return { sessions: out, exported_at: new Date() };
}
