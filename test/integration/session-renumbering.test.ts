// Removing a session that is not the last and renumbering the later ones, on a real database:
// the later sessions move down one number, adverse events naming them follow, the protocol's
// rules still hold or nothing is written, one audit row per changed record with the reason,
// If-Match on the removed session, a clinic's own sites only, and no reviewer.
import { expect } from 'chai';
import { verifyAuditTrail } from '../../api/services/audit-verify-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const STUDY = 'REN-1';
const P = `/studies/${STUDY}/participants`;

const session = (kind: 'initial' | 'touch_up', date: string) => ({
  kind,
  date,
  durationMinutes: 90,
  practitioner: 'PR-A',
  pigmentLot: 'LOT-7',
  anesthesia: 'none',
});
const event = (term: string, onsetDate: string, sessionNumber: number | null) => ({
  category: 'other',
  term,
  onsetDate,
  grade: 1,
  serious: false,
  relatedness: 'possible',
  outcome: 'recovered',
  sessionNumber,
});

describe(`removing a session and renumbering the later ones (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    expect((await admin.post('/studies', smallBundle(STUDY))).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  let made = 0;
  /** A new London participant with these sessions (numbered in order) and adverse events. */
  async function participantWith(sessions: ReturnType<typeof session>[], events: ReturnType<typeof event>[] = []): Promise<string> {
    const code = `R${String(++made).padStart(2, '0')}`;
    const enrolled = await admin.post(P, {
      code,
      site: 'LON',
      sex: 'male',
      birthYear: 1979,
      indication: 'scar',
      keloidHistory: false,
      enrolledOn: '2019-01-02',
    });
    expect(enrolled.status, 'enrolling').to.equal(201);
    for (const s of sessions) expect((await admin.post(`${P}/${code}/sessions`, s)).status, 'recording a session').to.equal(201);
    for (const e of events) expect((await admin.post(`${P}/${code}/adverse-events`, e)).status, 'recording an event').to.equal(201);
    return code;
  }

  async function lastAuditId(): Promise<string> {
    const { max } = await db.kysely.selectFrom('audit_event').select((eb) => eb.fn.max('audit_id').as('max')).executeTakeFirstOrThrow();
    return String(max ?? 0);
  }
  const auditRowsAfter = (id: string) =>
    db.kysely
      .selectFrom('audit_event')
      .select(['entity', 'action', 'entity_key', 'reason', 'before', 'after', 'request_id'])
      .where('audit_id', '>', id)
      .orderBy('audit_id')
      .execute();

  const renumber = (code: string, number: number) => `${P}/${code}/sessions/${number}/remove-and-renumber`;

  it('removes a duplicated middle visit: later sessions move down one, their adverse events follow, one audit row per changed record', async () => {
    const code = await participantWith(
      [
        session('initial', '2019-01-07'),
        session('initial', '2019-01-08'), // the duplicate
        session('initial', '2019-01-14'),
        session('initial', '2019-01-21'),
        session('touch_up', '2019-02-20'),
      ],
      [
        event('Redness', '2019-01-07', 1),
        event('Scabbing', '2019-01-15', 3),
        event('Itch', '2019-02-21', 5),
        event('Headache', '2019-03-01', null),
      ],
    );
    const second = await admin.get(`${P}/${code}/sessions/2`);
    const before = await lastAuditId();
    const reply = await admin.post(renumber(code, 2), undefined, { ifMatch: second.etag!, reason: 'Visit entered twice' });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);

    const sessions = (await admin.get(`${P}/${code}/sessions`)).body.items;
    expect(sessions.map((s: { number: number; date: string; kind: string }) => [s.number, s.date, s.kind])).to.deep.equal([
      [1, '2019-01-07', 'initial'],
      [2, '2019-01-14', 'initial'],
      [3, '2019-01-21', 'initial'],
      [4, '2019-02-20', 'touch_up'],
    ]);
    expect(reply.body.sessions).to.deep.equal(sessions);
    const events = (await admin.get(`${P}/${code}/adverse-events`)).body.items;
    expect(events.map((e: { no: number; term: string; sessionNumber: number | null }) => [e.no, e.term, e.sessionNumber])).to.deep.equal([
      [1, 'Redness', 1],
      [2, 'Scabbing', 2],
      [3, 'Itch', 4],
      [4, 'Headache', null],
    ]);
    expect(reply.body.adverseEvents).to.deep.equal(events);
    // Every record read back carries the version the reply gave it.
    for (const s of sessions) expect((await admin.get(`${P}/${code}/sessions/${s.number}`)).etag).to.equal(String(s.version));
    expect((await admin.get(`${P}/${code}`)).body.counts).to.deep.equal({ sessions: 4, adverseEvents: 4, fadingAssessments: 0, surveys: 0 });

    const all = await auditRowsAfter(before);
    // The duplicated visit put the later sessions out of their windows: the edit checks' queries
    // on them close themselves now, each with its own audit row (api/README.md#edit-checks-automatic-queries).
    const closings = all.filter((r) => r.entity === 'data_query');
    expect(closings.map((r) => r.action)).to.deep.equal(closings.map(() => 'update'));
    expect(closings.length).to.be.greaterThan(0);
    const closedIds = closings.map((r) => Number(r.entity_key.split('/').at(-1)));
    const states = await db.kysely.selectFrom('data_query').select(['state', 'rule_id']).where('query_id', 'in', closedIds).execute();
    expect(states.map((q) => [q.state, q.rule_id])).to.deep.equal(closedIds.map(() => ['closed', 'visit-out-of-window']));
    const rows = all.filter((r) => r.entity !== 'data_query');
    expect(rows.map((r) => `${r.entity} ${r.action} ${r.entity_key}`)).to.deep.equal([
      `session delete ${code}/sessions/2`,
      `session update ${code}/sessions/3`,
      `session update ${code}/sessions/4`,
      `session update ${code}/sessions/5`,
      `adverse_event update ${code}/adverse-events/2`,
      `adverse_event update ${code}/adverse-events/3`,
    ]);
    expect(new Set(rows.map((r) => r.reason))).to.deep.equal(new Set(['Visit entered twice']));
    expect(new Set(rows.map((r) => r.request_id)).size, 'one request').to.equal(1);
    expect((rows[0]!.before as { date: string }).date).to.equal('2019-01-08');
    expect(rows[0]!.after).to.equal(null);
    expect([(rows[1]!.before as { number: number }).number, (rows[1]!.after as { number: number }).number]).to.deep.equal([3, 2]);
    expect([(rows[3]!.before as { number: number }).number, (rows[3]!.after as { number: number }).number]).to.deep.equal([5, 4]);
    expect([(rows[5]!.before as { sessionNumber: number }).sessionNumber, (rows[5]!.after as { sessionNumber: number }).sessionNumber]).to.deep.equal([5, 4]);
    // The six rows join the study's hash chain unbroken.
    expect((await verifyAuditTrail(db, STUDY)).breaks).to.deep.equal([]);

    // The bundle export passes the importer's rules with the new numbers.
    const bundle = (await admin.get(`/studies/${STUDY}/bundle`)).body;
    const exported = bundle.participants.find((p: { code: string }) => p.code === code);
    expect(exported.sessions.map((s: { number: number }) => s.number)).to.deep.equal([1, 2, 3, 4]);
    expect(exported.adverseEvents.map((e: { sessionNumber: number | null }) => e.sessionNumber)).to.deep.equal([1, 2, 4, null]);
  });

  it('keeps the worklist and the analysis reading the renumbered sessions', async () => {
    const code = await participantWith([
      session('initial', '2019-01-07'),
      session('initial', '2019-01-08'),
      session('initial', '2019-01-14'),
      session('initial', '2019-01-21'),
    ]);
    const steps = async () => {
      const worklist = await admin.get(`/studies/${STUDY}/worklist?asOf=2019-02-10&limit=1000`);
      expect(worklist.status).to.equal(200);
      return worklist.body.items
        .filter((item: { participant: string }) => item.participant === code)
        .map((item: { step: string; target: string; status: string; missing: string[] }) => [item.step, item.target, item.status, item.missing]);
    };
    const totalBefore = (await admin.get(`/studies/${STUDY}/analysis`)).body.sessions.total as number;
    const second = await admin.get(`${P}/${code}/sessions/2`);
    expect((await admin.post(renumber(code, 2), undefined, { ifMatch: second.etag!, reason: 'Duplicate' })).status).to.equal(200);
    expect((await admin.get(`/studies/${STUDY}/analysis`)).body.sessions.total).to.equal(totalBefore - 1);
    // Three initial sessions a week apart from 01-07 (the protocol's 7 ± 3 days), then the touch-up 30 ± 7 days after the third.
    expect(await steps()).to.deep.equal([
      ['touch-up', '2019-02-20', 'upcoming', ['session']],
      ['session-2', '2019-01-14', 'done', []],
      ['session-3', '2019-01-21', 'done', []],
    ]);
  });

  it('refuses a change that breaks the protocol, naming the field, and writes nothing', async () => {
    const code = await participantWith([session('initial', '2019-01-07'), session('touch_up', '2019-02-10')]);
    const first = await admin.get(`${P}/${code}/sessions/1`);
    const counts = await tableCounts(db);
    const before = await lastAuditId();
    const reply = await admin.post(renumber(code, 1), undefined, { ifMatch: first.etag!, reason: 'Wrong participant' });
    expect(reply.status).to.equal(400);
    expect(reply.body.problems.map((p: { path: string }) => p.path)).to.include('participant.sessions[0].kind');
    expect(await tableCounts(db)).to.deep.equal(counts);
    expect(await auditRowsAfter(before)).to.deep.equal([]);
    expect((await admin.get(`${P}/${code}/sessions/1`)).etag).to.equal(first.etag);
  });

  it('refuses to remove a session an adverse event names (409), writing nothing', async () => {
    const code = await participantWith(
      [session('initial', '2019-01-07'), session('initial', '2019-01-14'), session('initial', '2019-01-21')],
      [event('Swelling', '2019-01-15', 2)],
    );
    const second = await admin.get(`${P}/${code}/sessions/2`);
    const counts = await tableCounts(db);
    const reply = await admin.post(renumber(code, 2), undefined, { ifMatch: second.etag!, reason: 'Duplicate' });
    expect(reply.status).to.equal(409);
    expect(reply.body.problems).to.deep.equal([
      { path: 'participant.adverseEvents[0].sessionNumber', message: 'adverse event 1 (onset 2019-01-15) follows session 2' },
    ]);
    expect(await tableCounts(db)).to.deep.equal(counts);
  });

  it("needs the removed session's version (428 without, 412 stale) and a reason (400)", async () => {
    const code = await participantWith([session('initial', '2019-01-07'), session('initial', '2019-01-08'), session('initial', '2019-01-14')]);
    const first = await admin.get(`${P}/${code}/sessions/1`);
    const before = await lastAuditId();
    expect((await admin.post(renumber(code, 1), undefined, { reason: 'Duplicate' })).status).to.equal(428);
    expect((await admin.post(renumber(code, 1), undefined, { ifMatch: String(BigInt(first.etag!) - 1n), reason: 'Duplicate' })).status).to.equal(412);
    expect((await admin.post(renumber(code, 1), undefined, { ifMatch: first.etag! })).status).to.equal(400);
    expect((await admin.post(renumber(code, 9), undefined, { ifMatch: first.etag!, reason: 'Duplicate' })).status).to.equal(404);
    expect(await auditRowsAfter(before)).to.deep.equal([]);
    expect((await admin.get(`${P}/${code}/sessions`)).body.items).to.have.length(3);
  });

  it("lets a clinic renumber its own site's participants only, and refuses a reviewer", async () => {
    const ownClinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: STUDY, siteCode: 'LON' }])).headers);
    const otherClinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: STUDY, siteCode: 'MAN' }])).headers);
    const reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: STUDY, siteCode: null }])).headers);
    const code = await participantWith([session('initial', '2019-01-07'), session('initial', '2019-01-08'), session('initial', '2019-01-14')]);
    const first = await admin.get(`${P}/${code}/sessions/1`);
    const options = { ifMatch: first.etag!, reason: 'Duplicate' };
    expect((await reviewer.post(renumber(code, 1), undefined, options)).status).to.equal(403);
    expect((await otherClinic.post(renumber(code, 1), undefined, options)).status).to.equal(404);
    expect((await admin.get(`${P}/${code}/sessions`)).body.items).to.have.length(3);
    const own = await ownClinic.post(renumber(code, 1), undefined, options);
    expect(own.status).to.equal(200);
    expect(own.body.sessions.map((s: { number: number; date: string }) => [s.number, s.date])).to.deep.equal([
      [1, '2019-01-08'],
      [2, '2019-01-14'],
    ]);
  });
});
