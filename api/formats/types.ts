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

/** A read import: the validated bundle, or every problem with its location. */
export type FormatImport = { ok: true; bundle: StudyBundle } | { ok: false; problems: LocatedProblem[] };

/** `participants.csv:4:birth_year`, `study.json:study.code`, `records.csv:7`. */
export function formatLocation(file: string, row: number | null, column: string | null): string {
  return [file, ...(row === null ? [] : [String(row)]), ...(column === null ? [] : [column])].join(':');
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

/** Problems in reading order: by file (in the given order of files), then row, then column order. */
export function sortLocated(problems: LocatedProblem[], fileOrder: readonly string[], columnOrder: (file: string) => readonly string[] = () => []): LocatedProblem[] {
  const fileRank = (file: string) => {
    const rank = fileOrder.indexOf(file);
    return rank === -1 ? fileOrder.length : rank;
  };
  const columnRank = (problem: LocatedProblem) => {
    if (problem.column === null) return -1;
    const rank = columnOrder(problem.file).indexOf(problem.column);
    return rank === -1 ? Number.MAX_SAFE_INTEGER : rank;
  };
  return problems
    .map((problem, order) => ({ problem, order }))
    .sort(
      (a, b) =>
        fileRank(a.problem.file) - fileRank(b.problem.file) ||
        a.problem.file.localeCompare(b.problem.file) ||
        (a.problem.row ?? 0) - (b.problem.row ?? 0) ||
        columnRank(a.problem) - columnRank(b.problem) ||
        a.order - b.order,
    )
    .map(({ problem }) => problem);
}
