// Benchmark: the web dashboard of a 20,000-participant study in headless Chromium, from
// navigation to every chart drawn (the page's `smp:dashboard-charts-drawn` performance mark), on
// PostgreSQL and on PGlite. First the first view, opened as soon as the import (on PostgreSQL
// `smp import` in a process of its own, as a user runs it beside the server; on the embedded
// database, which one process holds, made in the server's process as `smp import` makes it)
// has returned, while the server runs; then, warm, the median of several views:
// views right after a change to the study (the server computes the answer afresh) and views of an
// unchanged study (the server gives its kept answer). Also splits the time: the GET /charts
// request, and what the page does after its answer.
//   npm run bench:web [-- --runs 5] [-- --participants 20000] [-- --driver pglite|postgres]
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); works in a database
// of its own, dropped afterwards. Needs Debian's chromium (test/support/browser.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import type { Db } from '../../db/kysely.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { bindServer } from '../../api/server.ts';
import { webBundle } from '../../api/web-bundle.ts';
import { launchChromium } from '../support/browser.ts';
import { freshPgliteDb } from '../support/database.ts';
import { apiClient } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { median, ms, onServer, serverUrl } from './common.ts';

// The server's request log would drown the figures.
process.env.SMP_LOG_LEVEL ??= 'silent';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    participants: { type: 'string', default: '20000' },
    driver: { type: 'string' },
  },
});
const runs = Number(values.runs);
const participants = Number(values.participants);
const drivers = values.driver ? [values.driver] : ['postgres', 'pglite'];
const databaseName = `smp_bench_${process.pid}_web`;
const CHARTS = 8;
const TARGET_MS = 1000;

async function openStore(driver: string): Promise<{ db: Db; databaseUrl?: string; drop(): Promise<void> }> {
  if (driver === 'pglite') {
    return { db: await freshPgliteDb(), drop: async () => {} };
  }
  await onServer(`drop database if exists ${databaseName} with (force)`);
  await onServer(`create database ${databaseName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return {
    db: await openMigratedDb({ databaseUrl: url.toString() }),
    databaseUrl: url.toString(),
    drop: () => onServer(`drop database if exists ${databaseName} with (force)`),
  };
}

const smp = path.resolve(import.meta.dirname, '../../api/bin/smp.js');

/** `smp import FILE` against `databaseUrl`, in a process of its own; rejects with its error output if it fails. */
function smpImport(databaseUrl: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [smp, 'import', file], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (status) => (status === 0 ? resolve() : reject(new Error(`smp import exited with ${status}: ${errors}`))));
  });
}

interface View {
  /** Navigation start to the last chart drawn. */
  drawn: number;
  /** The GET /charts request, sent to answered. */
  request: number;
  /** From the answer to the last chart drawn. */
  afterAnswer: number;
}

async function view(page: Page, url: string): Promise<View> {
  await page.goto(url);
  await page.waitForFunction((count) => document.querySelector('.charts')?.getAttribute('data-drawn') === String(count), CHARTS, {
    timeout: 120_000,
  });
  return page.evaluate(() => {
    const drawn = performance.getEntriesByName('smp:dashboard-charts-drawn')[0]!.startTime;
    const charts = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/charts?')) as PerformanceResourceTiming;
    return { drawn, request: charts.responseEnd - charts.startTime, afterAnswer: drawn - charts.responseEnd };
  });
}

interface DriverResult {
  /** The first view, opened as soon as the import returned. */
  first: View;
  /** Views right after a change to the study: the answer is computed. */
  changed: View[];
  /** Views of the unchanged study: the answer kept from the view before. */
  unchanged: View[];
}

async function bench(driver: string): Promise<DriverResult> {
  const { db, databaseUrl, drop } = await openStore(driver);
  const code = `BENCH-WEB-${participants}`;
  // The cohort is generated first, so that its work is over before the server starts (a user's
  // server does not generate it); for `smp import`, written to a file and not kept in memory.
  let cohort: StudyBundle | null = generateCohort({ seed: 1, participants, code });
  const file = path.join(os.tmpdir(), `smp-bench-web-${process.pid}.json`);
  if (databaseUrl) {
    fs.writeFileSync(file, JSON.stringify(cohort));
    cohort = null;
  }
  const browser = await launchChromium();
  // The server as `smp serve` runs it: it hears the import's announcement on the database.
  const bound = await bindServer({ host: '127.0.0.1', port: 0 });
  await bound.serve(db, { webScript: webBundle, analysisThread: true });
  const server = { base: bound.url.replace(/\/$/, ''), close: () => bound.close() };
  try {
    const user = await createTestUser(db, 'admin');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const [name, value] = user.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.base, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    // The browser and the page's script warm on another page first, as a user's would be.
    await page.goto(`${server.base}/`);
    const started = performance.now();
    try {
      if (databaseUrl) await smpImport(databaseUrl, file);
      else await importBundle(db, cohort!);
    } finally {
      fs.rmSync(file, { force: true });
    }
    console.error(`${driver}: imported ${participants.toLocaleString('en')} participants in ${ms(performance.now() - started)}`);
    const url = `${server.base}/studies/${code}`;
    const first = await view(page, url);
    console.error(`${driver}: first view after the import ${ms(first.drawn)}`);
    // A change the audit trail records (a site renamed back and forth) makes the next answer a fresh one.
    const api = apiClient(server.base, user.headers);
    const siteCode = (await api.get(`/studies/${code}/sites`)).body.items[0].code as string;
    const change = async (run: number) => {
      const site = await api.get(`/studies/${code}/sites/${siteCode}`);
      const reply = await api.patch(`/studies/${code}/sites/${siteCode}`, { name: `Site ${siteCode} (${run})` }, { ifMatch: site.etag!, reason: 'Benchmark' });
      if (reply.status !== 200) throw new Error(`renaming the site: ${reply.status} ${JSON.stringify(reply.body)}`);
    };
    const changed: View[] = [];
    const unchanged: View[] = [];
    for (let run = 0; run < runs; run++) {
      await change(run);
      changed.push(await view(page, url));
      unchanged.push(await view(page, url));
    }
    await context.close();
    return { first, changed, unchanged };
  } finally {
    await browser.close();
    await server.close();
    await db.close();
    await drop();
  }
}

const results: Array<[string, DriverResult]> = [];
for (const driver of drivers) results.push([driver, await bench(driver)]);

function line(driver: string, what: string, views: View[]): string {
  const drawn = views.map((v) => v.drawn);
  return (
    `  ${driver.padEnd(8)} ${what.padEnd(26)} ${ms(median(drawn)).padStart(8)} ` +
    `(min ${ms(Math.min(...drawn))}, max ${ms(Math.max(...drawn))}; GET /charts ${ms(median(views.map((v) => v.request)))}, ` +
    `page after the answer ${ms(median(views.map((v) => v.afterAnswer)))})`
  );
}

console.log(
  `dashboard of ${participants.toLocaleString('en')} participants in headless Chromium, from navigation to every chart drawn, ` +
    `the first view after the import, then warm views, median of ${runs} (target < ${TARGET_MS} ms):`,
);
for (const [driver, result] of results) {
  console.log(line(driver, 'first view after the import', [result.first]));
  console.log(line(driver, 'after a change (computed)', result.changed));
  console.log(line(driver, 'unchanged (answer kept)', result.unchanged));
}
