// Queries in a real browser: a reviewer raises a query on one field of an adverse event from the
// participant's de-identified page; the clinic finds it in its query inbox with the badge on the
// record, answers it and corrects the field; the reviewer closes it from the inbox. Then a
// researcher marks every record of the participant verified, and the dashboard shows the share.
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { apiClient } from '../support/http.ts';
import { expectAccessible, openAs, screenshots, startWebApp, type OpenPage, type WebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';

async function shows(locator: Locator, what = String(locator)): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    throw new Error(`not shown: ${what}`);
  }
}

async function openParticipant(page: Page, base: string, code: string): Promise<void> {
  await page.goto(`${base}/studies/${STUDY}/participants/${encodeURIComponent(code)}`);
  await shows(page.getByRole('heading', { level: 1, name: new RegExp(`^Participant ${code}`) }));
  await shows(page.locator('#review'), 'the review section');
}

describe('browser: queries between a reviewer and a clinic, and source-data verification', function () {
  this.timeout(240_000);
  let app: WebApp;
  const open: OpenPage[] = [];
  const as = async (...args: Parameters<typeof openAs>) => {
    const opened = await openAs(...args);
    open.push(opened);
    return opened;
  };

  before(async () => {
    app = await startWebApp();
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  after(async () => {
    await app?.close();
  });

  it('a reviewer raises a query on a field; the clinic answers it and corrects the field; the reviewer closes it', async () => {
    const admin = apiClient(app.base, app.users.admin.headers);
    // A London participant with an adverse event (the demo's London participants have none: one is added), and its pseudonym.
    const added = await admin.post(`/studies/${STUDY}/participants/P03/adverse-events`, {
      category: 'other', term: 'Mild redness', onsetDate: '2018-03-13', resolvedDate: '2018-03-20', grade: 1, serious: false, relatedness: 'possible', outcome: 'recovered', sessionNumber: 1,
    });
    expect(added.status).to.equal(201);
    const row = await app.db.kysely
      .selectFrom('participant as p')
      .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
      .innerJoin('adverse_event as e', (join) => join.onRef('e.study_id', '=', 'p.study_id').onRef('e.participant_no', '=', 'p.participant_no'))
      .select(['p.code', 'p.pseudonym', 'e.event_no'])
      .where('s.code', '=', 'LON')
      .orderBy('p.code')
      .orderBy('e.event_no')
      .executeTakeFirstOrThrow();
    const events = (await admin.get(`/studies/${STUDY}/participants/${row.code}/adverse-events`)).body.items as Array<{ no: number; outcome: string }>;
    const index = events.findIndex((e) => e.no === row.event_no);
    const newOutcome = events[index]!.outcome === 'recovering' ? 'recovered' : 'recovering';

    const reviewer = await as(app, app.users.reviewer);
    await openParticipant(reviewer.page, app.base, row.pseudonym);
    const form = reviewer.page.locator('#raise-query');
    await form.getByLabel('About').selectOption(`adverseEvents[${index}]`);
    await form.getByLabel('Field').selectOption('outcome');
    await form.getByLabel('Question').fill('Is the outcome still right at the last visit?');
    await form.getByRole('button', { name: 'Raise the query' }).click();
    await shows(reviewer.page.getByText(/^Query \d+ raised\.$/));
    // The edit checks may have raised queries of their own on the participant (a follow-up overdue, say).
    const openOnParticipant = (await admin.get(`/studies/${STUDY}/queries?participant=${row.code}`)).body.counts.open as number;
    await shows(reviewer.page.locator('#participant-query-badge', { hasText: `${openOnParticipant} open quer` }));
    await shows(reviewer.page.locator('#adverse-events-table .query-badge', { hasText: '1 open query (Outcome)' }), 'the badge on the record');
    const raised = await app.db.kysely.selectFrom('data_query').selectAll().orderBy('query_id', 'desc').executeTakeFirstOrThrow();
    expect([raised.participant_code, raised.record_list, raised.record_no, raised.field]).to.deep.equal([row.code, 'adverseEvents', row.event_no, 'outcome']);

    const clinic = await as(app, app.users.clinic);
    await clinic.page.goto(`${app.base}/studies/${STUDY}/queries`);
    const clinicApi = apiClient(app.base, app.users.clinic.headers);
    const countsText = async () => {
      const c = (await clinicApi.get(`/studies/${STUDY}/queries`)).body.counts;
      return `${c.open} open, ${c.answered} answered, ${c.closed} closed`;
    };
    await shows(clinic.page.locator('#query-counts', { hasText: await countsText() }));
    const thread = clinic.page.locator(`#query-${raised.query_id}`);
    await shows(thread.getByRole('heading', { name: new RegExp(`Query ${raised.query_id}: Adverse event ${row.event_no}: Outcome`) }));
    await shows(thread.getByText('Is the outcome still right at the last visit?'));
    await expectAccessible(clinic.page, 'the query inbox');
    await screenshots(clinic.page, 'queries');
    await thread.getByLabel('Message').fill('Checked the chart: it has changed, corrected now.');
    await thread.getByRole('button', { name: `Answer query ${raised.query_id}` }).click();
    await shows(thread.locator('.query-state', { hasText: 'answered' }));
    await shows(clinic.page.locator('#query-counts', { hasText: await countsText() }));
    expect(await thread.getByRole('button', { name: /Close/ }).count(), 'a clinic never closes').to.equal(0);
    // The clinic corrects the field on the participant's page.
    await thread.getByRole('link', { name: row.code }).click();
    await shows(clinic.page.locator('#adverse-events-table .query-badge'), 'the badge the clinic sees');
    await clinic.page.getByRole('button', { name: `Edit adverse event ${row.event_no}` }).click();
    const edit = clinic.page.locator('form', { has: clinic.page.getByRole('button', { name: /^Save/ }) }).first();
    await edit.getByLabel(/^Outcome/).selectOption(newOutcome);
    await edit.getByLabel(/^Reason for the change/).fill('Outcome corrected after the query');
    await edit.getByRole('button', { name: /^Save/ }).click();
    await shows(clinic.page.getByText(new RegExp(`Adverse event ${row.event_no} saved`)));
    const stored = (await admin.get(`/studies/${STUDY}/participants/${row.code}/adverse-events/${row.event_no}`)).body;
    expect(stored.outcome).to.equal(newOutcome);

    await reviewer.page.goto(`${app.base}/studies/${STUDY}/queries`);
    const seen = reviewer.page.locator(`#query-${raised.query_id}`);
    await shows(seen.locator('.query-state', { hasText: 'answered' }));
    // The clinic's words are not shown in the de-identified view.
    await shows(seen.getByText('(message not shown in the de-identified view)'));
    await seen.getByLabel('Message').fill('Thank you, closing.');
    await seen.getByRole('button', { name: `Close query ${raised.query_id}` }).click();
    // Closed, it leaves the inbox of open and answered queries.
    await seen.waitFor({ state: 'detached', timeout: 15_000 });
    const closed = await app.db.kysely.selectFrom('data_query').select('state').where('query_id', '=', raised.query_id).executeTakeFirstOrThrow();
    expect(closed.state).to.equal('closed');
    for (const o of [reviewer, clinic]) expect(o.problems).to.deep.equal([]);
  });

  it('a researcher marks every record of a participant verified; the dashboard shows the share per site', async () => {
    const { page, problems } = await as(app, app.users.researcher);
    const site = (await apiClient(app.base, app.users.admin.headers).get(`/studies/${STUDY}/participants/P01`)).body.site as string;
    await openParticipant(page, app.base, 'P01');
    await page.getByRole('button', { name: 'Mark every record verified' }).click();
    // The status reads "0 of N" until the verification is answered: wait for every record.
    const status = page.locator('#verification [role=status]', { hasText: /\b([1-9]\d*) of \1 records verified/ });
    await shows(status);
    const text = (await status.textContent())!;
    const [verified, records] = /(\d+) of (\d+) records verified/.exec(text)!.slice(1).map(Number);
    expect(verified).to.equal(records);
    await shows(page.locator('#sessions-table .verified-badge'));
    await page.goto(`${app.base}/studies/${STUDY}`);
    await shows(page.locator('#verification-shares tbody tr'));
    const cells = await page.locator('#verification-shares tbody tr', { hasText: site }).locator('td').allTextContents();
    expect(Number(cells[1])).to.equal(verified);
    expect(problems).to.deep.equal([]);
  });
});
