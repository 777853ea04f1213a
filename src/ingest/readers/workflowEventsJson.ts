/**
 * `workflow_events.json` (FORMATS 1.6): designed by the Oneiric integration but never written by a
 * released tool, so the extension defines it: a JSON array of events, or `{"events": [...]}`, each
 * `{event_type, workflow_id, node_id, timestamp, session_id, metadata}`.
 */
import { TzMode } from '../../common/recordBatch';
import type { BatchBuilder, WorkflowEventRecord } from '../../common/recordBatch';
import { normaliseErrorType } from '../errorTypes';
import type { InvalidRecords } from '../invalidRecords';
import { normaliseDuration, normaliseSessionId, normaliseText, tzModeOf } from '../normalise';
import type { WorkflowEventInput } from '../schemas';
import { MAX_NESTING, describeIssue, jsonKind, nestsDeeperThan, workflowEventSchema } from '../schemas';
import { SourceProblem } from './sourceProblem';

export function readWorkflowEvents(doc: unknown, out: BatchBuilder, invalid: InvalidRecords): { format: string; seen: number } {
  let events: unknown[];
  let where: string;
  if (Array.isArray(doc)) {
    events = doc;
    where = '';
  } else if (doc !== null && typeof doc === 'object' && 'events' in doc) {
    const inner = (doc as { events: unknown }).events;
    if (!Array.isArray(inner)) throw new SourceProblem(`"events" must be an array, found ${jsonKind(inner)}`);
    events = inner;
    where = 'events';
  } else {
    throw new SourceProblem(`expected a JSON array of events or an object with an "events" array, found ${jsonKind(doc)}`);
  }
  addEvents(events, where, null, out, invalid);
  return { format: where ? 'events-object' : 'events-array', seen: events.length };
}

export function addEvents(
  events: readonly unknown[],
  where: string,
  sessionFallback: string | null,
  out: BatchBuilder,
  invalid: InvalidRecords,
): void {
  for (let i = 0; i < events.length; i++) {
    if (nestsDeeperThan(events[i])) {
      invalid.add(`${where}[${i}]`, `nested more than ${MAX_NESTING} levels deep`);
      continue;
    }
    const parsed = workflowEventSchema.safeParse(events[i]);
    if (!parsed.success) {
      invalid.add(`${where}[${i}]`, describeIssue(parsed.error));
      continue;
    }
    out.addEvent(eventRecord(parsed.data, sessionFallback));
  }
}

function eventRecord(e: WorkflowEventInput, sessionFallback: string | null): WorkflowEventRecord {
  const meta = e.metadata ?? null;
  const errorRaw = normaliseText(meta?.error_type ?? null);
  return {
    eventType: e.event_type,
    workflowId: normaliseText(e.workflow_id),
    nodeId: normaliseText(e.node_id),
    tsRaw: e.timestamp,
    tzMode: tzModeOf(e.timestamp, TzMode.SourceLocal),
    sessionId: normaliseSessionId(e.session_id ?? sessionFallback),
    durationSeconds: normaliseDuration(meta?.duration_seconds, false),
    success: meta?.success ?? null,
    errorType: normaliseErrorType(errorRaw),
    errorRaw,
    metadataJson: meta ? JSON.stringify(meta) : null,
  };
}
