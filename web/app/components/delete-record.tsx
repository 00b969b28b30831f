// Deleting one versioned record (a participant's session, a study's site…): the reason is asked
// for, and the deletion sent with the version the user saw (If-Match).
import { useState } from 'preact/hooks';
import { api, ApiError, changeHeaders } from '../api.ts';
import { useFocusOnMount } from './focus.ts';
import { ProblemList } from './problems.tsx';

/** Asks for the reason of a deletion, then deletes; the server's refusal is shown as it gave it. */
export function DeleteRecord({
  id,
  what,
  path,
  version,
  title,
  method = 'delete',
  reasonLabel = 'Reason for the deletion',
  submitLabel = 'Confirm the deletion',
  onDeleted,
  onClose,
}: {
  id: string;
  what: string;
  path: string;
  version: number;
  /** The heading, when the deletion is more than "Delete …?" (a session removed with the later ones renumbered). */
  title?: string;
  /** POST for a deletion that is an action of its own (…/remove-and-renumber), DELETE otherwise. */
  method?: 'delete' | 'post';
  reasonLabel?: string;
  submitLabel?: string;
  onDeleted: () => void;
  onClose: (reload: boolean) => void;
}) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div class="panel delete-panel">
      <h3 ref={heading} tabIndex={-1}>
        {title ?? `Delete ${what}?`}
      </h3>
      <form
        id={id}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim() === '') {
            setMissing(true);
            (document.getElementById(`${id}-reason`) as HTMLInputElement | null)?.focus();
            return;
          }
          setMissing(false);
          setBusy(true);
          setError(null);
          const options = { headers: changeHeaders(version, reason) };
          (method === 'post' ? api.post(path, undefined, options) : api.delete(path, options))
            .then(onDeleted, (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, String(e), [])))
            .finally(() => setBusy(false));
        }}
      >
        {error ? (
          <div class="error-box" role="alert">
            <p>
              <strong>{what} was not deleted.</strong> {error.message}
            </p>
            <ProblemList problems={error.problems.filter((p) => !p.path.startsWith('(header)'))} />
            {error.status === 412 ? (
              <p>
                <button type="button" onClick={() => onClose(true)}>
                  Reload the page's records
                </button>
              </p>
            ) : null}
          </div>
        ) : null}
        <div class={`field field-reason${missing ? ' has-error' : ''}`}>
          <label for={`${id}-reason`}>
            {reasonLabel}
            <span class="required" aria-hidden="true"> *</span>
          </label>
          <input
            id={`${id}-reason`}
            name="reason"
            value={reason}
            aria-invalid={missing ? 'true' : undefined}
            aria-describedby={missing ? `${id}-reason-error` : undefined}
            onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
          />
          {missing ? (
            <small id={`${id}-reason-error`} class="field-error">
              give a reason for the deletion
            </small>
          ) : null}
        </div>
        <p class="actions">
          <button type="submit" class="danger" disabled={busy}>
            {submitLabel}
          </button>
          <button type="button" onClick={() => onClose(false)}>
            Cancel
          </button>
          {busy ? <span role="status">Deleting…</span> : null}
        </p>
      </form>
    </div>
  );
}
