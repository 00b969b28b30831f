// The last step of every table import (csv, REDCap): validate the bundle built from the rows
// with the same rules as a JSON import, and report each problem at the cell it came from,
// together with the problems found while reading the cells. A cell already reported (a value
// that is not a number, an empty required cell, a missing column) is not reported twice.
import type { StudyBundle } from '../schemas/bundle.ts';
import type { Problem } from '../schemas/problems.ts';
import { validateBundle } from '../schemas/validate-bundle.ts';
import type { LocationIndex } from './locations.ts';
import { sortLocated, type FormatImport, type LocatedProblem } from './types.ts';

export class TableImport {
  readonly problems: LocatedProblem[] = [];
  /** Bundle paths of values whose cell was already reported. */
  private readonly reportedPaths = new Set<string>();
  /** `file\0column` of columns missing from a header: every row's problem there is the header's. */
  private readonly missingColumns = new Set<string>();

  constructor(readonly index: LocationIndex) {}

  report(problem: LocatedProblem, bundlePath?: string): void {
    this.problems.push(problem);
    if (bundlePath !== undefined) this.reportedPaths.add(bundlePath);
  }

  columnMissing(problem: LocatedProblem): void {
    this.problems.push(problem);
    if (problem.column !== null) this.missingColumns.add(`${problem.file}\u0000${problem.column}`);
  }

  /**
   * Validate `input` and return the bundle, or every problem in reading order.
   *
   * @param fileOrder files in the order their problems are listed
   * @param columnOrder a file's columns, in the order problems within a row are listed
   * @param consequence whether a validation problem only follows from a file already reported
   *   as missing or unreadable (every reference to its records dangles), and so is left out
   */
  finish(
    input: unknown,
    fileOrder: readonly string[],
    columnOrder: (file: string) => readonly string[],
    consequence: (problem: Problem) => boolean = () => false,
  ): FormatImport {
    const validation = validateBundle(input);
    if (validation.ok && this.problems.length === 0) return { ok: true, bundle: validation.bundle as StudyBundle };
    const located = validation.ok
      ? []
      : validation.problems
          .filter((problem) => !this.reportedPaths.has(problem.path) && !consequence(problem))
          .map((problem) => this.index.locate(problem))
          .filter((problem) => problem.column === null || !this.missingColumns.has(`${problem.file}\u0000${problem.column}`));
    return { ok: false, problems: sortLocated([...this.problems, ...located], fileOrder, columnOrder) };
  }
}
