// The dashboard's account bar: who is signed in, and signing out. Without a session the
// dashboard sends the browser to the sign-in page.

/** Show the signed-in user; false (and off to the sign-in page) when no one is signed in. */
export async function showAccount(): Promise<boolean> {
  const response = await fetch('/api/auth/me');
  if (response.status === 401) {
    location.replace('/sign-in');
    return false;
  }
  if (!response.ok) return true;
  const me = (await response.json()) as { username: string; role: string };
  document.getElementById('account-name')!.textContent = `${me.username} (${me.role})`;
  document.getElementById('account')!.hidden = false;
  document.getElementById('sign-out')!.addEventListener('click', () => {
    void fetch('/api/auth/sign-out', { method: 'POST' }).then(() => location.assign('/sign-in'));
  });
  return true;
}
