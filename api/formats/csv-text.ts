// CSV text in and out, RFC 4180: comma-separated, fields with commas, quotes or line breaks in
// double quotes, CRLF between records, UTF-8 without a byte-order mark (one is accepted on read).
// csv-parse and csv-stringify do the quoting; this module adds row numbers, located problems,
// and the one rule that keeps a spreadsheet from running a text cell as a formula.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { fileText, locatedProblem, type FormatFile, type LocatedProblem } from './types.ts';

export type Cell = string | number | boolean | null;

/**
 * A text cell a spreadsheet would run as a formula: one that starts with `=`, `+`, `-`, `@`, a tab
 * or a carriage return (OWASP, "CSV Injection"), also behind any number of apostrophes, so that
 * the apostrophe added to neutralise it can always be told apart from one that was typed.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * A text cell as it is written: an apostrophe put before any text that starts with a formula
 * character, or with apostrophes followed by one (`=SUM(A1)` → `'=SUM(A1)`, `'=x` → `''=x`).
 * Spreadsheets show such a cell as text. Every other text is written as it is. Numbers are not
 * text cells and are never changed (a negative number stays a number).
 *
 * @param text the cell's text
 * @returns the text to write
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * The inverse of neutraliseFormula, applied to every cell read: one leading apostrophe is removed
 * from a cell that is an apostrophe followed by text neutraliseFormula would have neutralised
 * (`'=SUM(A1)` → `=SUM(A1)`, `''=x` → `'=x`). Any other cell is read as it is, so a round trip
 * is exact for every text.
 *
 * @param text the cell as read
 * @returns the cell's text
 */
export function restoreFormula(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text) ? text.slice(1) : text;
}

/**
 * How every CSV of the project is written: RFC 4180 line ends, any field with a line break
 * quoted, text neutralised against formulas, booleans as `1`/`0`.
 */
export const CSV_OPTIONS = {
  record_delimiter: 'windows',
  quoted_match: /[\r\n]/,
  cast: { string: (value: string) => neutraliseFormula(value), boolean: (value: boolean) => (value ? '1' : '0') },
} as const;

/**
 * CSV text of a header and rows. null is an empty cell, booleans are written as `1`/`0`, text is
 * neutralised against formulas (neutraliseFormula) and numbers are written as they are; fields
 * holding a line break are always quoted (a bare CR would otherwise be read as the end of a record).
 */
export function writeCsv(header: readonly string[], rows: Iterable<readonly Cell[]>): string {
  let text = csvRecord(header);
  for (const row of rows) text += csvRecord(row);
  return text;
}

/** CSV records without a header, each ending in CRLF (nothing for no rows): a part of a file written in batches. */
export function csvRecords(rows: ReadonlyArray<readonly Cell[]>): string {
  let text = '';
  for (const row of rows) text += csvRecord(row);
  return text;
}

/** A text cell that must be quoted: it holds the delimiter, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One record and its CRLF, byte for byte what csv-stringify writes with CSV_OPTIONS, without its
 * per-field option handling (the exports write millions of cells): text neutralised, then quoted
 * when it holds a comma, a quote or a line break (quotes doubled); numbers as `String` writes
 * them; booleans `1`/`0`; null an empty cell. A cell of any other kind goes through csv-stringify.
 */
export function csvRecord(row: readonly Cell[]): string {
  let line = '';
  for (let index = 0; index < row.length; index++) {
    const cell = row[index];
    if (index > 0) line += ',';
    if (typeof cell === 'string') {
      const text = neutraliseFormula(cell);
      line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    } else if (typeof cell === 'number') line += String(cell);
    else if (typeof cell === 'boolean') line += cell ? '1' : '0';
    else if (cell !== null && cell !== undefined) return stringify([[...row]], CSV_OPTIONS);
  }
  return `${line}\r\n`;
}

