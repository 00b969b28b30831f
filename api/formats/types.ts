// Shapes shared by every interchange format: the files a converter writes or reads, and a
// problem located in one of those files (file, row, column) rather than by a bundle path.
import type { StudyBundle } from '../schemas/bundle.ts';
import type { Problem } from '../schemas/problems.ts';

/** One file of an export or an import: text (UTF-8) or bytes. */
export interface FormatFile {
  name: string;
  content: string | Uint8Array;
}

/**
 * A problem of an import, where the user can find it. `row` counts the header as row 1, as a
 * spreadsheet shows it; `column` is the column's (or REDCap field's) name, or a JSON path in a
 * JSON file. `path` repeats the location as one string, `file:row:column`, so that code that
 * reads `{path, message}` problems shows it unchanged.
 */
export interface LocatedProblem extends Problem {
  file: string;
  row: number | null;
  column: string | null;
}

/**
 * A read import: the validated bundle, or its problems with their locations (the first 1,000,
 * as a bundle's are, and how many more there were).
 */
export type FormatImport = { ok: true; bundle: StudyBundle } | { ok: false; problems: LocatedProblem[]; problemsOmitted: number };

/** `participants.csv:4:birth_year`, `study.json:study.code`, `records.csv:7`. */
export function formatLocation(file: string, row: number | null, column: string | null): string {
  return [file, ...(row === null ? [] : [String(row)]), ...(column === null ? [] : [column])].join(':');
}

/**
 * Something an export could not write as its standard wants, though it wrote the rest: `path` is
 * the bundle field to fill (`sites[0].country`), `message` a sentence that names the record.
 */
export interface ExportWarning {
  path: string;
  message: string;
}

export function locatedProblem(file: string, row: number | null, column: string | null, message: string): LocatedProblem {
  return { path: formatLocation(file, row, column), file, row, column, message };
}

/** Text of a file: bytes are decoded as UTF-8, and bytes that are not UTF-8 are a problem, not replaced. */
export function fileText(file: FormatFile): { ok: true; text: string } | { ok: false; problem: LocatedProblem } {
  if (typeof file.content === 'string') return { ok: true, text: file.content };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file.content) };
  } catch {
    return { ok: false, problem: locatedProblem(file.name, null, null, 'is not valid UTF-8 text; save it as UTF-8') };
  }
}
