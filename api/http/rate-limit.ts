// Rate limits on the routes that take a secret: signing in, changing a password, and using a
// one-time link. Only failed attempts count (a clinic's staff share one address), and the limit
// is per client address; each account is also locked after repeated failures (auth-service).
import express, { type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../errors.ts';

/** Failed attempts a client address may make in a window before it is refused (429). */
export const FAILED_ATTEMPTS_PER_WINDOW = 10;
export const WINDOW_MINUTES = 5;

function limiter(name: string, what: string): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MINUTES * 60_000,
    limit: FAILED_ATTEMPTS_PER_WINDOW,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    // Forwarded addresses are believed only with SMP_TRUST_PROXY (express's trust proxy); the
    // README says when to set it, so the library's own console warning is not needed.
    validate: { xForwardedForHeader: false },
    handler: (req, _res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const minutes = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 60_000)) : WINDOW_MINUTES;
      next(new AppError('too_many_requests', `too many failed ${what} from your address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`));
    },
  });
}

/** The limits, as one middleware for the API router (paths relative to /api). Each app has its own counts. */
export function signInRateLimits(): RequestHandler {
  const router = express.Router();
  router.post(['/auth/sign-in', '/auth/password'], limiter('sign-in', 'sign-ins'));
  router.post(['/auth/invite', '/auth/sign-in-link', '/auth/link-info'], limiter('one-time-links', 'uses of one-time links'));
  return router;
}
