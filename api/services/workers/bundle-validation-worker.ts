// Worker-thread entry: reads and validates one large bundle off the server's event loop. It gets
// the body's bytes and answers with the validated bundle as JSON text (parsing that on the main
// thread is faster than a structured clone), or with the problems.
import { parentPort, workerData } from 'node:worker_threads';
import { parseJsonBytes } from '../../json-input.ts';
import { setToday } from '../../schemas/today.ts';
import { validateBundle } from '../../schemas/validate-bundle.ts';
import type { WorkerAnswer } from './validate-off-thread.ts';

function answer(bytes: Uint8Array): WorkerAnswer {
  const read = parseJsonBytes(bytes);
  if (!read.ok) return { kind: 'unreadable', failure: read.failure };
  const validation = validateBundle(read.value);
  if (!validation.ok) return { kind: 'invalid', problems: validation.problems, problemsOmitted: validation.problemsOmitted };
  return { kind: 'valid', json: JSON.stringify(validation.bundle) };
}

const { bytes, today } = workerData as { bytes: Uint8Array; today: string };
setToday(today);
parentPort!.postMessage(answer(bytes));
