// Page cursors: the sort key of a page's last item, opaque to clients (base64url JSON). Each
// list declares the shape of its key, so that a cursor is checked at the edge, with a 400 at
// `query.cursor`, before any of it reaches the database: a cursor that decodes to values of the
// wrong type, or to text that PostgreSQL cannot hold (U+0000), is refused like one never given out.
import { z } from 'zod';
import { isCalendarDate } from './fields.ts';

export type CursorValue = string | number | null;

/**
 * What one position of a list's sort key holds: `text` (a code or pseudonym), `date`
 * (YYYY-MM-DD), `int` (a whole number) or `id` (a whole number written as digits, such as an
 * audit entry's number).
 */
export type CursorPart = 'text' | 'date' | 'int' | 'id';

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

const fits: Record<CursorPart, (value: unknown) => boolean> = {
  text: (v) => typeof v === 'string' && v.length <= 200 && !v.includes('\u0000') && v.isWellFormed(),
  date: (v) => typeof v === 'string' && isCalendarDate(v),
  int: (v) => typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) < 2 ** 31,
  id: (v) => typeof v === 'string' && /^[1-9]\d{0,18}$/.test(v),
};

/** The values of a cursor whose key has the parts `shape`, or null when it is not such a cursor. */
export function readCursor(cursor: string, shape: readonly CursorPart[]): CursorValue[] | null {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(values) || values.length !== shape.length) return null;
  return values.every((value, i) => fits[shape[i]!](value)) ? (values as CursorValue[]) : null;
}

export const CURSOR_REFUSAL = 'is not a cursor this list gave out; start again without it';

/**
 * A check for a list's query: its `cursor`, when given, must be one that the list gives out in
 * the order the query asks for (`shapeOf` the query). For `superRefine` on the whole query.
 */
export function cursorCheck<Q extends { cursor?: string | undefined }>(shapeOf: (query: Q) => readonly CursorPart[]) {
  return (query: Q, ctx: z.RefinementCtx) => {
    if (query.cursor !== undefined && readCursor(query.cursor, shapeOf(query)) === null) {
      ctx.addIssue({ code: 'custom', path: ['cursor'], message: CURSOR_REFUSAL });
    }
  };
}
