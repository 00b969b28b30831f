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
  /** The address users open, for links the server and `smp user` print (`SMP_PUBLIC_URL`; default from HOST and PORT). */
  publicUrl: string | undefined;
  /** Minutes of inactivity after which a sign-in session ends (`SMP_SESSION_IDLE_MINUTES`, default 30). */
  sessionIdleMinutes: number;
  /** Hours after signing in at which a sign-in session ends however busy (`SMP_SESSION_MAX_HOURS`, default 12). */
  sessionMaxHours: number;
  /** Failed sign-ins in a row that lock an account (`SMP_SIGN_IN_MAX_FAILURES`, default 5). */
  signInMaxFailures: number;
  /** Minutes a locked account stays locked (`SMP_SIGN_IN_LOCK_MINUTES`, default 15). */
  signInLockMinutes: number;
  /** Seconds a token's or session's user is remembered between look-ups (`SMP_AUTH_CACHE_SECONDS`, default 5; 0: every request). */
  authCacheSeconds: number;
  /** Counts below this are suppressed in other sites' figures shown to a clinic (`SMP_SUPPRESS_BELOW`, default 5). */
  suppressBelow: number;
  /** Largest bundle import body in bytes (`SMP_IMPORT_LIMIT_MB`, default 200). */
  importLimitBytes: number;
  /**
   * Reverse proxies in front of the server whose X-Forwarded-For/-Proto to believe
   * (`SMP_TRUST_PROXY`, default 0: none). With 1, the client address and HTTPS are taken from the
   * proxy, so that rate limits count clients, not the proxy, and the cookie is marked Secure.
   */
  trustProxyHops: number;
  /** Request log level: fatal, error, warn, info, debug or silent (`SMP_LOG_LEVEL`, default info). */
  logLevel: string;
  /** Seconds a client has to send a request's headers (`SMP_HEADERS_TIMEOUT_SECONDS`, default 20). */
  headersTimeoutSeconds: number;
  /** Seconds a client has to send a whole request, headers and body (`SMP_REQUEST_TIMEOUT_SECONDS`, default 180). */
  requestTimeoutSeconds: number;
  /** Seconds an idle kept-alive connection stays open for the next request (`SMP_KEEP_ALIVE_TIMEOUT_SECONDS`, default 10). */
  keepAliveTimeoutSeconds: number;
  /** Days a browser that signed in stays trusted for its user (`SMP_DEVICE_TRUST_DAYS`, default 30). */
  deviceTrustDays: number;
  /** The IANA time zone whose date is "today" for the worklist (`SMP_TIME_ZONE`; default the server's). */
  timeZone?: string | undefined;
}

/**
 * Time limits of the HTTP server. A request's headers are a few kilobytes: 20 seconds carry them
 * over the slowest line with room for its latency. A whole request gets 180 seconds: the largest
 * study we load, 20,000 participants, is a 40 MB bundle, which a clinic's 2 Mbit/s uplink sends
 * in 160 seconds (gzip-compressed, 1.9 MB, in 8). An idle kept-alive connection closes after 10
 * seconds: long enough for a page's next click, short enough not to hold sockets for nobody.
 */
export const DEFAULT_TIMEOUTS = { headers: 20, request: 180, keepAlive: 10 } as const;

/** Largest body of a record-level request: one record is small. */
export const ENTITY_LIMIT_BYTES = 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (got "${env.PORT}")`);
  const logLevel = env.SMP_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`SMP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const publicUrl = env.SMP_PUBLIC_URL || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new Error(`SMP_PUBLIC_URL must be an http:// or https:// address (got "${publicUrl}")`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) parseDatabaseUrl(databaseUrl); // refuses a URL that is not postgres:// now, not at first use
  const timeout = env.SMP_DB_CONNECT_TIMEOUT;
  const timeoutSeconds = timeout === undefined || timeout === '' ? DEFAULT_CONNECT_TIMEOUT_MS / 1000 : Number(timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error(`SMP_DB_CONNECT_TIMEOUT must be a number of seconds above 0 (got "${timeout}")`);
  }
  const headersTimeoutSeconds = wholeNumber(env, 'SMP_HEADERS_TIMEOUT_SECONDS', DEFAULT_TIMEOUTS.headers, 1, 3600);
  const requestTimeoutSeconds = wholeNumber(env, 'SMP_REQUEST_TIMEOUT_SECONDS', DEFAULT_TIMEOUTS.request, 1, 24 * 3600);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new Error(
      `SMP_HEADERS_TIMEOUT_SECONDS (${headersTimeoutSeconds}) must not be more than SMP_REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds}): the headers are part of the request`,
    );
  }
  return {
    databaseUrl,
    dataDir: path.resolve(env.SMP_DATA_DIR || 'data'),
    connectTimeoutMs: Math.round(timeoutSeconds * 1000),
    port,
    host: env.HOST || '127.0.0.1',
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    sessionIdleMinutes: wholeNumber(env, 'SMP_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: wholeNumber(env, 'SMP_SESSION_MAX_HOURS', 12, 1, 30 * 24),
    signInMaxFailures: wholeNumber(env, 'SMP_SIGN_IN_MAX_FAILURES', 5, 1, 100),
    signInLockMinutes: wholeNumber(env, 'SMP_SIGN_IN_LOCK_MINUTES', 15, 1, 24 * 60),
    authCacheSeconds: wholeNumber(env, 'SMP_AUTH_CACHE_SECONDS', 5, 0, 300),
    suppressBelow: wholeNumber(env, 'SMP_SUPPRESS_BELOW', 5, 1, 1000),
    importLimitBytes: wholeNumber(env, 'SMP_IMPORT_LIMIT_MB', 200, 1, 10_000) * 1024 * 1024,
    trustProxyHops: wholeNumber(env, 'SMP_TRUST_PROXY', 0, 0, 10),
    logLevel,
    headersTimeoutSeconds,
    requestTimeoutSeconds,
    keepAliveTimeoutSeconds: wholeNumber(env, 'SMP_KEEP_ALIVE_TIMEOUT_SECONDS', DEFAULT_TIMEOUTS.keepAlive, 1, 3600),
    deviceTrustDays: wholeNumber(env, 'SMP_DEVICE_TRUST_DAYS', 30, 1, 365),
    timeZone: checkedTimeZone(env.SMP_TIME_ZONE),
  };
}

/** A time zone the runtime knows (`Europe/London`), or undefined for the server's own. */
function checkedTimeZone(zone: string | undefined): string | undefined {
  if (zone === undefined || zone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(`SMP_TIME_ZONE must be an IANA time zone such as Europe/London (got "${zone}")`);
  }
  return zone;
}

/** The database options of a configuration, for `openMigratedDb`. */
export function dbOptions(config: Config) {
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: config.connectTimeoutMs };
}
