// `smp serve --workers N`: N server processes on one port (node:cluster), all on one PostgreSQL
// database, which holds everything they share (sessions, tokens, sign-in counts and locks,
// rate-limit counts, the access generation; chart answers are stamped with the database's change
// stamp). The first process starts alone (it migrates the database, loads the demo study into an
// empty one and makes the first administrator), then the others; a process that dies later is
// replaced. The embedded database is opened by one process only, so it is refused here.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { UsageError } from './cli-support.ts';

/** The number of processes `--workers` asks for, checked against the database and the machine. */
export function checkWorkers(value: string, databaseUrl: string | undefined, cores = os.availableParallelism()): number {
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1) throw new UsageError(`--workers must be a whole number of processes, 1 or more (got "${value}")`);
  if (databaseUrl === undefined) {
    throw new UsageError(
      '--workers needs a PostgreSQL server (DATABASE_URL): the embedded database in SMP_DATA_DIR is opened by one process only; leave --workers out to serve it',
    );
  }
  if (workers > cores) {
    throw new UsageError(`--workers ${workers} is more than this machine's ${cores} core${cores === 1 ? '' : 's'}; use at most --workers ${cores}`);
  }
  return workers;
}

/** Whether this process is one of the workers that `serveWithWorkers` started. */
export const isServeWorker = () => cluster.isWorker;

const READY = 'smp-serve-ready';

/** Tell the first process that this worker serves (called once the server answers requests). */
export function reportReady(): void {
  if (cluster.isWorker) process.send?.({ type: READY });
}

/**
 * Start `count` workers running this same command, one first and then the rest, and keep them
 * running: resolves once all serve; rejects if one fails before that (its own error is on stderr).
 * SIGINT and SIGTERM stop them all.
 */
export async function serveWithWorkers(count: number): Promise<void> {
  let stopping = false;
  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = cluster.fork();
      const onExit = (code: number | null) => reject(new Error(`a server process stopped while starting (exit status ${code ?? 'none'})`));
      worker.once('exit', onExit);
      worker.on('message', (message: { type?: string }) => {
        if (message?.type !== READY) return;
        worker.off('exit', onExit);
        resolve(worker);
      });
    });
  const running = new Set<Worker>();
  const keep = (worker: Worker) => {
    running.add(worker);
    worker.once('exit', (code, signal) => {
      running.delete(worker);
      if (stopping) return;
      console.error(`smp serve: server process ${worker.process.pid} stopped (${signal ?? `exit status ${code}`}); starting another`);
      start().then(keep, (error: Error) => console.error(`smp serve: ${error.message}`));
    });
  };
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of running) worker.process.kill(signal);
    if (running.size === 0) process.exit(0);
    cluster.on('exit', () => {
      if (running.size === 0) process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGTERM'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  try {
    keep(await start());
    const rest = await Promise.all(Array.from({ length: count - 1 }, start));
    rest.forEach(keep);
  } catch (error) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    throw error;
  }
  console.log(`smp serve: ${count} server processes on one port (pids ${[...running].map((w) => w.process.pid).join(', ')})`);
}
