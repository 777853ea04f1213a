/**
 * `correlated_session.json` (FORMATS 1.7): the correlator's designed export,
 * `{"sessions": {id: {session_id, skill_invocations, workflow_events, ...}}, "exported_at"}`.
 * Its invocations and events are ingested with the session they are filed under; the derived totals
 * are recomputed, not read.
 */
import type { BatchBuilder } from '../../common/recordBatch';
import type { InvalidRecords } from '../invalidRecords';
import { invocationRecord } from '../normalise';
import { correlatedSessionEnvelope, describeIssue, invocationSchema, jsonKind } from '../schemas';
import { SourceProblem } from './sourceProblem';
import { addEvents } from './workflowEventsJson';

const SYNTHETIC_KEY = /^(?:unknown|.+-\d{4}-\d{2}-\d{2})$/;

export function readCorrelatedSessions(doc: unknown, out: BatchBuilder, invalid: InvalidRecords): { format: string; seen: number } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SourceProblem(`expected a JSON object with a "sessions" object, found ${jsonKind(doc)}`);
  }
  const envelope = correlatedSessionEnvelope.safeParse(doc);
  if (!envelope.success) throw new SourceProblem(describeIssue(envelope.error));
  let seen = 0;
  for (const [key, session] of Object.entries(envelope.data.sessions)) {
    // The sketch filed sessionless v1 invocations under "<skill>-<date>" or "unknown" keys: not sessions.
    const sessionId = session.session_id ?? (SYNTHETIC_KEY.test(key) ? null : key);
    session.skill_invocations.forEach((item, i) => {
      seen++;
      const parsed = invocationSchema.safeParse(item);
      if (!parsed.success) {
        invalid.add(`sessions.${key}.skill_invocations[${i}]`, describeIssue(parsed.error));
        return;
      }
      out.addInvocation(invocationRecord(parsed.data, 'correlated-session', sessionId));
    });
    seen += session.workflow_events.length;
    addEvents(session.workflow_events, `sessions.${key}.workflow_events`, sessionId, out, invalid);
  }
  return { format: 'correlated-session', seen };
}
