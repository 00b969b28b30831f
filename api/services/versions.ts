// Optimistic concurrency: a change names the version it was made from (If-Match), and is
// refused with 412 when the record has changed since, showing the current record so that the
// person can see the other change and decide.
import { AppError } from '../errors.ts';

export function requireVersion(ifMatch: string, current: number | string, what: string, currentRecord: unknown): void {
  if (String(current) !== ifMatch) {
    throw new AppError(
      'precondition_failed',
      `${what} has changed since version ${ifMatch}: it is now version ${current}; reload it, check the other change, and try again`,
      [{ path: '(header) If-Match', message: `is "${ifMatch}" but the current version is "${current}"` }],
      { current: currentRecord },
    );
  }
}
