// Worker-thread entry: reads one large csv or REDCap upload into a bundle off the server's event
// loop, and answers with the bundle as JSON text (parsing that on the main thread is faster than
// a structured clone) or with the problems.
import { parentPort, workerData } from 'node:worker_threads';
import { readImport, type ImportFormat, type ImportSource } from '../../formats/read-import.ts';
import { setToday } from '../../schemas/today.ts';
import type { FormatWorkerAnswer } from './format-import-off-thread.ts';

const { format, source, today } = workerData as { format: ImportFormat; source: ImportSource; today: string };
setToday(today);
const result = readImport(format, source);
const answer: FormatWorkerAnswer = result.ok
  ? { ok: true, json: JSON.stringify(result.bundle) }
  : { ok: false, problems: result.problems, problemsOmitted: result.problemsOmitted };
parentPort!.postMessage(answer);
