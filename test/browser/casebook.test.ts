// A participant's page printed as a casebook: with print media the navigation, buttons and forms
// are gone, and the details, the timeline, every record and the whole history are there; "Print
// the casebook" reads every page of the history before the print dialog opens, and the browser
// makes a PDF of it.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { apiClient, type ApiClient } from '../support/http.ts';
import { openAs, startWebApp, type OpenPage, type WebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';
/** More changes than the history reads in one page (50), so that "the whole history" means something. */
const CHANGES = 55;

async function count(client: ApiClient, path: string): Promise<number> {
  const reply = await client.get(`${path}${path.includes('?') ? '&' : '?'}limit=1000`);
  expect(reply.status, path).to.equal(200);
  expect(reply.body.nextCursor, path).to.equal(null);
  return reply.body.items.length;
}

/** The elements matching `selector` that the page shows (laid out, not hidden). */
const shown = (page: Page, selector: string) =>
  page.evaluate((s) => [...document.querySelectorAll(s)].filter((el) => el.getClientRects().length > 0).length, selector);

describe('browser: a participant printed as a casebook', function () {
  this.timeout(240_000);
  let app: WebApp;
  let admin: ApiClient;
  let participant = '';
  const expected: Record<string, number> = {};
  const open: OpenPage[] = [];

  before(async () => {
    app = await startWebApp();
    admin = apiClient(app.base, app.users.admin.headers);
    const listed = (await admin.get(`/studies/${STUDY}/participants?limit=1000`)).body.items as { code: string; counts: Record<string, number> }[];
    participant = listed.find((p) => Object.values(p.counts).every((n) => n > 0))!.code;
    const path = `/studies/${STUDY}/participants/${participant}`;
    let read = await admin.get(path);
    for (let i = 1; i <= CHANGES; i++) {
      const changed = await admin.patch(path, { costUsd: read.body.costUsd + 1 }, { ifMatch: read.etag!, reason: `Invoice correction ${i}` });
      expect(changed.status).to.equal(200);
      read = changed;
    }
    for (const list of ['sessions', 'adverse-events', 'fading-assessments', 'surveys']) expected[list] = await count(admin, `${path}/${list}`);
    expected.history = await count(admin, `/studies/${STUDY}/audit?participant=${encodeURIComponent(participant)}`);
    expect(expected.history).to.be.at.least(CHANGES);
  });
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  after(async () => {
    await app?.close();
  });

  async function openParticipant(user = app.users.researcher, code = participant, history = true): Promise<OpenPage> {
    const opened = await openAs(app, user);
    open.push(opened);
    const { page } = opened;
    await page.goto(`${app.base}/studies/${STUDY}/participants/${encodeURIComponent(code)}`);
    const tables = ['#timeline', '#sessions-table', '#adverse-events-table', '#fading-assessments-table', '#surveys-table'];
    for (const selector of history ? [...tables, '#history-table tbody tr'] : tables) {
      await page.locator(selector).first().waitFor({ timeout: 15_000 });
    }
    return opened;
  }

  it('prints every record and the whole history without navigation, buttons or forms, and makes a PDF', async () => {
    const { page, problems } = await openParticipant();
    // An open form on screen does not reach the paper either.
    await page.getByRole('button', { name: 'Add a session' }).click();
    await page.locator('form').first().waitFor();
    expect(await shown(page, 'button')).to.be.greaterThan(0);
    expect(await shown(page, '#history-table tbody tr')).to.equal(50);

    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void (window as unknown as { printed: number }).printed++;
    });
    await page.getByRole('button', { name: 'Print the casebook' }).click();
    await page.waitForFunction(() => (window as unknown as { printed: number }).printed === 1, null, { timeout: 15_000 });
    expect(await page.locator('#history-table tbody tr').count()).to.equal(expected.history);

    await page.emulateMedia({ media: 'print' });
    for (const hidden of ['.app-header', '.study-tabs', 'nav', 'button', 'form', 'input', 'select', '.breadcrumb', '.casebook-print']) {
      expect(await shown(page, hidden), `${hidden} in print`).to.equal(0);
    }
    for (const present of ['.casebook-title', '#participant-details', '#timeline', '#sessions', '#adverse-events', '#fading-assessments', '#surveys', '#history']) {
      expect(await shown(page, present), `${present} in print`).to.equal(1);
    }
    for (const list of ['sessions', 'adverse-events', 'fading-assessments', 'surveys']) {
      expect(await shown(page, `#${list}-table tbody tr`), list).to.equal(expected[list]);
      // No column is hidden in a scrolling box: each table fits the printed page.
      const clipped = await page.locator(`#${list}-table`).evaluate((table) => table.scrollWidth > table.parentElement!.clientWidth);
      expect(clipped, `${list} clipped`).to.equal(false);
    }
    expect(await shown(page, '#history-table tbody tr')).to.equal(expected.history);
    expect(await shown(page, '#history .print-only')).to.equal(0);
    expect(await page.locator('.casebook-title').textContent()).to.contain(`Casebook of participant ${participant}, study ${STUDY}`);

    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(pdf.length).to.be.greaterThan(10_000);
    expect(problems).to.deep.equal([]);
  });

  it("says in print when the browser's own print leaves older changes unread", async () => {
    const { page, problems } = await openParticipant();
    await page.emulateMedia({ media: 'print' });
    expect(await shown(page, '#history-table tbody tr')).to.equal(50);
    expect(await page.locator('#history .print-only').textContent()).to.contain('Older changes are not shown here');
    expect(await shown(page, '#history .print-only')).to.equal(1);
    await page.emulateMedia({ media: 'screen' });
    expect(await shown(page, '#history .print-only')).to.equal(0);
    expect(problems).to.deep.equal([]);
  });

  it("prints a reviewer's de-identified casebook at once, every record without the history", async () => {
    const reviewer = apiClient(app.base, app.users.reviewer.headers);
    const listed = (await reviewer.get(`/studies/${STUDY}/participants?limit=1000`)).body.items as { code: string; counts: Record<string, number> }[];
    const pseudonym = listed.find((p) => Object.values(p.counts).every((n) => n > 0))!.code;
    const { page, problems } = await openParticipant(app.users.reviewer, pseudonym, false);
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void (window as unknown as { printed: number }).printed++;
    });
    await page.getByRole('button', { name: 'Print the casebook' }).click();
    await page.waitForFunction(() => (window as unknown as { printed: number }).printed === 1, null, { timeout: 15_000 });
    await page.emulateMedia({ media: 'print' });
    expect(await shown(page, 'button')).to.equal(0);
    expect(await shown(page, '.notice')).to.equal(1);
    const base = `/studies/${STUDY}/participants/${pseudonym}`;
    for (const list of ['sessions', 'adverse-events', 'fading-assessments', 'surveys']) {
      expect(await shown(page, `#${list}-table tbody tr`), list).to.equal(await count(reviewer, `${base}/${list}`));
    }
    expect(await shown(page, '#history-table')).to.equal(0);
    expect(await page.locator('.casebook-title').textContent()).to.contain(`Casebook of participant ${pseudonym}`);
    expect(await page.locator('main').textContent()).to.not.match(new RegExp(`\\b${participant}\\b`));
    expect(problems).to.deep.equal([]);
  });
});
