// The real express app on a free port, and a small client that calls it as one user.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../api/app.ts';
import { webBundle } from '../../api/web-bundle.ts';
import type { Config } from '../../api/config.ts';
import type { Db } from '../../db/kysely.ts';

export interface TestServer {
  base: string;
  close(): Promise<void>;
}

/**
 * The app on a free port of 127.0.0.1, ready when this resolves. `clock`: the server's time (tests
 * move it to pass a lock or a cookie's life without waiting).
 */
export async function startTestServer(db: Db, config: Partial<Config> = {}, clock?: () => Date): Promise<TestServer> {
  const server: Server = createApp({ db, config, webScript: webBundle, ...(clock ? { clock } : {}) }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** The ETag's version, e.g. "42" → "42". */
  etag: string | null;
}

export interface CallOptions {
  ifMatch?: string | number;
  reason?: string;
  headers?: Record<string, string>;
}

/** Calls to the API (paths under /api) with the given credentials headers. */
export function apiClient(base: string, credentials: Record<string, string> = {}) {
  async function call<T = any>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...credentials, ...options.headers };
    if (body !== undefined) headers['content-type'] ??= method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    if (options.reason !== undefined) headers['x-change-reason'] = encodeURIComponent(options.reason);
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      body: type.includes('json') && text !== '' ? JSON.parse(text) : text,
      etag: response.headers.get('etag')?.replace(/^"|"$/g, '') ?? null,
    };
  }
  return {
    get: <T = any>(path: string, options?: CallOptions) => call<T>('GET', path, undefined, options),
    post: <T = any>(path: string, body: unknown, options?: CallOptions) => call<T>('POST', path, body, options),
    patch: <T = any>(path: string, body: unknown, options?: CallOptions) => call<T>('PATCH', path, body, options),
    delete: <T = any>(path: string, options?: CallOptions) => call<T>('DELETE', path, undefined, options),
    call,
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
