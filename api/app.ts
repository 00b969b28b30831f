// The express application: the JSON API under /api (declared in api/routes, described by
// /api/openapi.json), its reference at /api/docs, and the web pages at /. No listen here, so
// tests drive it in-process.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import type { Db } from '../db/kysely.ts';
import { configFromEnv, ENTITY_LIMIT_BYTES, type Config } from './config.ts';
import { AppError, ERROR_TITLES, isAppError } from './errors.ts';
import { authenticate } from './http/authenticate.ts';
import { strictJsonBody } from './http/json-body.ts';
import { mountRoutes } from './http/mount.ts';
import { signInRateLimits } from './http/rate-limit.ts';
import { requestLog, requestLogger } from './http/request-log.ts';
import { bodyOfKinds } from './http/upload-body.ts';
import type { RouteSpec } from './http/route.ts';
import { apiRoutes } from './routes/index.ts';
import { requestCallers } from './services/auth-service.ts';
import { DatabaseRateLimitStore } from './services/rate-limit-store.ts';
import { trustedDeviceOf } from './services/sign-in-guard.ts';
import { mountSurveyPage, surveyScript } from './survey-page.ts';

export interface AppDeps {
  db: Db;
  /** Settings; omitted ones come from the environment. */
  config?: Partial<Config>;
  /** The time now (tests move it); the system clock when omitted. */
  clock?: () => Date;
  /**
   * The web application's script, served at /app.js. `smp serve` passes the development-time
   * rebuild (api/web-bundle.ts); when omitted, the script `npm install` built into dist/web/app.js.
   */
  webScript?: () => Promise<string>;
}

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
const BUILT_WEB_SCRIPT = fileURLToPath(new URL('../dist/web/app.js', import.meta.url));
const SWAGGER_UI_DIR = path.dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
/** Import bodies above this size are read and validated on a worker thread. */
const WORKER_BODY_BYTES = 64 * 1024;
const STATUS_TITLES: Record<number, string> = { 400: 'bad request', 413: 'payload too large', 415: 'unsupported media type' };

