// The HTTP server: the port is bound first, before the database opens (which takes seconds on
// the embedded database), so a port in use fails at once and holds nothing. Requests that come
// while the database is still opening get 503 with Retry-After.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/kysely.ts';
import type { Config } from './config.ts';

export interface BoundServer {
  /** The address to print, e.g. http://127.0.0.1:3000/. */
  url: string;
  /** Start answering with the tracker on `db`. */
  serve(db: Db): Promise<void>;
  close(): Promise<void>;
}

const starting: http.RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
  res.end(JSON.stringify({ type: 'about:blank', title: 'starting', status: 503, detail: 'the tracker is starting; try again in a moment' }));
};

/** Bind the configured host and port; fails at once, with the port named, when it is in use. */
export async function bindServer(config: Pick<Config, 'host' | 'port'>): Promise<BoundServer> {
  let handler: http.RequestListener = starting;
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${config.port} on ${config.host} is in use; choose another with --port N or PORT`)
          : error.code === 'EACCES'
            ? new Error(`port ${config.port} on ${config.host} needs privileges; choose one above 1023 with --port N or PORT`)
            : error,
      ),
    );
    server.listen(config.port, config.host);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/`,
    async serve(db) {
      const { createApp } = await import('./app.ts');
      handler = createApp({ db });
    },
    // Stops accepting, lets requests under way finish (an import commits or rolls back whole).
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Bind and serve `db` at once (tests and embedding). */
export async function startServer(db: Db, config: Pick<Config, 'host' | 'port'>): Promise<Omit<BoundServer, 'serve'>> {
  const server = await bindServer(config);
  await server.serve(db);
  return server;
}
