// The administration pages in a real browser: inviting a user whose printed link signs them in,
// grants, API tokens shown once, the audit log with its before/after values and filters, the
// set-up page's sites (a bad code refused at its field, nothing written), and what a reviewer
// sees. Every page visited is checked by axe-core and must log no error.
import { expect } from 'chai';
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

const PASSWORD = 'four unrelated words make a password';

/** Text as read, with runs of white space as one space. */
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

describe(`browser: users, audit log and set-up (${DRIVER})`, function () {
  this.timeout(180_000);
  let app: WebApp;

  before(async () => {
    app = await startWebApp();
  });
  after(async () => {
    await app?.close();
  });

  it('signs a new clinic user in with the invite link the users page prints, then with their password', async () => {
    const admin = await openAs(app, app.users.admin);
    let link: string;
    try {
      const { page } = admin;
      await page.goto(`${app.base}/users`);
      await page.locator('table#users').waitFor();
      await page.getByLabel('Username', { exact: true }).fill('man-coordinator');
      await page.getByLabel('Role').selectOption('clinic');
      await page.getByLabel('Study').selectOption('SMP-2021');
      await page.locator('#invite-site option[value="MAN"]').waitFor({ state: 'attached' });
      await page.getByLabel('Site').selectOption('MAN');
      await page.getByRole('button', { name: 'Invite' }).click();
      const linkField = page.getByLabel('Invite link for man-coordinator');
      await linkField.waitFor();
      link = await linkField.inputValue();
      expect(link).to.match(new RegExp(`^${app.base}/sign-in#invite=[A-Za-z0-9_-]{20,}$`));
      expect(await page.locator('#invite-link').textContent()).to.match(/works once, until/);
      await expectAccessible(page, 'the users page with an invite link');
      const row = page.locator('table#users tr', { has: page.locator('th', { hasText: 'man-coordinator' }) });
      await row.getByText('invited: no password yet').waitFor();
      expect(await row.textContent()).to.include('SMP-2021, site MAN');
      // The Copy button puts the link on the clipboard (or says how to copy it by hand).
      await page.getByRole('button', { name: 'Copy Invite link for man-coordinator' }).click();
      await page.locator('#invite-link [role="status"]').filter({ hasText: /Copied|copy it yourself/ }).waitFor();

      await page.goto(`${app.base}/users?user=man-coordinator`);
      await page.getByRole('heading', { name: 'Manage man-coordinator' }).waitFor();
      await expectAccessible(page, 'the users page');
      await screenshots(page, 'users');
      expect(admin.problems).to.deep.equal([]);
    } finally {
      await admin.close();
    }

    // The link, opened by someone signed out: they choose a password and are signed in.
    const newcomer = await openAs(app, null);
    try {
      const { page } = newcomer;
      await page.goto(link);
      await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
      expect(page.url()).to.not.include('#invite=');
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByLabel('Repeat it').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await signedInAs(page, 'man-coordinator');
      await page.getByRole('heading', { name: 'Studies' }).waitFor();

      // They reach site MAN only: the studies list counts its participants, and so does the API
      // as this session sees it.
      const adminApi = apiClient(app.base, app.users.admin.headers);
      const manParticipants = (await adminApi.get('/studies/SMP-2021/participants?site=MAN&limit=1000')).body.items.length as number;
      expect(manParticipants).to.be.greaterThan(0);
      const studyRow = page.locator('table#studies tbody tr', { has: page.getByRole('link', { name: 'SMP-2021' }) });
      await studyRow.waitFor();
      const cells = await studyRow.locator('td').allTextContents();
      expect(cells[2]).to.equal(String(manParticipants));
      const seen = await page.evaluate(async () => {
        const me = await (await fetch('/api/auth/me')).json();
        const list = await (await fetch('/api/studies/SMP-2021/participants?limit=1000')).json();
        return { grants: me.grants, sites: [...new Set(list.items.map((p: { site: string }) => p.site))] };
      });
      expect(seen).to.deep.equal({ grants: [{ study: 'SMP-2021', site: 'MAN' }], sites: ['MAN'] });
      // The participants page shows the MAN participants, and no one else.
      await page.goto(`${app.base}/studies/SMP-2021/participants`);
      const rows = page.locator('table#participants tbody tr');
      await rows.first().waitFor();
      await page.locator('table#participants:not([aria-busy])').waitFor();
      const siteCells = await rows.locator('td:nth-of-type(1)').allTextContents();
      expect(new Set(siteCells)).to.deep.equal(new Set(['MAN']));
      expect(siteCells.length).to.equal(Math.min(manParticipants, 25));

      // Signing out, then in again with the password just chosen.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signIn(page, 'man-coordinator', PASSWORD);
      await signedInAs(page, 'man-coordinator');
      expect(newcomer.problems).to.deep.equal([]);
    } finally {
      await newcomer.close();
    }
  });

  it('grants a site to a user and revokes it, and changes a role, as the API then shows', async () => {
    const adminApi = apiClient(app.base, app.users.admin.headers);
    const { page, problems, close } = await openAs(app, app.users.admin);
    try {
      await page.goto(`${app.base}/users?user=lon-clinic`);
      await page.getByRole('heading', { name: 'Manage lon-clinic' }).waitFor();
      const grants = page.locator('#grant-form');
      await grants.getByLabel('Study').selectOption('SMP-2021');
      await grants.locator('option[value="MAN"]').waitFor({ state: 'attached' });
      await grants.getByLabel('Site').selectOption('MAN');
      await grants.getByRole('button', { name: 'Grant' }).click();
      await page.getByText('Granted SMP-2021, site MAN.').waitFor();
      expect((await adminApi.get('/users/lon-clinic')).body.grants).to.deep.equal([
        { study: 'SMP-2021', site: 'LON' },
        { study: 'SMP-2021', site: 'MAN' },
      ]);

      await page.getByRole('button', { name: 'Revoke SMP-2021, site MAN' }).click();
      await page.getByText('Revoked SMP-2021, site MAN.').waitFor();
      expect((await adminApi.get('/users/lon-clinic')).body.grants).to.deep.equal([{ study: 'SMP-2021', site: 'LON' }]);

      // A clinic user with site grants cannot become a researcher: the API's refusal is shown.
      await page.locator('#manage-user').getByLabel('Role', { exact: true }).selectOption('researcher');
      await page.getByRole('button', { name: 'Change the role' }).click();
      await page.getByRole('alert').filter({ hasText: "first revoke lon-clinic's site grants" }).waitFor();
      expect((await adminApi.get('/users/lon-clinic')).body.role).to.equal('clinic');
      expect(refusedRequests(problems, 409)).to.have.length(1);
      expect(problemsExcept(problems, 409)).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('shows a new API token once; it works against the API until it is revoked', async () => {
    const { page, problems, close } = await openAs(app, app.users.admin);
    try {
      await page.goto(`${app.base}/users?user=rhea-researcher`);
      await page.getByRole('heading', { name: 'Manage rhea-researcher' }).waitFor();
      await page.getByLabel('Expires in days').fill('30');
      const issued = Date.now();
      await page.getByRole('button', { name: 'Issue a token' }).click();
      const tokenField = page.getByLabel(/^New API token number \d+ for rhea-researcher$/);
      await tokenField.waitFor();
      const token = await tokenField.inputValue();
      const label = (await page.locator('#new-token label').textContent())!;
      const tokenId = Number(/number (\d+)/.exec(label)![1]);
      expect(await page.locator('#new-token').textContent()).to.include('it will not be shown again');
      await expectAccessible(page, 'a user with a new API token');

      const asToken = apiClient(app.base, { authorization: `Bearer ${token}` });
      const me = await asToken.get('/auth/me');
      expect(me.status).to.equal(200);
      expect(me.body).to.include({ username: 'rhea-researcher', role: 'researcher', via: 'token' });
      expect((await asToken.get('/studies/SMP-2021/sites')).status).to.equal(200);

      // Shown once: the page opened again lists the token without it.
      await page.goto(`${app.base}/users?user=rhea-researcher`);
      const row = page.locator('table#tokens tr', { has: page.locator('th', { hasText: `number ${tokenId}` }) });
      await row.waitFor();
      // Used just now: the last-used cell shows a time (to the second) since the token was issued.
      const lastUsed = row.locator('td').nth(2).locator('time'); // Created, Expires, Last used
      const usedAt = (await lastUsed.getAttribute('datetime'))!;
      expect(usedAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(usedAt)).to.be.within(issued - 1000, Date.now());
      // One format throughout: the day and the minute, in UTC.
      expect(await lastUsed.textContent()).to.equal(`${usedAt.slice(0, 10)} ${usedAt.slice(11, 16)} UTC`);
      expect(await page.content()).to.not.include(token);

      await row.getByRole('button', { name: `Revoke token number ${tokenId}` }).click();
      await row.getByText('revoked').waitFor();
      expect((await asToken.get('/auth/me')).status).to.equal(401);

      // The audit trail of user management below lists both changes.
      const audit = page.locator('table#user-audit');
      const entries = audit.locator('tr', { hasText: `rhea-researcher/tokens/${tokenId}` });
      await entries.filter({ hasText: 'Revoked at' }).waitFor();
      expect(await entries.count()).to.equal(2);
      expect(squash(await entries.first().textContent())).to.match(/Revoked at: \(empty\) → changed to \d{4}-/);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('lists a change made through the API with its before and after values and reason; the filters narrow it', async () => {
    const researcherApi = apiClient(app.base, app.users.researcher.headers);
    const before = await researcherApi.get('/studies/SMP-2021/participants/P05');
    const reason = 'Invoice corrected after the audit (browser test)';
    const patched = await researcherApi.patch('/studies/SMP-2021/participants/P05', { costUsd: before.body.costUsd + 150 }, { ifMatch: before.etag!, reason });
    expect(patched.status).to.equal(200);

    const { page, problems, close } = await openAs(app, app.users.admin);
    try {
      await page.goto(`${app.base}/studies/SMP-2021/audit`);
      const table = page.locator('table#audit-entries');
      const row = table.locator('tbody tr', { hasText: reason });
      await row.waitFor();
      const cells = (await row.locator('th, td').allTextContents()).map(squash);
      expect(cells[1]).to.equal('rhea-researcher (researcher)');
      expect(cells[2]).to.equal('changed');
      expect(cells[3]).to.equal('participant P05 (participant P05)');
      expect(cells[4]).to.equal(reason);
      // Field labels, not keys.
      expect(cells[5]).to.equal(`Cost (US dollars): ${before.body.costUsd} → changed to ${before.body.costUsd + 150}`);
      expect(await row.getByRole('link', { name: 'participant P05' }).getAttribute('href')).to.equal('/studies/SMP-2021/participants/P05');
      const when = row.locator('time');
      const at = (await when.getAttribute('datetime'))!;
      expect(await when.getAttribute('title')).to.equal(`${at.replace('T', ' ').replace(/Z$/, '')} UTC`);
      expect(await when.textContent(), 'the same format as the history').to.equal(`${at.slice(0, 10)} ${at.slice(11, 16)} UTC`);
      await expectAccessible(page, 'the audit log');
      await screenshots(page, 'audit');

      // Filters: by participant and user; kept in the address, so a reload keeps them.
      await page.getByLabel('Participant').fill('P05');
      await page.getByLabel('Changed by (username)').fill('rhea-researcher');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/participant=P05/);
      expect(new URL(page.url()).searchParams.get('user')).to.equal('rhea-researcher');
      const shown = page.locator('#audit-entries:not([aria-busy])');
      await shown.waitFor();
      expect(await table.locator('tbody tr').count()).to.equal(1);
      await page.reload();
      await shown.waitFor();
      await table.locator('tbody tr', { hasText: reason }).waitFor();
      expect(await page.getByLabel('Participant').inputValue()).to.equal('P05');
      expect(await table.locator('tbody tr').count()).to.equal(1);

      // Nobody else changed P05: the table says so.
      await page.getByLabel('Changed by (username)').fill('ada-admin');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No changes match.').waitFor();

      // Kind of record: only the study's import when filtered on studies.
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.waitForURL(`${app.base}/studies/SMP-2021/audit`);
      await page.getByLabel('Kind of record').selectOption('study');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/entity=study/);
      await shown.waitFor();
      await table.locator('tbody tr', { hasText: 'Imported the whole study' }).waitFor();
      const apiStudyEntries = (await apiClient(app.base, app.users.admin.headers).get('/studies/SMP-2021/audit?entity=study')).body.items.length;
      expect(await table.locator('tbody tr').count()).to.equal(apiStudyEntries);

      // A page at a time: Next and Previous.
      await page.goto(`${app.base}/studies/SMP-2021/audit?limit=1`);
      await table.locator('tbody tr').first().waitFor();
      const first = await table.locator('tbody tr').getAttribute('data-audit-id');
      await page.getByRole('button', { name: 'Next page' }).click();
      await table.locator(`tbody tr:not([data-audit-id="${first}"])`).waitFor();
      const second = await table.locator('tbody tr').getAttribute('data-audit-id');
      expect(Number(second)).to.be.lessThan(Number(first));
      await page.getByRole('button', { name: 'Previous page' }).click();
      await table.locator(`tbody tr[data-audit-id="${first}"]`).waitFor();
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('adds a site in the set-up page, while a bad site code shows the field error and writes nothing', async () => {
    const adminApi = apiClient(app.base, app.users.admin.headers);
    const sitesBefore = (await adminApi.get('/studies/SMP-2021/sites')).body.items;
    const { page, problems, close } = await openAs(app, app.users.researcher);
    try {
      await page.goto(`${app.base}/studies/SMP-2021/setup`);
      await page.locator('table#sites').waitFor();
      await expectAccessible(page, 'the set-up page');
      await screenshots(page, 'setup');

      await page.getByRole('button', { name: 'Add a site' }).click();
      const form = page.locator('#site-form');
      await form.getByLabel('Code').fill('bad code');
      await form.getByLabel('Name').fill('Leeds Scalp Clinic');
      await form.getByRole('button', { name: 'Add the site' }).click();
      const error = form.locator('#site-form-code-error');
      await error.waitFor();
      expect(await error.textContent()).to.match(/^"bad code" is not a valid code/);
      expect(await form.getByLabel('Code').getAttribute('aria-invalid')).to.equal('true');
      await expectAccessible(page, 'the new-site form with a field error');
      // A code in use passes the browser's check; the server refuses it at the same field.
      await form.getByLabel('Code').fill('LON');
      await form.getByRole('button', { name: 'Add the site' }).click();
      await form.locator('#site-form-code-error', { hasText: 'site code "LON" is already used' }).waitFor();
      expect((await adminApi.get('/studies/SMP-2021/sites')).body.items).to.deep.equal(sitesBefore);

      await form.getByLabel('Code').fill('LEE');
      // The country is chosen from ISO 3166-1's list, by code and name.
      expect(await form.locator('select[name="country"] option').count()).to.equal(250);
      await form.getByLabel('Country').selectOption('GBR');
      await form.getByRole('button', { name: 'Add the site' }).click();
      await page.getByText('Added site LEE.').waitFor();
      const row = page.locator('table#sites tr', { has: page.locator('th', { hasText: 'LEE' }) });
      await row.waitFor();
      expect((await row.locator('td').allTextContents()).slice(0, 2)).to.deep.equal([
        'Leeds Scalp Clinic',
        'GBR: United Kingdom of Great Britain and Northern Ireland',
      ]);
      const sitesAfter = (await adminApi.get('/studies/SMP-2021/sites')).body.items;
      const triples = (sites: { code: string; name: string; country: string | null }[]) => sites.map((s) => `${s.code}: ${s.name} (${s.country})`).sort();
      expect(triples(sitesAfter)).to.deep.equal(triples([...sitesBefore, { code: 'LEE', name: 'Leeds Scalp Clinic', country: 'GBR' }]));

      // Editing the site changes its country, as the API then shows.
      await page.getByRole('button', { name: 'Edit site LEE' }).click();
      const edit = page.locator('#site-form');
      expect(await edit.getByLabel('Country').inputValue()).to.equal('GBR');
      await edit.getByLabel('Country').selectOption('IRL');
      await edit.getByLabel(/Reason/).fill('Moved to Dublin');
      await edit.getByRole('button', { name: 'Save the site' }).click();
      await page.getByText('Saved site LEE.').waitFor();
      expect((await adminApi.get('/studies/SMP-2021/sites/LEE')).body).to.include({ name: 'Leeds Scalp Clinic', country: 'IRL' });

      // A site that participants still name cannot be deleted: the API's refusal is shown.
      await page.getByRole('button', { name: 'Delete site LON' }).click();
      await page.getByLabel('Reason for deleting it').fill('test of the refusal');
      await page.locator('#site-delete').getByRole('button', { name: 'Delete site LON' }).click();
      await page.locator('#site-delete [role="alert"]', { hasText: /site LON still has \d+ participants/ }).waitFor();
      expect((await adminApi.get('/studies/SMP-2021/sites/LON')).status).to.equal(200);

      // The new practitioner's site is chosen from the study's sites, the new one included.
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Add a practitioner' }).click();
      const practitioner = page.locator('#practitioner-form');
      await practitioner.locator('select[name="site"] option[value="LEE"]').waitFor({ state: 'attached' });
      await practitioner.getByLabel('Code').fill('LEE-01');
      await practitioner.getByLabel('Site').selectOption('LEE');
      await practitioner.getByLabel('Years of SMP experience').fill('4');
      await practitioner.getByRole('button', { name: 'Add the practitioner' }).click();
      await page.getByText('Added practitioner LEE-01.').waitFor();
      expect((await adminApi.get('/studies/SMP-2021/practitioners/LEE-01')).body).to.include({ site: 'LEE', yearsExperience: 4 });

      expect(refusedRequests(problems, 409)).to.have.length(2);
      expect(problemsExcept(problems, 409)).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('edits the protocol with a reason, and explains a conflicting change (412) by showing it', async () => {
    const adminApi = apiClient(app.base, app.users.admin.headers);
    const { page, problems, close } = await openAs(app, app.users.admin);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      await page.goto(`${app.base}/studies/SMP-2021/setup`);
      await page.getByRole('button', { name: 'Edit the title and protocol' }).click();
      const form = page.locator('#study-form');
      // From here on the page's own reads of the study are held back: each save's answer is the
      // study as it now is, so the next edit starts from its version without reading it again.
      const heldReads: string[] = [];
      await page.route(/\/api\/studies\/SMP-2021$/, async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        heldReads.push(route.request().url());
        await held;
        await route.continue().catch(() => undefined);
      });
      await form.getByLabel('Interval tolerance (days)').fill('4');
      // Meanwhile someone else changes the study.
      const study = await adminApi.get('/studies/SMP-2021');
      expect((await adminApi.patch('/studies/SMP-2021', { protocol: { touchUpToleranceDays: 10 } }, { ifMatch: study.etag!, reason: 'other edit' })).status).to.equal(200);
      await form.getByLabel('Reason for the change').fill('protocol amendment 2');
      await form.getByRole('button', { name: 'Save the study' }).click();
      const conflict = page.locator('.conflict');
      await conflict.waitFor();
      expect(squash(await conflict.textContent())).to.include('protocol.touchUpToleranceDays: 7 → changed to 10');
      await conflict.getByRole('button', { name: 'Apply my changes on top of theirs' }).click();
      await form.getByRole('button', { name: 'Save the study' }).click();
      await page.getByText('Saved study SMP-2021.').waitFor();
      expect((await adminApi.get('/studies/SMP-2021')).body.protocol).to.include({ intervalToleranceDays: 4, touchUpToleranceDays: 10 });
      // The survey links' lifetime is a field of the same form; the reminder days are shown.
      expect(squash(await page.locator('.study-facts').textContent())).to.include('Email reminders (days after the invitation)7 and 14');
      await page.getByRole('button', { name: 'Edit the title and protocol' }).click();
      await form.getByLabel('Survey links work for (days)').fill('21');
      await form.getByLabel('Reason for the change').fill('shorter survey links');
      await form.getByRole('button', { name: 'Save the study' }).click();
      await page.getByText('Saved study SMP-2021.').waitFor();
      expect((await adminApi.get('/studies/SMP-2021')).body.surveys).to.deep.equal({ linkDays: 21, reminderDays: [7, 14] });
      expect(squash(await page.locator('.study-facts').textContent())).to.include('Survey links work for (days)21');
      expect(heldReads).to.deep.equal([]);
      expect(refusedRequests(problems, 412)).to.have.length(1);
      expect(problemsExcept(problems, 412)).to.deep.equal([]);
    } finally {
      release();
      await close();
    }
  });

  it('shows a reviewer no edit control on the set-up page, and no audit log (the API refuses it)', async () => {
    const reviewerApi = apiClient(app.base, app.users.reviewer.headers);
    const { page, problems, close } = await openAs(app, app.users.reviewer);
    try {
      await page.goto(`${app.base}/studies/SMP-2021/setup`);
      await page.locator('table#practitioners tbody tr').first().waitFor();
      await page.locator('table#sites tbody tr').first().waitFor();
      expect(await page.locator('main button, main form, main input, main select').count()).to.equal(0);
      const shown = await page.locator('table#practitioners tbody th').allTextContents();
      const pseudonyms = (await reviewerApi.get('/studies/SMP-2021/practitioners')).body.items.map((p: { code: string }) => p.code);
      expect(shown).to.deep.equal(pseudonyms);
      expect(shown).to.not.include('LON-01');
      await expectAccessible(page, 'the set-up page as a reviewer');

      const refusal = (await reviewerApi.get('/studies/SMP-2021/audit')).body.detail as string;
      expect(refusal).to.match(/may not read the audit trail/);
      // The page says so without asking the API (no refused request), and offers no audit tab.
      await page.goto(`${app.base}/studies/SMP-2021/audit`);
      await page.getByRole('status').filter({ hasText: 'The audit log is not available to reviewers' }).waitFor();
      expect(await page.locator('#audit-filters').count()).to.equal(0);
      expect(await page.locator('.study-tabs a', { hasText: 'Audit log' }).count()).to.equal(0);
      await expectAccessible(page, 'the audit log as a reviewer');

      await page.goto(`${app.base}/users`);
      await page.getByText('Only administrators manage users.').waitFor();
      await expectAccessible(page, 'the users page as a reviewer');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('deletes a study after its code is typed; the audit log offers the study as it was', async () => {
    const adminApi = apiClient(app.base, app.users.admin.headers);
    const demo = (await adminApi.get('/studies/SMP-2021/bundle')).body;
    const bundle = { format: demo.format, study: { ...demo.study, code: 'DEL-1', title: 'A study to delete' }, sites: [{ code: 'ONE', name: 'Only site' }] };
    expect((await adminApi.post('/studies', bundle)).status).to.equal(201);

    const { page, problems, close } = await openAs(app, app.users.admin);
    try {
      await page.goto(`${app.base}/studies/DEL-1/setup`);
      await page.getByRole('button', { name: 'Delete study DEL-1…' }).click();
      await page.getByLabel('Type the study code (DEL-1) to confirm').fill('DEL-2');
      await page.getByLabel('Reason for deleting it').fill('created by mistake');
      await page.getByRole('button', { name: 'Delete study DEL-1 for good' }).click();
      await page.locator('#delete-study-confirm-error', { hasText: 'type DEL-1 exactly to confirm' }).waitFor();
      expect((await adminApi.get('/studies/DEL-1')).status).to.equal(200);
      await expectAccessible(page, 'deleting a study');

      await page.getByLabel('Type the study code (DEL-1) to confirm').fill('DEL-1');
      await page.getByRole('button', { name: 'Delete study DEL-1 for good' }).click();
      await page.waitForURL(`${app.base}/`);
      expect((await adminApi.get('/studies/DEL-1')).status).to.equal(404);

      await page.goto(`${app.base}/studies/DEL-1/audit`);
      const row = page.locator('table#audit-entries tbody tr', { hasText: 'created by mistake' });
      await row.waitFor();
      expect(squash(await row.locator('td').nth(1).textContent())).to.equal('deleted');
      const link = row.getByRole('link', { name: /Download the study as it was before/ });
      const download = await page.request.get(new URL((await link.getAttribute('href'))!, app.base).href);
      expect(download.status()).to.equal(200);
      const kept = await download.json();
      expect(kept.study).to.include({ code: 'DEL-1', title: 'A study to delete' });
      expect(kept.sites).to.deep.equal([{ code: 'ONE', name: 'Only site', country: null }]);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('shows a clinic user the changes at their own sites only', async () => {
    // One change at each site: P01 is a London participant, P02 a Manchester one (the fixture).
    const researcherApi = apiClient(app.base, app.users.researcher.headers);
    const lonReason = 'London invoice corrected (browser test)';
    const manReason = 'Manchester invoice corrected (browser test)';
    for (const [code, reason] of [['P01', lonReason], ['P02', manReason]] as const) {
      const before = await researcherApi.get(`/studies/SMP-2021/participants/${code}`);
      const patched = await researcherApi.patch(`/studies/SMP-2021/participants/${code}`, { costUsd: before.body.costUsd + 25 }, { ifMatch: before.etag!, reason });
      expect(patched.status, `patch ${code}`).to.equal(200);
    }
    // The administrator sees the Manchester change, so leaving it out below is the clinic's scope.
    const everything = (await apiClient(app.base, app.users.admin.headers).get('/studies/SMP-2021/audit?entity=participant')).body.items;
    expect(everything.filter((e: { reason: string }) => e.reason === manReason).map((e: { key: string; sites: string[] }) => [e.key, e.sites])).to.deep.equal([
      ['P02', ['MAN']],
    ]);

    const { page, problems, close } = await openAs(app, app.users.clinic);
    try {
      await page.goto(`${app.base}/studies/SMP-2021/audit?entity=participant`);
      const table = page.locator('table#audit-entries');
      await table.locator('tbody tr', { hasText: lonReason }).waitFor();
      await page.locator('table#audit-entries:not([aria-busy])').waitFor();
      // No other test in this file changes a London participant: the clinic's list is that one change.
      const api = (await apiClient(app.base, app.users.clinic.headers).get('/studies/SMP-2021/audit?entity=participant')).body.items;
      expect(api.map((e: { key: string; sites: string[]; reason: string }) => [e.key, e.sites, e.reason])).to.deep.equal([['P01', ['LON'], lonReason]]);
      const rows = table.locator('tbody tr');
      expect(await rows.count()).to.equal(1);
      expect(squash(await rows.locator('td').nth(2).textContent())).to.equal('participant P01 (participant P01)');
      expect(await table.locator('tbody tr', { hasText: manReason }).count()).to.equal(0);
      expect(await table.locator('tbody tr', { hasText: /P02|P05/ }).count()).to.equal(0);
      expect(await page.getByText('You see the changes that touch your sites: LON.').count()).to.equal(1);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
