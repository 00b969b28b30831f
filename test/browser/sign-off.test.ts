// An investigator signs a participant's casebook on its page with their password again; the page
// shows the signature (name, time, meaning), and after an edit of a record shows it invalid.
import { expect } from 'chai';
import { hashPassword } from '../../api/services/password.ts';
import { apiClient } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { expectAccessible, openAs, startWebApp, type WebApp } from '../support/web-app.ts';

const STUDY = 'SMP-2021';
const PASSWORD = 'a signing password for the test';

describe('browser: an investigator signs a casebook', function () {
  this.timeout(240_000);
  let app: WebApp;

  before(async () => {
    app = await startWebApp();
  });
  after(async () => {
    await app?.close();
  });

  it('signs with the password, shows the signature, then shows it invalid after an edit', async () => {
    const investigator = await createTestUser(app.db, 'clinic', [{ studyCode: STUDY, siteCode: 'LON' }], 'iris-investigator');
    await app.db.kysely
      .updateTable('app_user')
      .set({ password_hash: await hashPassword(PASSWORD), full_name: 'Dr Iris Investigator', may_sign: true })
      .where('user_id', '=', investigator.userId)
      .execute();
    const client = apiClient(app.base, investigator.headers);
    const listed = (await client.get(`/studies/${STUDY}/participants?limit=1000`)).body.items as { code: string; counts: { sessions: number } }[];
    const participant = listed.find((p) => p.counts.sessions > 0)!.code;

    const { page, problems, close } = await openAs(app, investigator);
    try {
      await page.goto(`${app.base}/studies/${STUDY}/participants/${encodeURIComponent(participant)}`);
      const section = page.locator('section.sign-off');
      await section.getByText('No signatures yet.').waitFor({ timeout: 15_000 });
      await section.getByLabel('I have reviewed this casebook').check();
      await section.getByLabel('Your password, again').fill(PASSWORD);
      await section.getByRole('button', { name: 'Sign' }).click();
      const signature = section.locator('li.signature');
      await signature.filter({ hasText: 'Valid: the records are as signed.' }).waitFor({ timeout: 15_000 });
      const text = await signature.innerText();
      expect(text).to.include('Dr Iris Investigator').and.include('iris-investigator').and.include('“I have reviewed this casebook”');
      expect(text).to.match(/signed on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      await expectAccessible(page, 'the participant page with a signature');

      // An edit of a record, as the clinic makes it elsewhere, then the page read again.
      const path = `/studies/${STUDY}/participants/${encodeURIComponent(participant)}/sessions/1`;
      const session = await client.get(path);
      expect((await client.patch(path, { durationMinutes: session.body.durationMinutes + 5 }, { ifMatch: session.etag!, reason: 'corrected duration' })).status).to.equal(200);
      await page.reload();
      await section.locator('li.signature.invalid').waitFor({ timeout: 15_000 });
      expect(await section.locator('li.signature.invalid').innerText()).to.include("Invalid: the participant's records changed after signing");
      expect(problems).to.deep.equal([]);
    } finally {
      await close();
    }
  });
});
