/**
 * `skill_metrics.json` in its three shapes (FORMATS 1.1-1.3): Crackerjack v1 and Session Buddy v2 write
 * `{invocations, skills, last_updated}`; the Session Buddy v3 export writes `{invocations}` only.
 * Everything is recomputed from `invocations`; the `skills` block is advisory (B8) and not read.
 */
import type { BatchBuilder, SourceFormat } from '../../common/recordBatch';
import type { InvalidRecords } from '../invalidRecords';
import { invocationRecord } from '../normalise';
import { describeIssue, invocationSchema, jsonKind, skillMetricsEnvelope } from '../schemas';
import { SourceProblem } from './sourceProblem';

export function readSkillMetrics(doc: unknown, out: BatchBuilder, invalid: InvalidRecords): { format: string; seen: number } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SourceProblem(`expected a JSON object with an "invocations" array, found ${jsonKind(doc)}`);
  }
  const envelope = skillMetricsEnvelope.safeParse(doc);
  if (!envelope.success) {
    const missing = !('invocations' in doc);
    throw new SourceProblem(missing ? 'no "invocations" array in this JSON object' : describeIssue(envelope.error));
  }
  const isExport = envelope.data.skills === undefined && envelope.data.last_updated === undefined;
  return readInvocationList(envelope.data.invocations, isExport, 0, out, invalid);
}

/**
 * Validates and adds invocations; `first` is the array position of the first one (a file's tail is read
 * on its own, see knownPrefix.ts). `isExport`: the v3 shape (`{invocations}` only).
 */
export function readInvocationList(
  invocations: readonly unknown[],
  isExport: boolean,
  first: number,
  out: BatchBuilder,
  invalid: InvalidRecords,
): { format: string; seen: number } {
  const formats = new Set<SourceFormat>();
  for (let i = 0; i < invocations.length; i++) {
    const item = invocations[i];
    const parsed = invocationSchema.safeParse(item);
    if (!parsed.success) {
      invalid.add(`invocations[${first + i}]`, describeIssue(parsed.error));
      continue;
    }
    // v1 (Crackerjack) has no session_id field at all; v2 requires it; v3 is the export-only shape.
    const format: SourceFormat = isExport ? 'v3' : 'session_id' in (item as object) ? 'v2' : 'v1';
    formats.add(format);
    out.addInvocation(invocationRecord(parsed.data, format));
  }
  const format = formats.size === 0 ? (isExport ? 'v3' : 'v1/v2') : [...formats].sort().join('+');
  return { format, seen: invocations.length };
}
