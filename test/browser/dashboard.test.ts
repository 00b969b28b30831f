// The dashboard as a user meets it after `npm start`: the demo study listed with its counts, a
// refused import showing every problem, an accepted one appearing in the list, an existing code
// explained in the page's terms, one import at a time with a busy indicator, a server that does
// not answer reported, and the study's report opening with its charts drawn.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../api/app.ts';
import { loadDemo } from '../../api/services/demo-service.ts';
import { launchChromium } from '../support/browser.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { createTestUser } from '../support/users.ts';

describe(`browser: dashboard (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  let work: string;
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];

  before(async () => {
    db = await freshDb();
    await loadDemo(db);
    server = createApp({ db }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-dashboard-'));
    browser = await launchChromium();
    page = await browser.newPage();
    const [name, value] = (await createTestUser(db, 'admin')).cookie.split('=') as [string, string];
    await page.context().addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Strict' }]);
    page.on('console', (message) => {
      // Failed requests are checked one by one below; any other console error is a fault.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) {
        failedRequests.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`);
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await db?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const studyRows = () =>
    page.$$eval('#studies tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)));

  it('lists the demo study with its counts', async () => {
    await page.goto(base);
    await page.waitForSelector('#studies tbody tr td a');
    const rows = await studyRows();
    expect(rows).to.have.length(1);
    expect(rows[0]!.slice(0, 8)).to.deep.equal(['SMP-2021', rows[0]![1], '2', '22', '88', '1', '51', '20']);
    expect(rows[0]![1]).to.match(/^Scalp micropigmentation/);
  });

  it('shows every problem of a refused bundle and writes nothing', async () => {
    const before = await tableCounts(db);
    const bundle = smallBundle('WEB-1');
    bundle.participants[0].sessions[1].date = '2021-02-30';
    bundle.participants[1].site = 'NOWHERE';
    const file = path.join(work, 'bad.json');
    fs.writeFileSync(file, JSON.stringify(bundle));
    await page.setInputFiles('#bundle-file', file);
    await page.click('button[type=submit]');
    await page.waitForSelector('#import-result li');
    const items = await page.$$eval('#import-result li', (lis) => lis.map((li) => li.textContent));
    expect(items).to.deep.equal([
      'participants[0].sessions[1].date: 2021-02-30 is not a calendar date',
      'participants[1].site: site "NOWHERE" is not defined in sites',
    ]);
    expect(await page.textContent('#import-result p')).to.equal('the bundle has 2 problems');
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('imports a valid bundle and lists it', async () => {
    const file = path.join(work, 'good.json');
    fs.writeFileSync(file, JSON.stringify(smallBundle('WEB-2')));
    await page.setInputFiles('#bundle-file', file);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#import-result')?.textContent === 'Imported study WEB-2.');
    await page.waitForFunction(() => document.querySelectorAll('#studies tbody tr').length === 2);
    const rows = await studyRows();
    expect(rows.map((r) => r[0])).to.deep.equal(['SMP-2021', 'WEB-2']);
    expect(rows[1]!.slice(2, 8)).to.deep.equal(['2', '2', '5', '1', '2', '1']);
  });

  it("refuses a study code that exists, pointing to the page's checkbox rather than --replace", async () => {
    const file = path.join(work, 'good.json'); // WEB-2, imported above
    await page.setInputFiles('#bundle-file', file);
    await page.click('button[type=submit]');
    await page.waitForSelector('#import-result.problems p');
    const message = await page.textContent('#import-result');
    expect(message).to.equal('Study WEB-2 already exists. To replace it, tick “Replace the study if its code exists already” and import again.');
    expect(message).not.to.contain('--replace');
    await page.check('#replace');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#import-result')?.textContent === 'Replaced study WEB-2.');
    await page.uncheck('#replace');
  });

  it('disables the button and shows a busy indicator while an import runs, so a double click imports once', async () => {
    const file = path.join(work, 'web-3.json');
    fs.writeFileSync(file, JSON.stringify(smallBundle('WEB-3')));
    let posts = 0;
    // Hold each import for a moment, as a large bundle would take, to look at the page meanwhile.
    await page.route('**/api/studies*', async (route) => {
      if (route.request().method() === 'POST') {
        posts++;
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      await route.continue();
    });
    try {
      await page.setInputFiles('#bundle-file', file);
      await page.dblclick('button[type=submit]');
      expect(await page.isDisabled('button[type=submit]')).to.equal(true);
      expect(await page.isVisible('#import-busy')).to.equal(true);
      expect(await page.textContent('#import-busy')).to.contain('Importing web-3.json…');
      expect(await page.getAttribute('#import-form', 'aria-busy')).to.equal('true');
      await page.waitForFunction(() => document.querySelector('#import-result')?.textContent === 'Imported study WEB-3.');
      // Ready again once the list shows the new study.
      await page.waitForSelector('button[type=submit]:not([disabled])');
      expect(posts).to.equal(1);
      expect(await page.isVisible('#import-busy')).to.equal(false);
      expect((await studyRows()).map((r) => r[0])).to.deep.equal(['SMP-2021', 'WEB-2', 'WEB-3']);
    } finally {
      await page.unroute('**/api/studies*');
    }
  });

  it('reports a request that gets no answer, for an import and for the listing', async () => {
    await page.route('**/api/studies*', (route) => route.abort('connectionrefused'));
    try {
      await page.setInputFiles('#bundle-file', path.join(work, 'web-3.json'));
      await page.click('button[type=submit]');
      await page.waitForSelector('#import-result.problems p');
      expect(await page.textContent('#import-result p')).to.equal(
        `The import was not completed: the server is not reachable (${base}). Check that \`smp serve\` is running, ` +
          'reload the page to see whether the study arrived, and import again if not.',
      );
      expect(await page.isDisabled('button[type=submit]')).to.equal(false);
      await page.reload();
      await page.waitForSelector('#studies tbody td.problems');
      expect(await page.textContent('#studies tbody')).to.equal(
        `Could not load the studies: the server is not reachable (${base}); is \`smp serve\` still running?`,
      );
    } finally {
      await page.unroute('**/api/studies*');
    }
    await page.reload();
    await page.waitForSelector('#studies tbody tr td a');
    expect((await studyRows()).map((r) => r[0])).to.deep.equal(['SMP-2021', 'WEB-2', 'WEB-3']);
  });

  it("opens a study's report with all six charts drawn", async () => {
    await page.click('#studies tbody tr:first-child a:text("report")');
    await page.waitForSelector('canvas');
    await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 6);
    const painted = await page.$$eval('canvas', (canvases) =>
      canvases.map((canvas) => {
        const context = (canvas as HTMLCanvasElement).getContext('2d')!;
        const { data } = context.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
        let inked = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) inked++;
        return inked;
      }),
    );
    expect(painted).to.have.length(6);
    for (const inked of painted) expect(inked).to.be.greaterThan(1000);
    expect(await page.textContent('body')).to.contain('Outcomes report for study SMP-2021');
    expect(consoleErrors).to.deep.equal([]);
    expect(failedRequests).to.deep.equal(['POST /api/studies 400', 'POST /api/studies 409']);
  });
});
