// The last step of every table import (csv, REDCap): validate the bundle built from the rows
// with the same rules as a JSON import, and report each problem at the cell it came from,
// together with the problems found while reading the cells. A cell already reported (a value
// that is not a number, an empty required cell, a missing column) is not reported twice. Like a
// bundle's, the problems are the first 1,000 in reading order with a count of the rest, kept in
// memory bounded by that limit however many the files hold.
import { documentOrderKey, formatPath, type PathSegment, type Problem, type ProblemSink } from '../schemas/problems.ts';
import { checkBundle } from '../schemas/validate-bundle.ts';
import { LocatedProblems } from './located-problems.ts';
import type { LocationIndex } from './locations.ts';
import type { FormatImport, LocatedProblem } from './types.ts';

export class TableImport {
  private readonly problems: LocatedProblems;
  /** Bundle paths of values whose cell was already reported. */
  private readonly reportedPaths = new Set<string>();
  /** `file\0column` of columns missing from a header: every row's problem there is the header's. */
  private readonly missingColumns = new Set<string>();

  /**
   * @param fileOrder files in the order their problems are listed
   * @param columnOrder a file's columns, in the order problems within a row are listed; read as
   *   each problem is reported, so a file's header must be known before its problems are
   */
  constructor(
    readonly index: LocationIndex,
    fileOrder: readonly string[],
    columnOrder: (file: string) => readonly string[],
  ) {
    this.problems = new LocatedProblems({ files: fileOrder, columns: columnOrder });
  }

  report(problem: LocatedProblem, bundlePath?: string): void {
    this.problems.add(problem);
    if (bundlePath !== undefined) this.reportedPaths.add(bundlePath);
  }

  columnMissing(problem: LocatedProblem): void {
    this.problems.add(problem);
    if (problem.column !== null) this.missingColumns.add(`${problem.file}\u0000${problem.column}`);
  }

  /**
   * Validate `input` and return the bundle, or the problems in reading order.
   *
   * @param consequence whether a validation problem only follows from a file already reported
   *   as missing or unreadable (every reference to its records dangles), and so is left out
   */
  finish(input: unknown, consequence: (problem: Problem) => boolean = () => false): FormatImport {
    // Every problem of the validation comes here, so that the first in reading order are kept.
    let found = 0;
    const validation: ProblemSink = {
      get total() {
        return found;
      },
      add: (path: readonly PathSegment[], message: string) => {
        found++;
        this.validationProblem(path, message, consequence);
      },
    };
    const bundle = checkBundle(input, validation);
    if (bundle !== null && this.problems.total === 0) return { ok: true, bundle };
    return this.problems.failure();
  }

  /**
   * A problem of the bundle validation, at its cell, unless it repeats one already reported. At
   * one cell it comes after the problems found reading the cells, and in bundle path order.
   */
  private validationProblem(path: readonly PathSegment[], message: string, consequence: (problem: Problem) => boolean): void {
    const problem = { path: formatPath(path), message };
    if (this.reportedPaths.has(problem.path) || consequence(problem)) return;
    const located = this.index.locate(problem);
    if (located.column !== null && this.missingColumns.has(`${located.file}\u0000${located.column}`)) return;
    this.problems.add(located, `\u0001${documentOrderKey(path)}`);
  }
}
