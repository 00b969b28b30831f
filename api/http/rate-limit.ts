// Rate limits on the routes that take a secret: signing in, changing a password, and using a
// one-time link. Only failed attempts count (a clinic's staff share one address). The limit is
// per client address, except for a browser with a valid device cookie (a browser that has signed
// in before), which has a limit of its own: an attacker's failures from the same address (a
// clinic behind one router) do not hold it back. Accounts are also locked against untrusted
// browsers after repeated failures (api/services/sign-in-guard.ts). The counts are kept in the
// database (api/services/rate-limit-store.ts), so that every server process on it adds them up.
import express, { type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { AppError } from '../errors.ts';

/**
 * The trusted browser a request's Cookie header shows (a valid device cookie), as a key of its
 * own, or null: the sign-in guard's check (trustedDeviceOf), passed in by the app (api/app.ts).
 */
export type TrustedDevice = (cookieHeader: string | undefined) => Promise<string | null>;

/** What the limits are given by the app: the trusted-browser check and a shared count store per limit. */
export interface RateLimitDeps {
  trustedDevice: TrustedDevice;
  /** The store that counts one limit's failures (in the database, so every server process adds them up). */
  storeFor: (limitName: string) => Store;
}

/** Failed attempts a client address may make in a window before it is refused (429). */
export const FAILED_ATTEMPTS_PER_WINDOW = 10;
export const WINDOW_MINUTES = 5;

/** The counting key of a request: its trusted browser's device, or else its address. */
async function clientKey(req: Request, trustedDevice: TrustedDevice): Promise<string> {
  const device = await trustedDevice(req.headers.cookie);
  return device !== null ? `device:${device}` : `address:${ipKeyGenerator(req.ip ?? '')}`;
}

function limiter(name: string, what: string, deps: RateLimitDeps): RequestHandler {
  return rateLimit({
    keyGenerator: (req) => clientKey(req, deps.trustedDevice),
    windowMs: WINDOW_MINUTES * 60_000,
    limit: FAILED_ATTEMPTS_PER_WINDOW,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    store: deps.storeFor(name),
    // Forwarded addresses are believed only with SMP_TRUST_PROXY (express's trust proxy); the
    // configuration table in api/README.md says when to set it, so the library's own console
    // warning is not needed.
    validate: { xForwardedForHeader: false },
    handler: (req, _res, next) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      // The store gives the window's end on Date.now()'s clock, as the library reads it.
      const minutes = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 60_000)) : WINDOW_MINUTES;
      next(new AppError('too_many_requests', `too many failed ${what} from your address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`));
    },
  });
}

/** The limits, as one middleware for the API router (paths relative to /api). Apps on one database share their counts. */
export function signInRateLimits(deps: RateLimitDeps): RequestHandler {
  const router = express.Router();
  router.post(['/auth/sign-in', '/auth/password'], limiter('sign-in', 'sign-ins', deps));
  router.post(['/auth/invite', '/auth/sign-in-link', '/auth/link-info'], limiter('one-time-links', 'uses of one-time links', deps));
  router.post(['/survey-links/open', '/survey-links/answer'], limiter('survey-links', 'uses of survey links', deps));
  return router;
}
