/**
 * Worker-thread entry: loads input files (read, hash, parse, validate) off the main thread and hands
 * back the columnar batch by transfer. Bundled to dist/parseWorker.js.
 */
import { parentPort } from 'node:worker_threads';
import { transferList } from '../common/recordBatch';
import type { LoadJob, LoadResult } from './sourceLoader';
import { loadSource } from './sourceLoader';

export interface WorkerRequest {
  id: number;
  job: LoadJob;
}

export type WorkerResponse = { id: number; result: LoadResult } | { id: number; error: string };

parentPort?.on('message', (request: WorkerRequest) => {
  loadSource(request.job).then(
    (result) => {
      const transfer = result.status === 'parsed' ? transferList(result.batch) : [];
      parentPort!.postMessage({ id: request.id, result } satisfies WorkerResponse, transfer);
    },
    (err: unknown) => parentPort!.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse),
  );
});
