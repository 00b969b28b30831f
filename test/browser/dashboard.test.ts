// The dashboard and the adverse-event review in a real browser, on the demo study SMP-2021 (22
// participants, LON 12 and MAN 10, one allergic reaction): every chart drawn (pixels on every
// canvas), the page's cards and tables equal to what the API answers, the site filter, a clinic's
// suppressed cells, the review order and the CSV download, a new event showing after a reload,
// axe-core and no console error. The 20,000-participant dashboard is timed by `npm run bench:web`.
import fs from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { CHART_IDS } from '../../analysis/charts/index.ts';
import { DRIVER } from '../support/database.ts';
import { apiClient, type ApiClient } from '../support/http.ts';
import { expectAccessible, openAs, PHONE, screenshots, startWebApp, type WebApp } from '../support/web-app.ts';

const CODE = 'SMP-2021';

interface ChartsBody {
  summary: any;
  charts: Array<{ id: string; title: string; table: { caption: string; columns: string[]; rows: Array<Array<string | number>> } }>;
  suppressBelow: number;
}

/** Waits until every chart of the page's latest answer is drawn. */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction((count) => document.querySelector('.charts')?.getAttribute('data-drawn') === String(count), CHART_IDS.length, {
    timeout: 60_000,
  });
}

/** Painted pixels and distinct colours of every chart canvas. */
async function canvasInk(page: Page): Promise<Array<{ id: string; width: number; painted: number; colours: number }>> {
  // No named local functions inside evaluate: tsx would wrap them in a `__name` helper the page lacks.
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('.charts canvas')].map((canvas) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! === 0) continue;
        painted += 1;
        if (colours.size < 100) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      }
      return { id: canvas.id, width: canvas.width, painted, colours: colours.size };
    }),
  );
}

/** Opens every chart's "Table" and reads each table's rows as text. */
async function chartTables(page: Page): Promise<Record<string, string[][]>> {
  for (const details of await page.locator('.chart-card details').all()) {
    if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  }
  await page.waitForFunction((count) => document.querySelectorAll('.chart-card table.data-table').length === count, CHART_IDS.length);
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('.chart-card')].map((card) => [
        card.dataset['chart']!,
        [...card.querySelectorAll('table.data-table tbody tr')].map((row) => [...row.children].map((cell) => cell.textContent ?? '')),
      ]),
    ),
  );
}

const asText = (rows: Array<Array<string | number>>) => rows.map((row) => row.map(String));

/** The text of a headline card's detail line, e.g. "1/22 · 95% exact [0.1%, 22.8%]". */
const cardDetail = (page: Page, id: string) => page.locator(`[data-figure="${id}"] .detail`).innerText();
const cardValue = (page: Page, id: string) => page.locator(`[data-figure="${id}"] .value`).innerText();

/** The compare-sites cell of one figure and one site. */
const compareCell = (page: Page, row: string, site: string) => page.locator(`#compare-sites tr[data-row="${row}"] td[data-site="${site}"]`).innerText();

// Exact (Clopper–Pearson) 95% intervals of the demo study's proportions, as scipy's
// binomtest(k, n).proportion_ci(method='exact') and R's binom.test(k, n) give them (the same
// values as test/unit/analysis/adverse-event-rates.test.ts and test/integration/study-charts.test.ts).
const EXACT = {
  '0/22': [0, 0.15437251281557457], // [0.0%, 15.4%]
  '1/22': [0.001150147526581684, 0.22844439766763597], // [0.1%, 22.8%]
  '2/22': [0.011205586024166507, 0.291612741553955], // [1.1%, 29.2%]
  '0/12': [0, 0.26464846939705117], // [0.0%, 26.5%]
  '1/10': [0.0025285785444625728, 0.44501611702819543], // [0.3%, 44.5%]
} as const;

