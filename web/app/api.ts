// Calls to the tracker's HTTP API. Every failure becomes an ApiError carrying the server's
// problem+json (`detail` and the `problems` with their paths), so pages can show each problem at
// its field. A request that never gets an answer is reported as such, never dropped silently.
// When the session has ended (401), the request waits while the application asks the user to
// sign in again over the current page, then goes out once more: nothing typed is lost.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from '../../api/schemas/problems.ts';

export type { Problem };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly problems: Problem[],
    readonly body: unknown = null,
  ) {
    super(detail);
  }
}

/** Status 0: the server did not answer (stopped, or the network is down). */
export const UNREACHABLE = 0;

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

let reauthenticate: (() => Promise<void>) | null = null;
/** One sign-in serves every request that met the ended session. */
let pendingSignIn: Promise<void> | null = null;

/** Who asks the user to sign in again when a session ends (the application shell). */
export function onSessionExpired(handler: (() => Promise<void>) | null): void {
  reauthenticate = handler;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: BodyInit | null = null;
  if (options.body instanceof FormData || options.body instanceof Blob) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  try {
    // Never the browser's cache: a participant's ETag is its own fields' version, so a cached copy
    // revalidates (304) although its record counts changed with a session or an event.
    return await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(UNREACHABLE, `The server did not answer (${location.origin}). Check that it is running, then try again.`, []);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One API call; resolves with the answer, or rejects with an ApiError. */
export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  let response = await send(method, path, options);
  if (response.status === 401 && reauthenticate && !path.startsWith('/api/auth/')) {
    pendingSignIn ??= reauthenticate().finally(() => {
      pendingSignIn = null;
    });
    await pendingSignIn;
    response = await send(method, path, options);
  }
  const data = await readBody(response);
  if (!response.ok) {
    const problem = (data && typeof data === 'object' ? data : {}) as { detail?: string; title?: string; problems?: Problem[] };
    throw new ApiError(response.status, problem.detail ?? problem.title ?? `The server answered HTTP ${response.status}.`, problem.problems ?? [], data);
  }
  return { status: response.status, data: data as T, headers: response.headers };
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body, headers: { 'content-type': 'application/merge-patch+json', ...options?.headers } }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

/**
 * The headers of a change to a versioned record: `If-Match` with the version the user saw, and
 * the reason for the change (percent-encoded UTF-8, as the API asks).
 */
export function changeHeaders(version: number | string | null, reason: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (version !== null) headers['if-match'] = `"${version}"`;
  if (reason.trim() !== '') headers['x-change-reason'] = encodeURIComponent(reason.trim());
  return headers;
}

/** A page of a list, as the API serves it: the items, and the cursor of the next page (null: the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetch again (after a change). */
  reload: () => void;
  /**
   * Keep `data` as the answer to a change (the record as it now is), dropping any fetch under
   * way: what is shown, and edited next, is then never older than the change just made.
   */
  replace: (data: T) => void;
}

/** GET `path` (null: nothing yet) and keep the answer; a newer path supersedes an older one. */
export function useResource<T>(path: string | null): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const ticket = ++latest.current;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    api.get<T>(path, { signal: controller.signal }).then(
      (response) => ticket === latest.current && setState({ data: response.data, loading: false }),
      (error: unknown) => {
        if ((error as Error).name === 'AbortError' || ticket !== latest.current) return;
        setState({ error: error instanceof ApiError ? error : new ApiError(UNREACHABLE, String(error), []), loading: false });
      },
    );
    return () => controller.abort();
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback((data: T) => {
    latest.current++;
    setState({ data, loading: false });
  }, []);
  return { data: state.data, error: state.error, loading: state.loading, reload, replace };
}

/**
 * Whether a resource still shows the answer for an older path (the filters or page changed and
 * the new answer has not arrived): a table is then marked busy, for screen readers and tests.
 */
export function useStale<T>(path: string | null, resource: Resource<T>): boolean {
  const [shownFor, setShownFor] = useState<string | null>(null);
  const latestPath = useRef(path);
  latestPath.current = path;
  useEffect(() => {
    if (resource.data !== undefined || resource.error !== undefined) setShownFor(latestPath.current);
  }, [resource.data, resource.error]);
  return shownFor !== path || resource.loading;
}
