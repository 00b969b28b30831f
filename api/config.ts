// Configuration from the environment, read and checked in one place.
import path from 'node:path';
import { DEFAULT_CONNECT_TIMEOUT_MS, parseDatabaseUrl } from '../db/postgres-url.ts';

export interface Config {
  /** PostgreSQL server URL; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** PGlite data directory (`SMP_DATA_DIR`, default ./data). */
  dataDir: string;
  /** How long to wait for a PostgreSQL server to accept a connection (`SMP_DB_CONNECT_TIMEOUT`, seconds, default 10). */
  connectTimeoutMs: number;
  /** HTTP port (`PORT`, default 3000). */
  port: number;
  /** HTTP bind address (`HOST`, default 127.0.0.1). */
  host: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (got "${env.PORT}")`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) parseDatabaseUrl(databaseUrl); // refuses a URL that is not postgres:// now, not at first use
  const timeout = env.SMP_DB_CONNECT_TIMEOUT;
  const timeoutSeconds = timeout === undefined || timeout === '' ? DEFAULT_CONNECT_TIMEOUT_MS / 1000 : Number(timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error(`SMP_DB_CONNECT_TIMEOUT must be a number of seconds above 0 (got "${timeout}")`);
  }
  return {
    databaseUrl,
    dataDir: path.resolve(env.SMP_DATA_DIR || 'data'),
    connectTimeoutMs: Math.round(timeoutSeconds * 1000),
    port,
    host: env.HOST || '127.0.0.1',
  };
}

/** The database options of a configuration, for `openMigratedDb`. */
export function dbOptions(config: Config) {
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: config.connectTimeoutMs };
}
