// Finds the caller of each API request: an `Authorization: Bearer` API token, or else the
// sign-in session cookie. A cookie-authenticated unsafe request must come from our own origin
// (the Origin header), so another site cannot make a signed-in browser change data.
import type { Request, RequestHandler } from 'express';
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

/** The origin the browser must show: the request's own scheme and host. */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? ''}`;
}

export function authenticate({ db, config }: RouteDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const authorization = req.get('authorization');
      if (authorization !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
        const actor = match ? await actorForToken(db, match[1]!) : null;
        if (actor === null) {
          throw new AppError('unauthorized', 'the API token is not valid (unknown, revoked or expired); create one with smp user token NAME');
        }
        res.locals.actor = actor;
        return next();
      }
      const session = cookieValue(req, SESSION_COOKIE);
      if (session !== undefined) {
        const actor = await actorForSession(db, session, config.sessionIdleMinutes);
        if (actor !== null) {
          if (!SAFE_METHODS.has(req.method)) {
            const origin = req.get('origin');
            if (origin !== ownOrigin(req) && (config.publicUrl === undefined || origin !== new URL(config.publicUrl).origin)) {
              throw new AppError('forbidden', `a signed-in change must come from this site's own pages (Origin ${origin ?? 'missing'})`);
            }
          }
          res.locals.actor = actor;
        }
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