/** Checks an API proportion's counts and exact interval against `k/n` of EXACT. */
function expectProportion(p: { n: number; N: number; exact: [number, number] }, fraction: keyof typeof EXACT, what: string): void {
  const [n, N] = fraction.split('/').map(Number);
  expect({ n: p.n, N: p.N }, what).to.deep.equal({ n, N });
  expect(p.exact[0], `${what} lower bound`).to.be.closeTo(EXACT[fraction][0], 1e-9);
  expect(p.exact[1], `${what} upper bound`).to.be.closeTo(EXACT[fraction][1], 1e-9);
}

describe(`browser: dashboard and adverse-event review (${DRIVER})`, function () {
  this.timeout(300_000);
  let app: WebApp;
  let researcher: ApiClient;
  let admin: ApiClient;

  before(async () => {
    app = await startWebApp();
    researcher = apiClient(app.base, app.users.researcher.headers);
    admin = apiClient(app.base, app.users.admin.headers);
  });
  after(async () => {
    await app?.close();
  });

  it("draws every chart, and its cards and tables show the API's figures", async () => {
    const { page, problems, close } = await openAs(app, app.users.researcher);
    try {
      await page.goto(`${app.base}/studies/${CODE}`);
      await chartsDrawn(page);
      const served = (await researcher.get<ChartsBody>(`/studies/${CODE}/charts?by=site`)).body;
      expect(served.summary).to.deep.equal({ ...(await researcher.get(`/studies/${CODE}/analysis?by=site`)).body });
      expect(await page.locator('h1').innerText()).to.equal(served.summary.study.title);

      const ink = await canvasInk(page);
      expect(ink.map((canvas) => canvas.id)).to.deep.equal(CHART_IDS.map((id) => `chart-${id}`));
      for (const canvas of ink) {
        expect(canvas.width, canvas.id).to.be.greaterThan(200);
        expect(canvas.painted, `${canvas.id} painted pixels`).to.be.greaterThan(2_000);
        expect(canvas.colours, `${canvas.id} colours`).to.be.greaterThan(5);
      }
      expect(await page.locator('.chart-card h3').allInnerTexts()).to.deep.equal(served.charts.map((chart) => chart.title));

      // The cards: the API's figures, formatted.
      const { participants, safety } = served.summary;
      expect(await cardValue(page, 'enrolled')).to.equal('22');
      expect(participants.enrolled).to.equal(22);
      const allergic = safety.byCategory.allergic_reaction.participants;
      expect(allergic.exact[0]).to.be.closeTo(0.0011501, 5e-8);
      expect(allergic.exact[1]).to.be.closeTo(0.2284444, 5e-8);
      // One participant (P07) of 22 had an adverse event, none a serious one.
      expectProportion(safety.anyEvent, '1/22', 'any adverse event');
      expect(await cardValue(page, 'any-adverse-event')).to.equal('4.5%');
      expect(await cardDetail(page, 'any-adverse-event')).to.contain('1/22 · 95% exact [0.1%, 22.8%]');
      expectProportion(safety.seriousEvent, '0/22', 'serious adverse event');
      expect(await cardDetail(page, 'serious-adverse-event')).to.equal('0/22 · 95% exact [0.0%, 15.4%]');
      // Kaplan-Meier: touch-ups called for at 941 days (P04; P04 and P01 at risk) and 971 days
      // (P01) after the final session, so S falls to 0.5 at 941 / 30.4375 = 30.9158 months.
      expect(served.summary.fading.touchUpFree.median).to.be.closeTo(941 / 30.4375, 1e-9);
      expect(await cardValue(page, 'touch-up-free-median')).to.equal('31.4 months');
      // R's survfit (log-log): 31.41 months, 95% CI 30.92 to NA, resting on 2 participants at risk.
      const medianDetail = await page.locator('[data-figure="touch-up-free-median"] .detail').innerText();
      expect(medianDetail).to.contain('95% CI 30.9 to not reached (log-log)');
      expect(medianDetail).to.contain('unstable: 2 at risk at the median');
      expect(await cardValue(page, 'minimal-or-no-fading-in-window')).to.equal('100.0%');
      expect(await page.locator('[data-figure="minimal-or-no-fading-in-window"] .what').innerText()).to.contain('(primary outcome)');

      // Every chart's table, cell for cell.
      const tables = await chartTables(page);
      for (const chart of served.charts) expect(tables[chart.id], chart.id).to.deep.equal(asText(chart.table.rows));
      expect(tables['adverse-events']![1]).to.deep.equal(['Allergic reaction', '1', '1/22', '4.5%', '[0.1%, 22.8%]']);
      expect(tables['adverse-events']!.map((row) => row[0])).to.have.length(8); // zero-event categories included

      // The sites side by side, from the summary's by=site groups.
      const [london, manchester] = served.summary.subgroups.groups;
      expect(await compareCell(page, 'enrolled', 'LON')).to.equal(String(london.figures.participants.enrolled));
      expect(await compareCell(page, 'enrolled', 'MAN')).to.equal('10');
      // P07's allergic reaction is Manchester's: 1 of its 10.
      expectProportion(manchester.figures.safety.anyEvent, '1/10', "Manchester's any adverse event");
      expect(await compareCell(page, 'any-adverse-event', 'MAN')).to.equal('1/10 (10.0%) [0.3%, 44.5%]');

      // A chart as a PNG file.
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-chart="adverse-events"] button').click()]);
      expect(download.suggestedFilename()).to.equal(`${CODE}-adverse-events.png`);
      const png = fs.readFileSync((await download.path())!);
      expect(png.subarray(1, 4).toString()).to.equal('PNG');
      expect(png.length).to.be.greaterThan(10_000);

      await expectAccessible(page, 'the dashboard');
      await screenshots(page, 'dashboard');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it('says to add a participant for an empty study, instead of drawing empty charts', async () => {
    const demo = (await admin.get<any>(`/studies/${CODE}/bundle`)).body;
    const empty = { format: demo.format, study: { ...demo.study, code: 'EMPTY-1', title: 'A study without participants' }, sites: [{ code: 'ONE', name: 'Only site' }] };
    expect((await admin.post('/studies', empty)).status).to.equal(201);
    const { page, problems, close } = await openAs(app, app.users.admin);
    try {
      await page.goto(`${app.base}/studies/EMPTY-1`);
      const message = page.locator('[data-empty-study]');
      await message.waitFor({ timeout: 20_000 }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}: ${await page.locator('main').innerText()}`);
      });
      expect(await message.innerText()).to.equal('No participants yet: add one.');
      expect(await message.locator('a').getAttribute('href')).to.equal('/studies/EMPTY-1/participants');
      expect(await page.locator('.charts canvas').count()).to.equal(0);
      expect(await page.locator('#headline-heading').count()).to.equal(0);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it("shows one site's figures when filtered, with the filter in the address", async () => {
    const { page, problems, close } = await openAs(app, app.users.researcher);
    try {
      await page.goto(`${app.base}/studies/${CODE}`);
      await chartsDrawn(page);
      await page.selectOption('#filter-site', 'LON');
      await page.waitForURL(/\?site=LON$/);
      await page.waitForFunction(() => document.querySelector('[data-figure="enrolled"] .value')?.textContent === '12');
      await chartsDrawn(page);
      const london = (await researcher.get<ChartsBody>(`/studies/${CODE}/charts?site=LON`)).body;
      expect(london.summary.participants.enrolled).to.equal(12);
      const tables = await chartTables(page);
      for (const chart of london.charts) expect(tables[chart.id], chart.id).to.deep.equal(asText(chart.table.rows));
      expectProportion(london.summary.safety.anyEvent, '0/12', "London's any adverse event");
      expect(await cardDetail(page, 'any-adverse-event')).to.contain('0/12 · 95% exact [0.0%, 26.5%]');
      // The address alone gives the same page (a bookmark, a reload).
      await page.goto(`${app.base}/studies/${CODE}?site=MAN&indication=androgenetic_alopecia`);
      await chartsDrawn(page);
      // Manchester's androgenetic alopecia participants in the fixture: P02, P07, P13 and P21.
      const both = (await researcher.get<ChartsBody>(`/studies/${CODE}/charts?site=MAN&indication=androgenetic_alopecia`)).body;
      expect(both.summary.participants.enrolled).to.equal(4);
      expect(await cardValue(page, 'enrolled')).to.equal('4');
      expect(await page.inputValue('#filter-indication')).to.equal('androgenetic_alopecia');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  it("shows a clinic its own site, and other sites' small cells as suppressed", async () => {
    const { page, problems, close } = await openAs(app, app.users.clinic);
    try {
      await page.goto(`${app.base}/studies/${CODE}`);
      await chartsDrawn(page);
      const clinic = apiClient(app.base, app.users.clinic.headers);
      const served = (await clinic.get<ChartsBody>(`/studies/${CODE}/charts?by=site`)).body;
      expect(await cardValue(page, 'enrolled')).to.equal('12');
      const manchester = served.summary.subgroups.groups[1];
      expect(manchester.key).to.equal('MAN');
      expect(manchester.figures.safety.anyEvent).to.include({ n: null, suppressed: true });
      // Hidden figures read as suppressed, with the footnote; never "< 5", since a figure is also
      // hidden when its remainder is small or it would give another back.
      expect(await compareCell(page, 'any-adverse-event', 'MAN')).to.equal('suppressed (small group)† of 10');
      expect(await compareCell(page, 'withdrawn', 'MAN')).to.equal('suppressed (small group)†');
      expect(await page.locator('#compare-sites caption').innerText()).to.contain('† suppressed (small group): see the note below');
      const manchesterCells = await page.locator('#compare-sites td[data-site="MAN"]').allInnerTexts();
      expect(manchesterCells.filter((text) => text.includes('<'))).to.deep.equal([]);
      expect(await page.locator('#compare-footnote').innerText()).to.match(
        new RegExp(`^† Suppressed: another site's count under ${served.suppressBelow} is not shown, nor any figure that would give one back`),
      );
      expect(await compareCell(page, 'enrolled', 'MAN')).to.equal('10');
      expectProportion(served.summary.subgroups.groups[0].figures.safety.anyEvent, '0/12', "London's any adverse event");
      expect(await compareCell(page, 'any-adverse-event', 'LON')).to.equal('0/12 (0.0%) [0.0%, 26.5%]');
      // Only its own site to filter by.
      expect(await page.locator('#filter-site option').allInnerTexts()).to.deep.equal(['All my sites', 'LON — London Scalp Micropigmentation Clinic']);
      await expectAccessible(page, "a clinic's dashboard");
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });

  /** P03's serious infection at its first session: the event the figures tests add. */
  const p03Infection = {
    category: 'infection',
    term: 'Folliculitis at the crown',
    onsetDate: '2018-03-14',
    resolvedDate: null,
    grade: 3,
    serious: true,
    relatedness: 'probable',
    outcome: 'recovering',
    sessionNumber: 1,
  };
  /** Remove the events a test added, so that each test starts from the demo study. */
  async function removeEvents(added: Array<{ participant: string; no: number; etag: string }>) {
    for (const { participant, no, etag } of added) {
      const removed = await admin.delete(`/studies/${CODE}/participants/${participant}/adverse-events/${no}`, { ifMatch: etag, reason: 'Test data removed' });
      expect(removed.status).to.equal(204);
    }
  }

  it('shows a new adverse event in the figures and the chart table after a reload', async () => {
    const { page, problems, close } = await openAs(app, app.users.researcher);
    const addedEvents: Array<{ participant: string; no: number; etag: string }> = [];
    try {
      await page.goto(`${app.base}/studies/${CODE}`);
      await chartsDrawn(page);
      expect(await cardDetail(page, 'any-adverse-event')).to.contain('1/22');
      const before = (await chartTables(page))['adverse-events']!;
      expect(before[0]).to.deep.equal(['Infection', '0', '0/22', '0.0%', '[0.0%, 15.4%]']);

      const added = await researcher.post(`/studies/${CODE}/participants/P03/adverse-events`, p03Infection, { reason: 'Reported at the second session' });
      expect(added.status, JSON.stringify(added.body)).to.equal(201);
      addedEvents.push({ participant: 'P03', no: added.body.no, etag: added.etag! });

      await page.reload();
      await chartsDrawn(page);
      const served = (await researcher.get<ChartsBody>(`/studies/${CODE}/charts`)).body;
      expect(served.summary.safety.anyEvent).to.include({ n: 2, N: 22 });
      expectProportion(served.summary.safety.anyEvent, '2/22', 'any adverse event');
      expect(await cardDetail(page, 'any-adverse-event')).to.contain('2/22 · 95% exact [1.1%, 29.2%]');
      expect(await cardDetail(page, 'serious-adverse-event')).to.contain('1/22');
      const after = (await chartTables(page))['adverse-events']!;
      expect(after).to.deep.equal(asText(served.charts.find((chart) => chart.id === 'adverse-events')!.table.rows));
      expect(after[0]!.slice(0, 3)).to.deep.equal(['Infection', '1', '1/22']);
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
      await removeEvents(addedEvents);
    }
  });

  it('reviews adverse events: rates with zero-event levels, serious and unresolved first, the listing as CSV', async () => {
    // A serious event (P03's infection) and an unresolved, non-serious one.
    const serious = await admin.post(`/studies/${CODE}/participants/P03/adverse-events`, p03Infection, { reason: 'Reported at the second session' });
    expect(serious.status, JSON.stringify(serious.body)).to.equal(201);
    const addedEvents = [{ participant: 'P03', no: serious.body.no as number, etag: serious.etag! }];
    const unresolved = await admin.post(
      `/studies/${CODE}/participants/P12/adverse-events`,
      {
        category: 'discoloration',
        term: 'Blue-grey cast at the temples',
        onsetDate: '2018-11-20',
        resolvedDate: null,
        grade: 1,
        serious: false,
        relatedness: 'possible',
        outcome: 'not_recovered',
        sessionNumber: 4,
      },
      { reason: 'Seen at follow-up' },
    );
    expect(unresolved.status, JSON.stringify(unresolved.body)).to.equal(201);
    addedEvents.push({ participant: 'P12', no: unresolved.body.no, etag: unresolved.etag! });

    const { page, problems, close } = await openAs(app, app.users.researcher);
    try {
      await page.goto(`${app.base}/studies/${CODE}/adverse-events`);
      await page.waitForSelector('#ae-rates tbody tr');
      await page.waitForSelector('#ae-listing tbody tr');

      // Rates by category: every category, events or none, as the API counts them.
      const byCategory = (await researcher.get(`/studies/${CODE}/adverse-events/rates?by=category`)).body;
      const rateRows = async () =>
        page.evaluate(() => [...document.querySelectorAll('#ae-rates tbody tr')].map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
      // The API's counts, row for row as the page shows them: label, events, participants, of.
      const counts = (rates: any[]) => rates.map((rate) => [rate.label, String(rate.events), String(rate.participants.n), String(rate.participants.N)]);
      // Three events by now, one participant each: P07's allergic reaction (grade 1), P03's
      // infection (grade 3, added above) and P12's discoloration (grade 1). 1/22 is 4.5%, exact
      // [0.1%, 22.8%]; 2/22 is 9.1%, [1.1%, 29.2%]; 0/22 is 0.0%, [0.0%, 15.4%] (see EXACT).
      const one = ['1', '1', '22', '4.5%', '[0.1%, 22.8%]'];
      const none = ['0', '0', '22', '0.0%', '[0.0%, 15.4%]'];
      const categoryRows = [
        ['Infection', ...one],
        ['Allergic reaction', ...one],
        ['Keloid', ...none],
        ['Granuloma', ...none],
        ['MRI interference', ...none],
        ['Pigment migration', ...none],
        ['Discoloration', ...one],
        ['Other', ...none],
      ];
      expect(counts(byCategory.rates)).to.deep.equal(categoryRows.map((row) => row.slice(0, 4)));
      expect(await rateRows()).to.deep.equal(categoryRows);
      await page.selectOption('#rates-by', 'grade');
      await page.waitForURL(/by=grade/);
      const byGrade = (await researcher.get(`/studies/${CODE}/adverse-events/rates?by=grade`)).body;
      await page.waitForFunction(() => document.querySelectorAll('#ae-rates tbody tr').length === 5);
      const gradeRows = [
        ['1 (mild)', '2', '2', '22', '9.1%', '[1.1%, 29.2%]'],
        ['2 (moderate)', ...none],
        ['3 (severe)', ...one],
        ['4 (life-threatening)', ...none],
        ['5 (death)', ...none],
      ];
      expect(counts(byGrade.rates)).to.deep.equal(gradeRows.map((row) => row.slice(0, 4)));
      expect(await rateRows()).to.deep.equal(gradeRows);

      // The listing: serious and unresolved events first, flagged in words.
      const listing = (await researcher.get(`/studies/${CODE}/adverse-events?sort=priority`)).body.items;
      const rows = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('#ae-listing tbody tr')].map((row) => ({
          participant: row.dataset['participant'],
          no: Number(row.dataset['no']),
          flags: row.children[0]!.textContent,
          link: row.querySelector('a')?.getAttribute('href'),
        })),
      );
      expect(rows.map((row) => [row.participant, row.no])).to.deep.equal(listing.map((e: any) => [e.participant, e.no]));
      expect(rows.map((row) => row.flags)).to.deep.equal(['Serious Unresolved', 'Unresolved', '']);
      expect(rows.map((row) => row.participant)).to.deep.equal(['P03', 'P12', 'P07']);
      expect(rows[0]!.link).to.equal(`/studies/${CODE}/participants/P03`);

      // The CSV download holds the listing, with the page's filters.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ae-csv')]);
      expect(download.suggestedFilename()).to.equal(`${CODE}-adverse-events.csv`);
      const csv = fs.readFileSync((await download.path())!, 'utf8');
      expect(csv).to.equal((await researcher.get(`/studies/${CODE}/adverse-events.csv?sort=priority`)).body);
      const [header, ...records] = parse(csv) as string[][];
      expect(header!.slice(0, 5)).to.deep.equal(['participant_code', 'site_code', 'event_no', 'category', 'term']);
      expect(records.map((record) => [record[0], Number(record[2])])).to.deep.equal(listing.map((e: any) => [e.participant, e.no]));
      await page.selectOption('#ae-serious', 'true');
      await page.waitForURL(/serious=true/);
      await page.waitForFunction(() => document.querySelectorAll('#ae-listing tbody tr').length === 1);
      expect(await page.getAttribute('#ae-csv', 'href')).to.equal(`/api/studies/${CODE}/adverse-events.csv?serious=true&sort=priority`);
      const [filtered] = await Promise.all([page.waitForEvent('download'), page.click('#ae-csv')]);
      expect((parse(fs.readFileSync((await filtered.path())!, 'utf8')) as string[][]).slice(1).map((record) => record[0])).to.deep.equal(['P03']);

      await expectAccessible(page, 'the adverse-event review');
      await screenshots(page, 'adverse-events');
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
      await removeEvents(addedEvents);
    }
  });

  it('gives a reviewer pseudonyms in the listing and its CSV, and no date filters', async () => {
    const { page, problems, close } = await openAs(app, app.users.reviewer, PHONE);
    try {
      await page.goto(`${app.base}/studies/${CODE}/adverse-events`);
      await page.waitForSelector('#ae-listing tbody tr');
      const reviewer = apiClient(app.base, app.users.reviewer.headers);
      const listing = (await reviewer.get(`/studies/${CODE}/adverse-events?sort=priority`)).body.items;
      const shown = await page.locator('#ae-listing tbody tr th').allInnerTexts();
      expect(shown).to.deep.equal(listing.map((e: any) => e.participant));
      expect(shown.join(' ')).to.not.match(/\bP\d\d\b/);
      expect(await page.locator('#ae-onset-from').count()).to.equal(0);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ae-csv')]);
      const csv = fs.readFileSync((await download.path())!, 'utf8');
      expect(csv).to.not.match(/\bP\d\d\b/);
      expect((parse(csv) as string[][]).slice(1).map((record) => record[0])).to.deep.equal(shown);
      await expectAccessible(page, "a reviewer's adverse-event review at phone width");
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
