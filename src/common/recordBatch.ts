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

  /** A coder for one column: remembers its last value, since neighbouring records often repeat it. */
  column(): (value: string | null | undefined) => number {
    let last: string | undefined;
    let lastCode = NULL_CODE;
    return (value) => {
      if (value === null || value === undefined) return NULL_CODE;
      if (value !== last) {
        last = value;
        lastCode = this.code(value);
      }
      return lastCode;
    };
  }

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
  /** Index into `followUpLists`; NULL_CODE for an empty list. */
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
  /** The distinct follow-up lists of the batch. */
  followUpLists: string[][];
  invocations: InvocationColumns;
  events: EventColumns;
}

/** A growable column of numbers backed by a typed array (no boxing, one copy when sealed). */
class Column<T extends Int32Array | Int8Array | Uint8Array | Float64Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  push(v: number): void {
    this.set(this.length, v);
  }

  /** Sets row i; writing the next row past the end grows the column. */
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const bigger = this.make(Math.max(this.data.length * 2, i + 1));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = v;
    if (i >= this.length) this.length = i + 1;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  seal(): T {
    return this.data.slice(0, this.length) as T;
  }
}

const int32 = () => new Column((n) => new Int32Array(n));
const int8 = () => new Column((n) => new Int8Array(n));
const float64 = () => new Column((n) => new Float64Array(n));

const SEP = '\u001f';

/** Started but never finished as far as the writer recorded (B8): nothing but `completed: false`. */
function isPending(r: InvocationRecord): boolean {
  return !r.completed && r.durationSeconds === null && r.errorRaw === null && r.followUps.length === 0;
}

/**
 * Builds one file's records; `seal()` gives the transferable columns.
 *
 * A record that appears twice in one file (same key as the store's record id: skill, raw time, session,
 * extra key) is kept once: a finished observation wins over a pending one, otherwise the later one.
 */
export class BatchBuilder {
  readonly dict = new StringDictionary();
  private readonly followUpCodes = new Map<string, number>();
  private readonly followUpLists: string[][] = [];
  /** Rows by raw timestamp (unique in practice); rows sharing one are told apart by the rest of the key. */
  private readonly invByRaw = new Map<string, number | number[]>();
  private readonly code = {
    skill: this.dict.column(), workflowPath: this.dict.column(), errorType: this.dict.column(), errorRaw: this.dict.column(),
    session: this.dict.column(), format: this.dict.column(), keyExtra: this.dict.column(), eventType: this.dict.column(),
    workflowId: this.dict.column(), nodeId: this.dict.column(),
  };
  private readonly evKeys = new Map<string, number>();
  private readonly pendingFlags: boolean[] = [];
  private readonly inv = {
    skill: int32(), raw: [] as string[], tz: int8(), completed: int8(), duration: float64(), workflowPath: int32(),
    errorType: int32(), errorRaw: int32(), followUps: int32(), session: int32(), format: int32(), keyExtra: int32(),
  };
  private readonly ev = {
    eventType: int32(), workflowId: int32(), nodeId: int32(), raw: [] as string[], tz: int8(), session: int32(),
    duration: float64(), success: int8(), errorType: int32(), errorRaw: int32(), metadata: [] as (string | null)[],
  };

  get invocationCount(): number {
    return this.inv.raw.length;
  }

  get eventCount(): number {
    return this.ev.raw.length;
  }

  addInvocation(r: InvocationRecord): void {
    const seen = this.findInvocation(r);
    const c = this.inv;
    if (seen !== undefined) {
      if (isPending(r) && !this.pendingFlags[seen]) return; // never let a pending copy replace a finished one
      this.writeInvocation(seen, r);
      return;
    }
    const index = c.raw.length;
    if (!this.increasing) this.index(r.invokedAtRaw, index);
    c.raw.push(r.invokedAtRaw);
    this.writeInvocation(index, r);
  }

  /**
   * While raw timestamps strictly increase (writers append in time order), no record can repeat an earlier
   * one and no index is kept; the first time one does not, every row so far is indexed by raw timestamp.
   */
  private increasing = true;
  private lastRaw: string | undefined;

  private index(raw: string, row: number): void {
    const same = this.invByRaw.get(raw);
    if (same === undefined) this.invByRaw.set(raw, row);
    else if (typeof same === 'number') this.invByRaw.set(raw, [same, row]);
    else same.push(row);
  }

