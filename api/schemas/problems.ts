// Turns zod issues into problems users can read: a JSON path and one plain sentence each,
// e.g. `participants[3].sessions[1].date: 2021-02-30 is not a calendar date`.
import type { z } from 'zod';

/** One thing wrong with an input, located by its JSON path. */
export interface Problem {
  path: string;
  message: string;
}

export type PathSegment = PropertyKey;

/** `['participants', 3, 'sessions', 1, 'date']` → `participants[3].sessions[1].date`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(document)' : out;
}

export function formatProblem(problem: Problem): string {
  return `${problem.path}: ${problem.message}`;
}

/** How many problems an error lists; the rest are counted, so hostile input stays cheap to report. */
export const MAX_REPORTED_PROBLEMS = 1000;

/** Sorts like the formatted path, with list positions compared as numbers. */
export function documentOrderKey(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${String(segment).padStart(10, '0')}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Keeps the first `limit` items in the order `compare` gives (equal items in the order added) and
 * counts the rest, in memory bounded by the limit however many are added.
 */
export class FirstInOrder<T> {
  total = 0;
  private kept: T[] = [];
  /** Once trimmed, the last kept item: items sorting at or after it cannot be among the first. */
  private cutoff: T | undefined;

  constructor(
    readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  add(item: T): void {
    this.total++;
    if (this.cutoff !== undefined && this.compare(item, this.cutoff) >= 0) return;
    this.kept.push(item);
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  private trim(): void {
    // Array.prototype.sort is stable, so equal items keep the order they were added in.
    this.kept.sort(this.compare);
    if (this.kept.length > this.limit) {
      this.kept.length = this.limit;
      this.cutoff = this.kept[this.limit - 1];
    }
  }

  /** The first items in order, and how many more there were. */
  result(): { kept: T[]; omitted: number } {
    this.trim();
    return { kept: [...this.kept], omitted: this.total - this.kept.length };
  }
}

interface Collected {
  key: string;
  path: readonly PathSegment[];
  message: string;
}

const byKey = (a: Collected, b: Collected) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Where a validation hands its problems, one by one, with unformatted paths. */
export interface ProblemSink {
  add(path: readonly PathSegment[], message: string): void;
  /** How many problems were handed over so far. */
  readonly total: number;
}

/**
 * Keeps the first `limit` problems in document order (by path, list positions as numbers; equal
 * paths in the order found) and counts the rest, in memory bounded by the limit whatever the input.
 */
export class ProblemCollector implements ProblemSink {
  private readonly first: FirstInOrder<Collected>;

  constructor(readonly limit: number = MAX_REPORTED_PROBLEMS) {
    this.first = new FirstInOrder(limit, byKey);
  }

  get total(): number {
    return this.first.total;
  }

  add(path: readonly PathSegment[], message: string): void {
    this.first.add({ key: documentOrderKey(path), path, message });
  }

  /** The reported problems in document order, and how many more there were. */
  result(): { problems: Problem[]; omitted: number } {
    const { kept, omitted } = this.first.result();
    return { problems: kept.map(({ path, message }) => ({ path: formatPath(path), message })), omitted };
  }
}

/** `the bundle has 3 problems`: a count in words for summaries. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const shown = JSON.stringify(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
}

const TYPE_NAMES: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const UNIT_NAMES: Record<string, [string, string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
};

function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, direction: 'min' | 'max'): string {
  const units = UNIT_NAMES[issue.origin];
  if (units) {
    if (direction === 'min' && Number(limit) === 1) return issue.origin === 'string' ? 'must not be empty' : 'must not be empty';
    const unit = Number(limit) === 1 ? units[0] : units[1];
    return direction === 'min' ? `must have at least ${limit} ${unit}` : `must have at most ${limit} ${unit}`;
  }
  if (direction === 'min') return issue.inclusive === false ? `must be greater than ${limit}` : `must be at least ${limit}`;
  return issue.inclusive === false ? `must be less than ${limit}` : `must be at most ${limit}`;
}

/** The sentence for one zod issue (custom messages set in a schema win over this). */
export function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const format = (issue as { inst?: { _zod?: { def?: { format?: string } } } }).inst?._zod?.def?.format;
      const expected = format?.includes('int') ? TYPE_NAMES.int : (TYPE_NAMES[issue.expected] ?? issue.expected);
      return `must be ${expected} (got ${describeValue(issue.input)})`;
    }
    case 'too_small': {
      const got = typeof issue.input === 'number' ? ` (got ${issue.input})` : '';
      return bound(issue, issue.minimum, 'min') + (issue.origin === 'number' ? got : '');
    }
    case 'too_big': {
      const got = typeof issue.input === 'number' ? ` (got ${issue.input})` : '';
      return bound(issue, issue.maximum, 'max') + (issue.origin === 'number' ? got : '');
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')} (got ${describeValue(issue.input)})`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_format':
      return `${describeValue(issue.input)} is not in the expected format`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)} (got ${describeValue(issue.input)})`;
    default:
      return issue.message ?? 'is not valid';
  }
}

/** Problems for every issue of a failed zod parse; unknown fields are reported at their own path. */
export function problemsFromZod(error: z.ZodError, prefix: readonly PathSegment[] = []): Problem[] {
  const problems: Problem[] = [];
  collectZodProblems(error.issues, prefix, (path, message) => problems.push({ path: formatPath(path), message }));
  return problems;
}

/** The same problems as problemsFromZod, handed one by one to `report` with unformatted paths. */
export function collectZodProblems(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PathSegment[],
  report: (path: PathSegment[], message: string) => void,
): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) report([...prefix, ...issue.path, key], 'is not a field of this format');
    } else {
      report([...prefix, ...issue.path], issue.message);
    }
  }
}
