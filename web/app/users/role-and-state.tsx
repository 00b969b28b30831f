// The role and state of the user being managed: change the role, disable or enable, unlock.
import { useEffect, useState } from 'preact/hooks';
import { ROLES, type Role } from '../../../api/schemas/roles.ts';
import type { UserRecord } from '../../../api/schemas/users.ts';
import { api, changeHeaders } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { useAction } from './use-action.ts';
import { ROLE_WORDS, userPath } from './user-words.tsx';

export function RoleAndState({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const action = useAction();
  const [done, setDone] = useState('');
  // Keyed by user (ManageUser): only a change of role made elsewhere needs the choice reset.
  useEffect(() => setRole(user.role), [user.role]);
  const patch = (body: Record<string, unknown>, message: string) =>
    action.run(
      () => api.patch(userPath(user.username), body, { headers: changeHeaders(user.version, '') }),
      () => {
        setDone(message);
        onChanged();
      },
    );
  const locked = user.lockedUntil !== null && Date.parse(user.lockedUntil) > Date.now();
  return (
    <section aria-labelledby="role-heading">
      <h3 id="role-heading">Role and state</h3>
      <ErrorBox error={action.error} title="Not changed." />
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          patch({ role }, `${user.username} is now ${role === 'admin' ? 'an' : 'a'} ${role}.`);
        }}
      >
        <div class="field">
          <label for="manage-role">Role</label>
          <select id="manage-role" name="role" value={role} onChange={(event) => setRole((event.currentTarget as HTMLSelectElement).value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={action.busy || role === user.role}>
          Change the role
        </button>
      </form>
      <p class="actions">
        {user.disabledAt === null ? (
          <button type="button" class="danger" disabled={action.busy} onClick={() => patch({ disabled: true }, `${user.username} is disabled.`)}>
            Disable {user.username}
          </button>
        ) : (
          <button type="button" disabled={action.busy} onClick={() => patch({ disabled: false }, `${user.username} is enabled again.`)}>
            Enable {user.username}
          </button>
        )}
        {locked ? (
          <button type="button" disabled={action.busy} onClick={() => patch({ unlock: true }, `${user.username} is unlocked.`)}>
            Unlock now
          </button>
        ) : null}
      </p>
      <p class="hint">Disabling ends the user’s sessions and revokes their API tokens and unused links; enabling them again restores none of these.</p>
      <p class="ok" role="status">
        {done}
      </p>
    </section>
  );
}
