// Mounts declared routes on express. Before the body is read: authentication, the path and the
// route's permission, so that a refusal does not depend on the body. Then the query, headers and
// body are validated at the edge and the handler runs; a reply becomes JSON with its status,
// ETag and Location. Every declared path also answers other methods with 405 and an Allow header.
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Actor, ChangeContext } from '../services/access.ts';
import { parseOrThrow } from '../validate.ts';
import { authenticatedBy } from './authenticate.ts';
import { authorizeBody, authorizePath } from './authorize.ts';
import type { Reply, RouteDeps, RouteSpec } from './route.ts';

const REASON_HEADER = 'X-Change-Reason';
const REASON_MAX_LENGTH = 2000;

/** The caller the authentication middleware found, if any. */
export function actorOf(res: Response): Actor | null {
  return (res.locals.actor as Actor | undefined) ?? null;
}

export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? '');
}

/** `"42"` → `42`; a list takes its first entry; `*` and weak tags are refused with the header's path. */
export function parseIfMatch(header: string | undefined): string | null {
  if (header === undefined || header.trim() === '') return null;
  const first = header.split(',')[0]!.trim();
  const match = /^"(\d{1,19})"$/.exec(first);
  if (!match) {
    throw new AppError('validation', `If-Match must be the ETag you read, such as "42" (got ${first})`, [
      { path: '(header) If-Match', message: `must be the ETag of the version you read, such as "42" (got ${first})` },
    ]);
  }
  return match[1]!;
}

/** The reason for change, percent-decoded, or null when absent. */
export function parseChangeReason(header: string | undefined): string | null {
  if (header === undefined) return null;
  let reason: string;
  try {
    reason = decodeURIComponent(header).trim();
  } catch {
    throw new AppError('validation', `${REASON_HEADER} is not valid percent-encoded UTF-8`, [
      { path: `(header) ${REASON_HEADER}`, message: 'is not valid percent-encoded UTF-8' },
    ]);
  }
  const problem =
    reason === ''
      ? 'must not be empty'
      : reason.length > REASON_MAX_LENGTH
        ? `must have at most ${REASON_MAX_LENGTH} characters`
        : reason.includes('\u0000') || !reason.isWellFormed()
          ? 'contains a character that cannot be stored'
          : null;
  if (problem) throw new AppError('validation', `${REASON_HEADER} ${problem}`, [{ path: `(header) ${REASON_HEADER}`, message: problem }]);
  return reason;
}

function requireReason(reason: string | null): void {
  if (reason === null) {
    throw new AppError('validation', `a reason for change is required in the ${REASON_HEADER} header (percent-encoded UTF-8)`, [
      { path: `(header) ${REASON_HEADER}`, message: 'is required: say why the record changes' },
    ]);
  }
}

function send(res: Response, reply: Reply): void {
  if (reply.version !== undefined) res.setHeader('ETag', `"${reply.version}"`);
  if (reply.location !== undefined) res.location(reply.location);
  res.status(reply.status ?? 200);
  if (reply.body === undefined) res.end();
  else res.json(reply.body);
}

/**
 * The checks that come before the body is read: who is calling (401), the path, and the route's
 * permission (403, or 404 for what is outside the caller's scope). The parsed path goes on to the handler.
 */
function gateFor(route: RouteSpec, deps: RouteDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const actor = actorOf(res);
      if (route.auth === 'user' && actor === null) {
        throw new AppError('unauthorized', 'sign in, or send an API token as Authorization: Bearer …');
      }
      const params = (route.params ? parseOrThrow(route.params, req.params, 'path') : {}) as Record<string, unknown>;
      if (route.permission && actor !== null) await authorizePath(route.permission, actor, params, deps, authenticatedBy(res) ?? 'session');
      res.locals.routeParams = params;
      next();
    } catch (error) {
      next(error);
    }
  };
}

function handlerFor(route: RouteSpec, deps: RouteDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const actor = actorOf(res);
      const params = res.locals.routeParams as Record<string, unknown>;
      const query = route.query ? parseOrThrow(route.query, req.query, 'query') : {};
      const reason = parseChangeReason(req.get(REASON_HEADER));
      const ifMatch = parseIfMatch(req.get('If-Match'));
      if (route.changeReason === 'required') requireReason(reason);
      if (route.ifMatch && ifMatch === null) {
        throw new AppError('precondition_required', 'send If-Match with the ETag of the version you read, so that no one else’s change is overwritten', [
          { path: '(header) If-Match', message: 'is required: send the ETag of the version you read' },
        ]);
      }
      if (route.permission && actor !== null) authorizeBody(route.permission, actor, params, req.body);
      const parsed = route.body ? parseOrThrow(route.body as z.ZodType, req.body, '') : undefined;
      // A merge patch goes on as sent once checked: a field not sent must stay absent, not take its default.
      const body = route.body ? (route.mergePatch ? req.body : parsed) : route.unvalidatedBody ? req.body : undefined;
      const requestId = requestIdOf(res);
      const reply = await route.handler({
        deps,
        actor,
        params,
        query,
        body,
        ifMatch,
        requestId,
        change(): ChangeContext {
          if (actor === null) throw new AppError('unauthorized', 'sign in to make changes');
          return { actor, reason, requestId };
        },
        req,
        res,
      });
      if (reply !== undefined) send(res, reply);
    } catch (error) {
      next(error);
    }
  };
}

/** Express-style `:name` → OpenAPI `{name}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/**
 * Mount `routes` on `router`. `bodyParser(route)` gives the body middleware of a route with a
 * body (the import limit for bundles, the entity limit for records).
 */
export function mountRoutes(router: Router, routes: readonly RouteSpec[], deps: RouteDeps, bodyParser: (route: RouteSpec) => RequestHandler): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.mergePatch && !route.body) throw new Error(`${route.operationId}: a merge-patch route needs the body's schema`);
    const handlers: RequestHandler[] = [gateFor(route, deps)];
    if (route.body || route.unvalidatedBody) handlers.push(bodyParser(route));
    handlers.push(handlerFor(route, deps));
    router[route.method](route.path, ...handlers);
    let methods = methodsByPath.get(route.path);
    if (!methods) methodsByPath.set(route.path, (methods = new Set()));
    methods.add(route.method.toUpperCase());
    if (route.method === 'get') methods.add('HEAD');
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods].sort().join(', ');
    router.all(path, (req, _res, next) => {
      next(new AppError('method_not_allowed', `${req.method} is not allowed on ${req.baseUrl}${req.path}; use ${allow}`, [], { extra: { allow } }));
    });
  }
}
