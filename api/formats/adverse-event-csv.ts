// The adverse-event listing as CSV (RFC 4180, UTF-8, CRLF), written as a stream: one row per
// event with the listing's fields, in the listing's order, so a download of thousands of events
// never sits whole in memory. Its columns are named and written as the `csv` format's
// adverse_events.csv names and writes them (booleans 0/1, text neutralised against formulas), so
// the two files can be read with the same code.
import { stringify, type Stringifier } from 'csv-stringify';
import type { AdverseEventListItem } from '../schemas/records.ts';
import { CSV_OPTIONS, type Cell } from './csv-text.ts';
import { adverseEventsTable, participantsTable } from './csv/tables.ts';

type ListField = keyof AdverseEventListItem;

/** The csv format's name of a column: the one of `table` that holds `field` (or is its link key). */
function csvColumnName(table: { name: string; columns: ReadonlyArray<{ name: string; field?: string; key?: string; derived?: boolean }> }, field: string): string {
  const column = table.columns.find((c) => !c.derived && (c.field === field || c.key === field));
  if (column === undefined) throw new Error(`${table.name}.csv has no column for ${field}`);
  return column.name;
}

/** The columns: each listing field under the csv format's column name; the event's number, which that format has not, as `event_no`. */
export const ADVERSE_EVENT_CSV_COLUMNS: ReadonlyArray<{ name: string; field: ListField }> = [
  { name: csvColumnName(adverseEventsTable, 'participant'), field: 'participant' },
  { name: csvColumnName(participantsTable, 'site'), field: 'site' },
  { name: 'event_no', field: 'no' },
  ...(['category', 'term', 'onsetDate', 'resolvedDate', 'grade', 'serious', 'relatedness', 'outcome', 'sessionNumber', 'solicited'] as const).map((field) => ({
    name: csvColumnName(adverseEventsTable, field),
    field,
  })),
];

/** One event's cells, in column order; null is an empty cell. */
export function adverseEventCsvRow(item: AdverseEventListItem): Cell[] {
  return ADVERSE_EVENT_CSV_COLUMNS.map(({ field }) => (item[field] ?? null) as Cell);
}

/** A CSV stream with the header row written; write event rows to it, then end it. */
export function adverseEventCsvStream(): Stringifier {
  const stream = stringify(CSV_OPTIONS);
  stream.write(ADVERSE_EVENT_CSV_COLUMNS.map((column) => column.name));
  return stream;
}
