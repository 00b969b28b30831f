// The audit trail: every write leaves exactly one record, with who, what, when, why, the
// request, and the values before and after; a refused write leaves none; a replace keeps the
// whole replaced study; clinics see their sites' entries only, and of a study's import or replace
// their own sites' counts only; and the database itself refuses any change to the trail.
import { sql } from 'kysely';
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type Reply, type TestServer } from '../support/http.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

describe(`audit trail (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const auditCount = async () =>
    Number((await db.kysely.selectFrom('audit_event').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  /** A study of the test's own and a researcher of it: each test makes its own history. */
  interface Study {
    code: string;
    /** The study's path. */
    S: string;
    api: ApiClient;
    researcher: TestUser;
  }
  async function newStudy(code: string): Promise<Study> {
    expect((await admin.post('/studies', smallBundle(code))).status).to.equal(201);
    const researcher = await createTestUser(db, 'researcher', [{ studyCode: code, siteCode: null }]);
    return { code, S: `/studies/${code}`, api: apiClient(server.base, researcher.headers), researcher };
  }

  /** The write, then the one audit entry it must have left (the newest). */
  async function audited({ S, api, researcher }: Study, write: () => Promise<Reply>, expectedStatus: number) {
    const before = await auditCount();
    const reply = await write();
    expect(reply.status, JSON.stringify(reply.body)).to.equal(expectedStatus);
    expect(await auditCount(), 'one audit record per write').to.equal(before + 1);
    const entries = await api.get(`${S}/audit?limit=1`);
    const entry = entries.body.items[0];
    expect(entry.requestId).to.equal(reply.headers.get('x-request-id'));
    expect(entry.user).to.deep.equal({ username: researcher.username, role: 'researcher' });
    expect(Date.now() - Date.parse(entry.at)).to.be.within(0, 60_000);
    return { reply, entry };
  }

  /**
   * A history of every kind of write in `study`, each checked against the entry it left:
   * participant A1 enrolled at MAN and moved to LON, its records, site EDI, practitioner PR-E
   * and a new title.
   */
  async function recordHistory(study: Study): Promise<void> {
    const { S, api } = study;
    const participant = {
      code: 'A1', site: 'MAN', sex: 'other', birthYear: 1970, indication: 'birthmark', fitzpatrick: 5,
      keloidHistory: true, enrolledOn: '2020-03-02', withdrawnOn: null, withdrawalCause: null, withdrawalReason: null, costUsd: 1234.5,
    };
    const created = await audited(study, () => api.post(`${S}/participants`, participant, { reason: 'Enrolled' }), 201);
    expect(created.entry).to.deep.include({
      action: 'create', entity: 'participant', key: 'A1', participant: 'A1', sites: ['MAN'], before: null, after: participant, reason: 'Enrolled',
    });

    const changed = await audited(study, 
      () => api.patch(`${S}/participants/A1`, { site: 'LON', costUsd: null }, { ifMatch: created.reply.etag!, reason: 'Moved to London; cost unknown' }),
      200,
    );
    expect(changed.entry).to.deep.include({
      action: 'update', entity: 'participant', key: 'A1', sites: ['LON', 'MAN'], reason: 'Moved to London; cost unknown',
      before: participant,
      after: { ...participant, site: 'LON', costUsd: null },
    });

    const session = { number: 1, kind: 'initial', date: '2020-03-03', durationMinutes: 200, practitioner: 'PR-A', pigmentLot: 'Lot “7”', anesthesia: 'local' };
    const sessionCreated = await audited(study, () => api.post(`${S}/participants/A1/sessions`, session), 201);
    expect(sessionCreated.entry).to.deep.include({ entity: 'session', key: 'A1/sessions/1', before: null, after: session, reason: null });

    const ae = await audited(study, 
      () => api.post(`${S}/participants/A1/adverse-events`, {
        category: 'keloid', term: 'Raised scar', onsetDate: '2020-04-01', grade: 2, serious: false, relatedness: 'definite', outcome: 'not_recovered',
      }),
      201,
    );
    expect(ae.entry.key).to.equal('A1/adverse-events/1');
    expect(ae.entry.after).to.deep.equal({
      no: 1, category: 'keloid', term: 'Raised scar', onsetDate: '2020-04-01', resolvedDate: null, grade: 2, serious: false,
      relatedness: 'definite', outcome: 'not_recovered', sessionNumber: null, solicited: false,
    });
    const aeChanged = await audited(study, 
      () => api.patch(`${S}/participants/A1/adverse-events/1`, { grade: 3, serious: true }, { ifMatch: ae.reply.etag!, reason: 'Upgraded after review' }),
      200,
    );
    expect(aeChanged.entry.before).to.include({ grade: 2, serious: false });
    expect(aeChanged.entry.after).to.include({ grade: 3, serious: true });
    const aeDeleted = await audited(study, 
      () => api.delete(`${S}/participants/A1/adverse-events/1`, { ifMatch: aeChanged.reply.etag!, reason: 'Belonged to another participant' }),
      204,
    );
    expect(aeDeleted.entry).to.deep.include({ action: 'delete', key: 'A1/adverse-events/1', after: null, before: aeChanged.entry.after });

    const assessment = await audited(study, () => api.post(`${S}/participants/A1/fading-assessments`, { date: '2021-01-04', grade: 1, assessor: 'panel' }), 201);
    expect(assessment.entry.entity).to.equal('fading_assessment');
    const survey = await audited(study, () => api.post(`${S}/participants/A1/surveys`, { date: '2021-01-04', satisfaction: 2, wouldRecommend: false }), 201);
    expect(survey.entry.entity).to.equal('survey');

    const site = await audited(study, () => api.post(`${S}/sites`, { code: 'EDI', name: 'Edinburgh clinic' }), 201);
    expect(site.entry).to.deep.include({ entity: 'site', key: 'EDI', sites: ['EDI'], after: { code: 'EDI', name: 'Edinburgh clinic', country: null } });
    const practitioner = await audited(study, () => api.post(`${S}/practitioners`, { code: 'PR-E', site: 'EDI', yearsExperience: 0.5 }), 201);
    expect(practitioner.entry).to.deep.include({ entity: 'practitioner', key: 'PR-E', after: { code: 'PR-E', site: 'EDI', yearsExperience: 0.5 } });
    const read = await api.get(S);
    const studyChanged = await audited(study, () => api.patch(S, { title: 'Audited cohort' }, { ifMatch: read.etag!, reason: 'Title agreed' }), 200);
    expect(studyChanged.entry.before.title).to.equal('Small test cohort');
    expect(studyChanged.entry.after.title).to.equal('Audited cohort');
  }

  it('records each create, update and delete once, with the values before and after and the reason', async () => {
    await recordHistory(await newStudy('AUD-1'));
  });

  it('records nothing for a refused write', async () => {
    const study = await newStudy('AUD-2');
    await recordHistory(study);
    const { S, api } = study;
    const before = await auditCount();
    const refused = [
      await api.post(`${S}/participants/A1/sessions`, { kind: 'initial', date: '2019-01-01', durationMinutes: 5, practitioner: 'PR-A', pigmentLot: 'x', anesthesia: 'none' }),
      await api.patch(`${S}/participants/A1`, { costUsd: 1 }, { ifMatch: '1', reason: 'stale' }),
      await api.post(`${S}/participants`, { code: 'P01' }),
    ];
    expect(refused.map((r) => r.status)).to.deep.equal([400, 412, 400]);
    expect(await auditCount()).to.equal(before);
  });

  /** Replace `study` with the small bundle retitled 'Replaced': the entry it left. */
  async function replaceStudy(study: Study) {
    const replacement = smallBundle(study.code);
    replacement.study.title = 'Replaced';
    return audited(study, () => study.api.post('/studies?replace=true', replacement, { reason: 'Re-import from the clinic system' }), 200);
  }

  it('keeps the whole replaced study of a replace, which an administrator can download again', async () => {
    const study = await newStudy('AUD-3');
    await recordHistory(study);
    const { S, api } = study;
    const before = await admin.get(`${S}/bundle`);
    const replaced = await replaceStudy(study);
    expect(replaced.entry).to.deep.include({ action: 'replace', entity: 'study', key: 'AUD-3', bundleAvailable: true, reason: 'Re-import from the clinic system' });
    expect(replaced.entry.before.counts.participants).to.equal(3);
    expect(replaced.entry.after.counts.participants).to.equal(2);
    // Kept by site too, every site listed: A1 was Manchester's third participant, EDI had none.
    expect(replaced.entry.before.countsBySite.EDI).to.deep.equal({ practitioners: 1, participants: 0, sessions: 0, adverseEvents: 0, fadingAssessments: 0, surveys: 0 });
    expect(Object.keys(replaced.entry.before.countsBySite)).to.deep.equal(['EDI', 'LON', 'MAN']);
    expect(Object.keys(replaced.entry.after.countsBySite)).to.deep.equal(['LON', 'MAN']);
    const kept = await admin.get(`${S}/audit/${replaced.entry.id}/bundle`);
    expect(kept.status).to.equal(200);
    expect(kept.body).to.deep.equal(before.body);
    expect((await api.get(`${S}/audit/${replaced.entry.id}/bundle`)).status).to.equal(403);
    const enrolment = (await api.get(`${S}/audit?entity=participant&limit=1`)).body.items[0];
    const notReplace = await admin.get(`${S}/audit/${enrolment.id}/bundle`);
    expect(notReplace.status).to.equal(404);
  });

  it('filters by entity, participant, user and day, newest first, a page at a time', async () => {
    const study = await newStudy('AUD-4');
    await recordHistory(study);
    const { S, api, researcher } = study;
    const sessions = await api.get(`${S}/audit?entity=session`);
    expect(sessions.body.items.map((e: { key: string }) => e.key)).to.deep.equal(['A1/sessions/1']);
    const a1 = await api.get(`${S}/audit?participant=A1&limit=3`);
    expect(a1.body.items.map((e: { entity: string }) => e.entity)).to.deep.equal(['survey', 'fading_assessment', 'adverse_event']);
    const more = await api.get(`${S}/audit?participant=A1&limit=3&cursor=${a1.body.nextCursor}`);
    expect(more.body.items.map((e: { action: string; entity: string }) => `${e.action} ${e.entity}`)).to.deep.equal([
      'update adverse_event', 'create adverse_event', 'create session',
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await api.get(`${S}/audit?user=${researcher.username}&from=${today}&to=${today}`)).body.items.length).to.be.greaterThan(10);
    expect((await api.get(`${S}/audit?from=2000-01-01&to=2000-01-02`)).body.items).to.deep.equal([]);
  });

  it("shows a clinic its own sites' entries only", async () => {
    const study = await newStudy('AUD-5');
    await recordHistory(study);
    await replaceStudy(study);
    const clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'AUD-5', siteCode: 'EDI' }])).headers);
    const entries = (await clinic.get(`${study.S}/audit?limit=1000`)).body.items;
    expect(entries.map((e: { key: string }) => e.key).sort()).to.deep.equal(['AUD-5', 'EDI', 'PR-E']);
    // The replace touched EDI, which it removed: the clinic sees the titles and EDI's counts, not
    // the whole study's, which less its own would give back the other sites'.
    const replace = entries.find((e: { key: string }) => e.key === 'AUD-5');
    expect(replace).to.deep.include({
      action: 'replace',
      before: { title: 'Audited cohort', countsBySite: { EDI: { practitioners: 1, participants: 0, sessions: 0, adverseEvents: 0, fadingAssessments: 0, surveys: 0 } } },
      after: { title: 'Replaced' },
    });
  });

  it('is refused any UPDATE, DELETE or TRUNCATE by the database itself', async () => {
    // Rows for the row-level refusals to refuse: the study's import leaves one.
    await newStudy('AUD-6');
    const before = await auditCount();
    expect(before).to.be.greaterThan(0);
    for (const statement of [
      sql`update audit_event set reason = 'rewritten'`,
      sql`delete from audit_event`,
      sql`truncate audit_event`,
    ]) {
      const error = await statement.execute(db.kysely).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.match(/the audit trail is append-only: (UPDATE|DELETE|TRUNCATE) on audit_event is not allowed/);
    }
    expect(await auditCount()).to.equal(before);
    const reasons = await db.kysely.selectFrom('audit_event').select('reason').where('reason', '=', 'rewritten').execute();
    expect(reasons).to.deep.equal([]);
  });
});
