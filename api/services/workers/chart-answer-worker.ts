// Worker-thread entry: computes dashboard chart answers off the server's event loop
// (chart-answer-thread.ts), reading each study's facts on a pool of its own on the same
// PostgreSQL database. It first warms the analysis's code on a generated cohort, so that the
// first real answer runs optimized code, then answers each request with the answer or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { openDb, type DbOptions } from '../../../db/kysely.ts';
import { isAppError } from '../../errors.ts';
import { computeChartAnswer } from '../analysis-service.ts';
import { warmChartAnalysis } from '../analysis-warm-up.ts';
import type { ChartThreadReply, ChartThreadRequest } from './chart-answer-thread.ts';

const { database, warm } = workerData as { database: DbOptions; warm: boolean };
const port = parentPort!;
const opened = openDb(database);
// A database this thread cannot open makes each question go back to the server's thread.
opened.catch(() => {});

port.on('message', (message: ChartThreadRequest | { stop: true }) => {
  if ('stop' in message) {
    // The pool's connections ended cleanly, then the thread.
    void opened
      .then((db) => db.close())
      .catch(() => {})
      .finally(() => process.exit(0));
    return;
  }
  const reply = (answer: ChartThreadReply) => port.postMessage(answer);
  const { id } = message;
  opened.then(
    (db) =>
      computeChartAnswer(db, message.code, message.options).then(
        (answer) => reply({ id, answer }),
        (error: unknown) =>
          reply({ id, error: isAppError(error) ? { kind: error.kind, message: error.message } : { kind: null, message: (error as Error)?.message ?? String(error) } }),
      ),
    (error: unknown) => reply({ id, unavailable: `the chart thread could not open the database: ${(error as Error)?.message ?? String(error)}` }),
  );
});
if (warm) await warmChartAnalysis();
