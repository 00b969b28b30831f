// Someone else changed a study, site or practitioner while it was being edited (412): their
// change field by field, and the choice to apply one's own on top of it or to start from theirs.
import { ApiError } from '../api.ts';
import { changedFields } from '../components/audit-changes.ts';
import { Value } from '../components/audit-table.tsx';

/** The other person's change after a 412: what differs between the version edited and the current one. */
export interface Conflict {
  what: string;
  seen: Record<string, unknown>;
  current: Record<string, unknown>;
}

/** The stored record a 412 answer carries (`current`), or null for another error. */
export function conflictOf(error: unknown, what: string, seen: Record<string, unknown>): Conflict | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const current = (error.body as { current?: Record<string, unknown> } | null)?.current;
  return current ? { what, seen, current } : null;
}

export function ConflictNotice({ conflict, onKeepMine, onTakeTheirs }: { conflict: Conflict; onKeepMine: () => void; onTakeTheirs: () => void }) {
  const changes = changedFields(
    Object.fromEntries(Object.entries(conflict.seen).filter(([k]) => k !== 'version' && k !== 'importedAt')),
    Object.fromEntries(Object.entries(conflict.current).filter(([k]) => k !== 'version' && k !== 'importedAt')),
  );
  return (
    <div class="notice conflict" role="alert">
      <p>
        <strong>Someone else changed {conflict.what} while you were editing it</strong> (you started from version {String(conflict.seen.version)}; it is
        now version {String(conflict.current.version)}). Nothing of yours was saved. Their change:
      </p>
      {changes.length === 0 ? (
        <p>No field differs (only its version changed).</p>
      ) : (
        <ul class="change-list">
          {changes.map((change) => (
            <li key={change.path}>
              <code>{change.path}</code>: <Value value={change.before} /> <span aria-hidden="true">→</span>
              <span class="visually-hidden"> changed to </span> <Value value={change.after} />
            </li>
          ))}
        </ul>
      )}
      <p>
        To keep your changes, apply them on top of theirs and save again: the fields you did not change keep their new values. Or discard yours and
        start again from theirs.
      </p>
      <p class="actions">
        <button type="button" onClick={onKeepMine}>
          Apply my changes on top of theirs
        </button>
        <button type="button" onClick={onTakeTheirs}>
          Discard mine and show theirs
        </button>
      </p>
    </div>
  );
}
