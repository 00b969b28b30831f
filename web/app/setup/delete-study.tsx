// Deleting the whole study (administrators): the code typed to confirm and a reason; the audit
// trail keeps a copy.
import { useState } from 'preact/hooks';
import type { StudyRecord } from '../../../api/schemas/records.ts';
import { api, ApiError, changeHeaders } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { navigate } from '../router.tsx';
import { studyPath, useFocusFirstField } from './editing.ts';

export function DeleteStudy({ code, study }: { code: string; study: StudyRecord }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useFocusFirstField(open ? 'delete-study' : null);
  return (
    <section aria-labelledby="delete-study-heading" class="danger-zone">
      <h2 id="delete-study-heading">Delete the study</h2>
      <p>
        Deleting study {code} removes all its participants and their records at once. The audit trail keeps a copy, which an administrator can download
        from the audit log.
      </p>
      {open ? (
        <form
          id="delete-study"
          class="stack"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            const found: Record<string, string> = {};
            if (typed.trim() !== code) found.confirm = `type ${code} exactly to confirm`;
            if (reason.trim() === '') found.reason = 'give a reason for the deletion';
            setProblems(found);
            if (Object.keys(found).length > 0) return;
            setBusy(true);
            setError(null);
            api.delete(studyPath(code), { headers: changeHeaders(study.version, reason) }).then(
              () => navigate('/'),
              (e: ApiError) => {
                setBusy(false);
                setError(e);
              },
            );
          }}
        >
          <ErrorBox error={error} title="The study was not deleted." />
          <p>
            <label for="delete-study-confirm">Type the study code ({code}) to confirm</label>
            <input
              id="delete-study-confirm"
              name="confirm"
              autocomplete="off"
              autocapitalize="characters"
              spellcheck={false}
              value={typed}
              aria-invalid={problems.confirm ? 'true' : undefined}
              aria-describedby={problems.confirm ? 'delete-study-confirm-error' : undefined}
              onInput={(event) => setTyped((event.currentTarget as HTMLInputElement).value)}
            />
            {problems.confirm ? (
              <small id="delete-study-confirm-error" class="field-error">
                {problems.confirm}
              </small>
            ) : null}
          </p>
          <p>
            <label for="delete-study-reason">Reason for deleting it</label>
            <input
              id="delete-study-reason"
              name="reason"
              value={reason}
              aria-invalid={problems.reason ? 'true' : undefined}
              aria-describedby={problems.reason ? 'delete-study-reason-error' : undefined}
              onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
            />
            {problems.reason ? (
              <small id="delete-study-reason-error" class="field-error">
                {problems.reason}
              </small>
            ) : null}
          </p>
          <p class="actions">
            <button type="submit" class="danger" disabled={busy}>
              Delete study {code} for good
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </p>
        </form>
      ) : (
        <p>
          <button type="button" class="danger" onClick={() => setOpen(true)}>
            Delete study {code}…
          </button>
        </p>
      )}
    </section>
  );
}
