// Finds the caller of each API request: an `Authorization: Bearer` API token, or else the
// sign-in session cookie. A cookie-authenticated unsafe request must come from our own origin
// (the Origin header), so another site cannot make a signed-in browser change data.
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { actorForSession, actorForToken, SESSION_COOKIE } from '../services/auth-service.ts';
import type { RouteDeps } from './route.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request, or undefined. */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether `origin` is this site: the request's own scheme and host, or SMP_PUBLIC_URL's origin. */
export function isOwnOrigin(req: Request, config: Pick<Config, 'publicUrl'>, origin: string | undefined): boolean {
  if (origin === undefined) return false;
  if (origin === `${req.protocol}://${req.get('host') ?? ''}`) return true;
  return config.publicUrl !== undefined && origin === new URL(config.publicUrl).origin;
}

/** How the request was authenticated, for GET /api/auth/me. */
export function authenticatedBy(res: Response): 'session' | 'token' | null {
  return (res.locals.authenticatedBy as 'session' | 'token' | undefined) ?? null;
}

export function authenticate({ db, config, clock }: RouteDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const authorization = req.get('authorization');
      if (authorization !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        const actor = match ? await actorForToken(db, match[1]!, config.authCacheSeconds, clock) : null;
        if (actor === null) {
          throw new AppError('unauthorized', 'the API token is not valid (unknown, revoked or expired); create one with smp user token NAME');
        }
        res.locals.actor = actor;
        res.locals.authenticatedBy = 'token';
        return next();
      }
      const session = cookieValue(req, SESSION_COOKIE);
      if (session !== undefined) {
        const actor = await actorForSession(
          db,
          session,
          { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours },
          config.authCacheSeconds,
          clock,
        );
        if (actor !== null) {
          if (!SAFE_METHODS.has(req.method)) {
            const origin = req.get('origin');
            if (!isOwnOrigin(req, config, origin)) {
              throw new AppError('forbidden', `a signed-in change must come from this site's own pages (Origin ${origin ?? 'missing'})`);
            }
          }
          res.locals.actor = actor;
          res.locals.authenticatedBy = 'session';
        }
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
