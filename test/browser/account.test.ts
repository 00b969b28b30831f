// The Account page in a real browser: the link in the header; the password rule shown before
// the first try, a guessable password refused at the field with the server's reason, then a
// change that ends the other sessions; the sessions with the browser each came from, ending
// another one; creating an API token (shown once, and it works), then revoking it (it stops
// working); a clinic user, whose tokens an administrator issues, sees them without a create
// form. axe-core finds nothing serious on the page.
import { expect } from 'chai';
import { hashPassword } from '../../api/services/password.ts';
import { DRIVER } from '../support/database.ts';
import { apiClient } from '../support/http.ts';
import { expectAccessible, openAs, problemsExcept, refusedRequests, screenshots, signedInAs, signIn, startWebApp, type WebApp } from '../support/web-app.ts';

const PASSWORD = 'seven green kites over the harbour';
const NEW_PASSWORD = 'a long walk on a cold morning';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe(`browser: your account (${DRIVER})`, function () {
  this.timeout(180_000);
  let app: WebApp;

  before(async () => {
    app = await startWebApp({ demo: false });
    await app.db.kysely.updateTable('app_user').set({ password_hash: await hashPassword(PASSWORD) }).where('username', '=', 'rhea-researcher').execute();
  });
  after(async () => {
    await app?.close();
  });

  it('changes the password, ends another session, and creates and revokes an API token', async () => {
    // Another browser of the researcher, signed in over the API with its own User-Agent.
    const elsewhere = await fetch(`${app.base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': FIREFOX },
      body: JSON.stringify({ username: 'rhea-researcher', password: PASSWORD }),
    });
    expect(elsewhere.status).to.equal(200);
    const elsewhereCookie = /^(smp_session=[^;]+)/.exec(elsewhere.headers.getSetCookie()[0]!)![1]!;
    const asElsewhere = () => fetch(`${app.base}/api/auth/me`, { headers: { cookie: elsewhereCookie } });

    const { page, problems, close } = await openAs(app, null);
    try {
      await page.goto(`${app.base}/sign-in`);
      await signIn(page, 'rhea-researcher', PASSWORD);
      await signedInAs(page, 'rhea-researcher');
      await page.getByRole('link', { name: 'Your account' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      expect(page.url()).to.equal(`${app.base}/account`);

      // Sessions: this browser, the Firefox one and the test's own session (no User-Agent).
      const rows = page.locator('table#sessions tbody tr');
      await rows.nth(2).waitFor();
      const browsers = await page.locator('table#sessions tbody th').allTextContents();
      expect(browsers).to.have.length(3);
      expect(browsers.filter((b) => b.includes('this browser'))).to.have.length(1);
      expect(browsers).to.include('Firefox on Windows');
      expect(browsers).to.include('a browser that did not say');
      await expectAccessible(page, 'the account page');
      await screenshots(page, 'account');
      await page.getByRole('button', { name: /^End the session of Firefox on Windows/ }).click();
      await page.getByRole('status').filter({ hasText: 'Ended the session of Firefox on Windows.' }).waitFor();
      expect((await asElsewhere()).status).to.equal(401);
      await page.waitForFunction(() => document.querySelectorAll('table#sessions tbody tr').length === 2);

      // A token, shown once; it works until it is revoked.
      await page.getByLabel('Expires in days').fill('30');
      await page.getByRole('button', { name: 'Create a token' }).click();
      const value = await page.getByLabel(/Your new API token number/).inputValue();
      expect(value).to.match(/^smp_[A-Za-z0-9_-]{43}$/);
      const asToken = () => fetch(`${app.base}/api/auth/me`, { headers: { authorization: `Bearer ${value}` } });
      expect((await asToken()).status).to.equal(200);
      // The token's number from its own label, and its row once the list has been read again:
      // the last row before that is another token.
      const id = /number (\d+)$/.exec((await page.locator('label[for="account-new-token-value"]').textContent())!.trim())![1]!;
      await page.locator('table#account-tokens tbody th', { hasText: new RegExp(`^number ${id}$`) }).waitFor();
      await page.getByRole('button', { name: `Revoke token number ${id}` }).click();
      await page.getByRole('status').filter({ hasText: `Revoked token number ${id}.` }).waitFor();
      expect((await asToken()).status).to.equal(401);
      await page.locator('table#account-tokens tbody tr', { hasText: 'revoked' }).waitFor();

      // The password rule is on the page before the first try; a guessable password is refused with the reason.
      expect(await page.locator('#account-password-rule').textContent()).to.contain('At least 15 characters');
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill('qwertyuiopasdfgh');
      await page.getByLabel('Repeat the new password').fill('qwertyuiopasdfgh');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('alert').filter({ hasText: 'is a keyboard pattern' }).waitFor();
      // Said once, by the field's label: not the server's sentence and then a bullet with its key.
      const refusal = await page.getByRole('alert').filter({ hasText: 'is a keyboard pattern' }).innerText();
      expect(refusal.split('is a keyboard pattern').length - 1, refusal).to.equal(1);
      expect(refusal).to.contain('New password: ');
      expect(refusal).to.not.match(/newPassword|invalid request/);
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
      // The other session ended; this one stays; the new password works.
      expect((await fetch(`${app.base}/api/auth/me`, { headers: { cookie: app.users.researcher.cookie } })).status).to.equal(401);
      expect(await page.evaluate(async () => (await fetch('/api/auth/me')).status)).to.equal(200);
      const again = await apiClient(app.base).post('/auth/sign-in', { username: 'rhea-researcher', password: NEW_PASSWORD });
      expect(again.status).to.equal(200);
      expect(refusedRequests(problems, 400)).to.have.length(1);
      expect(problemsExcept(problems, 400)).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it("shows a clinic user their tokens, issued by an administrator, without a form to create one", async () => {
    const admin = apiClient(app.base, app.users.admin.headers);
    expect((await admin.post('/users/lon-clinic/tokens', { expiresInDays: 10 })).status).to.equal(201);
    const { page, problems, close } = await openAs(app, app.users.clinic);
    try {
      await page.goto(`${app.base}/account`);
      await page.getByRole('heading', { name: 'API tokens' }).waitFor();
      await page.locator('table#account-tokens tbody tr').first().waitFor();
      expect(await page.locator('main').textContent()).to.contain('Your role’s API tokens are issued by an administrator');
      expect(await page.getByRole('button', { name: 'Create a token' }).count()).to.equal(0);
      expect(await page.getByRole('button', { name: /^Revoke token number/ }).count()).to.be.at.least(1);
      await expectAccessible(page, 'the account page of a clinic user');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
