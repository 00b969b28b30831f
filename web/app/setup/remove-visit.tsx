// Removing a scheduled visit: the reason for the change is asked for, then the study changed.
import { useState } from 'preact/hooks';
import type { ApiError } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';

/** Removing a visit: the reason for the change, then the study change. */
export function RemoveVisit({ code, onRemove, onClose }: { code: string; onRemove: (reason: string) => Promise<void>; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      id="visit-remove"
      class="panel stack"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (reason.trim() === '') {
          setProblem('give a reason for the change');
          return;
        }
        setProblem(null);
        setBusy(true);
        setError(null);
        onRemove(reason).catch((e: ApiError) => {
          setBusy(false);
          setError(e);
        });
      }}
    >
      <h3>Remove visit {code}</h3>
      <ErrorBox error={error} title="The visit was not removed." />
      <p>
        <label for="visit-remove-reason">Reason for removing it</label>
        <input
          id="visit-remove-reason"
          name="reason"
          value={reason}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'visit-remove-reason-error' : undefined}
          onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
        />
        {problem ? (
          <small id="visit-remove-reason-error" class="field-error">
            {problem}
          </small>
        ) : null}
      </p>
      <p class="actions">
        <button type="submit" class="danger" disabled={busy}>
          Remove visit {code}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </p>
    </form>
  );
}
