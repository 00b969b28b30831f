// Bundle → the `csv` format: one tidy table per record kind, plus codebook.csv describing every
// column. Rows follow the bundle's canonical order, so the same study always gives the same bytes.
import type { StudyBundle } from '../../schemas/bundle.ts';
import { canonicalOrder } from '../../schemas/bundle-order.ts';
import { csvRecord, writeCsv, type Cell } from '../csv-text.ts';
import type { FormatFile } from '../types.ts';
import { CODEBOOK_FILE, CSV_TABLES, fileOf, type ColumnSpec, type TableSpec } from './tables.ts';
import { visitsTable } from './visits-table.ts';

/** The study as CSV tables and their codebook. */
export function writeCsvTables(bundle: StudyBundle): FormatFile[] {
  const ordered = canonicalOrder(bundle);
  const files: FormatFile[] = CSV_TABLES.map((table) => ({ name: fileOf(table), content: writeTable(table as TableSpec<unknown>, ordered) }));
  // visits.csv only for a study that schedules visits (after study.csv, like its place in the bundle).
  if (ordered.study.protocol.visits) files.splice(1, 0, { name: fileOf(visitsTable), content: writeTable(visitsTable, ordered) });
  files.push({ name: CODEBOOK_FILE, content: writeCodebook() });
  return files;
}

export function writeTable<R>(table: TableSpec<R>, bundle: StudyBundle): string {
  const columns = table.columns;
  function* rows(): Iterable<Cell[]> {
    for (const row of table.rows(bundle)) yield columns.map((column) => column.value(row));
  }
  return writeCsv(
    columns.map((column) => column.name),
    rows(),
  );
}

/** A table's header line alone. */
export const tableHeader = <R>(table: TableSpec<R>): string => writeCsv(table.columns.map((column) => column.name), []);

/** A table's rows for the participants of `bundle`, without the header: what a streamed export writes batch by batch. */
export function tableRows<R>(table: TableSpec<R>, bundle: StudyBundle): string {
  const values = table.columns.map((column) => column.value);
  const cells: Cell[] = new Array<Cell>(values.length);
  let text = '';
  for (const row of table.rows(bundle)) {
    for (let index = 0; index < values.length; index++) cells[index] = values[index]!(row);
    text += csvRecord(cells);
  }
  return text;
}

export const CODEBOOK_COLUMNS = ['table', 'column', 'type', 'unit', 'allowed_values', 'labels', 'required', 'derived', 'definition'] as const;

/** codebook.csv: one row per column of every table. */
export function writeCodebook(): string {
  const rows: Cell[][] = [];
  for (const table of [CSV_TABLES[0], visitsTable, ...CSV_TABLES.slice(1)]) {
    for (const column of table.columns as ReadonlyArray<ColumnSpec<unknown>>) {
      const codes = column.labels === undefined ? null : Object.keys(column.labels);
      rows.push([
        table.name,
        column.name,
        column.type,
        column.unit ?? null,
        codes === null ? (column.allowed ?? null) : codes.join(' | '),
        codes === null ? null : codes.map((code) => `${code} = ${column.labels![code]}`).join(' | '),
        column.derived || column.nullable ? 'no' : 'yes',
        column.derived ? 'yes' : 'no',
        column.derived ? `${column.definition} Derived: written on export, ignored on import.` : column.definition,
      ]);
    }
  }
  return writeCsv(CODEBOOK_COLUMNS, rows);
}
