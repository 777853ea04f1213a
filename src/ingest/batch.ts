/**
 * Columnar batches of normalised records, as the readers produce them and the store appends them.
 *
 * Strings that repeat (skill names, paths, errors, sessions, follow-up lists) are dictionary-encoded:
 * a batch holds one dictionary and int codes, which is several times cheaper to hand to DuckDB than
 * one string per cell, and cheap to pass between threads (typed arrays are transferred, not copied).
 * Only the raw timestamp is a string per row. Instants are computed in DuckDB from the raw string.
 */

/** How a raw timestamp becomes an instant (DESIGN section 3, time). */
export const TzMode = {
  /** The string carries Z or an offset. */
  Offset: 0,
  /** Naive, written in the writer's local time: read in the configured source zone. */
  SourceLocal: 1,
  /** Naive, written by SQLite's CURRENT_TIMESTAMP: UTC. */
  NaiveUtc: 2,
} as const;
export type TzMode = (typeof TzMode)[keyof typeof TzMode];

export type SourceFormat = 'v1' | 'v2' | 'v3' | 'skills-db' | 'correlated-session';
export const NULL_CODE = -1;

export class StringDictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();

  code(value: string | null | undefined): number {
    if (value === null || value === undefined) return NULL_CODE;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}

export interface InvocationRecord {
  skillName: string;
  invokedAtRaw: string;
  tzMode: TzMode;
  completed: boolean;
  durationSeconds: number | null;
  workflowPath: string | null;
  errorType: string | null;
  errorRaw: string | null;
  followUps: readonly string[];
  sessionId: string | null;
  sourceFormat: SourceFormat;
  /** Extra key material for sources whose natural key is not unique (SQLite rows at 1-s resolution). */
  keyExtra: string | null;
}

export interface WorkflowEventRecord {
  eventType: string;
  workflowId: string | null;
  nodeId: string | null;
  tsRaw: string;
  tzMode: TzMode;
  sessionId: string | null;
  durationSeconds: number | null;
  success: boolean | null;
  errorType: string | null;
  errorRaw: string | null;
  metadataJson: string | null;
}

/** Sealed (transferable) columns of invocations. Codes index `dict`; NULL_CODE is SQL NULL; NaN is NULL. */
export interface InvocationColumns {
  length: number;
  skill: Int32Array;
  invokedAtRaw: string[];
  tzMode: Int8Array;
  completed: Uint8Array;
  duration: Float64Array;
  workflowPath: Int32Array;
  errorType: Int32Array;
  errorRaw: Int32Array;
  /** Code of the JSON text of the follow-up list; NULL_CODE for an empty list. */
  followUps: Int32Array;
  session: Int32Array;
  sourceFormat: Int32Array;
  keyExtra: Int32Array;
}

export interface EventColumns {
  length: number;
  eventType: Int32Array;
  workflowId: Int32Array;
  nodeId: Int32Array;
  tsRaw: string[];
  tzMode: Int8Array;
  session: Int32Array;
  duration: Float64Array;
  /** -1 unknown, 0 false, 1 true. */
  success: Int8Array;
  errorType: Int32Array;
  errorRaw: Int32Array;
  metadata: (string | null)[];
}

export interface SealedBatch {
  dict: string[];
  invocations: InvocationColumns;
  events: EventColumns;
}

class Growable {
  private data: number[] = [];
  push(v: number): void {
    this.data.push(v);
  }
  get length(): number {
    return this.data.length;
  }
  to<T extends Int32Array | Int8Array | Uint8Array | Float64Array>(ctor: { from(a: ArrayLike<number>): T }): T {
    return ctor.from(this.data);
  }
}

