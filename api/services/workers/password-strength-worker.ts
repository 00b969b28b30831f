// Worker-thread entry: judges new passwords off the server's event loop. It stays up between
// requests (the dictionaries take half a second to load) and answers each message
// `{id, password, username}` with `{id, reason}`: why the password is refused, or null.
import { parentPort } from 'node:worker_threads';
import { estimate, refusalReason } from '../password-strength.ts';

parentPort!.on('message', ({ id, password, username }: { id: number; password: string; username: string }) => {
  try {
    parentPort!.postMessage({ id, reason: refusalReason(password, username, estimate(password, username)) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message });
  }
});
