// Typed calls to the tracker's HTTP API for the dashboard.
import type { StudyListing } from '../api/schemas/responses.ts';

export interface Problem {
  path: string;
  message: string;
}

export type ImportOutcome =
  | { ok: true; result: { code: string; replaced: boolean } }
  | { ok: false; detail: string; problems: Problem[] };

export async function fetchStudies(): Promise<StudyListing[]> {
  const response = await fetch('/api/studies');
  if (!response.ok) throw new Error(`listing studies failed: HTTP ${response.status}`);
  return ((await response.json()) as { studies: StudyListing[] }).studies;
}

export async function importBundle(json: string, replace: boolean): Promise<ImportOutcome> {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch (error) {
    return { ok: false, detail: 'The file is not valid JSON.', problems: [{ path: '(file)', message: (error as Error).message }] };
  }
  const response = await fetch(`/api/studies${replace ? '?replace=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const payload = await response.json();
  if (response.ok) return { ok: true, result: payload };
  return { ok: false, detail: payload.detail ?? `HTTP ${response.status}`, problems: payload.problems ?? [] };
}
