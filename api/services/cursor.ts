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
