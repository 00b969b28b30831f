// Finds the caller of each API request: an `Authorization: Bearer` API token, or else the
// sign-in session cookie. A cookie-authenticated unsafe request must come from our own origin
// (the Origin header), so another site cannot make a signed-in browser change data. The
// look-ups behind a token or a cookie are the services', passed in by the app (api/app.ts).
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../services/access.ts';
import type { RouteDeps } from './route.ts';

/** How a request's credentials become its caller (api/services/auth-service.ts, requestCallers). */
export interface CallerLookups {
  /** The name of the sign-in session cookie. */
  sessionCookie: string;
  /** The caller of an API token, or null for an unknown, revoked or expired one. */
  byToken(token: string): Promise<Actor | null>;
  /** The caller of a session cookie's value, or null for an unknown or ended session. */
  bySession(session: string): Promise<Actor | null>;
}

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

export function authenticate({ config }: RouteDeps, callers: CallerLookups): RequestHandler {
  return async (req, res, next) => {
    try {
      const authorization = req.get('authorization');
      if (authorization !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        const actor = match ? await callers.byToken(match[1]!) : null;
        if (actor === null) {
          throw new AppError('unauthorized', 'the API token is not valid (unknown, revoked or expired); create one with smp user token NAME');
        }
        res.locals.actor = actor;
        res.locals.authenticatedBy = 'token';
        return next();
      }
      const session = cookieValue(req, callers.sessionCookie);
      if (session !== undefined) {
        const actor = await callers.bySession(session);
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
