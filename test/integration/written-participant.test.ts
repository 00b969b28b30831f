// A record's create or change says what the participant is once it is written (withRecord), and
// the edit checks and the verification upkeep after the write read it from there instead of
// loading the participant again. What it says must be what a load reads back: the records with
// their keys, versions and every field, in key order, and the practitioners its sessions name.
import { expect } from 'chai';
import { loadParticipant, practitionersByCode } from '../../db/repositories/participant-repository.ts';
import { commandLineChange } from '../../api/services/access.ts';
import { patchRecord } from '../../api/services/record-service.ts';
import { loadedOf, withRecord, type Loaded, type RecordList, type WrittenParticipant } from '../../api/services/participant-views.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const STUDY = 'WRT-1';
const P = `/studies/${STUDY}/participants/P01`;

describe(`a participant as its writer says it is written (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let api: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    api = apiClient(server.base, (await createTestUser(db, 'researcher', [{ studyCode: STUDY, siteCode: null }])).headers);
    expect((await apiClient(server.base, (await createTestUser(db, 'admin')).headers).post('/studies', smallBundle(STUDY))).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const load = async (): Promise<Loaded> => loadedOf((await loadParticipant(db.kysely, STUDY, 'P01', { by: 'code', withKey: false }))!);
  const picked = (p: WrittenParticipant) => ({
    participantNo: p.row.participant_no,
    study: p.study.code,
    fields: p.fields,
    practitioners: [...p.practitioners],
    sessions: p.sessions,
    adverseEvents: p.adverseEvents,
    fadingAssessments: p.fadingAssessments,
    surveys: p.surveys,
  });

  /**
   * Make a write through the API; then the participant as withRecord makes it from the one
   * before, the answer's record and the practitioners known (those the participant named, and a
   * newly named one looked up as the write's check looks it up) equals the participant read back.
   */
  async function expectKnown(list: RecordList, write: () => Promise<{ status: number; body: any }>, status: number) {
    const before = await load();
    const reply = await write();
    expect(reply.status, JSON.stringify(reply.body)).to.equal(status);
    const { no, version, ...record } = reply.body as { no?: number; version: number; number?: number };
    const key = list === 'sessions' ? record.number! : no!;
    const practitioners = new Map(before.practitioners);
    const named = list === 'sessions' ? [(record as { practitioner: string }).practitioner].filter((code) => !practitioners.has(code)) : [];
    for (const p of await practitionersByCode(db.kysely, before.study.study_id, named)) {
      practitioners.set(p.code, { code: p.code, site: p.site_code, yearsExperience: p.years_experience, practitionerNo: p.practitioner_no });
    }
    const known = withRecord(before, list, { key, record: record as never, version: String(version) }, practitioners);
    expect(picked(known)).to.deep.equal(picked(await load()));
    return reply;
  }

  it('equals the participant read back after creates and changes of every kind of record', async () => {
    // A session by a practitioner the participant's sessions did not name, then changed back.
    const session = await expectKnown(
      'sessions',
      () => api.post(`${P}/sessions`, { kind: 'touch_up', date: '2020-09-01', durationMinutes: 60, practitioner: 'PR-B', pigmentLot: 'LOT-9', anesthesia: 'none' }),
      201,
    );
    expect(session.body.number).to.equal(5);
    await expectKnown('sessions', () => api.patch(`${P}/sessions/5`, { practitioner: 'PR-A', durationMinutes: 75 }, { ifMatch: String(session.body.version), reason: 'Practitioner corrected' }), 200);
    // An adverse event naming it, then resolved.
    const event = await expectKnown(
      'adverseEvents',
      () =>
        api.post(`${P}/adverse-events`, {
          category: 'infection', term: 'Folliculitis', onsetDate: '2020-09-03', grade: 2, serious: false, relatedness: 'possible', outcome: 'recovering', sessionNumber: 5,
        }),
      201,
    );
    await expectKnown(
      'adverseEvents',
      () => api.patch(`${P}/adverse-events/${event.body.no}`, { outcome: 'recovered', resolvedDate: '2020-09-20' }, { ifMatch: String(event.body.version), reason: 'Resolved at follow-up' }),
      200,
    );
    // An assessment changed in the middle of the list, and a survey added.
    const assessments = (await api.get(`${P}/fading-assessments`)).body.items as Array<{ no: number; version: number }>;
    expect(assessments.length).to.be.greaterThan(1);
    await expectKnown(
      'fadingAssessments',
      () => api.patch(`${P}/fading-assessments/${assessments[0]!.no}`, { densityScore: 7.9, needsTouchUp: true }, { ifMatch: String(assessments[0]!.version), reason: 'Score re-read' }),
      200,
    );
    await expectKnown('fadingAssessments', () => api.post(`${P}/fading-assessments`, { date: '2021-03-01', grade: 2, densityScore: 6.5, assessor: 'participant' }), 201);
    await expectKnown('surveys', () => api.post(`${P}/surveys`, { date: '2021-03-02', satisfaction: 5, wouldRecommend: true }), 201);
  });

  it('closes the automatic queries and clears the verifications of writes made together, from the review state read with their locks', async () => {
    // Twelve participants, each with a serious event without an outcome (an automatic query
    // opens) and every record verified.
    const codes = Array.from({ length: 12 }, (_, i) => `B${i}`);
    const events = new Map<string, { no: number; version: number }>();
    for (const code of codes) {
      const enrolled = await api.post(`/studies/${STUDY}/participants`, {
        code, site: 'LON', sex: 'female', birthYear: 1990, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01',
      });
      expect(enrolled.status).to.equal(201);
      const event = await api.post(`/studies/${STUDY}/participants/${code}/adverse-events`, {
        category: 'infection', term: 'Folliculitis', onsetDate: '2020-02-01', grade: 2, serious: true, relatedness: 'possible', outcome: 'unknown',
      });
      expect(event.status).to.equal(201);
      events.set(code, event.body);
      expect((await api.post(`/studies/${STUDY}/participants/${code}/verification`, {})).body.verified).to.have.length(1);
    }
    const openQueries = async () =>
      ((await api.get(`/studies/${STUDY}/queries`)).body.items as Array<{ participant: string; rule: string | null; state: string }>).filter(
        (q) => q.rule === 'serious-event-without-outcome' && codes.includes(q.participant) && q.state !== 'closed',
      );
    expect((await openQueries()).map((q) => q.participant).sort()).to.deep.equal([...codes].sort());

    // All twelve corrected in one turn of the event loop: four run on their own (the most that
    // run at once) and the other eight wait, then are made together in one shared transaction.
    const corrected = await Promise.all(
      codes.map((code) =>
        patchRecord(db, commandLineChange('Outcome found'), STUDY, code, 'adverseEvents', events.get(code)!.no, { outcome: 'recovered', resolvedDate: '2020-02-20' }, String(events.get(code)!.version)),
      ),
    );
    expect(corrected.map((event) => event.outcome)).to.deep.equal(codes.map(() => 'recovered'));
    expect(await openQueries()).to.deep.equal([]);
    for (const code of codes) {
      expect((await api.get(`/studies/${STUDY}/participants/${code}/verification`)).body.verified, code).to.deep.equal([]);
    }
  });
});
