// Page cursors: the sort key of a page's last item, opaque to clients (base64url JSON).
import { AppError } from '../errors.ts';

export type CursorValue = string | number | null;

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** The values of a cursor made by `encodeCursor`, or a 400 naming `cursor`. */
export function decodeCursor(cursor: string, length: number): CursorValue[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))
    ) {
      return values as CursorValue[];
    }
  } catch {
    // fall through to the refusal
  }
  throw new AppError('validation', 'cursor is not one this list gave out', [
    { path: 'query.cursor', message: 'is not a cursor this list gave out; start again without it' },
  ]);
}

/**
 * A page of a short list held in memory (sites, practitioners, one participant's records):
 * items after the cursor's key, in the list's order.
 */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string | number, query: { limit: number; cursor?: string | undefined }) {
  let start = 0;
  if (query.cursor !== undefined) {
    const [after] = decodeCursor(query.cursor, 1);
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
