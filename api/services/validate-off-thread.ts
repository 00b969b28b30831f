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

const ENTRY = new URL('./bundle-validation-worker.ts', import.meta.url);

/**
 * Start the worker on the TypeScript source: tsx is registered inside it, since a worker does
 * not always inherit the loader the process was started with (the bundled command has none).
 */
function startWorker(bytes: Uint8Array): Worker {
  // The worker takes the bytes over; a view into a shared pool would take the pool with it.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  const tsx = ENTRY.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null;
  const workerData = { bytes: own, entry: ENTRY.href, tsx };
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    (workerData.tsx ? import(workerData.tsx).then((tsx) => tsx.register()) : Promise.resolve())
      .then(() => import(workerData.entry));`;
  return new Worker(bootstrap, { eval: true, execArgv: [], workerData, transferList: [own.buffer as ArrayBuffer] });
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