/** Builds one file's records; `seal()` gives the transferable columns. */
export class BatchBuilder {
  readonly dict = new StringDictionary();
  private readonly inv = {
    skill: new Growable(), raw: [] as string[], tz: new Growable(), completed: new Growable(), duration: new Growable(),
    workflowPath: new Growable(), errorType: new Growable(), errorRaw: new Growable(), followUps: new Growable(),
    session: new Growable(), format: new Growable(), keyExtra: new Growable(),
  };
  private readonly ev = {
    eventType: new Growable(), workflowId: new Growable(), nodeId: new Growable(), raw: [] as string[], tz: new Growable(),
    session: new Growable(), duration: new Growable(), success: new Growable(), errorType: new Growable(),
    errorRaw: new Growable(), metadata: [] as (string | null)[],
  };

  get invocationCount(): number {
    return this.inv.raw.length;
  }

  get eventCount(): number {
    return this.ev.raw.length;
  }

  addInvocation(r: InvocationRecord): void {
    const c = this.inv;
    const d = this.dict;
    c.skill.push(d.code(r.skillName));
    c.raw.push(r.invokedAtRaw);
    c.tz.push(r.tzMode);
    c.completed.push(r.completed ? 1 : 0);
    c.duration.push(r.durationSeconds ?? Number.NaN);
    c.workflowPath.push(d.code(r.workflowPath));
    c.errorType.push(d.code(r.errorType));
    c.errorRaw.push(d.code(r.errorRaw));
    c.followUps.push(r.followUps.length === 0 ? NULL_CODE : d.code(JSON.stringify(r.followUps)));
    c.session.push(d.code(r.sessionId));
    c.format.push(d.code(r.sourceFormat));
    c.keyExtra.push(d.code(r.keyExtra));
  }

  addEvent(r: WorkflowEventRecord): void {
    const c = this.ev;
    const d = this.dict;
    c.eventType.push(d.code(r.eventType));
    c.workflowId.push(d.code(r.workflowId));
    c.nodeId.push(d.code(r.nodeId));
    c.raw.push(r.tsRaw);
    c.tz.push(r.tzMode);
    c.session.push(d.code(r.sessionId));
    c.duration.push(r.durationSeconds ?? Number.NaN);
    c.success.push(r.success === null ? -1 : r.success ? 1 : 0);
    c.errorType.push(d.code(r.errorType));
    c.errorRaw.push(d.code(r.errorRaw));
    c.metadata.push(r.metadataJson);
  }

  seal(): SealedBatch {
    const i = this.inv;
    const e = this.ev;
    return {
      dict: this.dict.values,
      invocations: {
        length: i.raw.length,
        skill: i.skill.to(Int32Array),
        invokedAtRaw: i.raw,
        tzMode: i.tz.to(Int8Array),
        completed: i.completed.to(Uint8Array),
        duration: i.duration.to(Float64Array),
        workflowPath: i.workflowPath.to(Int32Array),
        errorType: i.errorType.to(Int32Array),
        errorRaw: i.errorRaw.to(Int32Array),
        followUps: i.followUps.to(Int32Array),
        session: i.session.to(Int32Array),
        sourceFormat: i.format.to(Int32Array),
        keyExtra: i.keyExtra.to(Int32Array),
      },
      events: {
        length: e.raw.length,
        eventType: e.eventType.to(Int32Array),
        workflowId: e.workflowId.to(Int32Array),
        nodeId: e.nodeId.to(Int32Array),
        tsRaw: e.raw,
        tzMode: e.tz.to(Int8Array),
        session: e.session.to(Int32Array),
        duration: e.duration.to(Float64Array),
        success: e.success.to(Int8Array),
        errorType: e.errorType.to(Int32Array),
        errorRaw: e.errorRaw.to(Int32Array),
        metadata: e.metadata,
      },
    };
  }
}

/** The typed arrays of a sealed batch, to pass as a transfer list to postMessage. */
export function transferList(batch: SealedBatch): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const columns of [batch.invocations, batch.events] as unknown as Record<string, unknown>[]) {
    for (const value of Object.values(columns)) {
      if (ArrayBuffer.isView(value)) buffers.push(value.buffer as ArrayBuffer);
    }
  }
  return buffers;
}
