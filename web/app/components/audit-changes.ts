// What an audit entry changed, worked out the same way by the audit log, the set-up page and a
// participant's history: the fields that differ between before and after, and the action in words.
import type { AuditEntry } from '../../../api/schemas/audit.ts';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{a: {b: 1}}` → `[['a.b', 1]]`: nested objects by dotted path; arrays stay whole. */
export function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (!isPlainObject(value)) return prefix === '' ? [] : [[prefix, value]];
  const out: [string, unknown][] = [];
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(inner) && Object.keys(inner).length > 0) out.push(...flatten(inner, path));
    else out.push([path, inner]);
  }
  return out;
}

/** The fields that differ between two records, by dotted path, in the order they first appear. */
export function changedFields(before: unknown, after: unknown): { path: string; before: unknown; after: unknown }[] {
  const was = new Map(flatten(before));
  const now = new Map(flatten(after));
  const paths = [...new Set([...was.keys(), ...now.keys()])];
  return paths
    .filter((path) => JSON.stringify(was.get(path) ?? null) !== JSON.stringify(now.get(path) ?? null))
    .map((path) => ({ path, before: was.get(path) ?? null, after: now.get(path) ?? null }));
}

/** What an entry did, in one word. */
export const ACTION_WORDS: Record<AuditEntry['action'], string> = {
  create: 'created',
  update: 'changed',
  delete: 'deleted',
  import: 'imported',
  replace: 'replaced',
};
