// Page cursors in the services: the values of a cursor the query's schema has already checked
// (api/schemas/cursor.ts), and pages of short lists held in memory.
import { AppError } from '../errors.ts';
import { CURSOR_REFUSAL, encodeCursor, readCursor, type CursorPart, type CursorValue } from '../schemas/cursor.ts';

export { encodeCursor, type CursorPart, type CursorValue };

/** The values of a cursor whose key has the parts `shape`, or a 400 naming `query.cursor`. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): CursorValue[] {
  const values = readCursor(cursor, shape);
  if (values === null) throw new AppError('validation', 'cursor is not one this list gave out', [{ path: 'query.cursor', message: CURSOR_REFUSAL }]);
  return values;
}

/**
 * A page of a short list held in memory (sites, practitioners, one participant's records):
 * items after the cursor's key, in the list's order.
 */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string | number, query: { limit: number; cursor?: string | undefined }) {
  let start = 0;
  if (query.cursor !== undefined) {
    const first = items[0];
    const [after] = decodeCursor(query.cursor, [first !== undefined && typeof keyOf(first) === 'number' ? 'int' : 'text']);
    start = items.findIndex((item) => keyOf(item) === after) + 1;
    if (start === 0) {
      throw new AppError('validation', 'cursor is not one this list gave out', [
        { path: 'query.cursor', message: 'names a record that is no longer in the list; start again without it' },
      ]);
    }
  }
  const page = items.slice(start, start + query.limit);
  const last = page.at(-1);
  return { items: page, nextCursor: start + query.limit < items.length && last !== undefined ? encodeCursor([keyOf(last)]) : null };
}
