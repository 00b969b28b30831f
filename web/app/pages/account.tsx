// Your account, for every signed-in user: change your password (the rule stated before the first
// try, the server's reasons shown at the fields); your sign-in sessions, with the browser each
// came from, to end one or every other; and your API tokens, to revoke them, and to create them
// if your role runs scripts. A forgotten password is reset by an administrator's invite link.
import { useState } from 'preact/hooks';
import { ROLES_WITH_OWN_TOKENS } from '../../../api/schemas/roles.ts';
import { PASSWORD_RULE, TokenCreate, type NewToken, type SessionRecord, type TokenRecord } from '../../../api/schemas/users.ts';
import { api, ApiError, useResource } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { CopyField } from '../components/copy-field.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { RecordForm } from '../forms/record-form.tsx';
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

function tokenState(token: TokenRecord): string {
  if (token.revokedAt !== null) return 'revoked';
  if (!token.active) return 'expired';
  return 'active';
}

function Tokens({ mayCreate }: { mayCreate: boolean }) {
  const tokens = useResource<{ tokens: TokenRecord[] }>('/api/account/tokens');
  const [issued, setIssued] = useState<NewToken | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="account-tokens-heading">
      <h2 id="account-tokens-heading">API tokens</h2>
      <p class="hint">A token lets a program call the API as you, with your role and grants: send it as “Authorization: Bearer …”.</p>
      <ErrorBox error={tokens.error ?? error} title="Tokens:" />
      {tokens.loading && !tokens.data ? <Loading what="Listing your tokens" /> : null}
      {tokens.data ? (
        tokens.data.tokens.length === 0 ? (
          <p>You have no API token.</p>
        ) : (
          <div class="table-scroll">
            <table id="account-tokens">
              <caption>Your API tokens, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.tokens.map((token) => (
                  <tr key={token.id}>
                    <th scope="row">number {token.id}</th>
                    <td>
                      <When at={token.createdAt} />
                    </td>
                    <td>{token.expiresAt ? <When at={token.expiresAt} /> : 'never'}</td>
                    <td>{token.lastUsedAt ? <When at={token.lastUsedAt} /> : 'never'}</td>
                    <td>{tokenState(token)}</td>
                    <td>
                      {token.active ? (
                        <button
                          type="button"
                          class="danger"
                          disabled={busy}
                          onClick={() => {
                            setBusy(true);
                            setError(null);
                            api
                              .delete(`/api/account/tokens/${token.id}`)
                              .then(
                                () => {
                                  setDone(`Revoked token number ${token.id}.`);
                                  if (issued?.id === token.id) setIssued(null);
                                  tokens.reload();
                                },
                                (e: ApiError) => setError(e),
                              )
                              .finally(() => setBusy(false));
                          }}
                        >
                          Revoke<span class="visually-hidden"> token number {token.id}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      <p class="ok" role="status">
        {done}
      </p>
      {mayCreate ? (
        <>
          <h3>Create a token</h3>
          <RecordForm
            id="account-token-form"
            schema={TokenCreate}
            initial={{ expiresInDays: 90 }}
            submitLabel="Create a token"
            onSubmit={async (value) => {
              const response = await api.post<NewToken>('/api/account/tokens', value);
              setIssued(response.data);
              setDone('');
              tokens.reload();
              queueMicrotask(() => document.getElementById('account-new-token-value')?.focus());
            }}
          />
        </>
      ) : (
        <p class="notice">Your role’s API tokens are issued by an administrator: ask one if a program of yours needs a token. You can revoke yours here.</p>
      )}
      {issued ? (
        <div class="panel token-box" id="account-new-token">
          <p class="notice" role="alert">
            <strong>Copy this token now: it will not be shown again.</strong> The server keeps only a hash of it. Whoever holds it acts as you until it{' '}
            {issued.expiresAt ? 'expires or ' : ''}is revoked.
          </p>
          <CopyField id="account-new-token-value" label={`Your new API token number ${issued.id}`} value={issued.token} />
        </div>
      ) : null}
    </section>
  );
}

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
      <Tokens mayCreate={ROLES_WITH_OWN_TOKENS.includes(me.role)} />
    </main>
  );
}
