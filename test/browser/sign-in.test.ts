// Signing in as a user meets it: the dashboard sends a stranger to the sign-in page; the first
// run's printed link signs the administrator in and asks for a password; signing out and in
// again with it; and an invite link on which a new user sets their password.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp } from '../../api/app.ts';
import { commandLineChange } from '../../api/services/access.ts';
import { loadDemo } from '../../api/services/demo-service.ts';
import { ensureFirstRunAdmin } from '../../api/services/first-run.ts';
import { createUser } from '../../api/services/user-service.ts';
import { launchChromium } from '../support/browser.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

const ADMIN_PASSWORD = 'staple battery horse correct';

describe(`browser: sign-in (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: Server;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  before(async () => {
    db = await freshDb();
    await loadDemo(db);
    server = createApp({ db }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await db?.dispose();
  });
  afterEach(() => {
    expect(pageErrors).to.deep.equal([]);
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { context, page };
  }
  const studyCodes = (page: Page) => page.$$eval('#studies tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));

  it('sends a visitor without a session from the dashboard to the sign-in page', async () => {
    const { context, page } = await newPage();
    await page.goto(base);
    await page.waitForURL(`${base}/sign-in`);
    await page.waitForSelector('#sign-in-form', { state: 'visible' });
    expect(await page.isVisible('#choose-password')).to.equal(false);
    await context.close();
  });

  it('signs the administrator in with the first-run link, which asks for a password; then out, and in with it', async () => {
    const firstRun = await ensureFirstRunAdmin(db, base);
    const { context, page } = await newPage();
    await page.goto(firstRun!.link.url);
    await page.waitForSelector('#choose-password', { state: 'visible' });
    // The secret is gone from the address bar (and so from history) at once.
    expect(page.url()).to.equal(`${base}/sign-in`);
    expect(await page.textContent('#message')).to.equal('You are signed in as admin.');

    await page.fill('#new-password', 'too short');
    await page.fill('#repeat-password', 'too short');
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#message li');
    expect(await page.textContent('#message li')).to.equal('newPassword: must have at least 15 characters (it has 9); a few words make a good password');

    await page.fill('#new-password', ADMIN_PASSWORD);
    await page.fill('#repeat-password', ADMIN_PASSWORD);
    await page.click('#password-form button[type=submit]');
    await page.waitForURL(`${base}/`);
    await page.waitForSelector('#studies tbody tr td a');
    expect(await studyCodes(page)).to.deep.equal(['SMP-2021']);
    expect(await page.textContent('#account-name')).to.equal('admin (admin)');

    await page.click('#sign-out');
    await page.waitForURL(`${base}/sign-in`);
    await page.waitForSelector('#sign-in-form', { state: 'visible' });
    expect(await context.cookies()).to.deep.equal([]);

    await page.fill('#username', 'admin');
    await page.fill('#password', 'not the password at all');
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#message p');
    expect(await page.textContent('#message p')).to.equal('the username or password is not right (5 failed sign-ins in a row lock an account for 15 minutes)');

    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForURL(`${base}/`);
    await page.waitForSelector('#studies tbody tr td a');
    const [cookie] = await context.cookies();
    expect(cookie).to.deep.include({ name: 'smp_session', httpOnly: true, sameSite: 'Strict', path: '/', secure: false });

    // A used link says so.
    await page.goto(firstRun!.link.url);
    await page.waitForSelector('#message p');
    expect(await page.textContent('#message p')).to.match(/^this link does not work: it was used already/);
    await context.close();
  });

  it('lets an invited user set their password on the invite link and see only their studies', async () => {
    const { invite } = await createUser(db, commandLineChange(), { username: 'invited.clinic', role: 'clinic', grants: [{ study: 'SMP-2021', site: 'LON' }] }, base);
    const { context, page } = await newPage();
    await page.goto(invite.url);
    await page.waitForSelector('#choose-password', { state: 'visible' });
    expect(page.url()).to.equal(`${base}/sign-in`);
    expect(await page.textContent('#choose-password-for')).to.equal('Welcome, invited.clinic. Choose a password to finish setting up your account.');
    await page.fill('#new-password', 'a clinic password that is long');
    await page.fill('#repeat-password', 'a clinic password that differs');
    await page.click('#password-form button[type=submit]');
    expect(await page.textContent('#message p')).to.equal('The two passwords differ: type the same password twice.');
    await page.fill('#repeat-password', 'a clinic password that is long');
    await page.click('#password-form button[type=submit]');
    await page.waitForURL(`${base}/`);
    await page.waitForSelector('#studies tbody tr td a');
    expect(await page.textContent('#account-name')).to.equal('invited.clinic (clinic)');
    const row = await page.$$eval('#studies tbody tr td', (cells) => cells.slice(0, 4).map((c) => c.textContent));
    // The clinic's counts are of its own site's participants.
    expect(row).to.deep.equal(['SMP-2021', row[1], '2', '12']);

    await page.goto(`${base}/sign-in`);
    await page.waitForSelector('#signed-in', { state: 'visible' });
    expect(await page.textContent('#signed-in-name')).to.equal('invited.clinic (clinic)');
    await context.close();
  });
});
