// Signing in: a username and password, or a one-time link. A link carries its secret in the
// fragment (`/sign-in#invite=…`, `/sign-in#sign-in=…`), which the browser never sends to a
// server; the page takes it out of the address bar and history at once, then posts it. A new
// user (invite) chooses a password; the first run's sign-in link signs the administrator in and
// offers to choose one.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { PASSWORD_RULE } from '../../../api/schemas/users.ts';
import type { Me } from '../session.ts';

type Stage =
  | { kind: 'checking' }
  | { kind: 'form' }
  | { kind: 'choose-password'; username: string; invite: string | null; allowLater: boolean; intro: string };

export function SignInForm({ onSignedIn, username: fixedUsername }: { onSignedIn: (me: Me) => void; username?: string }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="stack"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const username = (form.elements.namedItem('username') as HTMLInputElement).value.trim();
        const password = (form.elements.namedItem('password') as HTMLInputElement).value;
        setBusy(true);
        api
          .post<Me>('/api/auth/sign-in', { username, password })
          .then((response) => onSignedIn(response.data), (e: ApiError) => setError(e))
          .finally(() => setBusy(false));
      }}
    >
      <ErrorBox error={error} />
      <p>
        <label for="sign-in-username">Username</label>
        <input
          id="sign-in-username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          value={fixedUsername}
          readOnly={fixedUsername !== undefined}
        />
      </p>
      <p>
        <label for="sign-in-password">Password</label>
        <input id="sign-in-password" name="password" type="password" autocomplete="current-password" required />
      </p>
      <p>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </p>
    </form>
  );
}

function ChoosePassword({ stage, onDone }: { stage: Extract<Stage, { kind: 'choose-password' }>; onDone: (me: Me | null) => void }) {
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="choose-password-heading">
      <h1 id="choose-password-heading">Choose your password</h1>
      <p>{stage.intro}</p>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const password = (form.elements.namedItem('newPassword') as HTMLInputElement).value;
          if (password !== (form.elements.namedItem('repeatPassword') as HTMLInputElement).value) {
            setError(new Error('The two passwords differ: type the same password twice.'));
            return;
          }
          setBusy(true);
          const done = stage.invite
            ? api.post<Me>('/api/auth/invite', { link: stage.invite, password }).then((r) => r.data)
            : api.post('/api/auth/password', { newPassword: password }).then(() => api.get<Me>('/api/auth/me')).then((r) => r.data);
          done.then(onDone, (e: ApiError) => setError(e)).finally(() => setBusy(false));
        }}
      >
        <ErrorBox error={error} />
        <input name="username" autocomplete="username" value={stage.username} hidden readOnly />
        <p id="password-hint" class="hint">
          {PASSWORD_RULE}.
        </p>
        <p>
          <label for="new-password">New password</label>
          <input id="new-password" name="newPassword" type="password" autocomplete="new-password" required aria-describedby="password-hint" />
        </p>
        <p>
          <label for="repeat-password">Repeat it</label>
          <input id="repeat-password" name="repeatPassword" type="password" autocomplete="new-password" required />
        </p>
        <p class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Set password
          </button>
          {stage.allowLater ? (
            <button type="button" onClick={() => onDone(null)}>
              Not now
            </button>
          ) : null}
        </p>
      </form>
    </section>
  );
}

/** The sign-in page; `onSignedIn` is called with the user once signed in. */
export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [stage, setStage] = useState<Stage>({ kind: 'checking' });
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (location.hash !== '') history.replaceState(null, '', location.pathname + location.search);
    const invite = fragment.get('invite');
    const signInLink = fragment.get('sign-in');
    if (invite) {
      api.post<{ username: string }>('/api/auth/link-info', { link: invite }).then(
        (info) =>
          setStage({
            kind: 'choose-password',
            username: info.data.username,
            invite,
            allowLater: false,
            intro: `Welcome, ${info.data.username}. Choose a password to finish setting up your account.`,
          }),
        (e: ApiError) => {
          setError(e);
          setStage({ kind: 'form' });
        },
      );
    } else if (signInLink) {
      api.post<Me>('/api/auth/sign-in-link', { link: signInLink }).then(
        (response) => {
          const me = response.data;
          if (me.passwordSet) onSignedIn(me);
          else
            setStage({
              kind: 'choose-password',
              username: me.username,
              invite: null,
              allowLater: true,
              intro: `You are signed in as ${me.username}. Choose a password, so that you can sign in again once this session ends (a one-time link works only once).`,
            });
        },
        (e: ApiError) => {
          setError(e);
          setStage({ kind: 'form' });
        },
      );
    } else {
      setStage({ kind: 'form' });
    }
  }, []);

  return (
    <main id="main" class="narrow">
      {stage.kind === 'checking' ? <Loading what="Checking the link" /> : null}
      {stage.kind === 'choose-password' ? (
        <ChoosePassword
          stage={stage}
          onDone={(me) => {
            if (me) onSignedIn(me);
            else void api.get<Me>('/api/auth/me').then((r) => onSignedIn(r.data), setError);
          }}
        />
      ) : null}
      {stage.kind === 'form' ? (
        <section aria-labelledby="sign-in-heading">
          <h1 id="sign-in-heading">Sign in</h1>
          <ErrorBox error={error} />
          <SignInForm onSignedIn={onSignedIn} />
          <p class="hint">
            New here? Open the invite link an administrator sent you. Forgot your password? Ask an administrator for a new invite link.
          </p>
        </section>
      ) : null}
    </main>
  );
}
