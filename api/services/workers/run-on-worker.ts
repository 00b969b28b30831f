// One short-lived worker thread for one piece of heavy work (reading and validating a large
// import), so that the server keeps answering meanwhile. The worker posts one message: its answer.
import { Worker } from 'node:worker_threads';

/**
 * Run the worker module `entry` on `workerData` and resolve with the one message it posts.
 *
 * @param what what the work is, for the error when the worker ends without answering
 * @param transferList buffers the worker takes over instead of a copy
 */
export function runOnWorker<T>(entry: URL, workerData: unknown, transferList: ArrayBuffer[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { execArgv: [], workerData, transferList });
    let settled = false;
    worker.once('message', (message: T) => {
      settled = true;
      resolve(message);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`${what} stopped unexpectedly (exit code ${code})`));
    });
  });
}
