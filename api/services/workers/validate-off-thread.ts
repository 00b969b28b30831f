// Runs bundle reading and validation on a worker thread, so that a large import does not hold
// up every other request. One short-lived worker per large body; small bodies stay inline,
// where starting a worker would cost more than the work.
import type { JsonFailure } from '../../json-input.ts';
import type { Problem } from '../../schemas/problems.ts';
import { today } from '../../schemas/today.ts';
import { runOnWorker } from './run-on-worker.ts';

export type WorkerAnswer =
  | { kind: 'valid'; json: string }
  | { kind: 'invalid'; problems: Problem[]; problemsOmitted: number }
  | { kind: 'unreadable'; failure: JsonFailure };

const ENTRY = new URL('./bundle-validation-worker.mjs', import.meta.url);

/** Read and validate a bundle's bytes on a worker thread. */
export function validateOffThread(bytes: Uint8Array): Promise<WorkerAnswer> {
  // The worker takes the bytes over; a view into a shared pool would take the pool with it.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  // The worker judges dates against this thread's "today", which tests may have fixed.
  return runOnWorker<WorkerAnswer>(ENTRY, { bytes: own, today: today() }, [own.buffer as ArrayBuffer], 'bundle validation');
}
