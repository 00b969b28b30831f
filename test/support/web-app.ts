// The web application in a real browser, for the browser tests: a server on a fresh database
// with the demo study and one user of each role (the clinic user granted the London site only),
// Debian's Chromium, pages opened as any of those users, and the checks every page must pass:
// no console error, no failed request, no serious or critical axe-core finding. Screenshots of
// each page at desktop and phone width go to out/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect } from 'chai';
import { errors, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Config } from '../../api/config.ts';
import { loadDemo } from '../../api/services/demo-service.ts';
import { launchChromium } from './browser.ts';
import { freshDb, type TestDb } from './database.ts';
import { startTestServer, type TestServer } from './http.ts';
import { createTestUser, type TestUser } from './users.ts';

export const SCREENSHOT_DIR = path.resolve('out/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface WebApp {
  db: TestDb;
  server: TestServer;
  base: string;
  browser: Browser;
  users: { admin: TestUser; researcher: TestUser; clinic: TestUser; reviewer: TestUser };
  close(): Promise<void>;
}

/**
 * A server with the demo study SMP-2021 and a user of each role; `load` adds more data first,
 * with the server already answering at `base` (for links printed with the server's address).
 */
export async function startWebApp(
  options: { load?: (db: TestDb, base: string) => Promise<void>; demo?: boolean; config?: Partial<Config> } = {},
): Promise<WebApp> {
  const db = await freshDb();
  let server: TestServer | undefined;
  let users: WebApp['users'];
  let browser: Browser;
  try {
    if (options.demo !== false) await loadDemo(db);
    server = await startTestServer(db, options.config);
    if (options.load) await options.load(db, server.base);
    users = {
      admin: await createTestUser(db, 'admin', [], 'ada-admin'),
      researcher: await createTestUser(db, 'researcher', [{ studyCode: 'SMP-2021', siteCode: null }], 'rhea-researcher'),
      clinic: await createTestUser(db, 'clinic', [{ studyCode: 'SMP-2021', siteCode: 'LON' }], 'lon-clinic'),
      reviewer: await createTestUser(db, 'reviewer', [{ studyCode: 'SMP-2021', siteCode: null }], 'rita-reviewer'),
    };
    browser = await launchChromium();
  } catch (error) {
    // The test's after hook has no app to close: a server left listening would keep mocha
    // from ever exiting (a run without Chromium hung after its report).
    await server?.close();
    await db.dispose();
    throw error;
  }
  return {
    db,
    server,
    base: server.base,
    browser,
    users,
    async close() {
      await browser.close();
      await server.close();
      await db.dispose();
    },
  };
}

export interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** A browser context signed in as `user` (by its session cookie), or signed out with null. */
export async function openAs(app: WebApp, user: TestUser | null, viewport = DESKTOP): Promise<OpenPage> {
  const context = await app.browser.newContext({ viewport, acceptDownloads: true });
  if (user) {
    const [name, value] = user.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.base, httpOnly: true, sameSite: 'Strict' }]);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A navigation away cancels what the old page was fetching: not a failure of the page.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(app.base) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
      problems.push(`request outside the server: ${request.url()}`);
    }
  });
  return { context, page, problems, close: () => context.close() };
}

/** Chromium's console error for a request the server answered with `status`. */
const refusal = (status: number) => `console: Failed to load resource: the server responded with a status of ${status} `;

/** The requests a page saw refused with `status` (Chromium logs each as a console error). */
export function refusedRequests(problems: string[], status: number): string[] {
  return problems.filter((p) => p.startsWith(refusal(status)));
}

/** The problems other than requests refused with one of `statuses`, which a test expects. */
export function problemsExcept(problems: string[], ...statuses: number[]): string[] {
  return problems.filter((p) => !statuses.some((status) => p.startsWith(refusal(status))));
}

/** Waits until the page's header shows `username` signed in. */
export async function signedInAs(page: Page, username: string): Promise<void> {
  await page.locator('.app-header .account strong', { hasText: username }).waitFor();
}

/** Fills in and sends the sign-in form on the page. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Fails with the findings when axe-core finds a serious or critical accessibility violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  expect(bad, `axe-core on ${what}`).to.deep.equal([]);
}

/** Saves the page at desktop and at phone width (full page) as out/screenshots/<name>-*.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  // Nothing may stick out sideways at phone width (tables scroll inside their own box). Charts
  // redraw at the new width after the resize, so wait for the page to fit rather than sleep; if
  // it never fits, the measurement below fails the test with the overflow in pixels.
  try {
    await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth, null, { timeout: 5000 });
  } catch (error) {
    if (!(error instanceof errors.TimeoutError)) throw error;
  }
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-phone.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} is wider than a 390-pixel phone`).to.be.at.most(0);
  await page.setViewportSize(original);
}
