// Runs bundle reading and validation on a worker thread, so that a large import does not hold
// up every other request. One short-lived worker per large body; small bodies stay inline,
// where starting a worker would cost more than the work.
import { Worker } from 'node:worker_threads';
import type { JsonFailure } from '../json-input.ts';
import type { Problem } from '../schemas/problems.ts';

export type WorkerAnswer =
  | { kind: 'valid'; json: string }
  | { kind: 'invalid'; problems: Problem[]; problemsOmitted: number }
  | { kind: 'unreadable'; failure: JsonFailure };

const ENTRY = new URL('./bundle-validation-worker.mjs', import.meta.url);

function startWorker(bytes: Uint8Array): Worker {
  // The worker takes the bytes over; a view into a shared pool would take the pool with it.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  return new Worker(ENTRY, { execArgv: [], workerData: { bytes: own }, transferList: [own.buffer as ArrayBuffer] });
}

/** Read and validate a bundle's bytes on a worker thread. */
export function validateOffThread(bytes: Uint8Array): Promise<WorkerAnswer> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(bytes);
    let settled = false;
    worker.once('message', (message: WorkerAnswer) => {
      settled = true;
      resolve(message);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`bundle validation stopped unexpectedly (exit code ${code})`));
    });
  });
}