/**
 * PostgreSQL's CSV (`COPY … TO STDOUT (FORMAT csv)`) as this project writes CSV: COPY ends each
 * record with LF, RFC 4180 and csvRecord with CRLF. Returns a converter to feed the COPY output
 * to chunk by chunk (chunks may split a character or a record anywhere): it gives the text with
 * every record's LF made CRLF, and leaves line breaks inside quoted fields as they are (COPY
 * doubles a quote inside a field, so counting quotes tells inside from outside).
 */
export function crlfRecords(): (chunk: Uint8Array) => string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let quoted = false;
  return (chunk) => {
    const text = decoder.decode(chunk, { stream: true });
    if (!quoted && !text.includes('"')) return text.replaceAll('\n', '\r\n');
    let out = '';
    let from = 0;
    for (let at = 0; at < text.length; at++) {
      const c = text.charCodeAt(at);
      if (c === 0x22) quoted = !quoted;
      else if (c === 0x0a && !quoted) {
        out += `${text.slice(from, at)}\r\n`;
        from = at + 1;
      }
    }
    return out + text.slice(from);
  };
}

/**
 * crlfRecords on bytes, for a destination that takes bytes: the same records, without decoding
 * and encoding the text (UTF-8 never has a quote or a LF byte inside a character).
 */
export function crlfRecordBytes(): (chunk: Uint8Array) => Uint8Array {
  let quoted = false;
  return (chunk) => {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const ends: number[] = [];
    if (!quoted && !bytes.includes(0x22)) {
      for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) ends.push(at);
    } else {
      for (let at = 0; at < bytes.length; at++) {
        const byte = bytes[at];
        if (byte === 0x22) quoted = !quoted;
        else if (byte === 0x0a && !quoted) ends.push(at);
      }
    }
    if (ends.length === 0) return chunk;
    const out = Buffer.allocUnsafe(bytes.length + ends.length);
    let from = 0;
    let to = 0;
    for (const end of ends) {
      to += bytes.copy(out, to, from, end);
      out[to++] = 0x0d;
      out[to++] = 0x0a;
      from = end + 1;
    }
    bytes.copy(out, to, from);
    return out;
  };
}

/** One data row of a read CSV file: its row number (the header is row 1) and its cells. */
export interface CsvRow {
  row: number;
  cells: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

/**
 * Parse a CSV file, handing each problem to `report`. Every data cell is restored from its
 * neutralised form (restoreFormula). Blank lines are skipped (as R's read.csv
 * does). A row with more or fewer cells than the header, a duplicate or empty column name, or a
 * quote that never closes is a problem; the table is still returned with the rows that could be
 * read, so that their own problems are reported too. Null when no table could be read.
 *
 * @param onHeader given the header row before any problem is reported that names a column
 */
export function readCsv(
  file: FormatFile,
  report: (problem: LocatedProblem) => void,
  onHeader: (header: readonly string[]) => void = () => {},
): CsvTable | null {
  const text = fileText(file);
  if (!text.ok) {
    report(text.problem);
    return null;
  }
  let records: Array<{ record: string[]; info: { records: number } }>;
  try {
    records = parse(text.text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    const details = error as { message?: string; records?: number };
    const row = typeof details.records === 'number' ? details.records + 1 : null;
    report(locatedProblem(file.name, row, null, `is not valid CSV: ${details.message ?? String(error)}`));
    return null;
  }
  const [first, ...rest] = records;
  if (first === undefined) {
    report(locatedProblem(file.name, 1, null, 'is empty: it needs a header row'));
    return null;
  }
  const header = first.record;
  onHeader(header);
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') report(locatedProblem(file.name, 1, null, `column ${index + 1} has no name`));
    else if (seen.has(name)) report(locatedProblem(file.name, 1, name, 'appears twice in the header'));
    seen.add(name);
  });
  const rows: CsvRow[] = [];
  for (const { record, info } of rest) {
    if (record.length !== header.length) {
      report(locatedProblem(file.name, info.records, null, `has ${record.length} cells but the header has ${header.length} columns`));
      continue;
    }
    rows.push({ row: info.records, cells: record.map(restoreFormula) });
  }
  return { header, rows };
}