  /** The row already holding this record's key (skill, raw time, session, extra key), if any. */
  private findInvocation(r: InvocationRecord): number | undefined {
    if (this.increasing) {
      if (this.lastRaw === undefined || r.invokedAtRaw > this.lastRaw) {
        this.lastRaw = r.invokedAtRaw;
        return undefined;
      }
      this.increasing = false;
      this.inv.raw.forEach((raw, row) => this.index(raw, row));
    }
    const same = this.invByRaw.get(r.invokedAtRaw);
    if (same === undefined) return undefined;
    const skill = this.dict.code(r.skillName);
    const session = r.sessionId === null ? NULL_CODE : this.dict.code(r.sessionId);
    const extra = r.keyExtra === null ? NULL_CODE : this.dict.code(r.keyExtra);
    const c = this.inv;
    for (const i of typeof same === 'number' ? [same] : same) {
      if (c.skill.get(i) === skill && c.session.get(i) === session && c.keyExtra.get(i) === extra) return i;
    }
    return undefined;
  }

  private writeInvocation(i: number, r: InvocationRecord): void {
    const c = this.inv;
    const k = this.code;
    c.skill.set(i, k.skill(r.skillName));
    c.tz.set(i, r.tzMode);
    c.completed.set(i, r.completed ? 1 : 0);
    c.duration.set(i, r.durationSeconds ?? Number.NaN);
    c.workflowPath.set(i, k.workflowPath(r.workflowPath));
    c.errorType.set(i, k.errorType(r.errorType));
    c.errorRaw.set(i, k.errorRaw(r.errorRaw));
    c.followUps.set(i, this.followUpCode(r.followUps));
    c.session.set(i, k.session(r.sessionId));
    c.format.set(i, k.format(r.sourceFormat));
    c.keyExtra.set(i, k.keyExtra(r.keyExtra));
    this.pendingFlags[i] = isPending(r);
  }

  /** The code of a distinct follow-up list (NULL_CODE for none). */
  private followUpCode(list: readonly string[]): number {
    if (list.length === 0) return NULL_CODE;
    const key = list.length === 1 ? list[0]! : list.join(SEP);
    let code = this.followUpCodes.get(key);
    if (code === undefined) {
      code = this.followUpLists.length;
      this.followUpLists.push([...list]);
      this.followUpCodes.set(key, code);
    }
    return code;
  }

  addEvent(r: WorkflowEventRecord): void {
    const key = r.eventType + SEP + (r.workflowId ?? '') + SEP + (r.nodeId ?? '') + SEP + r.tsRaw + SEP + (r.sessionId ?? '');
    const c = this.ev;
    let i = this.evKeys.get(key);
    if (i === undefined) {
      i = c.raw.length;
      this.evKeys.set(key, i);
      c.raw.push(r.tsRaw);
      c.metadata.push(null);
      for (const col of [c.eventType, c.workflowId, c.nodeId, c.tz, c.session, c.duration, c.success, c.errorType, c.errorRaw]) col.push(0);
    }
    const k = this.code;
    c.eventType.set(i, k.eventType(r.eventType));
    c.workflowId.set(i, k.workflowId(r.workflowId));
    c.nodeId.set(i, k.nodeId(r.nodeId));
    c.tz.set(i, r.tzMode);
    c.session.set(i, k.session(r.sessionId));
    c.duration.set(i, r.durationSeconds ?? Number.NaN);
    c.success.set(i, r.success === null ? -1 : r.success ? 1 : 0);
    c.errorType.set(i, k.errorType(r.errorType));
    c.errorRaw.set(i, k.errorRaw(r.errorRaw));
    c.metadata[i] = r.metadataJson;
  }

