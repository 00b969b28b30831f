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
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: formatPath([...prefix, ...issue.path, key]), message: 'is not a field of this format' });
      }
    } else {
      problems.push({ path: formatPath([...prefix, ...issue.path]), message: issue.message });
    }
  }
  return problems;
}
