// The participant's sign-off: each signature's manifestation (the signer's full name, the time in
// UTC and the meaning, 21 CFR 11.50), shown valid or invalidated by a later change; the current
// lock; and the controls: sign with the password again, lock (administrators and researchers),
// unlock with a reason (administrators). Not shown to reviewers, whose view is de-identified.
import { useEffect, useState } from 'preact/hooks';
import type { Role } from '../../../api/schemas/roles.ts';
import { SIGNATURE_MEANINGS, type SignatureMeaning, type SignOff } from '../../../api/schemas/sign-off.ts';
import { api, ApiError, useResource } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';

const utc = (iso: string) => iso.replace('T', ' ').replace('Z', ' UTC');

export function SignOffSection(props: { base: string; role: Role; refresh: number; onChanged: () => void }) {
  const signOff = useResource<SignOff>(`${props.base}/sign-off`);
  const { reload } = signOff;
  useEffect(() => reload(), [props.refresh, reload]);
  const [meaning, setMeaning] = useState<SignatureMeaning>('approve');
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const act = async (what: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setError(undefined);
    setDone('');
    try {
      await what();
      setDone(message);
      setPassword('');
      setReason('');
      props.onChanged();
      reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    } finally {
      setBusy(false);
    }
  };
  const data = signOff.data;
  const lock = data?.lock ?? null;
  const hasValid = data?.signatures.some((s) => s.valid) ?? false;

  return (
    <section aria-labelledby="sign-off-heading" class="sign-off">
      <h2 id="sign-off-heading">Sign-off</h2>
      {lock && (
        <p class="lock-notice" role="note">
          Locked by {lock.lockedBy} on {utc(lock.lockedAt)} (lock {lock.id}): changes to this participant are refused until an administrator unlocks it.
        </p>
      )}
      {data && data.signatures.length === 0 && <p>No signatures yet.</p>}
      {data && data.signatures.length > 0 && (
        <ul class="signature-list">
          {data.signatures.map((s) => (
            <li key={s.id} class={s.valid ? 'signature valid' : 'signature invalid'} data-signature={s.id}>
              <strong>{s.fullName}</strong> ({s.username}) signed on {utc(s.signedAt)}: “{s.meaningText}”.{' '}
              {s.valid ? (
                <span class="signature-state">Valid: the records are as signed.</span>
              ) : (
                <span class="signature-state">
                  Invalid: the participant's records changed after signing ({s.invalidatedBy}, {utc(s.invalidatedAt!)}).
                </span>
              )}
              <br />
              <small>
                SHA-256 of the signed data: <code>{s.dataSha256}</code>
              </small>
            </li>
          ))}
        </ul>
      )}
      {!lock && (
        <form
          class="sign-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act(() => api.post(`${props.base}/signatures`, { meaning, password }), 'Signed.');
          }}
        >
          <fieldset>
            <legend>Sign this casebook (users with the signing right)</legend>
            {(Object.keys(SIGNATURE_MEANINGS) as SignatureMeaning[]).map((code) => (
              <p key={code}>
                <label>
                  <input type="radio" name="signature-meaning" value={code} checked={meaning === code} onChange={() => setMeaning(code)} /> {SIGNATURE_MEANINGS[code]}
                </label>
              </p>
            ))}
            <p>
              <label for="signature-password">Your password, again </label>
              <input
                id="signature-password"
                type="password"
                autocomplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
              />
            </p>
            <button type="submit" disabled={busy}>
              Sign
            </button>
          </fieldset>
        </form>
      )}
      {!lock && hasValid && (props.role === 'admin' || props.role === 'researcher') && (
        <button type="button" disabled={busy} onClick={() => void act(() => api.post(`${props.base}/lock`, {}), 'Locked.')}>
          Lock this participant
        </button>
      )}
      {lock && props.role === 'admin' && (
        <form
          class="unlock-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act(() => api.post(`${props.base}/unlock`, { reason }), 'Unlocked.');
          }}
        >
          <label for="unlock-reason">Why unlock </label>
          <input id="unlock-reason" required value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />{' '}
          <button type="submit" disabled={busy}>
            Unlock
          </button>
        </form>
      )}
      {done && <p role="status">{done}</p>}
      <ErrorBox error={error ?? signOff.error} title="The sign-off could not be read or changed." />
    </section>
  );
}
