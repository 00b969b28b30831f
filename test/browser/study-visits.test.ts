// The set-up page's scheduled visits in a real browser: a researcher adds, changes and removes a
// visit, each a change of the study with its reason in the audit trail; a visit that breaks a
// rule (a window overlapping another, a negative window, no kind of record) is refused at its
// field, with the server's words, and nothing is written. No accessibility finding or console error.
import { expect } from 'chai';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { apiClient } from '../support/http.ts';
import { createTestUser, type TestUser } from '../support/users.ts';
import { expectAccessible, openAs, startWebApp, type WebApp } from '../support/web-app.ts';

const STUDY = 'VISITS-1';
// 8 × 30.4375 = 243.5 → 244 days (window 214 to 289); 24 × 30.4375 = 730.5 → 731 (671 to 791).
const VISITS = [
  { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
  { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
];

describe('browser: scheduled visits on the set-up page', function () {
  this.timeout(240_000);
  let app: WebApp;
  let researcher: TestUser;

  before(async () => {
    app = await startWebApp({
      load: async (db) => {
        const bundle = smallBundle(STUDY);
        (bundle.study.protocol as Record<string, unknown>).visits = VISITS;
        await importBundle(db, bundle);
      },
    });
    researcher = await createTestUser(app.db, 'researcher', [{ studyCode: STUDY, siteCode: null }, { studyCode: 'SMP-2021', siteCode: null }], 'visits-researcher');
  });
  after(async () => {
    await app?.close();
  });

  it('adds, changes and removes a visit as a study change, and refuses a bad one at its field, writing nothing', async () => {
    const api = apiClient(app.base, app.users.admin.headers);
    const visitsNow = async () => (await api.get(`/studies/${STUDY}`)).body.protocol.visits;
    const { page, problems, close } = await openAs(app, researcher);
    try {
      await page.goto(`${app.base}/studies/${STUDY}/setup`);
      await page.locator('table#visits').waitFor();
      expect(await page.locator('table#visits tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.split('\t').slice(0, 5)))).to.deep.equal([
        ['FU8', '8-month review', '8', '214 to 289 (−30/+45)', 'fading assessment'],
        ['FU24', '24-month review', '24', '671 to 791 (−60/+60)', 'fading assessment and survey'],
      ]);

      // A 9-month visit (274 days, window 260 to 288) falls inside FU8's window.
      await page.getByRole('button', { name: 'Add a visit' }).click();
      const form = page.locator('#visit-form');
      await form.getByLabel('Code').fill('FU12');
      await form.getByLabel('Label').fill('12-month review');
      await form.getByLabel('Months after the final session').fill('9');
      await form.getByLabel('Window opens (days before the target)').fill('14');
      await form.getByLabel('Window closes (days after the target)').fill('14');
      await form.getByLabel('Expects a survey').check();
      await form.getByLabel(/Reason for the change/).fill('Amendment 4: a 12-month review');
      await form.getByRole('button', { name: 'Add the visit' }).click();
      const months = form.locator('#visit-form-monthsAfterFinalSession-error');
      await months.waitFor();
      expect(await months.textContent()).to.equal(
        'its window (days 260 to 288 after the final session) overlaps the window of visit "FU8" (days 214 to 289 after the final session); windows must not overlap',
      );
      expect(await form.getByLabel('Months after the final session').getAttribute('aria-invalid')).to.equal('true');
      await expectAccessible(page, 'the new-visit form with a field error');
      // Beyond the follow-up window (7 to 32 months) is refused at the same field.
      await form.getByLabel('Months after the final session').fill('33');
      await form.getByRole('button', { name: 'Add the visit' }).click();
      await form.locator('#visit-form-monthsAfterFinalSession-error', { hasText: "33 is outside the protocol's follow-up window, 7 to 32 months" }).waitFor();
      expect(await visitsNow()).to.deep.equal(VISITS);

      // 12 × 30.4375 = 365.25 → 365 days: window 351 to 379.
      await form.getByLabel('Months after the final session').fill('12');
      await form.getByRole('button', { name: 'Add the visit' }).click();
      await page.getByText('Added visit FU12.').waitFor();
      const fu12 = { code: 'FU12', label: '12-month review', monthsAfterFinalSession: 12, windowBeforeDays: 14, windowAfterDays: 14, expects: ['survey'] };
      expect(await visitsNow()).to.deep.equal([...VISITS, fu12]);
      await page.locator('table#visits tr', { has: page.locator('th', { hasText: 'FU12' }) }).getByText('351 to 379 (−14/+14)').waitFor();

      // Changing FU24: a negative window, then no kind of record, each at its field.
      await page.getByRole('button', { name: 'Edit visit FU24' }).click();
      const edit = page.locator('#visit-form');
      expect(await edit.getByLabel('Code').isDisabled()).to.equal(true);
      await edit.getByLabel('Window opens (days before the target)').fill('-1');
      await edit.getByLabel(/Reason for the change/).fill('Amendment 5: a shorter window');
      await edit.getByRole('button', { name: 'Save the visit' }).click();
      await edit.locator('#visit-form-windowBeforeDays-error', { hasText: 'must be at least 0 (got -1)' }).waitFor();
      await edit.getByLabel('Window opens (days before the target)').fill('30');
      await edit.getByLabel('Expects a fading assessment').uncheck();
      await edit.getByLabel('Expects a survey').uncheck();
      await edit.getByRole('button', { name: 'Save the visit' }).click();
      await edit.locator('#visit-form-expectsFadingAssessment-error', { hasText: 'must expect at least one kind of record: a fading assessment or a survey' }).waitFor();
      expect(await visitsNow()).to.deep.equal([...VISITS, fu12]);
      await edit.getByLabel('Expects a survey').check();
      await edit.getByRole('button', { name: 'Save the visit' }).click();
      await page.getByText('Saved visit FU24.').waitFor();
      const fu24 = { ...VISITS[1]!, windowBeforeDays: 30, expects: ['survey'] };
      expect(await visitsNow()).to.deep.equal([VISITS[0], fu24, fu12]);

      // Removing FU12 asks for the reason first.
      await page.getByRole('button', { name: 'Remove visit FU12' }).click();
      const remove = page.locator('#visit-remove');
      await remove.getByRole('button', { name: 'Remove visit FU12' }).click();
      await remove.locator('#visit-remove-reason-error', { hasText: 'give a reason for the change' }).waitFor();
      await remove.getByLabel('Reason for removing it').fill('Amendment 6: no 12-month review');
      await remove.getByRole('button', { name: 'Remove visit FU12' }).click();
      await page.getByText('Removed visit FU12.').waitFor();
      expect(await visitsNow()).to.deep.equal([VISITS[0], fu24]);
      await expectAccessible(page, 'the set-up page with its visits');

      const audit = (await api.get(`/studies/${STUDY}/audit?entity=study`)).body.items as Array<{ reason: string; user: { username: string }; after: { protocol: { visits: unknown } } }>;
      expect(audit.slice(0, 3).map((e) => [e.reason, e.user.username, (e.after.protocol.visits as unknown[]).length])).to.deep.equal([
        ['Amendment 6: no 12-month review', 'visits-researcher', 2],
        ['Amendment 5: a shorter window', 'visits-researcher', 3],
        ['Amendment 4: a 12-month review', 'visits-researcher', 3],
      ]);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
