// Configuration from the environment, read in one place.
import path from 'node:path';

export interface Config {
  /** PostgreSQL server URL; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** PGlite data directory (`SMP_DATA_DIR`, default ./data). */
  dataDir: string;
  /** HTTP port (`PORT`, default 3000). */
  port: number;
  /** HTTP bind address (`HOST`, default 127.0.0.1). */
  host: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (got "${env.PORT}")`);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.SMP_DATA_DIR || 'data'),
    port,
    host: env.HOST || '127.0.0.1',
  };
}
