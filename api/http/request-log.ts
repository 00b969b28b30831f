// The request log: one JSON line per request on the logger (pino), written when the response ends:
// the request id, method and path without its query, the status, the response time in ms, and the
// user once one is known. Never a header, cookie or token. A response that fails (a 5xx or an
// error on its stream) is logged with its error as 'request errored'; one whose client went away
// before it was sent, as 'request aborted'.
//
// Written here rather than with pino-http, which made two or three child loggers per request: on
// the record write path, the log cost about a twentieth of the server's CPU.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** A request id given in X-Request-Id that is kept; any other is replaced by a new one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

const summaries = new WeakMap<Request, { id: string; method: string; path: string }>();

/** What the log says of a request: its id, method and path without the query. */
function summaryOf(req: Request, id: string) {
  const queryAt = req.url.indexOf('?');
  return { id, method: req.method, path: queryAt < 0 ? req.url : req.url.slice(0, queryAt) };
}

/** The request's id (echoed in X-Request-Id and kept in res.locals.requestId: mount.ts requestIdOf) and its log line when it ends. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.locals.requestId = id;
    const summary = summaryOf(req, id);
    summaries.set(req, summary);
    let logged = false;
    const done = (error?: unknown) => {
      if (logged) return;
      logged = true;
      const actor = res.locals.actor as { username: string } | undefined;
      const line: Record<string, unknown> = {
        ...(actor ? { user: actor.username } : {}),
        req: summary,
        res: { status: res.statusCode },
        responseTime: Date.now() - started,
      };
      if (error !== undefined || res.statusCode >= 500) {
        line.err = error ?? new Error(`failed with status code ${res.statusCode}`);
        logger.info(line, 'request errored');
      } else {
        logger.info(line, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
      }
    };
    res.once('finish', () => done());
    res.once('close', () => done());
    res.once('error', (error: unknown) => done(error));
    next();
  };
}

/** A logger for what happens while answering `req`, its lines naming the request. */
export function requestLogger(logger: Logger, req: Request): Logger {
  return logger.child({ req: summaries.get(req) ?? summaryOf(req, '') });
}
