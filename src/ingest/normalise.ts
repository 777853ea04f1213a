/** The rules that turn a validated input record into a stored one (DESIGN section 3, FORMATS section 3). */
import type { InvocationRecord, SourceFormat, TzMode } from '../common/recordBatch';
import { TzMode as Tz } from '../common/recordBatch';
import { normaliseErrorType } from './errorTypes';
import type { InvocationInput } from './schemas';
import { MAX_DURATION_SECONDS } from './schemas';
import { hasZoneDesignator } from './timestamps';

/** Session Buddy v3 stores 0.01 for every completed invocation instead of measuring it (B10). */
export const V3_PLACEHOLDER_DURATION = 0.01;
/** `import_from_json` fills this in when a JSON record had no session (FORMATS 1.5): it is no session. */
const PLACEHOLDER_SESSIONS = new Set(['migrated', 'unknown', '']);

/** How a validated raw timestamp becomes an instant: as written when it has an offset, else `naive`. */
export function tzModeOf(raw: string, naive: TzMode): TzMode {
  return hasZoneDesignator(raw) ? Tz.Offset : naive;
}

/**
 * A duration is unknown when missing, negative (clock changes under naive local time), not finite,
 * longer than MAX_DURATION_SECONDS (input records with such a value are rejected by the schemas; this
 * guards durations computed from two timestamps), or the v3 placeholder. 0.0 is a real measurement (Crackerjack counts it in its average).
 */
export function normaliseDuration(value: number | null | undefined, placeholderIsUnknown: boolean): number | null {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0 || value > MAX_DURATION_SECONDS) return null;
  if (placeholderIsUnknown && value === V3_PLACEHOLDER_DURATION) return null;
  return value;
}

export function normaliseSessionId(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed === undefined || PLACEHOLDER_SESSIONS.has(trimmed) ? null : trimmed;
}

export function normaliseText(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

const NONE: readonly string[] = Object.freeze([]);

/** Trimmed, without empty entries; the input itself when nothing needs changing (no allocation). */
export function normaliseFollowUps(values: readonly string[] | null | undefined): readonly string[] {
  if (!values || values.length === 0) return NONE;
  let clean = true;
  for (const v of values) {
    if (v.length === 0 || v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32) {
      clean = false;
      break;
    }
  }
  if (clean) return values;
  const out: string[] = [];
  for (const v of values) {
    const t = v.trim();
    if (t) out.push(t);
  }
  return out;
}

/** A validated JSON invocation (any version) as a stored record. */
export function invocationRecord(
  input: InvocationInput,
  sourceFormat: SourceFormat,
  sessionFallback: string | null = null,
): InvocationRecord {
  const errorRaw = normaliseText(input.error_type);
  return {
    skillName: input.skill_name,
    invokedAtRaw: input.invoked_at,
    tzMode: tzModeOf(input.invoked_at, Tz.SourceLocal),
    completed: input.completed,
    durationSeconds: normaliseDuration(input.duration_seconds, sourceFormat === 'v3'),
    workflowPath: normaliseText(input.workflow_path),
    errorType: normaliseErrorType(errorRaw),
    errorRaw,
    followUps: normaliseFollowUps(input.follow_up_actions),
    sessionId: normaliseSessionId(input.session_id ?? sessionFallback),
    sourceFormat,
    keyExtra: null,
  };
}
