// The express application: JSON API under /api, the web dashboard at /. No listen here, so
// tests drive it in-process.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler } from 'express';
import type { Db } from '../db/kysely.ts';
import { isAppError } from './errors.ts';
import { studiesRouter } from './routes/studies.ts';
import { webBundle } from './web-bundle.ts';

export interface AppDeps {
  db: Db;
}

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

/** RFC 9457 problem details; validation problems carry `{path, message}` for every field. */
const problemHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const send = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) =>
    res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }));

  if (isAppError(error)) {
    send(error.httpStatus, error.kind.replace('_', ' '), error.message, { problems: error.problems });
  } else if (error?.type === 'entity.parse.failed') {
    send(400, 'validation', `request body is not valid JSON: ${error.message}`, {
      problems: [{ path: '(body)', message: 'is not valid JSON' }],
    });
  } else if (error?.type === 'entity.too.large') {
    send(413, 'payload too large', `request body is larger than the ${error.limit}-byte limit`);
  } else {
    console.error(error);
    send(500, 'internal error', 'the server could not complete the request; details are in its log');
  }
};

export function createApp({ db }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use('/api', express.json({ limit: '200mb' }));
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
  app.use(problemHandler);
  return app;
}
