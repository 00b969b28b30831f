// The application shell: who is signed in, the page the address names, the header with its
// navigation, and the sign-in dialog that appears over the page when a session ends (the page
// stays as it was, with whatever was typed, and the request that met the expiry goes out again).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, onSessionExpired } from './api.ts';
import { usePageTitle } from './components/page-title.ts';
import { Loading } from './components/problems.tsx';
import { SignInForm, SignInPage } from './pages/sign-in.tsx';
import { Link, navigate, pathOf, useLocation } from './router.tsx';
import { findRoute, STUDY_TABS } from './routes.tsx';
import { isAdmin, SessionContext, useMe, type Me } from './session.ts';

function SessionExpiredDialog({ me, onSignedIn }: { me: Me; onSignedIn: (me: Me) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current!;
    if (!element.open) element.showModal();
    // Escape would leave the page without a session: the dialog stays until signed in.
    const keep = (event: Event) => event.preventDefault();
    element.addEventListener('cancel', keep);
    return () => element.removeEventListener('cancel', keep);
  }, []);
  return (
    <dialog ref={dialog} class="session-dialog" aria-labelledby="session-expired-heading">
      <h2 id="session-expired-heading">Your session has ended</h2>
      <p>Sign in again to carry on. The page stays as it was: nothing you typed is lost, and what you were saving is sent once you are signed in.</p>
      <SignInForm username={me.username} onSignedIn={onSignedIn} />
    </dialog>
  );
}

function Header({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  return (
    <header class="app-header">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <nav aria-label="Main">
        <Link href="/" class="brand">
          SMP outcomes tracker
        </Link>
        <Link href="/">Studies</Link>
        {isAdmin(me) ? <Link href="/users">Users</Link> : null}
        <a href="/api/docs">API</a>
      </nav>
      <p class="account">
        <span>
          Signed in as <strong>{me.username}</strong> ({me.role})
        </span>{' '}
        <Link href="/account">Your account</Link>{' '}
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </p>
    </header>
  );
}

/** The tabs of one study's pages. */
export function StudyNav({ code, pathname }: { code: string; pathname: string }) {
  const me = useMe();
  return (
    <nav class="study-tabs" aria-label={`Study ${code}`}>
      {STUDY_TABS.filter((tab) => !(tab.suffix === '/audit' && me.role === 'reviewer')).map((tab) => {
        const href = pathOf('studies', code) + tab.suffix;
        const current = tab.suffix === '' ? pathname === href : pathname.startsWith(href);
        return (
          <Link key={tab.suffix} href={href} aria-current={current ? 'page' : undefined}>
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}

function NotFound({ pathname }: { pathname: string }) {
  usePageTitle('Not found');
  return (
    <main id="main">
      <h1>Not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. <Link href="/">Back to the studies</Link>
      </p>
    </main>
  );
}

function Shell({ me, children, onSignOut }: { me: Me; children: ComponentChildren; onSignOut: () => void }) {
  return (
    <SessionContext.Provider value={me}>
      <Header me={me} onSignOut={onSignOut} />
      {children}
    </SessionContext.Provider>
  );
}

export function App() {
  const url = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState<(() => void) | null>(null);

  useEffect(() => {
    api.get<{ me: Me | null }>('/api/auth/session').then(
      (response) => setMe(response.data.me),
      () => setMe(null),
    );
  }, []);

  // A 401 from any request opens the dialog; the request resumes once the user has signed in.
  useEffect(() => {
    onSessionExpired(
      () =>
        new Promise<void>((resolve) => {
          setExpired(() => resolve);
        }),
    );
    return () => onSessionExpired(null);
  }, []);

  useEffect(() => {
    if (me === null && url.pathname !== '/sign-in') {
      navigate(`/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`, { replace: true });
    }
  }, [me, url.pathname]);

  if (me === undefined) return <Loading what="Opening the tracker" />;

  if (url.pathname === '/sign-in' || me === null) {
    const next = url.searchParams.get('next');
    return (
      <SignInPage
        onSignedIn={(signedIn) => {
          setMe(signedIn);
          navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
        }}
      />
    );
  }

  const signOut = () => {
    void api.post('/api/auth/sign-out', {}).finally(() => {
      setMe(null);
      navigate('/sign-in', { replace: true });
    });
  };

  const found = findRoute(url.pathname);
  return (
    <Shell me={me} onSignOut={signOut}>
      {found ? (
        found.route.study ? (
          <div class="study-frame">
            <StudyNav code={found.params.code!} pathname={url.pathname} />
            {found.route.render(found.params, url)}
          </div>
        ) : (
          found.route.render(found.params, url)
        )
      ) : (
        <NotFound pathname={url.pathname} />
      )}
      {expired ? (
        <SessionExpiredDialog
          me={me}
          onSignedIn={(signedIn) => {
            if (signedIn.username !== me.username) {
              // Someone else signed in: what was on the page is not theirs to send.
              location.assign('/');
              return;
            }
            setMe(signedIn);
            const resume = expired;
            setExpired(null);
            resume();
          }}
        />
      ) : null}
    </Shell>
  );
}
