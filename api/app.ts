// The express application: JSON API under /api, the web dashboard at /. No listen here, so
// tests drive it in-process.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler } from 'express';
import type { Db } from '../db/kysely.ts';
import { isAppError } from './errors.ts';
import { strictJsonBody } from './http/json-body.ts';
import { studiesRouter } from './routes/studies.ts';
import { webBundle } from './web-bundle.ts';

export interface AppDeps {
  db: Db;
}

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

const STATUS_TITLES: Record<number, string> = { 413: 'payload too large', 415: 'unsupported media type' };

/** A small page of ours for paths that match nothing outside the API. */
const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found · SMP outcomes tracker</title></head>
<body><h1>Not found</h1><p>There is no page at this address. <a href="/">Back to the SMP outcomes tracker</a>.</p></body></html>
`;

/** RFC 9457 problem details; validation problems carry `{path, message}` for every field (the first 1,000). */
const problemHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const send = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) =>
    res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }));

  if (isAppError(error)) {
    const omitted = error.problemsOmitted > 0 ? { problemsOmitted: error.problemsOmitted } : {};
    send(error.httpStatus, error.kind.replace('_', ' '), error.message, { problems: error.problems, ...omitted });
  } else if (error instanceof URIError && (error as { status?: number }).status === 400) {
    // express decodes path parameters and raises this for a bad percent-encoding such as %ZZ.
    send(400, 'validation', 'the request path has a bad percent-encoding', {
      problems: [{ path: '(path)', message: error.message }],
    });
  } else if (error?.expose === true && error.status >= 400 && error.status < 500) {
    // Refusals raised while reading a request (api/http/json-body.ts, express): their message is for the client.
    send(error.status, STATUS_TITLES[error.status] ?? 'bad request', error.message);
  } else {
    console.error(error);
    send(500, 'internal error', 'the server could not complete the request; details are in its log');
  }
};

export function createApp({ db }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Bundles can be large: above 64 KiB an import is read and validated on a worker thread.
  app.post('/api/studies', strictJsonBody({ limit: '200mb', keepAsBytesAbove: 64 * 1024 }));
  app.use('/api', strictJsonBody({ limit: '1mb' }));
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', database: db.driver });
  });
  app.use('/api/studies', studiesRouter(db));
  app.use('/api', (_req, res) => {
    res.status(404).type('application/problem+json').send(
      JSON.stringify({ type: 'about:blank', title: 'not found', status: 404, detail: 'no such API endpoint' }),
    );
  });
  app.get('/main.js', async (_req, res) => {
    res.type('text/javascript').send(await webBundle());
  });
  app.get('/', (_req, res) => res.sendFile(path.join(WEB_DIR, 'index.html')));
  app.get('/style.css', (_req, res) => res.sendFile(path.join(WEB_DIR, 'style.css')));
  app.use((_req, res) => {
    res.status(404).type('html').send(NOT_FOUND_PAGE);
  });
  app.use(problemHandler);
  return app;
}
