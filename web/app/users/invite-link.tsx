// A user's one-time invite link: the box that shows a new one to copy and send, and the section
// of the user being managed that makes a new one (their older links stop working).
import { useState } from 'preact/hooks';
import type { OneTimeLink, UserRecord } from '../../../api/schemas/users.ts';
import { api } from '../api.ts';
import { When } from '../components/audit-table.tsx';
import { CopyField } from '../components/copy-field.tsx';
import { ErrorBox } from '../components/problems.tsx';
import { useAction } from './use-action.ts';
import { userPath } from './user-words.tsx';

export function LinkBox({ username, link, id }: { username: string; link: OneTimeLink; id: string }) {
  return (
    <div class="panel link-box" id={id}>
      <CopyField id={`${id}-url`} label={`Invite link for ${username}`} value={link.url} />
      <p class="hint">
        Send this link to {username} by a channel you trust. It works <strong>once</strong>, until <When at={link.expiresAt} /> (hover for UTC): opening it
        lets them choose a password and signs them in. If it expires, make a new one under “Manage {username}”.
      </p>
    </div>
  );
}

export function InviteAgain({ user, onChanged }: { user: UserRecord; onChanged: () => void }) {
  const action = useAction();
  const [link, setLink] = useState<OneTimeLink | null>(null);
  return (
    <section aria-labelledby="reinvite-heading">
      <h3 id="reinvite-heading">Invite link</h3>
      <p class="hint">
        A new one-time link, to finish an invite that expired or to set a forgotten password. {user.username}’s older links stop working; a password
        they have keeps working until they use the new link.
      </p>
      <ErrorBox error={action.error} title="No link was made." />
      <p>
        <button
          type="button"
          disabled={action.busy || user.disabledAt !== null}
          onClick={() =>
            action.run(
              () => api.post<OneTimeLink>(`${userPath(user.username)}/invite`, {}).then((r) => setLink(r.data)),
              onChanged,
            )
          }
        >
          New invite link for {user.username}
        </button>
      </p>
      {link ? <LinkBox id="reinvite-link" username={user.username} link={link} /> : null}
    </section>
  );
}
