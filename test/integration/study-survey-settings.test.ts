// A study's survey settings over HTTP: how long a survey link works and on which days after the
// invitation reminders go out. Changed as part of the study's merge patch, with the version and a
// reason, audited before and after; a bad value is refused naming the field and changes nothing.
import { expect } from 'chai';
import { sql } from 'kysely';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const CODE = 'SET-1';
const DAY_MS = 24 * 60 * 60 * 1000;

describe(`a study's survey settings (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;

  const auditCount = async () => Number((await sql<{ n: string }>`select count(*) as n from audit_event`.execute(db.kysely)).rows[0]!.n);
  const columns = () =>
    db.kysely.selectFrom('study').select(['survey_link_days', 'survey_reminder_days', 'version']).where('code', '=', CODE).executeTakeFirstOrThrow();

  before(async () => {
    db = await freshDb();
    await importBundle(db, smallBundle(CODE));
    server = await startTestServer(db);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('shows the defaults: links work 30 days, reminders 7 and 14 days after the invitation', async () => {
    const study = await admin.get(`/studies/${CODE}`);
    expect(study.status).to.equal(200);
    expect(study.body.surveys).to.deep.equal({ linkDays: 30, reminderDays: [7, 14] });
  });

  it('changes them with the study’s merge patch, audited before and after, and a new link lasts the new number of days', async () => {
    const study = await admin.get(`/studies/${CODE}`);
    const changed = await admin.patch(`/studies/${CODE}`, { surveys: { linkDays: 10, reminderDays: [3, 6, 9] } }, { ifMatch: study.etag!, reason: 'Shorter survey window' });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect(changed.body.surveys).to.deep.equal({ linkDays: 10, reminderDays: [3, 6, 9] });
    expect(changed.body.title).to.equal(study.body.title);
    const row = await columns();
    expect([row.survey_link_days, row.survey_reminder_days]).to.deep.equal([10, [3, 6, 9]]);
    const entry = await db.kysely
      .selectFrom('audit_event')
      .select(['action', 'entity', 'reason', 'before', 'after'])
      .where('entity', '=', 'study')
      .orderBy('audit_id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry.action).to.equal('update');
    expect(entry.reason).to.equal('Shorter survey window');
    expect((entry.before as { surveys: unknown }).surveys).to.deep.equal({ linkDays: 30, reminderDays: [7, 14] });
    expect((entry.after as { surveys: unknown }).surveys).to.deep.equal({ linkDays: 10, reminderDays: [3, 6, 9] });

    // Only one of the two: the other is kept.
    const again = await admin.patch(`/studies/${CODE}`, { surveys: { reminderDays: [] } }, { ifMatch: changed.etag!, reason: 'No reminders' });
    expect(again.status).to.equal(200);
    expect(again.body.surveys).to.deep.equal({ linkDays: 10, reminderDays: [] });

    const participant = (await admin.get(`/studies/${CODE}/participants`)).body.items[0].code as string;
    const made = Date.now();
    const link = await admin.post(`/studies/${CODE}/participants/${participant}/survey-links`, {});
    expect(link.status, JSON.stringify(link.body)).to.equal(201);
    const lasts = Date.parse(link.body.expiresAt) - made;
    expect(lasts).to.be.within(10 * DAY_MS - 60_000, 10 * DAY_MS + 60_000);
  });

  const BAD: Array<[string, unknown, string]> = [
    ['a link that lasts no day', { linkDays: 0 }, 'surveys.linkDays'],
    ['a link that lasts over a year', { linkDays: 366 }, 'surveys.linkDays'],
    ['a fractional day', { linkDays: 2.5 }, 'surveys.linkDays'],
    ['reminder days out of order', { reminderDays: [14, 7] }, 'surveys.reminderDays'],
    ['the same day twice', { reminderDays: [7, 7] }, 'surveys.reminderDays'],
    ['six reminders', { reminderDays: [1, 2, 3, 4, 5, 6] }, 'surveys.reminderDays'],
    ['a reminder on day 0', { reminderDays: [0, 7] }, 'surveys.reminderDays[0]'],
    ['an unknown setting', { reminderHours: [1] }, 'surveys'],
  ];
  for (const [what, surveys, field] of BAD) {
    it(`refuses ${what}, naming ${field}, and changes nothing`, async () => {
      const study = await admin.get(`/studies/${CODE}`);
      const before = { row: await columns(), audit: await auditCount() };
      const reply = await admin.patch(`/studies/${CODE}`, { surveys }, { ifMatch: study.etag!, reason: 'Bad settings' });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
      const paths = (reply.body.problems as Array<{ path: string }>).map((problem) => problem.path);
      expect(paths.some((path) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`)), JSON.stringify(reply.body.problems)).to.equal(true);
      expect({ row: await columns(), audit: await auditCount() }).to.deep.equal(before);
    });
  }

  it('is refused to a clinic, which cannot change the study', async () => {
    const clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: smallBundle(CODE).sites[0].code }])).headers);
    const study = await admin.get(`/studies/${CODE}`);
    const before = await columns();
    const reply = await clinic.patch(`/studies/${CODE}`, { surveys: { linkDays: 5 } }, { ifMatch: study.etag!, reason: 'Not mine' });
    expect(reply.status).to.equal(403);
    expect(await columns()).to.deep.equal(before);
  });
});
