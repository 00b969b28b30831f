// The Follow-ups page in a real browser, on a prepared study with a visit schedule: the overdue
// participant comes first, a clinic sees only its own site's participants, and the dashboard shows
// retention by visit; no accessibility finding or console error, at desktop and phone width.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { createTestUser, type TestUser } from '../support/users.ts';
import { expectAccessible, openAs, screenshots, startWebApp, type WebApp } from '../support/web-app.ts';

const STUDY = 'FOLLOW-1';
// As of 2021-01-10 (worked out by hand in test/integration/worklist.test.ts): P02 (MAN) missed
// initial sessions 2 and 3 (overdue); P01 (LON) is due its 24-month review (2020-12-22 to 2021-04-21).
const PAGE = `/studies/${STUDY}/follow-ups?asOf=2021-01-10&horizon=all`;

async function rows(page: Page): Promise<string[][]> {
  await page.locator('#worklist tbody tr').first().waitFor({ timeout: 15_000 });
  return page.locator('#worklist tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.getAttribute('data-participant') ?? '', tr.getAttribute('data-step') ?? '', tr.querySelector('.badge')?.textContent ?? '']),
  );
}

describe('browser: follow-ups', function () {
  this.timeout(240_000);
  let app: WebApp;
  let clinic: TestUser;
  let researcher: TestUser;

  before(async () => {
    app = await startWebApp({
      load: async (db) => {
        const bundle = smallBundle(STUDY);
        (bundle.study.protocol as Record<string, unknown>).visits = [
          { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
          { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
        ];
        await importBundle(db, bundle);
      },
    });
    clinic = await createTestUser(app.db, 'clinic', [{ studyCode: STUDY, siteCode: 'LON' }], 'follow-lon');
    researcher = await createTestUser(app.db, 'researcher', [{ studyCode: STUDY, siteCode: null }, { studyCode: 'SMP-2021', siteCode: null }], 'follow-researcher');
  });
  after(async () => {
    await app?.close();
  });

  it('shows the overdue participant first, then what is due, each linked to its participant', async () => {
    const { page, problems, close } = await openAs(app, researcher);
    try {
      await page.goto(`${app.base}${PAGE}`);
      expect(await rows(page)).to.deep.equal([
        ['P02', 'session-2', 'Overdue'],
        ['P02', 'session-3', 'Overdue'],
        ['P01', 'FU24', 'Due'],
      ]);
      const counts = await page.locator('#worklist-counts tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.split('\t')));
      expect(counts).to.deep.include(['session-2', 'MAN', '1', '0', '0', '0', '0']);
      expect(counts).to.deep.include(['FU24', 'LON', '0', '1', '0', '0', '0']);
      await expectAccessible(page, 'the follow-ups page');
      await screenshots(page, 'follow-ups');
      await page.locator('#worklist tbody tr').first().getByRole('link', { name: 'P02' }).click();
      await page.getByRole('heading', { level: 1, name: 'Participant P02' }).waitFor();
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('gives a clinic a survey link to hand out for a due visit survey, with its QR code, stored for that visit', async () => {
    const { page, problems, close } = await openAs(app, clinic);
    try {
      await page.goto(`${app.base}${PAGE}`);
      await rows(page);
      const row = page.locator('#worklist tbody tr[data-participant="P01"][data-step="FU24"]');
      await row.getByRole('button', { name: 'Survey link for P01, FU24' }).click();
      const url = await row.locator('a.survey-link-url').textContent({ timeout: 15_000 });
      expect(url).to.match(/\/s#smpsv_[A-Za-z0-9_-]{43}$/);
      expect(await row.getByRole('img', { name: "QR code of P01's survey link" }).count()).to.equal(1);
      const links = await app.db.kysely.selectFrom('survey_link').select(['visit_code']).execute();
      expect(links.map((l) => l.visit_code)).to.deep.equal(['FU24']);
      await expectAccessible(page, 'the follow-ups page with a survey link');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it("shows a clinic only its own site's participants", async () => {
    const { page, problems, close } = await openAs(app, clinic);
    try {
      await page.goto(`${app.base}${PAGE}`);
      expect(await rows(page)).to.deep.equal([['P01', 'FU24', 'Due']]);
      const sites = await page.locator('#fu-site option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(sites).to.deep.equal(['', 'LON']);
      expect(await page.locator('#worklist-counts').innerText()).to.not.contain('MAN');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('shows retention by visit on the dashboard of the demo study', async () => {
    const { page, problems, close } = await openAs(app, researcher);
    try {
      await page.goto(`${app.base}/studies/SMP-2021`);
      const fu8 = page.locator('#retention tbody tr[data-visit="FU8"]');
      await fu8.waitFor({ timeout: 30_000 });
      // 20 of the 22 participants had a fading assessment in the FU8 window (fixtures/smp-2021.json).
      expect(await fu8.innerText()).to.match(/^FU8: 8-month review\t8\t22\t20\/22 /);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('shows the survey response per visit on the dashboard once invitations went out by email', async () => {
    // P01 (LON) was invited to FU24 by email and has not answered: 0 of 1. A link made through
    // the API then changes the study, so the dashboard computes afresh.
    const study = app.db.kysely.selectFrom('study').select('study_id').where('code', '=', STUDY);
    const p01 = await app.db.kysely.selectFrom('participant').select(['study_id', 'participant_no']).where('code', '=', 'P01').where('study_id', '=', study).executeTakeFirstOrThrow();
    const sentAt = '2021-01-01T09:00:00.000Z';
    await app.db.kysely
      .insertInto('survey_message')
      .values({ ...p01, visit_code: 'FU24', step: 0, status: 'sent', message_key: 'browser-test-invitation', created_at: sentAt, next_attempt_at: sentAt, sent_at: sentAt })
      .execute();
    const { page, problems, close } = await openAs(app, researcher);
    try {
      const made = await page.request.post(`${app.base}/api/studies/${STUDY}/participants/P01/survey-links`, { data: {}, headers: { origin: app.base } });
      expect(made.status()).to.equal(201);
      await page.goto(`${app.base}/studies/${STUDY}`);
      const fu24 = page.locator('#survey-response tbody tr[data-visit="FU24"]');
      await fu24.waitFor({ timeout: 30_000 });
      expect(await fu24.innerText()).to.match(/^FU24: 24-month review\t1\t0\/1 /);
      // The bundle's one survey (P01's) was typed by staff.
      expect(await page.locator('#survey-entered-by').innerText()).to.equal('Surveys entered by staff: 1; by the participant through a link: 0.');
      await expectAccessible(page, 'the dashboard with the survey response');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