/** A small page of ours for paths that match nothing outside the API. */
const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found · SMP outcomes tracker</title></head>
<body><h1>Not found</h1><p>There is no page at this address. <a href="/">Back to the SMP outcomes tracker</a>.</p></body></html>
`;

/** RFC 9457 problem details; validation problems carry `{path, message}` for every field, once. */
const problemHandler = (logger: Logger): ErrorRequestHandler => (error, req, res, _next) => {
  const send = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => {
    if (res.headersSent) return res.destroy();
    res
      .status(status)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title, status, detail, instance: req.originalUrl, ...extra }));
  };

  if (isAppError(error)) {
    if (error.kind === 'method_not_allowed' && typeof error.extra.allow === 'string') res.setHeader('Allow', error.extra.allow);
    const extra: Record<string, unknown> = { ...error.extra };
    if (error.problems.length > 0) extra.problems = error.problems;
    if (error.problemsOmitted > 0) extra.problemsOmitted = error.problemsOmitted;
    // One line: every problem is in `problems`, not repeated in the detail.
    send(error.httpStatus, ERROR_TITLES[error.kind], error.message.split('\n')[0]!, extra);
  } else if (typeof error?.code === 'string' && /^23/.test(error.code)) {
    // A database constraint refused a write that the rules let through: a concurrent change won a race.
    requestLogger(logger, req).warn({ err: error }, 'constraint refused a write');
    send(409, ERROR_TITLES.conflict, 'the change conflicts with another made at the same moment; read the record again and retry');
  } else if (error instanceof URIError && (error as { status?: number }).status === 400) {
    // express decodes path parameters and raises this for a bad percent-encoding such as %ZZ.
    send(400, ERROR_TITLES.validation, 'the request path has a bad percent-encoding', {
      problems: [{ path: '(path)', message: error.message }],
    });
  } else if (error?.expose === true && error.status >= 400 && error.status < 500) {
    // Refusals raised while reading a request (api/http/json-body.ts, express): their message is for the client.
    send(error.status, STATUS_TITLES[error.status] ?? 'bad request', error.message);
  } else {
    requestLogger(logger, req).error({ err: error }, 'request failed');
    send(500, 'internal error', 'the server could not complete the request; details are in its log');
  }
};

/**
 * The body reader of one route: JSON records up to 1 MB; bundles up to the import limit, large
 * ones left for a worker; uploads (a zip, multipart files) for routes that take them, up to the same limit.
 */
function bodyParserFor(config: Config): (route: RouteSpec) => RequestHandler {
  const bundle = strictJsonBody({ limit: config.importLimitBytes, keepAsBytesAbove: WORKER_BODY_BYTES });
  const entity = strictJsonBody({ limit: ENTITY_LIMIT_BYTES });
  return (route) => {
    const json = route.bundleBody ? bundle : entity;
    return route.bodyKinds ? bodyOfKinds(route.bodyKinds, { json, limit: route.bundleBody ? config.importLimitBytes : ENTITY_LIMIT_BYTES }) : json;
  };
}

/** The script `npm install` built, read once (and again after a failed read). */
function builtWebScript(): () => Promise<string> {
  let script: Promise<string> | undefined;
  return () => {
    if (script === undefined) {
      script = fs.promises.readFile(BUILT_WEB_SCRIPT, 'utf8');
      script.catch(() => {
        script = undefined;
      });
    }
    return script;
  };
}

export function createApp({ db, config: overrides = {}, clock = () => new Date(), webScript = builtWebScript() }: AppDeps): express.Express {
  const config: Config = { ...configFromEnv(), ...overrides };
  const deps = { db, config, clock };
  const app = express();
  app.disable('x-powered-by');
  // ETags are record versions, set by the routes; no automatic ones to confuse If-Match.
  app.set('etag', false);
  if (config.trustProxyHops > 0) app.set('trust proxy', config.trustProxyHops);

  // Asynchronous: lines written while one is under way go out together, not one system call each
  // per request; pino flushes what is left when the process exits.
  const logger = pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false }));
  app.use(requestLog(logger));
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      // Served on plain HTTP on a clinic's machine as often as behind TLS: HSTS is the proxy's call.
      strictTransportSecurity: false,
    }),
  );

  const api = express.Router();
  // A study's records are nobody's to keep: no cache stores an answer. And an ETag here is a
  // record's version for If-Match, not a digest of the answer (a participant's counts change
  // without its version), so no conditional GET answers 304 with what a cache held.
  api.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    delete req.headers['if-none-match'];
    delete req.headers['if-modified-since'];
    next();
  });
  api.use(authenticate(deps, requestCallers(deps)));
  api.use(
    signInRateLimits({
      trustedDevice: (cookieHeader) => trustedDeviceOf(db, config, cookieHeader, clock()),
      storeFor: (limitName) => new DatabaseRateLimitStore(db, limitName, clock),
    }),
  );
  mountRoutes(api, apiRoutes, deps, bodyParserFor(config));
  api.get('/docs', (_req, res) => res.sendFile(path.join(WEB_DIR, 'api-docs.html')));
  api.get('/docs/init.js', (_req, res) => res.sendFile(path.join(WEB_DIR, 'api-docs.js')));
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
    api.get(`/docs/${file}`, (_req, res) => res.sendFile(path.join(SWAGGER_UI_DIR, file)));
  }
  api.use((req, _res, next) => next(new AppError('not_found', `no such API endpoint: ${req.method} ${req.baseUrl}${req.path}`)));
  app.use('/api', api);

  // The web application: one script, ready before the first request (see AppDeps.webScript), and
  // its page for every address the application draws.
  webScript().catch(() => {}); // a failed build or read is answered per request below
  app.get('/app.js', async (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'no-cache').send(await webScript());
  });
  const appPage = (_req: express.Request, res: express.Response) => res.sendFile(path.join(WEB_DIR, 'index.html'));
  app.get(['/', '/sign-in', '/users', '/account', '/studies', '/studies/{*rest}'], appPage);
  app.get('/style.css', (_req, res) => res.sendFile(path.join(WEB_DIR, 'style.css')));
  mountSurveyPage(app, surveyScript(webScript));
  app.use((_req, res) => {
    res.status(404).type('html').send(NOT_FOUND_PAGE);
  });
  app.use(problemHandler(logger));
  return app;
}
