// The sign-in page: a username and password form, and the one-time links. A link carries its
// secret in the fragment (`#invite=…`, `#sign-in=…`), which the browser never sends to the
// server; this script takes it out of the address bar and history at once, then posts it.

interface Problem {
  path: string;
  message: string;
}

interface Me {
  username: string;
  role: string;
  passwordSet: boolean;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function show(section: 'sign-in' | 'choose-password' | 'signed-in'): void {
  for (const id of ['sign-in', 'choose-password', 'signed-in']) $(id).hidden = id !== section;
}

/** Show a message; problems are listed with the field they concern. Never HTML from data. */
function say(text: string, problems: Problem[] = [], ok = false): void {
  const target = $('message');
  target.className = ok ? 'ok' : 'problems';
  const paragraph = document.createElement('p');
  paragraph.textContent = text;
  target.replaceChildren(paragraph);
  if (problems.length > 0) {
    const list = document.createElement('ul');
    for (const problem of problems) {
      const item = document.createElement('li');
      item.textContent = `${problem.path}: ${problem.message}`;
      list.append(item);
    }
    target.append(list);
  }
}

async function api(path: string, body?: unknown): Promise<{ ok: boolean; status: number; data: any }> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  return { ok: response.ok, status: response.status, data: text === '' ? null : JSON.parse(text) };
}

function refused(result: { data: any; status: number }): void {
  say(result.data?.detail ?? `The server answered HTTP ${result.status}.`, result.data?.problems ?? []);
}

const dashboard = () => location.assign('/');

/** Ask for a password; `submit` sends it and says whether it was taken. */
function choosePassword(intro: string, username: string, allowLater: boolean, submit: (password: string) => Promise<boolean>): void {
  $('choose-password-for').textContent = intro;
  $<HTMLInputElement>('password-username').value = username;
  $('not-now').hidden = !allowLater;
  show('choose-password');
  $('password-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const password = $<HTMLInputElement>('new-password').value;
    if (password !== $<HTMLInputElement>('repeat-password').value) {
      say('The two passwords differ: type the same password twice.');
      return;
    }
    void submit(password).then((taken) => taken && dashboard());
  });
}

async function acceptInvite(link: string): Promise<void> {
  const info = await api('/api/auth/link-info', { link });
  if (!info.ok) return refused(info);
  choosePassword(`Welcome, ${info.data.username}. Choose a password to finish setting up your account.`, info.data.username, false, async (password) => {
    const result = await api('/api/auth/invite', { link, password });
    if (!result.ok) refused(result);
    return result.ok;
  });
}

async function useSignInLink(link: string): Promise<void> {
  const result = await api('/api/auth/sign-in-link', { link });
  if (!result.ok) {
    refused(result);
    show('sign-in');
    return;
  }
  const me = result.data as Me;
  if (me.passwordSet) return dashboard();
  say(`You are signed in as ${me.username}.`, [], true);
  choosePassword(
    `Choose a password, so that you can sign in again once this session ends (a one-time link works only once).`,
    me.username,
    true,
    async (newPassword) => {
      const changed = await api('/api/auth/password', { newPassword });
      if (!changed.ok) refused(changed);
      return changed.ok;
    },
  );
}

async function showSignInOrStatus(): Promise<void> {
  const me = await api('/api/auth/me');
  if (me.ok) {
    $('signed-in-name').textContent = `${me.data.username} (${me.data.role})`;
    show('signed-in');
  } else {
    show('sign-in');
  }
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const username = (form.elements.namedItem('username') as HTMLInputElement).value.trim();
  const password = (form.elements.namedItem('password') as HTMLInputElement).value;
  void api('/api/auth/sign-in', { username, password }).then((result) => (result.ok ? dashboard() : refused(result)));
});

$('sign-out').addEventListener('click', () => {
  void api('/api/auth/sign-out', {}).then(() => {
    say('You are signed out.', [], true);
    show('sign-in');
  });
});

const fragment = new URLSearchParams(location.hash.slice(1));
if (location.hash !== '') history.replaceState(null, '', location.pathname + location.search);
const invite = fragment.get('invite');
const signInLink = fragment.get('sign-in');
if (invite) void acceptInvite(invite);
else if (signInLink) void useSignInLink(signInLink);
else void showSignInOrStatus();
