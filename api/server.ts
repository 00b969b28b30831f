// Starts the HTTP server on the configured host and port.
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/kysely.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(db: Db, config: Pick<Config, 'host' | 'port'>): Promise<RunningServer> {
  const app = createApp({ db });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${config.port} is in use; choose another with --port N or PORT`) : error),
    );
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
