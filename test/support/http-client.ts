// A small HTTP client for tests of sign-in: an app on a free port, JSON requests with or without
// a session cookie and this site's Origin, and the session cookie of a response.
import type { Config } from '../../api/config.ts';
import type { Db } from '../../db/kysely.ts';
import { startTestServer as startAppServer, type TestServer as AppServer } from './http.ts';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  /** `smp_session=…` from Set-Cookie, if the response set one. */
  cookie: string | undefined;
  /** `smp_device_<user>=…` from Set-Cookie, if the response set one. */
  device: string | undefined;
}

export interface TestServer extends AppServer {
  request(method: string, path: string, options?: { body?: unknown; cookie?: string; origin?: string | null; headers?: Record<string, string> }): Promise<Reply>;
}

/** `clock`: the server's time (tests move it to pass a lock or a cookie's life without waiting). */
export async function startTestServer(db: Db, config: Partial<Config> = {}, clock?: () => Date): Promise<TestServer> {
  const server = await startAppServer(db, config, clock);
  return { ...server, request: httpRequester(server.base) };
}

/** Requests to the server at `base` (any process). `origin`: undefined sends this site's own Origin on unsafe methods, null sends none. */
export function httpRequester(base: string): TestServer['request'] {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie !== undefined) headers.cookie = options.cookie;
    const origin = options.origin === undefined ? (method === 'GET' ? null : base) : options.origin;
    if (origin !== null) headers.origin = origin;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    const setCookies = response.headers.getSetCookie();
    const cookie = setCookies.map((c) => /^(smp_session=[^;]+)/.exec(c)?.[1]).find((c) => c !== undefined);
    const device = setCookies.map((c) => /^(smp_device_[^=]+=[^;]+)/.exec(c)?.[1]).find((c) => c !== undefined);
    let body: unknown = text;
    if (text !== '' && /json/.test(response.headers.get('content-type') ?? '')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body, cookie, device };
  };
}

/** Every row of every table of the database as text, to prove that a secret is stored nowhere. */
export async function everyStoredRow(db: Db): Promise<string> {
  const { sql } = await import('kysely');
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db.kysely);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(db.kysely);
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join('\n');
}
