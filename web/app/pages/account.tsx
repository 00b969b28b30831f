// Your account, for every signed-in user: change your password (the rule stated before the first
// try, the server's reasons shown at the fields); your sign-in sessions, with the browser each
// came from, to end one or every other; and your API tokens, to revoke them, and to create them
// if your role runs scripts. A forgotten password is reset by an administrator's invite link.
import { useState } from 'preact/hooks';
import { ROLES_WITH_OWN_TOKENS } from '../../../api/schemas/roles.ts';
import { PASSWORD_RULE, type SessionRecord } from '../../../api/schemas/users.ts';
import { api, ApiError, useResource } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ApiTokens, type TokenWords } from '../components/api-tokens.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { useMe } from '../session.ts';
import { When } from '../components/audit-table.tsx';
import { formatMoment } from '../components/moment.ts';

/** A browser's User-Agent in a few words (“Firefox on Windows”), or the text itself when not recognised. */
export function browserName(userAgent: string | null): string {
  if (userAgent === null) return 'a browser that did not say';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : null;
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Android/.test(userAgent)
          ? 'Android'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  if (browser === null) return userAgent.length > 60 ? `${userAgent.slice(0, 60)}…` : userAgent;
  return system === null ? browser : `${browser} on ${system}`;
}

function ChangePassword({ hasPassword }: { hasPassword: boolean }) {
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const fieldError = (path: string) => (error instanceof ApiError ? error.problems.find((p) => p.path === path)?.message : undefined);
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form
        id="password-form"
        class="stack"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
          if (value('newPassword') !== value('repeatPassword')) {
            setError(new Error('The two new passwords differ: type the same password twice.'));
            return;
          }
          setBusy(true);
          setDone('');
          setError(null);
          api
            .post('/api/auth/password', { ...(hasPassword ? { currentPassword: value('currentPassword') } : {}), newPassword: value('newPassword') })
            .then(
              () => {
                form.reset();
                setDone('Your password is changed. Your other sessions have ended, and your other browsers must sign in with it.');
              },
              (e: ApiError) => setError(e),
            )
            .finally(() => setBusy(false));
        }}
      >
        <ErrorBox error={error} title="The password was not changed." />
        <p id="account-password-rule" class="hint">
          {PASSWORD_RULE}.
        </p>
        {hasPassword ? (
          <p>
            <label for="current-password">Current password</label>
            <input
              id="current-password"
              name="currentPassword"
              type="password"
              autocomplete="current-password"
              required
              aria-invalid={fieldError('currentPassword') ? 'true' : undefined}
            />
          </p>
        ) : null}
        <p>
          <label for="account-new-password">New password</label>
          <input
            id="account-new-password"
            name="newPassword"
            type="password"
            autocomplete="new-password"
            required
            aria-describedby="account-password-rule"
            aria-invalid={fieldError('newPassword') ? 'true' : undefined}
          />
        </p>
        <p>
          <label for="account-repeat-password">Repeat the new password</label>
          <input id="account-repeat-password" name="repeatPassword" type="password" autocomplete="new-password" required />
        </p>
        <p>
          <button type="submit" class="primary" disabled={busy}>
            Change password
          </button>
        </p>
        <p class="ok" role="status">
          {done}
        </p>
      </form>
      <p class="hint">Forgot your password? Ask an administrator for a new invite link: it lets you choose a new one.</p>
    </section>
  );
}

function Sessions() {
  const sessions = useResource<{ sessions: SessionRecord[] }>('/api/account/sessions');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    action().then(
      (message) => {
        setDone(message);
        sessions.reload();
      },
      (e: ApiError) => setError(e),
    ).finally(() => setBusy(false));
  };
  const others = sessions.data?.sessions.filter((s) => !s.current) ?? [];
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      <ErrorBox error={sessions.error ?? error} title="Sessions:" />
      {sessions.loading && !sessions.data ? <Loading what="Listing your sessions" /> : null}
      {sessions.data ? (
        <div class="table-scroll">
          <table id="sessions">
            <caption>Your sign-in sessions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.sessions.map((session) => (
                <tr key={session.id}>
                  <th scope="row" title={session.userAgent ?? undefined}>
                    {browserName(session.userAgent)}
                    {session.current ? (
                      <>
                        {' '}
                        <span class="badge state-active">this browser</span>
                      </>
                    ) : null}
                  </th>
                  <td>
                    <When at={session.createdAt} />
                  </td>
                  <td>
                    <When at={session.lastSeenAt} />
                  </td>
                  <td>
                    {session.current ? null : (
                      <button
                        type="button"
                        class="danger"
                        disabled={busy}
                        onClick={() => run(() => api.delete(`/api/account/sessions/${session.id}`).then(() => `Ended the session of ${browserName(session.userAgent)}.`))}
                      >
                        End<span class="visually-hidden"> the session of {browserName(session.userAgent)} signed in at {formatMoment(session.createdAt)}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {others.length > 0 ? (
        <p>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(() =>
                api
                  .post<{ ended: number }>('/api/account/sessions/end-others', {})
                  .then((r) => `Ended ${r.data.ended} other session${r.data.ended === 1 ? '' : 's'}.`),
              )
            }
          >
            End every other session
          </button>
        </p>
      ) : null}
      <p class="ok" role="status">
        {done}
      </p>
    </section>
  );
}

const OWN_TOKEN_WORDS: TokenWords = {
  holder: 'you',
  hint: 'A token lets a program call the API as you, with your role and grants: send it as “Authorization: Bearer …”.',
  caption: 'Your API tokens, oldest first',
  none: 'You have no API token.',
  listing: 'Listing your tokens',
  newTokenLabel: (id) => `Your new API token number ${id}`,
};

export function AccountPage() {
  usePageTitle('Your account');
  const me = useMe();
  return (
    <main id="main">
      <h1>Your account</h1>
      <p>
        Signed in as <strong>{me.username}</strong> ({me.role}).
      </p>
      <ChangePassword hasPassword={me.passwordSet} />
      <Sessions />
      <ApiTokens
        path="/api/account/tokens"
        idPrefix="account-"
        level={2}
        words={OWN_TOKEN_WORDS}
        create={ROLES_WITH_OWN_TOKENS.includes(me.role) ? 'Create a token' : null}
        noCreate="Your role’s API tokens are issued by an administrator: ask one if a program of yours needs a token. You can revoke yours here."
      />
    </main>
  );
}
