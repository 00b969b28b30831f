// The adverse-event listing as CSV (RFC 4180, UTF-8, CRLF), written as a stream: one row per
// event with the listing's fields, in the listing's order, so a download of thousands of events
// never sits whole in memory. Booleans are written true/false, as the listing's filters take them.
import { stringify, type Stringifier } from 'csv-stringify';
import type { AdverseEventListItem } from '../schemas/records.ts';
import { CSV_OPTIONS } from './csv-text.ts';

/** The columns, named as the listing's JSON fields. */
export const ADVERSE_EVENT_CSV_COLUMNS = [
  'participant',
  'site',
  'no',
  'category',
  'term',
  'onsetDate',
  'resolvedDate',
  'grade',
  'serious',
  'relatedness',
  'outcome',
  'sessionNumber',
  'solicited',
] as const satisfies ReadonlyArray<keyof AdverseEventListItem>;

type CsvCell = string | number | null;

/** One event's cells, in column order; null is an empty cell. */
export function adverseEventCsvRow(item: AdverseEventListItem): CsvCell[] {
  return ADVERSE_EVENT_CSV_COLUMNS.map((column) => {
    const value = item[column] as string | number | boolean | null | undefined;
    if (value === undefined || value === null) return null;
    return typeof value === 'boolean' ? String(value) : value;
  });
}

/** A CSV stream with the header row written; write event rows to it, then end it. */
export function adverseEventCsvStream(): Stringifier {
  const stream = stringify(CSV_OPTIONS);
  stream.write([...ADVERSE_EVENT_CSV_COLUMNS]);
  return stream;
}
