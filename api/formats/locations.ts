// Where each record of a bundle read from tables came from, so that a problem found by bundle
// validation (located by a bundle path such as `participants[3].sessions[1].date`) is reported
// at the file, row and column the value was read from.
import type { Problem } from '../schemas/problems.ts';
import { locatedProblem, type LocatedProblem } from './types.ts';

export interface RecordLocation {
  file: string;
  /** Row of the record (the header is row 1); null for a record that is a whole file (study.json). */
  row: number | null;
  /** Column of each field, by the field's path inside the record (`date`, `protocol.followUpMonths.to`). */
  columns: Readonly<Record<string, string>>;
}

const SEGMENT = /[^.[\]]+|\[\d+\]/g;

/** The bundle paths of a record path's prefixes, longest first: `a[1].b[2].c`, `a[1].b[2]`, `a[1].b`, … */
function prefixes(path: string): Array<{ prefix: string; rest: string }> {
  const segments = path.match(SEGMENT) ?? [];
  const out: Array<{ prefix: string; rest: string }> = [];
  for (let length = segments.length; length > 0; length--) {
    const join = (parts: string[]) => parts.reduce((acc, part, i) => (part.startsWith('[') || i === 0 ? acc + part : `${acc}.${part}`), '');
    out.push({ prefix: join(segments.slice(0, length)), rest: join(segments.slice(length)) });
  }
  return out;
}

export class LocationIndex {
  private readonly records = new Map<string, RecordLocation>();

  /**
   * @param fallback where a problem goes whose path names no indexed record (e.g. `participants`
   *   when the list is malformed, or a record read from a JSON file): a file, and a row and
   *   column if they apply
   */
  constructor(private readonly fallback: (path: string) => { file: string; row: number | null; column?: string | null }) {}

  /** Record that the bundle record at `path` was read from `location`. */
  add(path: string, location: RecordLocation): void {
    this.records.set(path, location);
  }

  /** Where a bundle record came from: `participants.csv row 4`. */
  describe(path: string): string | undefined {
    const location = this.records.get(path);
    if (location === undefined) return undefined;
    return location.row === null ? location.file : `${location.file} row ${location.row}`;
  }

  /** The problem at the file, row and column its bundle path was read from. */
  locate(problem: Problem): LocatedProblem {
    const message = this.rewriteReferences(problem.path, problem.message);
    for (const { prefix, rest } of prefixes(problem.path)) {
      const location = this.records.get(prefix);
      if (location === undefined) continue;
      return locatedProblem(location.file, location.row, columnOf(location, rest), message);
    }
    const { file, row, column } = this.fallback(problem.path);
    return locatedProblem(file, row, column ?? null, message);
  }

  /**
   * Validation messages name other records by bundle path ("is already used by sessions[0]");
   * name them by file and row instead. Lists inside a participant are relative to the
   * participant the problem is in.
   */
  private rewriteReferences(path: string, message: string): string {
    const participant = /^participants\[\d+\]/.exec(path)?.[0];
    return message
      .replace(/\b(?:sites|practitioners|participants)\[\d+\]/g, (ref) => this.describe(ref) ?? ref)
      .replace(/(?<![.\w])(?:sessions|adverseEvents|fadingAssessments|surveys)\[\d+\]/g, (ref) =>
        participant === undefined ? ref : (this.describe(`${participant}.${ref}`) ?? ref),
      );
  }
}

function columnOf(location: RecordLocation, rest: string): string | null {
  if (rest === '') return null;
  const exact = location.columns[rest];
  if (exact !== undefined) return exact;
  // A problem about a group of fields (e.g. the follow-up window as a whole) goes to its first column.
  const inside = Object.entries(location.columns).find(([field]) => field.startsWith(`${rest}.`));
  if (inside !== undefined) return inside[1];
  const outer = Object.entries(location.columns).find(([field]) => rest.startsWith(`${field}.`) || rest.startsWith(`${field}[`));
  return outer === undefined ? null : outer[1];
}
