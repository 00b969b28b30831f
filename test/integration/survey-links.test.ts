// Participant survey links end to end over HTTP: staff create and revoke links; the participant's
// page opens one and answers once, and the answer becomes a survey dated on the day of the
// answer in the study's time zone, in the bundle and in the audit trail under the link's actor.
// Used, expired and revoked links are refused (410), bad answers name their field and write
// nothing, and the link's secret opens nothing else. The clock is the app's, moved by the test.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { createApp } from '../../api/app.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, type ApiClient } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const CODE = 'SURV-1';
// 2021-01-10 12:00 UTC is already 2021-01-11 in Auckland (UTC+13 in January).
const START = Date.parse('2021-01-10T12:00:00.000Z');
const TIME_ZONE = 'Pacific/Auckland';

function scheduledBundle() {
  const bundle = smallBundle(CODE);
  (bundle.study.protocol as Record<string, unknown>).visits = [
    { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
    { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
  ];
  return bundle;
}

describe(`survey links (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let now = START;
  const servers: Server[] = [];
  let admin: ApiClient;
  let clinic: ApiClient;
  let reviewer: ApiClient;
  /** The participant's page: no credentials. A new server for each group of refusals keeps the rate limit out of the way. */
  let page: ApiClient;

  async function serve(): Promise<string> {
    const server = createApp({ db, config: { timeZone: TIME_ZONE }, clock: () => new Date(now) }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function fresh() {
    const base = await serve();
    page = apiClient(base);
    return base;
  }

  const secretOf = (url: string) => url.split('#')[1]!;
  const linkCount = async () => Number((await db.kysely.selectFrom('survey_link').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const surveysOf = async (code: string) => (await admin.get(`/studies/${CODE}/participants/${code}/surveys`)).body.items;

  async function newLink(body: unknown = {}): Promise<{ id: number; secret: string }> {
    const created = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, body);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return { id: created.body.id, secret: secretOf(created.body.url) };
  }

  before(async () => {
    db = await freshDb();
    const base = await fresh();
    admin = apiClient(base, (await createTestUser(db, 'admin')).headers);
    expect((await admin.post('/studies', scheduledBundle())).status).to.equal(201);
    clinic = apiClient(base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
    reviewer = apiClient(base, (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers);
  });
  // The rate-limit counts are kept in the database, shared by every app on it: one test's failed
  // uses of links would count against the next.
  beforeEach(async () => {
    now = START;
    await db.kysely.deleteFrom('rate_limit_count').execute();
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await db?.dispose();
  });

  describe('creating links', () => {
    it('gives a clinic a one-time address with its secret in the fragment, working for 30 days', async () => {
      const created = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, {});
      expect(created.status).to.equal(201);
      expect(Object.keys(created.body).sort()).to.deep.equal(['expiresAt', 'id', 'url']);
      expect(created.body.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/s#smpsv_[A-Za-z0-9_-]{43}$/);
      expect(created.body.expiresAt).to.equal('2021-02-09T12:00:00.000Z');
      // Only the hash is stored.
      const row = await db.kysely.selectFrom('survey_link').selectAll().where('link_id', '=', created.body.id).executeTakeFirstOrThrow();
      expect(Buffer.from(row.link_hash).toString('base64url')).to.not.equal(secretOf(created.body.url));
      expect(JSON.stringify(row)).to.not.include(secretOf(created.body.url).slice(6));
      const listed = await clinic.get(`/studies/${CODE}/participants/P01/survey-links`);
      expect(listed.body.items.at(-1)).to.deep.equal({
        id: created.body.id, visit: null, createdAt: '2021-01-10T12:00:00.000Z', expiresAt: '2021-02-09T12:00:00.000Z', usedAt: null, revokedAt: null, survey: null,
      });
    });

    it('follows the study’s own link lifetime', async () => {
      await db.kysely.updateTable('study').set({ survey_link_days: 7 }).where('code', '=', CODE).execute();
      try {
        const created = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, {});
        expect(created.body.expiresAt).to.equal('2021-01-17T12:00:00.000Z');
      } finally {
        await db.kysely.updateTable('study').set({ survey_link_days: 30 }).where('code', '=', CODE).execute();
      }
    });

    it('takes a scheduled visit that expects a survey, and names the field for any other', async () => {
      const forVisit = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, { visit: 'FU24' });
      expect(forVisit.status).to.equal(201);
      const before = await linkCount();
      const noSurvey = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, { visit: 'FU8' });
      expect(noSurvey.status).to.equal(400);
      expect(noSurvey.body.problems).to.deep.equal([{ path: 'visit', message: 'expects fadingAssessment only, not a survey' }]);
      const unknown = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, { visit: 'FU99' });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.problems).to.deep.equal([{ path: 'visit', message: 'must be one of FU8, FU24' }]);
      const extra = await clinic.post(`/studies/${CODE}/participants/P01/survey-links`, { visit: 'FU24', email: 'x@example.org' });
      expect(extra.status).to.equal(400);
      expect(await linkCount()).to.equal(before);
    });

    it('refuses a link for a withdrawn participant, naming the participant, and writes nothing', async () => {
      const before = await linkCount();
      const refused = await admin.post(`/studies/${CODE}/participants/P02/survey-links`, {});
      expect(refused.status).to.equal(409);
      expect(refused.body.problems).to.deep.equal([{ path: 'participant', message: 'withdrew on 2019-03-01' }]);
      expect(await linkCount()).to.equal(before);
    });

    it('keeps to the caller’s scope: another site’s participant is not found, a reviewer may not', async () => {
      expect((await clinic.post(`/studies/${CODE}/participants/P02/survey-links`, {})).status).to.equal(404);
      expect((await reviewer.post(`/studies/${CODE}/participants/P01/survey-links`, {})).status).to.equal(403);
      expect((await reviewer.get(`/studies/${CODE}/participants/P01/survey-links`)).status).to.equal(403);
    });
  });

  describe('answering', () => {
    it('shows the study’s title and nothing of the participant', async () => {
      await fresh();
      const { secret } = await newLink();
      const opened = await page.post('/survey-links/open', { link: secret });
      expect(opened.status).to.equal(200);
      expect(opened.body).to.deep.equal({ studyTitle: 'Small test cohort', expiresAt: '2021-02-09T12:00:00.000Z', languages: ['en', 'es'] });
      expect(opened.headers.get('cache-control')).to.equal('no-store');
    });

    it('records the answer once, as a survey dated today in the study’s time zone, audited under the link', async () => {
      await fresh();
      const { id, secret } = await newLink({ visit: 'FU24' });
      const before = (await surveysOf('P01')).length;
      const answered = await page.post('/survey-links/answer', { link: secret, satisfaction: 4, wouldRecommend: true, language: 'es' });
      expect(answered.status, JSON.stringify(answered.body)).to.equal(201);
      expect(answered.body).to.deep.equal({ date: '2021-01-11' });
      const surveys = await surveysOf('P01');
      expect(surveys).to.have.length(before + 1);
      const survey = surveys.at(-1);
      expect({ date: survey.date, satisfaction: survey.satisfaction, wouldRecommend: survey.wouldRecommend }).to.deep.equal({
        date: '2021-01-11', satisfaction: 4, wouldRecommend: true,
      });
      // In the bundle.
      const bundle = await admin.get(`/studies/${CODE}/bundle`);
      const p01 = bundle.body.participants.find((p: { code: string }) => p.code === 'P01');
      expect(p01.surveys).to.deep.include({ date: '2021-01-11', satisfaction: 4, wouldRecommend: true });
      // In the audit trail, under the link's actor, which the clinic reads in the participant's history.
      const audit = await clinic.get(`/studies/${CODE}/audit?participant=P01&entity=survey`);
      const entry = audit.body.items[0];
      expect(entry.user.username).to.equal(`participant-link:${id}`);
      expect(entry.action).to.equal('create');
      expect(entry.key).to.equal(`P01/surveys/${survey.no}`);
      expect(entry.after).to.deep.equal({ no: survey.no, date: '2021-01-11', satisfaction: 4, wouldRecommend: true });
      // The link is used, with the survey it became.
      const link = (await clinic.get(`/studies/${CODE}/participants/P01/survey-links`)).body.items.find((l: { id: number }) => l.id === id);
      expect(link).to.deep.include({ usedAt: '2021-01-10T12:00:00.000Z', survey: survey.no, visit: 'FU24' });
      // A second use is refused, and writes nothing.
      const again = await page.post('/survey-links/answer', { link: secret, satisfaction: 1, wouldRecommend: false, language: 'en' });
      expect(again.status).to.equal(410);
      expect(again.body.reason).to.equal('used');
      expect(again.body.detail).to.equal('this survey link has already been used: the answer was received');
      expect(await surveysOf('P01')).to.have.length(before + 1);
      expect((await page.post('/survey-links/open', { link: secret })).status).to.equal(410);
    });

    it('refuses an expired link and a revoked one with 410 and their reason', async () => {
      await fresh();
      const expiring = await newLink();
      now = START + 30 * 86_400_000;
      const expired = await page.post('/survey-links/answer', { link: expiring.secret, satisfaction: 3, wouldRecommend: true, language: 'en' });
      expect([expired.status, expired.body.reason]).to.deep.equal([410, 'expired']);
      const opened = await page.post('/survey-links/open', { link: expiring.secret });
      expect([opened.status, opened.body.reason]).to.deep.equal([410, 'expired']);
      now = START;
      const revoking = await newLink();
      const revoked = await clinic.delete(`/studies/${CODE}/participants/P01/survey-links/${revoking.id}`);
      expect(revoked.status).to.equal(200);
      expect(revoked.body.revokedAt).to.equal('2021-01-10T12:00:00.000Z');
      const answer = await page.post('/survey-links/answer', { link: revoking.secret, satisfaction: 3, wouldRecommend: true, language: 'en' });
      expect([answer.status, answer.body.reason]).to.deep.equal([410, 'revoked']);
      expect((await clinic.delete(`/studies/${CODE}/participants/P01/survey-links/999999`)).status).to.equal(404);
      expect((await clinic.delete(`/studies/${CODE}/participants/P02/survey-links/${revoking.id}`)).status).to.equal(404);
      const unknown = await page.post('/survey-links/answer', { link: 'smpsv_nothing', satisfaction: 3, wouldRecommend: true, language: 'en' });
      expect(unknown.status).to.equal(404);
    });

    it('names the field of a bad answer and writes nothing', async () => {
      await fresh();
      const { secret } = await newLink();
      const before = (await surveysOf('P01')).length;
      const six = await page.post('/survey-links/answer', { link: secret, satisfaction: 6, wouldRecommend: true, language: 'en' });
      expect(six.status).to.equal(400);
      expect(six.body.problems).to.deep.equal([{ path: 'satisfaction', message: 'must be from 1 to 5' }]);
      const missing = await page.post('/survey-links/answer', { link: secret, satisfaction: 2, language: 'en' });
      expect(missing.status).to.equal(400);
      expect(missing.body.problems).to.deep.equal([{ path: 'wouldRecommend', message: 'is required: true or false' }]);
      const language = await page.post('/survey-links/answer', { link: secret, satisfaction: 2, wouldRecommend: false, language: 'xx' });
      expect(language.body.problems).to.deep.equal([{ path: 'language', message: 'must be one of en, es' }]);
      expect(await surveysOf('P01')).to.have.length(before);
      // The link still works.
      expect((await page.post('/survey-links/answer', { link: secret, satisfaction: 2, wouldRecommend: false, language: 'en' })).status).to.equal(201);
    });

    it('writes one survey when the same link is answered twice at once', async () => {
      await fresh();
      const { secret } = await newLink();
      const before = (await surveysOf('P01')).length;
      const answers = await Promise.all(
        [5, 1].map((satisfaction) => page.post('/survey-links/answer', { link: secret, satisfaction, wouldRecommend: true, language: 'en' })),
      );
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 410]);
      expect(await surveysOf('P01')).to.have.length(before + 1);
    });

    it('refuses a link whose participant withdrew after it was made', async () => {
      await fresh();
      const { secret } = await newLink();
      const participant = await admin.get(`/studies/${CODE}/participants/P01`);
      const patched = await admin.patch(
        `/studies/${CODE}/participants/P01`,
        { withdrawnOn: '2021-01-11', withdrawalCause: 'participant_choice' },
        { ifMatch: participant.etag!, reason: 'withdrew' },
      );
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
      try {
        const answer = await page.post('/survey-links/answer', { link: secret, satisfaction: 3, wouldRecommend: true, language: 'en' });
        expect([answer.status, answer.body.reason]).to.deep.equal([410, 'withdrawn']);
      } finally {
        const again = await admin.get(`/studies/${CODE}/participants/P01`);
        const back = await admin.patch(`/studies/${CODE}/participants/P01`, { withdrawnOn: null, withdrawalCause: null }, { ifMatch: again.etag!, reason: 'entered in error' });
        expect(back.status).to.equal(200);
      }
    });
  });

  describe('the link’s secret opens nothing else', () => {
    it('is no API token and no calendar feed: 401 on the participant, study and record routes', async () => {
      const base = await fresh();
      const { secret } = await newLink();
      const asLink = apiClient(base, { authorization: `Bearer ${secret}` });
      for (const path of [
        '/studies',
        `/studies/${CODE}`,
        `/studies/${CODE}/participants`,
        `/studies/${CODE}/participants/P01`,
        `/studies/${CODE}/participants/P01/surveys`,
        `/studies/${CODE}/participants/P01/sessions`,
        `/studies/${CODE}/participants/P01/survey-links`,
        `/studies/${CODE}/bundle`,
        '/auth/me',
      ]) {
        expect((await asLink.get(path)).status, path).to.equal(401);
      }
      expect((await asLink.post(`/studies/${CODE}/participants/P01/surveys`, { date: '2021-01-10', satisfaction: 5 })).status).to.equal(401);
      expect((await page.get(`/calendar/worklist.ics?token=${secret}`)).status).to.equal(401);
      // Posted as another kind of one-time link, it is not one.
      expect((await page.post('/auth/link-info', { link: secret })).status).to.be.oneOf([400, 401, 404, 410]);
    });
  });
});
