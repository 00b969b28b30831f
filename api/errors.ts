// The one error type services throw. The HTTP layer turns it into application/problem+json and
// the command line into an exit status; neither shows a stack trace to users.
import type { Problem } from './schemas/problems.ts';

export type AppErrorKind = 'validation' | 'not_found' | 'conflict';

const HTTP_STATUS: Record<AppErrorKind, number> = { validation: 400, not_found: 404, conflict: 409 };

export class AppError extends Error {
  readonly kind: AppErrorKind;
  readonly problems: Problem[];

  constructor(kind: AppErrorKind, message: string, problems: Problem[] = []) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.problems = problems;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
