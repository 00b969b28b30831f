// Every page with a table, opened as an administrator on a 390-pixel phone: the page itself never
// scrolls sideways, and each table either scrolls inside its own box or is stacked to fit.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { apiClient } from '../support/http.ts';
import { openAs, PHONE, type WebApp, startWebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';

/** A table that does not fit: its id or caption and why. */
interface Misfit {
  table: string;
  why: string;
}

/** Measures the page at its width: the page's own scroll width and each table's containment. */
async function measure(page: Page): Promise<{ width: number; scrollWidth: number; tables: number; misfits: Misfit[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const misfits: { table: string; why: string }[] = [];
    const tables = [...document.querySelectorAll('table')].filter((t) => t.getClientRects().length > 0);
    for (const table of tables) {
      const name = table.id || table.caption?.textContent?.trim().slice(0, 60) || table.className || 'a table';
      let box: HTMLElement | null = table.parentElement;
      while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
      const stacked = getComputedStyle(table).display !== 'table';
      if (!box && !stacked) {
        misfits.push({ table: name, why: 'in no scrolling box and not stacked' });
        continue;
      }
      const outer = (box ?? table).getBoundingClientRect();
      if (outer.left < -0.5 || outer.right > width + 0.5) {
        misfits.push({ table: name, why: `its box spans ${Math.round(outer.left)}–${Math.round(outer.right)} px of ${width}` });
      }
      if (stacked && !box && table.scrollWidth > table.clientWidth + 1) {
        misfits.push({ table: name, why: `stacked but ${table.scrollWidth} px wide in ${table.clientWidth}` });
      }
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, tables: tables.length, misfits };
  });
}

describe('browser: every table at a 390-pixel phone width', function () {
  this.timeout(240_000);
  let app: WebApp;
  /** A participant with every kind of record, changed once so that the history has a row. */
  let participant = '';

  before(async () => {
    app = await startWebApp();
    const admin = apiClient(app.base, app.users.admin.headers);
    // A long reason and a changed value, so that the audit log and the history have wide rows.
    const listed = (await admin.get(`/studies/${STUDY}/participants?limit=1000`)).body.items as { code: string; counts: Record<string, number> }[];
    participant = listed.find((p) => Object.values(p.counts).every((n) => n > 0))!.code;
    const read = await admin.get(`/studies/${STUDY}/participants/${participant}`);
    const reason = 'Corrected the cost from the clinic invoice after the finance review: '.repeat(3).trim();
    const changed = await admin.patch(`/studies/${STUDY}/participants/${participant}`, { costUsd: read.body.costUsd + 10 }, { ifMatch: read.etag!, reason });
    expect(changed.status).to.equal(200);
  });
  after(async () => {
    await app?.close();
  });

  /** Each page and the tables it shows once its data has loaded. */
  /** `tables` shows once the data has loaded; `folded`, once every <details> is open. */
  const PAGES: { path: string | (() => string); tables: string[]; folded?: string[] }[] = [
    { path: '/', tables: ['table'] },
    { path: '/users', tables: ['table'] },
    { path: '/account', tables: ['table'] },
    { path: `/studies/${STUDY}`, tables: ['#compare-sites', '.chart-card details'], folded: ['.chart-card table'] },
    { path: `/studies/${STUDY}/participants`, tables: ['#participants tbody tr'] },
    {
      path: () => `/studies/${STUDY}/participants/${participant}`,
      tables: ['#sessions-table', '#adverse-events-table', '#fading-assessments-table', '#surveys-table', '#history-table tbody tr'],
      folded: ['.timeline-table table'],
    },
    { path: `/studies/${STUDY}/follow-ups`, tables: ['table tbody tr'] },
    { path: `/studies/${STUDY}/adverse-events`, tables: ['#ae-rates', 'table tbody tr'] },
    { path: `/studies/${STUDY}/audit`, tables: ['.audit-table tbody tr'] },
    { path: `/studies/${STUDY}/setup`, tables: ['table tbody tr'] },
    // The HTML report the dashboard links to.
    { path: `/api/studies/${STUDY}/report`, tables: ['table tbody tr'] },
  ];

  for (const { path: pathOf, tables, folded = [] } of PAGES) {
    const named = typeof pathOf === 'string' ? pathOf : `/studies/${STUDY}/participants/(one with every kind of record)`;
    it(`fits ${named} at 390 px: no sideways page scroll, every table in a scrolling box or stacked`, async () => {
      const { page, problems, close } = await openAs(app, app.users.admin, PHONE);
      try {
        const path = typeof pathOf === 'string' ? pathOf : pathOf();
        await page.goto(`${app.base}${path}`);
        for (const selector of tables) await page.locator(selector).first().waitFor({ state: 'attached', timeout: 15_000 });
        await page.waitForFunction(() => document.querySelectorAll('.loading, .spinner').length === 0, null, { timeout: 15_000 });
        // Tables folded away in <details> (a chart's figures, the timeline as a table) count too.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        for (const selector of folded) await page.locator(selector).first().waitFor({ state: 'visible', timeout: 15_000 });
        // Charts redraw at the page's width; wait for the page to settle at its final width.
        await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, null, { timeout: 5_000 }).catch(() => undefined);
        const seen = await measure(page);
        expect(seen.width).to.equal(PHONE.width);
        expect(seen.tables, 'tables shown').to.be.greaterThan(0);
        expect(seen.misfits, path).to.deep.equal([]);
        expect(seen.scrollWidth, `${path}: the page's width`).to.be.at.most(PHONE.width);
        expect(problems).to.deep.equal([]);
      } finally {
        await close();
      }
    });
  }
});
