// Signing in, in a real browser: the first run's printed link (ensureFirstRunAdmin, what
// `npm start` prints) signs the administrator in and offers to choose a password ("Not now"
// too); the password then works; a wrong one shows the server's message; a signed-out visit
// to a page returns there after signing in; and a session that ends while a form is filled in
// asks to sign in again over the page, then saves what was typed.
import { expect } from 'chai';
import { ensureFirstRunAdmin, firstRunMessage, type FirstRunLink } from '../../api/services/first-run.ts';
import { DRIVER } from '../support/database.ts';
import { apiClient } from '../support/http.ts';
import {
  expectAccessible,
  openAs,
  problemsExcept,
  refusedRequests,
  screenshots,
  signedInAs,
  signIn,
  startWebApp,
  type WebApp,
} from '../support/web-app.ts';

const ADMIN_PASSWORD = 'a long walk on a cold morning';
const RESEARCHER_PASSWORD = 'seven green kites over the harbour';

describe(`browser: signing in (${DRIVER})`, function () {
  this.timeout(180_000);
  let app: WebApp;
  let firstRun: FirstRunLink;

  before(async () => {
    // A first run: the demo study and no users, as `npm start` finds a new installation.
    app = await startWebApp({
      // The refusal below names these numbers: set here, whatever the environment says.
      config: { signInMaxFailures: 5, signInLockMinutes: 15 },
      load: async (db, base) => {
        firstRun = (await ensureFirstRunAdmin(db, base))!;
      },
    });
    // The researcher sets a password through the API, as on their invite.
    const set = await apiClient(app.base, { cookie: app.users.researcher.cookie, origin: app.base }).post('/auth/password', { newPassword: RESEARCHER_PASSWORD });
    expect(set.status).to.equal(204);
  });
  after(async () => {
    await app?.close();
  });

  it('opens the printed first-run link signed in as admin, offering a password or "Not now"', async () => {
    expect(firstRun.created).to.equal(true);
    expect(firstRun.username).to.equal('admin');
    expect(firstRun.link.url).to.match(new RegExp(`^${app.base}/sign-in#sign-in=[A-Za-z0-9_-]{43}$`));
    expect(firstRunMessage(firstRun)).to.include(`    ${firstRun.link.url}\n`);

    const { page, problems, close } = await openAs(app, null);
    try {
      await page.goto(firstRun.link.url);
      await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
      expect(await page.locator('main').textContent()).to.include('You are signed in as admin.');
      expect(page.url()).to.equal(`${app.base}/sign-in`); // the secret is gone from the address bar
      await expectAccessible(page, 'choosing a password after the first-run link');
      await page.getByRole('button', { name: 'Not now' }).click();
      await signedInAs(page, 'admin');
      await page.getByRole('heading', { name: 'Studies' }).waitFor();
      expect(page.url()).to.equal(`${app.base}/`);
      const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
      expect(me).to.include({ username: 'admin', role: 'admin', passwordSet: false });
      await page.locator('table#studies tbody tr').first().waitFor();
      await expectAccessible(page, 'the studies page');
      await screenshots(page, 'studies');

      // Used once: the same link, opened again, is refused with the server's words.
      const again = await openAs(app, null);
      try {
        await again.page.goto(firstRun.link.url);
        await again.page.getByRole('alert').filter({ hasText: 'this link does not work' }).waitFor();
        await again.page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(refusedRequests(again.problems, 401)).to.have.length(1);
        expect(problemsExcept(again.problems, 401)).to.deep.equal([]);
      } finally {
        await again.close();
      }
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('sets the password on the next start’s link; then signs out and in with it, and shows the server’s message for a wrong one', async () => {
    // No administrator has a password yet, so the next start prints a new link for admin.
    const next = (await ensureFirstRunAdmin(app.db, app.base))!;
    expect(next).to.include({ created: false, username: 'admin' });

    const { page, problems, close } = await openAs(app, null);
    try {
      await page.goto(next.link.url);
      await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
      // Too short: the server's rule, in its words.
      expect(await page.locator('#password-hint').textContent(), 'the rule before the first try').to.contain('At least 15 characters');
      await page.getByLabel('New password').fill('short one');
      await page.getByLabel('Repeat it').fill('short one');
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.getByRole('alert').filter({ hasText: 'at least 15 characters' }).waitFor();
      await page.getByLabel('New password').fill(ADMIN_PASSWORD);
      await page.getByLabel('Repeat it').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await signedInAs(page, 'admin');
      await page.getByRole('heading', { name: 'Studies' }).waitFor();
      // With a password set, a start prints no link any more.
      expect(await ensureFirstRunAdmin(app.db, app.base)).to.equal(null);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(page.url()).to.equal(`${app.base}/sign-in`);

      await signIn(page, 'admin', 'not the password at all');
      const refusal = page.getByRole('alert');
      await refusal.waitFor();
      // The test server runs with the defaults of api/config.ts (SMP_SIGN_IN_MAX_FAILURES 5,
      // SMP_SIGN_IN_LOCK_MINUTES 15): the message names them.
      expect(await refusal.textContent()).to.equal('the username or password is not right (5 failed sign-ins in a row lock an account for 15 minutes)');
      await expectAccessible(page, 'the sign-in page with a refusal');
      await screenshots(page, 'sign-in');

      await signIn(page, 'admin', ADMIN_PASSWORD);
      await signedInAs(page, 'admin');
      expect(page.url()).to.equal(`${app.base}/`);
      // The two refusals: the short password (400) and the wrong one (401).
      expect(refusedRequests(problems, 400)).to.have.length(1);
      expect(refusedRequests(problems, 401)).to.have.length(1);
      expect(problemsExcept(problems, 400, 401)).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('sends a signed-out visit to a study page to sign in, then back to that page', async () => {
    const { page, problems, close } = await openAs(app, null);
    try {
      await page.goto(`${app.base}/studies/SMP-2021/setup?from=bookmark`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(page.url()).to.equal(`${app.base}/sign-in?next=${encodeURIComponent('/studies/SMP-2021/setup?from=bookmark')}`);
      await expectAccessible(page, 'the sign-in page');
      await signIn(page, 'rhea-researcher', RESEARCHER_PASSWORD);
      await signedInAs(page, 'rhea-researcher');
      await page.waitForURL(`${app.base}/studies/SMP-2021/setup?from=bookmark`);
      await page.locator('table#sites').waitFor();
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('asks to sign in again when the session has ended while a form was filled in, then saves what was typed', async () => {
    const researcher = app.users.researcher;
    const { page, problems, close } = await openAs(app, null);
    try {
      await page.goto(`${app.base}/sign-in?next=${encodeURIComponent('/studies/SMP-2021/setup')}`);
      await signIn(page, 'rhea-researcher', RESEARCHER_PASSWORD);
      await page.locator('table#sites').waitFor();
      await page.getByRole('button', { name: 'Add a site' }).click();
      const form = page.locator('#site-form');
      await form.getByLabel('Code').fill('BRI');
      await form.getByLabel('Name').fill('Bristol Scalp Clinic');
      await form.getByLabel('Reason for the change (optional)').fill('a new clinic joins the study');

      // The session ends on the server (expired, or signed out elsewhere).
      await app.db.kysely.deleteFrom('auth_session').where('user_id', '=', researcher.userId).execute();

      await form.getByRole('button', { name: 'Add the site' }).click();
      const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
      await dialog.waitFor();
      expect(await dialog.getByLabel('Username').inputValue()).to.equal('rhea-researcher');
      await expectAccessible(page, 'the sign-in dialog over a form');
      await dialog.getByLabel('Password').fill(RESEARCHER_PASSWORD);
      await dialog.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Added site BRI.').waitFor();
      await dialog.waitFor({ state: 'detached' });

      const adminApi = apiClient(app.base, app.users.admin.headers);
      expect((await adminApi.get('/studies/SMP-2021/sites/BRI')).body).to.include({ code: 'BRI', name: 'Bristol Scalp Clinic' });
      const [entry] = (await adminApi.get('/studies/SMP-2021/audit?entity=site&limit=1')).body.items;
      expect(entry).to.deep.include({ action: 'create', key: 'BRI', reason: 'a new clinic joins the study', user: { username: 'rhea-researcher', role: 'researcher' } });
      expect(refusedRequests(problems, 401)).to.have.length(1);
      expect(problemsExcept(problems, 401)).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
