/**
 * The settings the core needs, with their defaults and limits. The extension reads them from
 * `skillMetrics.*`, the CLI from options and environment variables; both validate them here.
 */
import { z } from 'zod';
import { resolveTimeZone } from './timeZones';

export const coreSettingsSchema = z.object({
  /** Zone in which naive JSON timestamps were written ("" = this machine's). */
  sourceTimeZone: z.string().default(''),
  /** Zone of day/week/month buckets and displayed times ("" = this machine's). */
  displayTimeZone: z.string().default(''),
  /** Fewer invocations than this: a skill is not rated ("not enough data"). */
  minEvidence: z.number().int().min(1).max(10_000).default(5),
  /** Invocations without a session id further apart than this start a new (inferred) session. */
  sessionGapMinutes: z.number().int().min(1).max(24 * 60).default(30),
  /** Input files larger than this are reported instead of read. */
  maxFileSizeMB: z.number().min(1).max(4096).default(100),
});

export type CoreSettingsInput = z.input<typeof coreSettingsSchema>;

export interface CoreSettings {
  sourceTimeZone: string;
  displayTimeZone: string;
  minEvidence: number;
  sessionGapMinutes: number;
  maxFileBytes: number;
}

/** Validates settings and resolves "local" zones; throws with the setting's name on a bad value. */
export function resolveSettings(input: CoreSettingsInput): CoreSettings {
  const s = coreSettingsSchema.parse(input);
  return {
    sourceTimeZone: resolveTimeZone(s.sourceTimeZone, 'the source time zone'),
    displayTimeZone: resolveTimeZone(s.displayTimeZone, 'the display time zone'),
    minEvidence: s.minEvidence,
    sessionGapMinutes: s.sessionGapMinutes,
    maxFileBytes: Math.round(s.maxFileSizeMB * 1024 * 1024),
  };
}
