/** The input files the ingester reads from a `.session-buddy/` folder (FORMATS.md section 1). */
export type SourceKind = 'skill_metrics' | 'workflow_events' | 'correlated_session' | 'skills_db';

export const SOURCE_KINDS: readonly SourceKind[] = ['skill_metrics', 'workflow_events', 'correlated_session', 'skills_db'];
