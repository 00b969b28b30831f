// No scripts from data: a study whose title, site names, adverse-event terms, pigment lots and
// audit reasons hold HTML and script payloads is shown on every page of the application, and
// nothing in it runs: no payload sets its marker, no dialog opens, no request leaves for the
// payloads' addresses, and the payloads read as the text they are. Codes cannot carry markup at
// all: the import refuses them, naming the field.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { errors, type Page } from 'playwright-core';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { commandLineChange } from '../../api/services/access.ts';
import { apiClient } from '../support/http.ts';
import { DRIVER } from '../support/database.ts';
import { openAs, startWebApp, type WebApp } from '../support/web-app.ts';

const MARK = '__smpXss';
const PAYLOADS = [
  `<img src=x onerror="window.${MARK}='img'">`,
  `<script>window.${MARK}='script'</script>`,
  `"><svg onload="window.${MARK}='svg'">`,
  `javascript:window.${MARK}='href'`,
  `{{constructor.constructor('window.${MARK}="template"')()}}`,
];

function payloadStudy() {
  const bundle = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8'));
  bundle.study.code = 'XSS-1';
  bundle.study.title = `Payload study ${PAYLOADS[0]} ${PAYLOADS[1]}`;
  bundle.sites[0].name = `London ${PAYLOADS[2]}`;
  bundle.sites[1].name = `Manchester ${PAYLOADS[0]}`;
  let n = 0;
  for (const participant of bundle.participants) {
    for (const session of participant.sessions) session.pigmentLot = PAYLOADS[n++ % PAYLOADS.length]!.slice(0, 100);
    for (const event of participant.adverseEvents) event.term = `reaction ${PAYLOADS[n++ % PAYLOADS.length]}`;
  }
  return bundle;
}

/**
 * Waits until the page reads (as rendered text) each of `shown`, then asserts it, so a page
 * that never drew its data fails here with the text it lacked. Text that is parsed as markup
 * does not read as its characters, so finding a payload here also means it stayed text.
 */
async function expectText(page: Page, path: string, shown: (string | RegExp)[], absent: string[] = []): Promise<void> {
  const want: { text?: string; source?: string }[] = shown.map((s) => (typeof s === 'string' ? { text: s } : { source: s.source }));
  try {
    await page.waitForFunction(
      (wanted) => wanted.every((w) => (w.text !== undefined ? document.body.innerText.includes(w.text) : new RegExp(w.source!).test(document.body.innerText))),
      want,
      { timeout: 10_000 },
    );
  } catch (error) {
    if (!(error instanceof errors.TimeoutError)) throw error;
  }
  const text = await page.evaluate(() => document.body.innerText);
  for (const s of shown) {
    if (typeof s === 'string') expect(text, `${path} shows ${s}`).to.include(s);
    else expect(text, `${path} shows ${s}`).to.match(s);
  }
  for (const s of absent) expect(text, `${path} does not show ${s}`).to.not.include(s);
}

