// Typed calls to the tracker's HTTP API for the dashboard. A request that never gets an answer
// (server stopped, network down) is reported as such, never dropped silently.
import type { StudyListing } from '../api/schemas/responses.ts';

export interface Problem {
  path: string;
  message: string;
}

export type ImportOutcome =
  | { ok: true; result: { code: string; replaced: boolean } }
  | { ok: false; status: number | 'unreachable' | 'invalid-file'; detail: string; problems: Problem[]; code?: string };

/** The server did not answer: the request may not have arrived, or its answer was lost. */
export class ServerUnreachable extends Error {}

async function send(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new ServerUnreachable(`the server is not reachable (${new URL(url, location.href).origin})`);
  }
}

export async function fetchStudies(): Promise<StudyListing[]> {
  const response = await send('/api/studies');
  if (!response.ok) throw new Error(`listing studies failed: HTTP ${response.status}`);
  return ((await response.json()) as { studies: StudyListing[] }).studies;
}

export async function importBundle(json: string, replace: boolean): Promise<ImportOutcome> {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch (error) {
    return {
      ok: false,
      status: 'invalid-file',
      detail: 'The file is not valid JSON.',
      problems: [{ path: '(file)', message: (error as Error).message }],
    };
  }
  let response: Response;
  try {
    response = await send(`/api/studies${replace ? '?replace=true' : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    if (!(error instanceof ServerUnreachable)) throw error;
    return { ok: false, status: 'unreachable', detail: error.message, problems: [] };
  }
  // A proxy or a crash can answer with something other than the API's JSON.
  const payload = (await response.json().catch(() => ({}))) as { detail?: string; problems?: Problem[] } & Record<string, unknown>;
  if (response.ok) return { ok: true, result: payload as unknown as { code: string; replaced: boolean } };
  const code = (body as { study?: { code?: unknown } } | null)?.study?.code;
  return {
    ok: false,
    status: response.status,
    detail: payload.detail ?? `HTTP ${response.status}`,
    problems: payload.problems ?? [],
    ...(typeof code === 'string' ? { code } : {}),
  };
}
