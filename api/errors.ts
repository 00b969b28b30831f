// The one error type services throw. The HTTP layer turns it into application/problem+json and
// the command line into an exit status; neither shows a stack trace to users.
import type { Problem } from './schemas/problems.ts';

export type AppErrorKind = 'validation' | 'not_found' | 'conflict';

const HTTP_STATUS: Record<AppErrorKind, number> = { validation: 400, not_found: 404, conflict: 409 };

export interface AppErrorOptions {
  /** Problems found beyond those listed in `problems` (the list is capped). */
  problemsOmitted?: number;
  /** The message only counts the problems ("the bundle has 3 problems"): show the list under it. */
  summarizes?: boolean;
}

export class AppError extends Error {
  readonly kind: AppErrorKind;
  readonly problems: Problem[];
  readonly problemsOmitted: number;
  readonly summarizes: boolean;

  constructor(kind: AppErrorKind, message: string, problems: Problem[] = [], options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.problems = problems;
    this.problemsOmitted = options.problemsOmitted ?? 0;
    this.summarizes = options.summarizes ?? false;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
