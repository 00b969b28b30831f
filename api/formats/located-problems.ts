// The problems of a csv or REDCap import, kept as a bundle's are (api/schemas/problems.ts): the
// first 1,000 in reading order and a count of the rest, in memory bounded by the limit however
// many problems the files hold.
import { FirstInOrder, MAX_REPORTED_PROBLEMS } from '../schemas/problems.ts';
import type { FormatImport, LocatedProblem } from './types.ts';

/** How problems are ordered: by file, row and column, or as they were found. */
export type ProblemOrder =
  | {
      /** Files in the order their problems are listed; other files after them, by name. */
      files: readonly string[];
      /** A file's columns, in the order problems within a row are listed (read when a problem is added). */
      columns?: (file: string) => readonly string[];
    }
  | 'as found';

interface Ranked {
  problem: LocatedProblem;
  fileRank: number;
  columnRank: number;
  tieKey: string;
}

/**
 * Reading order: file (in the given order), row (the file's own problems first), column, and
 * within one cell by tie key (none first).
 */
function inReadingOrder(a: Ranked, b: Ranked): number {
  return (
    a.fileRank - b.fileRank ||
    (a.problem.file === b.problem.file ? 0 : a.problem.file.localeCompare(b.problem.file)) ||
    (a.problem.row ?? 0) - (b.problem.row ?? 0) ||
    a.columnRank - b.columnRank ||
    (a.tieKey < b.tieKey ? -1 : a.tieKey > b.tieKey ? 1 : 0)
  );
}

/** A problem list that keeps the first `limit` problems and counts every one. */
export class LocatedProblems {
  private readonly first: FirstInOrder<Ranked>;

  constructor(
    private readonly order: ProblemOrder,
    limit: number = MAX_REPORTED_PROBLEMS,
  ) {
    this.first = new FirstInOrder(limit, order === 'as found' ? () => 0 : inReadingOrder);
  }

  /** How many problems were added. */
  get total(): number {
    return this.first.total;
  }

  /**
   * @param tieKey orders problems at one place (file, row and column): those without a key first,
   *   in the order added, then by key (e.g. the bundle path's, for problems of the bundle rules)
   */
  add(problem: LocatedProblem, tieKey = ''): void {
    if (this.order === 'as found') {
      this.first.add({ problem, fileRank: 0, columnRank: 0, tieKey: '' });
      return;
    }
    const fileRank = this.order.files.indexOf(problem.file);
    let columnRank = -1;
    if (problem.column !== null) {
      const rank = this.order.columns?.(problem.file).indexOf(problem.column) ?? -1;
      columnRank = rank === -1 ? Number.MAX_SAFE_INTEGER : rank;
    }
    this.first.add({ problem, fileRank: fileRank === -1 ? this.order.files.length : fileRank, columnRank, tieKey });
  }

  /** The kept problems in order, and how many more there were. */
  result(): { problems: LocatedProblem[]; omitted: number } {
    const { kept, omitted } = this.first.result();
    return { problems: kept.map(({ problem }) => problem), omitted };
  }

  /** The failed import these problems make. */
  failure(): Extract<FormatImport, { ok: false }> {
    const { problems, omitted } = this.result();
    return { ok: false, problems, problemsOmitted: omitted };
  }
}

/** The failed import of a few problems found before any table is read, in the order found. */
export function importFailure(problems: Iterable<LocatedProblem>): Extract<FormatImport, { ok: false }> {
  const list = new LocatedProblems('as found');
  for (const problem of problems) list.add(problem);
  return list.failure();
}
