// A stepwise computation (a generator that pauses between parts of its work) run with the event
// loop free between its steps, so that a server answers other requests, and rows already sent to
// the database stream, while a large import is validated or a large study analysed.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** The value `steps` returns, each of its steps in a turn of the event loop of its own. */
export async function runInTurns<T>(steps: Generator<unknown, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}