  seal(): SealedBatch {
    const i = this.inv;
    const e = this.ev;
    return {
      dict: this.dict.values,
      followUpLists: this.followUpLists,
      invocations: {
        length: i.raw.length,
        skill: i.skill.seal(),
        invokedAtRaw: i.raw,
        tzMode: i.tz.seal(),
        completed: Uint8Array.from(i.completed.seal()),
        duration: i.duration.seal(),
        workflowPath: i.workflowPath.seal(),
        errorType: i.errorType.seal(),
        errorRaw: i.errorRaw.seal(),
        followUps: i.followUps.seal(),
        session: i.session.seal(),
        sourceFormat: i.format.seal(),
        keyExtra: i.keyExtra.seal(),
      },
      events: {
        length: e.raw.length,
        eventType: e.eventType.seal(),
        workflowId: e.workflowId.seal(),
        nodeId: e.nodeId.seal(),
        tsRaw: e.raw,
        tzMode: e.tz.seal(),
        session: e.session.seal(),
        duration: e.duration.seal(),
        success: e.success.seal(),
        errorType: e.errorType.seal(),
        errorRaw: e.errorRaw.seal(),
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

/** Several files' batches as one: one dictionary (each string once), codes translated, and each row's file index. */
export interface MergedBatch extends SealedBatch {
  fileOfInvocation: Int32Array;
  fileOfEvent: Int32Array;
}

export function mergeBatches(batches: readonly SealedBatch[]): MergedBatch {
  if (batches.length === 1) {
    const b = batches[0]!;
    return { ...b, fileOfInvocation: new Int32Array(b.invocations.length), fileOfEvent: new Int32Array(b.events.length) };
  }
  // Projects share most strings (skill names, paths, errors): each batch's codes map into one dictionary.
  const dict = new StringDictionary();
  const lists = new Map<string, number>();
  const followUpLists: string[][] = [];
  const stringCodes = batches.map((b) => Int32Array.from(b.dict, (v) => dict.code(v)));
  const listCodes = batches.map((b) =>
    Int32Array.from(b.followUpLists, (list) => {
      const key = list.join(SEP);
      let code = lists.get(key);
      if (code === undefined) {
        code = followUpLists.length;
        followUpLists.push(list);
        lists.set(key, code);
      }
      return code;
    }),
  );
  const inv = <K extends keyof InvocationColumns>(key: K) => batches.map((b) => b.invocations[key]);
  const ev = <K extends keyof EventColumns>(key: K) => batches.map((b) => b.events[key]);
  const invCodes = (key: keyof InvocationColumns, codes = stringCodes) => translated(inv(key) as Int32Array[], codes);
  const evCodes = (key: keyof EventColumns) => translated(ev(key) as Int32Array[], stringCodes);
  return {
    dict: dict.values,
    followUpLists,
    invocations: {
      length: batches.reduce((n, b) => n + b.invocations.length, 0),
      skill: invCodes('skill'),
      invokedAtRaw: inv('invokedAtRaw').flat(),
      tzMode: joined(inv('tzMode'), Int8Array),
      completed: joined(inv('completed'), Uint8Array),
      duration: joined(inv('duration'), Float64Array),
      workflowPath: invCodes('workflowPath'),
      errorType: invCodes('errorType'),
      errorRaw: invCodes('errorRaw'),
      followUps: invCodes('followUps', listCodes),
      session: invCodes('session'),
      sourceFormat: invCodes('sourceFormat'),
      keyExtra: invCodes('keyExtra'),
    },
    events: {
      length: batches.reduce((n, b) => n + b.events.length, 0),
      eventType: evCodes('eventType'),
      workflowId: evCodes('workflowId'),
      nodeId: evCodes('nodeId'),
      tsRaw: ev('tsRaw').flat(),
      tzMode: joined(ev('tzMode'), Int8Array),
      session: evCodes('session'),
      duration: joined(ev('duration'), Float64Array),
      success: joined(ev('success'), Int8Array),
      errorType: evCodes('errorType'),
      errorRaw: evCodes('errorRaw'),
      metadata: ev('metadata').flat(),
    },
    fileOfInvocation: fileIndex(batches.map((b) => b.invocations.length)),
    fileOfEvent: fileIndex(batches.map((b) => b.events.length)),
  };
}

/** Concatenated code columns, each part's codes translated by its own table (NULL_CODE stays). */
function translated(parts: readonly Int32Array[], tables: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  parts.forEach((part, k) => {
    const table = tables[k]!;
    for (let i = 0; i < part.length; i++) {
      const code = part[i]!;
      out[at + i] = code === NULL_CODE ? NULL_CODE : table[code]!;
    }
    at += part.length;
  });
  return out;
}

function joined<T extends Int32Array | Int8Array | Uint8Array | Float64Array>(parts: readonly T[], make: new (n: number) => T): T {
  const out = new make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

function fileIndex(lengths: readonly number[]): Int32Array {
  const out = new Int32Array(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  lengths.forEach((n, k) => {
    out.fill(k, at, at + n);
    at += n;
  });
  return out;
}
