// Dashboard chart answers computed on a worker thread of their own (PostgreSQL only), so that a
// large study's answer (for 20,000 participants, some 300 ms of reading and 400 ms of analysis)
// does not hold up the server's other requests: the page that asks for it loads meanwhile, and
// so do other users' pages. One long-lived worker per served database, started with the server:
// it reads the facts itself on a pool of its own (sending them across would cost as much as the
// analysis) and warms the analysis's code first. The answer cache stays on the server's thread
// (analysis-service.ts); a worker that fails is replaced at the next question, and an answer it
// could not give is computed on the server's thread instead.
import { Worker } from 'node:worker_threads';
import type { Db, DbOptions } from '../../../db/kysely.ts';
import { AppError, type AppErrorKind } from '../../errors.ts';
import { answerChartsWith, chartAnswererOf, type AnalysisOptions, type ChartAnswerer, type StudyChartsAnswer } from '../analysis-service.ts';

const ENTRY = new URL('./chart-answer-worker.mjs', import.meta.url);
/** How long a stopping worker may take to close its pool before it is ended. */
const STOP_WAIT_MS = 2000;

/** What a chart question sends across: the options but a freeze's facts (answered on the server's thread). */
export type ThreadChartOptions = Omit<AnalysisOptions, 'frozen'>;

export interface ChartThreadRequest {
  id: number;
  code: string;
  options: ThreadChartOptions;
}

export type ChartThreadReply =
  | { id: number; answer: StudyChartsAnswer }
  | { id: number; error: { kind: AppErrorKind | null; message: string } }
  | { id: number; unavailable: string };

export class ChartAnswerThread implements ChartAnswerer {
  #worker: Worker | null = null;
  #pending = new Map<number, { resolve: (answer: StudyChartsAnswer | null) => void; reject: (error: Error) => void }>();
  /** Why the last question could not be answered here (the worker failed or stopped), for messages. */
  unavailable: string | null = null;
  #warned = false;

  /** A question could not be answered here: why, said once on stderr for whoever runs the server. */
  #cannotAnswer(reason: string): void {
    this.unavailable = reason;
    if (this.#stopped || this.#warned) return;
    this.#warned = true;
    console.error(`${reason}; chart answers are computed on the server's own thread meanwhile`);
  }
  #nextId = 1;
  #stopped = false;

  constructor(
    private readonly database: DbOptions,
    private readonly warm: boolean,
  ) {
    this.#start();
  }

  #start(): Worker {
    const worker = new Worker(ENTRY, { execArgv: [], workerData: { database: this.database, warm: this.warm } });
    // The server's process ends when its work does, whatever the worker is doing.
    worker.unref();
    worker.on('message', (reply: ChartThreadReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if ('answer' in reply) pending.resolve(reply.answer);
      else if ('unavailable' in reply) {
        this.#cannotAnswer(reply.unavailable);
        pending.resolve(null);
      } else pending.reject(reply.error.kind === null ? new Error(reply.error.message) : new AppError(reply.error.kind, reply.error.message));
    });
    const gone = (reason: string) => {
      if (this.#worker === worker) this.#worker = null;
      if (this.#pending.size > 0) this.#cannotAnswer(reason);
      for (const { resolve } of this.#pending.values()) resolve(null);
      this.#pending.clear();
    };
    worker.on('error', (error) => gone(`the chart thread failed: ${error.message}`));
    worker.on('exit', (code) => gone(`the chart thread stopped (exit code ${code})`));
    this.#worker = worker;
    return worker;
  }

  /**
   * The answer to a chart question, computed by the worker (started again if it had failed), or
   * null when it cannot give one (see `unavailable`).
   */
  answer(code: string, options: ThreadChartOptions): Promise<StudyChartsAnswer | null> {
    if (this.#stopped) {
      this.unavailable = 'the chart thread was stopped';
      return Promise.resolve(null);
    }
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, code, options } satisfies ChartThreadRequest);
    });
  }

  /**
   * End the worker: it closes its pool and ends (or is ended after STOP_WAIT_MS); questions
   * under way are answered another way.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const worker = this.#worker;
    if (!worker) return;
    // #worker is cleared when it exits, so this one has not exited yet.
    const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ stop: true });
    const timer = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
    await ended;
    clearTimeout(timer);
  }
}

/**
 * Compute `db`'s chart answers on a thread of their own from now on, where the database allows
 * (a PostgreSQL server); `warm`: warm the analysis's code first. Returns whether it does.
 */
export function startChartAnswerThread(db: Db, warm: boolean): boolean {
  if (chartAnswererOf(db)) return true;
  if (!db.sameDatabase) return false;
  answerChartsWith(db, new ChartAnswerThread(db.sameDatabase, warm));
  return true;
}

/** Stop `db`'s chart thread, if it has one: its answers are computed on the server's thread again. */
export async function stopChartAnswerThread(db: Db): Promise<void> {
  const answerer = chartAnswererOf(db);
  answerChartsWith(db, undefined);
  if (answerer instanceof ChartAnswerThread) await answerer.stop();
}
