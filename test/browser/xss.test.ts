// No scripts from data: a study whose title, site names, adverse-event terms, pigment lots and
// audit reasons hold HTML and script payloads is shown on every page of the application, and
// nothing in it runs: no payload sets its marker, no dialog opens, no request leaves for the
// payloads' addresses, and the payloads read as the text they are. Codes cannot carry markup at
// all: the import refuses them, naming the field.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
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
      const pages = [
        '/',
        '/studies/XSS-1',
        '/studies/XSS-1/participants',
        `/studies/XSS-1/participants/${encodeURIComponent(participant)}`,
        '/studies/XSS-1/adverse-events',
        '/studies/XSS-1/audit',
        '/studies/XSS-1/setup',
        '/users',
        '/api/studies/XSS-1/report',
      ];
      for (const path of pages) {
        await page.goto(`${app.base}${path}`);
        await page.waitForLoadState('networkidle');
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
