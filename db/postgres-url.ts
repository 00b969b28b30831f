// DATABASE_URL as users write it: checked before use, and connection failures told as a sentence
// naming DATABASE_URL, the host and the port, rather than a driver's error code.

/** Where a PostgreSQL URL points, for messages (never the password). */
export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Seconds of waiting for a PostgreSQL server to accept a connection, unless configured. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Parse and check DATABASE_URL; refuses anything that is not a postgres:// or postgresql:// URL. */
export function parseDatabaseUrl(databaseUrl: string): ServerAddress {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error(`DATABASE_URL is not a URL; it must look like postgres://user@host:5432/database`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(
      `DATABASE_URL must be a postgres:// or postgresql:// URL (got ${url.protocol}//…); ` +
        'unset it to use the embedded database in SMP_DATA_DIR',
    );
  }
  const socketHost = url.searchParams.get('host');
  return {
    host: socketHost ?? (url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'),
    port: url.port ? Number(url.port) : Number(url.searchParams.get('port') ?? 5432),
    user: decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || 'postgres',
    database: decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres',
  };
}

/** The URL without its password, for messages and `Db.location`. */
export function redactedUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

const describe = (server: ServerAddress) =>
  server.host.startsWith('/') ? `the PostgreSQL socket in ${server.host} (port ${server.port})` : `the PostgreSQL server at ${server.host}:${server.port}`;

/** A failed first connection, as a sentence saying what went wrong and what to check. */
export function connectionFailure(error: unknown, server: ServerAddress, timeoutMs: number): Error {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const where = `${describe(server)} (DATABASE_URL)`;
  let sentence: string;
  if (code === 'ECONNREFUSED') {
    sentence = `cannot connect to ${where}: the connection was refused; is the server running and listening on port ${server.port}?`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    sentence = `cannot connect to ${where}: the host ${server.host} was not found`;
  } else if (code === 'ENOENT' && server.host.startsWith('/')) {
    sentence = `cannot connect to ${where}: no server socket there`;
  } else if (/timeout|timed out/i.test(message) || code === 'ETIMEDOUT') {
    sentence =
      `cannot connect to ${where}: no answer within ${formatSeconds(timeoutMs)} ` +
      '(SMP_DB_CONNECT_TIMEOUT sets the limit in seconds)';
  } else if (code === '28P01' || code === '28000') {
    sentence = `cannot connect to ${where} as user ${server.user}: ${message}`;
  } else if (code === '3D000') {
    sentence = `the database "${server.database}" does not exist on ${where}; create it first (createdb ${server.database})`;
  } else {
    sentence = `cannot connect to ${where}: ${message}`;
  }
  return new Error(sentence, { cause: error });
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
