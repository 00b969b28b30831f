// The one error type services throw. The HTTP layer turns it into application/problem+json and
// the command line into an exit status; neither shows a stack trace to users.
import type { Problem } from './schemas/problems.ts';

export type AppErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'locked'
  | 'precondition_required'
  | 'too_many_requests';

const HTTP_STATUS: Record<AppErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  locked: 423,
  precondition_required: 428,
  too_many_requests: 429,
};

/** The problem+json `title` of each kind. */
export const ERROR_TITLES: Record<AppErrorKind, string> = {
  validation: 'invalid request',
  unauthorized: 'not signed in',
  forbidden: 'forbidden',
  not_found: 'not found',
  method_not_allowed: 'method not allowed',
  conflict: 'conflict',
  gone: 'gone',
  precondition_failed: 'precondition failed',
  payload_too_large: 'payload too large',
  unsupported_media_type: 'unsupported media type',
  locked: 'locked',
  precondition_required: 'precondition required',
  too_many_requests: 'too many requests',
};

export interface AppErrorOptions {
  /** Problems found beyond those listed in `problems` (the list is capped). */
  problemsOmitted?: number;
  /** The message only counts the problems ("the bundle has 3 problems"): show the list under it. */
  summarizes?: boolean;
  /** Extra members of the problem+json body (e.g. `current`, the record as it is now, on a 412). */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly kind: AppErrorKind;
  readonly problems: Problem[];
  readonly problemsOmitted: number;
  readonly summarizes: boolean;
  readonly extra: Record<string, unknown>;

  constructor(kind: AppErrorKind, message: string, problems: Problem[] = [], options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.problems = problems;
    this.problemsOmitted = options.problemsOmitted ?? 0;
    this.summarizes = options.summarizes ?? false;
    this.extra = options.extra ?? {};
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
