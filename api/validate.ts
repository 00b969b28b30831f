// Validation at the HTTP edge: parse with a zod schema or throw a validation AppError that
// names every field, so routes trust the parsed value from then on.
import type { z } from 'zod';
import { AppError } from './errors.ts';
import { formatProblem, issueMessage, problemsFromZod } from './schemas/problems.ts';

/**
 * Parse `input` or throw. `where` prefixes problem paths (`path.code`, `query.by`); an empty
 * `where` means the request body, whose paths need no prefix (`date`, `sessions[0].date`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input, { error: issueMessage });
  if (result.success) return result.data;
  const problems = problemsFromZod(result.error, where === '' ? [] : [where]).map((problem) =>
    problem.path === '(document)' ? { ...problem, path: '(body)' } : problem,
  );
  const what = where === '' ? 'request body' : where;
  throw new AppError('validation', `invalid ${what}: ${problems.map(formatProblem).join('; ')}`, problems);
}