describe(`browser: no scripts from data (${DRIVER})`, function () {
  this.timeout(180_000);
  let app: WebApp;

  before(async () => {
    app = await startWebApp({
      load: async (db) => {
        await importBundle(db, payloadStudy(), { change: commandLineChange(PAYLOADS[3]) });
      },
    });
    // An audited change whose reason is a payload, so the audit pages show one too.
    const admin = apiClient(app.base, app.users.admin.headers);
    const participant = await admin.get('/studies/XSS-1/participants/P01');
    const changed = await admin.patch('/studies/XSS-1/participants/P01', { costUsd: 4100 }, { ifMatch: participant.etag!, reason: PAYLOADS[1] });
    expect(changed.status).to.equal(200);
    // The researcher, clinic and reviewer need grants on the payload study too.
    for (const user of [app.users.researcher, app.users.reviewer]) {
      await app.db.kysely.insertInto('user_grant').values({ user_id: user.userId, study_code: 'XSS-1', site_code: null }).execute();
    }
  });
  after(async () => app?.close());

  it('refuses markup in codes, naming the field, and writes nothing', async () => {
    const admin = apiClient(app.base, app.users.admin.headers);
    const bundle = payloadStudy();
    bundle.study.code = 'XSS-2';
    bundle.participants[0].code = '<img src=x>';
    const refused = await admin.post('/studies', bundle);
    expect(refused.status).to.equal(400);
    expect(refused.body.problems.map((p: { path: string }) => p.path)).to.include('participants[0].code');
    expect((await admin.get('/studies/XSS-2')).status).to.equal(404);
  });

  for (const role of ['admin', 'reviewer'] as const) {
    it(`runs nothing on any page for ${role === 'admin' ? 'an administrator' : 'a reviewer'}`, async () => {
      const { page, problems, close } = await openAs(app, app.users[role]);
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      // A reviewer names participants by pseudonym: P01 does not exist for them (the API answers 404).
      const reviewerView = apiClient(app.base, app.users.reviewer.headers);
      const participant = role === 'reviewer' ? (await reviewerView.get('/studies/XSS-1/participants?limit=1')).body.items[0].code : 'P01';
      // What each page must read as text (from payloadStudy and the audited change above), so
      // the checks below run on a page that drew the payloads. The study's title holds payloads
      // 0 and 1; London's name payload 2, Manchester's payload 0; P01's four sessions have the
      // lots of payloads 0-3; P07's one adverse event is `reaction <payload 3>`; the import's
      // reason is payload 3 and P01's change payload 1. A reviewer sees lots as pseudonyms and an
      // event's category for its term, and has no audit log or users page.
      const title = `Payload study ${PAYLOADS[0]} ${PAYLOADS[1]}`;
      const london = `London ${PAYLOADS[2]}`;
      const manchester = `Manchester ${PAYLOADS[0]}`;
      const asAdmin = role === 'admin';
      const pages: [string, (string | RegExp)[], string[]][] = [
        ['/', [title], []],
        ['/studies/XSS-1', [title, london, manchester], []],
        ['/studies/XSS-1/participants', [london, manchester], []],
        [
          `/studies/XSS-1/participants/${encodeURIComponent(participant)}`,
          asAdmin ? [PAYLOADS[0]!, PAYLOADS[1]!, PAYLOADS[2]!, PAYLOADS[3]!] : [/LOT-[0-9A-Z]{13}/],
          asAdmin ? [] : PAYLOADS,
        ],
        ['/studies/XSS-1/adverse-events', asAdmin ? [london, manchester, `reaction ${PAYLOADS[3]}`] : [london, manchester], asAdmin ? [] : [`reaction ${PAYLOADS[3]}`]],
        [
          '/studies/XSS-1/audit',
          asAdmin ? [PAYLOADS[1]!, PAYLOADS[3]!, `Title: ${title}`] : ['The audit log is not available to reviewers'],
          asAdmin ? [] : PAYLOADS,
        ],
        ['/studies/XSS-1/setup', [title, london, manchester], []],
        ['/users', asAdmin ? [`XSS-1: Payload study ${PAYLOADS[0]}`] : ['Only administrators manage users.'], asAdmin ? [] : PAYLOADS],
        ['/api/studies/XSS-1/report', [title], []],
      ];
      for (const [path, shown, absent] of pages) {
        await page.goto(`${app.base}${path}`);
        await page.waitForLoadState('networkidle');
        await expectText(page, path, shown, absent);
        expect(await page.evaluate((mark) => (window as unknown as Record<string, unknown>)[mark], MARK), path).to.equal(undefined);
        // Markup from data would have made elements; there must be none with the payloads' handlers.
        expect(await page.locator('[onerror], [onload]').count(), path).to.equal(0);
        // The application's pages have no inline script at all (the report's are its own, by hash).
        if (!path.startsWith('/api/')) expect(await page.locator('script:not([src])').count(), path).to.equal(0);
      }
      // The payloads are shown as text where they belong.
      await page.goto(`${app.base}/`);
      await page.getByText(`Payload study ${PAYLOADS[0]}`, { exact: false }).first().waitFor();
      expect(dialogs).to.deep.equal([]);
      expect(problems).to.deep.equal([]);
      await close();
    });
  }
});
