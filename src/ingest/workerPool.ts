/**
 * Parses large input files in worker threads so the main thread (the CLI's writer, or the extension
 * host) stays free. Small files are parsed inline: a worker's start-up would cost more than it saves.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { logger } from '../common/log';
import type { WorkerRequest, WorkerResponse } from './parseWorker';
import type { LoadJob, LoadResult } from './sourceLoader';
import { loadSource } from './sourceLoader';

const log = logger('workers');

export interface WorkerPoolOptions {
  size: number;
  /** Files at least this large go to a worker (default 1 MiB). */
  minBytes?: number;
  /** The worker script; default: parseWorker.js beside this bundle (or the .ts source under tsx). */
  script?: string;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Waiting {
  job: LoadJob;
  resolve: (r: LoadResult) => void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];
  private readonly pending = new Map<number, { slot: Slot; job: LoadJob; resolve: (r: LoadResult) => void }>();
  private nextId = 1;
  private closed = false;
  private readonly script: string;

  constructor(private readonly options: WorkerPoolOptions) {
    this.script = options.script ?? defaultScript();
  }

  /** The most worker threads this pool runs. */
  get size(): number {
    return this.options.size;
  }

  /** Loads one file, in a worker when it is large. */
  readonly loader = async (job: LoadJob): Promise<LoadResult> => {
    let size = 0;
    try {
      size = (await fsp.stat(job.path)).size;
    } catch {
      // let loadSource report it
    }
    if (this.closed || this.options.size < 1 || size < (this.options.minBytes ?? 1 << 20)) return loadSource(job);
    return new Promise<LoadResult>((resolve) => {
      this.queue.push({ job, resolve });
      this.dispatch();
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.options.size) slot = this.spawn();
      if (!slot) return;
      const { job, resolve } = this.queue.shift()!;
      const id = this.nextId++;
      slot.busy = true;
      this.pending.set(id, { slot, job, resolve });
      slot.worker.postMessage({ id, job } satisfies WorkerRequest);
    }
  }

  private spawn(): Slot {
    const worker = this.script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(this.script)});`, { eval: true })
      : new Worker(this.script);
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: WorkerResponse) => {
      const entry = this.pending.get(msg.id);
      if (!entry) return;
      this.pending.delete(msg.id);
      slot.busy = false;
      entry.resolve('result' in msg ? msg.result : failed(entry.job, msg.error));
      this.dispatch();
    });
    worker.on('error', (err) => log.error('parse worker failed', err));
    worker.on('exit', (code) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      for (const [id, entry] of this.pending) {
        if (entry.slot !== slot) continue;
        this.pending.delete(id);
        entry.resolve(failed(entry.job, `the parser stopped (exit code ${code}; out of memory?)`));
      }
      if (!this.closed) this.dispatch();
    });
    this.slots.push(slot);
    return slot;
  }
}

function failed(job: LoadJob, message: string): LoadResult {
  return { status: 'problem', hash: null, message: `could not be parsed: ${message}`, size: 0, mtimeMs: 0 };
}

function defaultScript(): string {
  const bundled = path.join(__dirname, 'parseWorker.js');
  return __filename.endsWith('.ts') ? path.join(__dirname, 'parseWorker.ts') : bundled;
}
