// The user's full name and signing right: a signature shows the full name, and only a user with
// the right may sign a participant's casebook (never a reviewer, who reads de-identified data).
import { useEffect, useState } from 'preact/hooks';
import type { UserRecord } from '../../../api/schemas/users.ts';
import { api, changeHeaders } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { useAction } from './use-action.ts';
import { userPath } from './user-words.tsx';

export function Signing({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  const [fullName, setFullName] = useState(user.fullName ?? '');
  const [maySign, setMaySign] = useState(user.maySign);
  const action = useAction();
  const [done, setDone] = useState('');
  useEffect(() => {
    setFullName(user.fullName ?? '');
    setMaySign(user.maySign);
  }, [user.fullName, user.maySign]);
  return (
    <section aria-labelledby="signing-heading">
      <h3 id="signing-heading">Full name and signing</h3>
      <ErrorBox error={action.error} title="Not changed." />
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          action.run(
            () =>
              api.patch(userPath(user.username), { fullName: fullName.trim() === '' ? null : fullName, maySign }, { headers: changeHeaders(user.version, '') }),
            () => {
              setDone(`${user.username}: saved.`);
              onChanged();
            },
          );
        }}
      >
        <div class="field">
          <label for="manage-full-name">Full name (shown on signatures)</label>
          <input id="manage-full-name" value={fullName} autocomplete="off" onInput={(e) => setFullName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label>
            <input type="checkbox" id="manage-may-sign" checked={maySign} disabled={user.role === 'reviewer'} onChange={(e) => setMaySign((e.currentTarget as HTMLInputElement).checked)} />{' '}
            May sign casebooks
          </label>
        </div>
        <button type="submit" disabled={action.busy}>
          Save
        </button>
      </form>
      <p class="ok" role="status">
        {done}
      </p>
    </section>
  );
}
