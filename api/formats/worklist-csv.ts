// The worklist as CSV (RFC 4180, UTF-8, CRLF): one row per step, with the JSON rows' fields as
// columns and the kinds still missing separated by semicolons.
import type { WorklistRow } from '../schemas/worklist.ts';
import { writeCsv } from './csv-text.ts';

export const WORKLIST_CSV_COLUMNS = [
  'participant',
  'site',
  'step',
  'kind',
  'label',
  'target',
  'windowStart',
  'windowEnd',
  'status',
  'missing',
] as const satisfies ReadonlyArray<keyof WorklistRow>;

/** CSV text of worklist rows, a header first. */
export function worklistCsv(rows: readonly WorklistRow[]): string {
  return writeCsv(
    WORKLIST_CSV_COLUMNS,
    rows.map((row) => WORKLIST_CSV_COLUMNS.map((column) => (column === 'missing' ? row.missing.join(';') : row[column]))),
  );
}
