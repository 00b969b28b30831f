// The one check of a new password, wherever one is set (an invite link, the first run's link,
// changing one's password): the length rules are the schema's (NewPassword, shown in the pages
// before the first try); here, how guessable it is (password-strength.ts), judged on a worker
// thread that stays up while passwords are being set and ends after a minute without one.
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';

const ENTRY = new URL('./workers/password-strength-worker.mjs', import.meta.url);
const IDLE_MS = 60_000;

interface Pending {
  resolve(reason: string | null): void;
  reject(error: Error): void;
}

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
  for (const waiting of pending.values()) waiting.reject(error);
  pending.clear();
  worker = null;
}

function startWorker(): Worker {
  const started = new Worker(ENTRY, { execArgv: [] });
  started.on('message', ({ id, reason, error }: { id: number; reason?: string | null; error?: string }) => {
    const waiting = pending.get(id);
    pending.delete(id);
    if (error !== undefined) waiting?.reject(new Error(`the password check failed: ${error}`));
    else waiting?.resolve(reason ?? null);
    if (pending.size === 0) {
      // Idle: the process may end without it, and it ends after a while unused.
      started.unref();
      idleTimer = setTimeout(() => {
        if (worker === started && pending.size === 0) {
          worker = null;
          void started.terminate();
        }
      }, IDLE_MS);
      idleTimer.unref();
    }
  });
  started.on('error', (error) => {
    if (worker === started) failAll(error);
  });
  started.on('exit', (code) => {
    if (worker === started) failAll(new Error(`the password check stopped unexpectedly (exit code ${code})`));
  });
  return started;
}

/** Why `password` is too guessable for `username`, or null: judged on the worker thread. */
function refusalOf(password: string, username: string): Promise<string | null> {
  clearTimeout(idleTimer);
  worker ??= startWorker();
  worker.ref();
  const id = ++nextId;
  const answer = new Promise<string | null>((resolve, reject) => pending.set(id, { resolve, reject }));
  worker.postMessage({ id, password, username });
  return answer;
}

/**
 * Refuse a new password that is easy to guess, at the request's `path` (`password`,
 * `newPassword`), in plain words: "repeats your username", "is a common password", "is a
 * keyboard pattern"… The length and the characters allowed are checked before, by NewPassword.
 */
export async function checkNewPassword(password: string, username: string, path: string): Promise<void> {
  const reason = password.normalize('NFKC').toLowerCase() === username.toLowerCase() ? 'must not be your username' : await refusalOf(password, username);
  if (reason !== null) throw new AppError('validation', `invalid request body: ${path}: ${reason}`, [{ path, message: reason }]);
}
