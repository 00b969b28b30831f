// The record-level API on a real database: participants and their records one at a time, with
// the importer's rules and words, versions and If-Match, reasons for change, record numbers that
// are never reused, listings, and an export that stays canonical after any mix of writes.
import { expect } from 'chai';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { validateBundle } from '../../api/schemas/validate-bundle.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const P = '/studies/REC-1/participants';
const session = (number: number | undefined, date: string, extra: Record<string, unknown> = {}) => ({
  ...(number === undefined ? {} : { number }),
  kind: 'touch_up',
  date,
  durationMinutes: 60,
  practitioner: 'PR-A',
  pigmentLot: 'LOT-9',
  anesthesia: 'none',
  ...extra,
});
const event = (extra: Record<string, unknown> = {}) => ({
  category: 'infection',
  term: 'Folliculitis',
  onsetDate: '2019-03-01',
  grade: 2,
  serious: false,
  relatedness: 'possible',
  outcome: 'recovering',
  ...extra,
});
const newParticipant = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  site: 'LON',
  sex: 'female',
  birthYear: 1980,
  indication: 'alopecia_areata',
  fitzpatrick: 3,
  keloidHistory: false,
  enrolledOn: '2020-05-04',
  costUsd: 3000,
  ...extra,
});

describe(`record-level API (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let api: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    api = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    expect((await api.post('/studies', smallBundle('REC-1'))).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  describe('participants', () => {
    it('enrols a participant: 201 with Location, ETag and the record with its version and counts', async () => {
      const created = await api.post(P, newParticipant('P10'), { reason: 'Enrolled at screening visit' });
      expect(created.status).to.equal(201);
      expect(created.headers.get('location')).to.equal('/api/studies/REC-1/participants/P10');
      expect(created.etag).to.equal(String(created.body.version));
      expect(created.body).to.deep.equal({
        ...newParticipant('P10'),
        withdrawnOn: null,
        withdrawalCause: null,
        withdrawalReason: null,
        version: created.body.version,
        counts: { sessions: 0, adverseEvents: 0, fadingAssessments: 0, surveys: 0 },
      });
      const read = await api.get(`${P}/P10`);
      expect(read.status).to.equal(200);
      expect(read.etag).to.equal(created.etag);
      expect(read.body).to.deep.equal(created.body);
    });

    it('answers a conditional read in full, never 304, and lets no cache keep it: the ETag is the version, not the counts', async () => {
      expect((await api.post('/studies', smallBundle('REC-CACHE'))).status).to.equal(201);
      const C = '/studies/REC-CACHE/participants';
      const created = await api.post(C, newParticipant('P11'), { reason: 'Enrolled at screening visit' });
      expect(created.status).to.equal(201);
      const added = await api.post(`${C}/P11/sessions`, session(1, '2020-05-10', { kind: 'initial' }), { reason: 'First session' });
      expect(added.status).to.equal(201);
      // The session changed the participant's counts, not its version: a read that offers the
      // version it holds must still get the counts as they are now.
      const read = await api.get(`${C}/P11`, { headers: { 'if-none-match': `"${created.etag}"` } });
      expect(read.status).to.equal(200);
      expect(read.etag).to.equal(created.etag);
      expect(read.body.counts).to.deep.equal({ sessions: 1, adverseEvents: 0, fadingAssessments: 0, surveys: 0 });
      expect(read.headers.get('cache-control')).to.equal('no-store');
    });

    it('refuses a duplicate code with 409 and an invalid field with 400 naming it, writing nothing', async () => {
      const before = await tableCounts(db);
      const duplicate = await api.post(P, newParticipant('P01'));
      expect(duplicate.status).to.equal(409);
      expect(duplicate.body.problems).to.deep.equal([{ path: 'code', message: 'participant code "P01" is already used' }]);
      const invalid = await api.post(P, newParticipant('P11', { birthYear: 2021, enrolledOn: '2020-02-30', site: 'NOWHERE' }));
      expect(invalid.status).to.equal(400);
      expect(invalid.body.problems).to.deep.equal([{ path: 'enrolledOn', message: '2020-02-30 is not a calendar date' }]);
      const crossRecord = await api.post(P, newParticipant('P11', { birthYear: 2021, site: 'NOWHERE' }));
      expect(crossRecord.status).to.equal(400);
      // The importer's rules and words.
      expect(crossRecord.body.problems).to.deep.equal([
        { path: 'birthYear', message: '2021 is after the year of enrolment (2020-05-04)' },
        { path: 'site', message: 'site "NOWHERE" is not defined in sites' },
      ]);
      expect(await tableCounts(db)).to.deep.equal(before);
    });

    it('changes fields with a merge patch: If-Match and a reason required, the version grows', async () => {
      const read = await api.get(`${P}/P10`);
      const missingMatch = await api.patch(`${P}/P10`, { costUsd: 3100 }, { reason: 'Price corrected' });
      expect(missingMatch.status).to.equal(428);
      expect(missingMatch.body.problems).to.deep.equal([{ path: '(header) If-Match', message: 'is required: send the ETag of the version you read' }]);
      const missingReason = await api.patch(`${P}/P10`, { costUsd: 3100 }, { ifMatch: read.etag! });
      expect(missingReason.status).to.equal(400);
      expect(missingReason.body.problems[0].path).to.equal('(header) X-Change-Reason');

      const changed = await api.patch(
        `${P}/P10`,
        { withdrawnOn: '2020-09-01', withdrawalCause: 'participant_choice', withdrawalReason: 'Moved to Lisbon', fitzpatrick: null },
        { ifMatch: read.etag!, reason: 'Withdrew by letter — “moving abroad”' },
      );
      expect(changed.status).to.equal(200);
      expect(Number(changed.etag)).to.be.greaterThan(Number(read.etag));
      expect(changed.body).to.include({ withdrawnOn: '2020-09-01', withdrawalCause: 'participant_choice', fitzpatrick: null, costUsd: 3000 });

      const stale = await api.patch(`${P}/P10`, { costUsd: 1 }, { ifMatch: read.etag!, reason: 'Stale copy' });
      expect(stale.status).to.equal(412);
      expect(stale.body.current).to.deep.equal(changed.body);
      expect((await api.get(`${P}/P10`)).body.costUsd).to.equal(3000);

      // Clearing withdrawnOn alone leaves a cause without a date: the importer's rule refuses it.
      const half = await api.patch(`${P}/P10`, { withdrawnOn: null }, { ifMatch: changed.etag!, reason: 'Undo' });
      expect(half.status).to.equal(400);
      expect(half.body.problems).to.deep.equal([
        { path: 'withdrawalCause', message: 'is given but withdrawnOn is not' },
        { path: 'withdrawalReason', message: 'is given but withdrawnOn is not' },
      ]);
      const code = await api.patch(`${P}/P10`, { code: 'P99' }, { ifMatch: changed.etag!, reason: 'Rename' });
      expect(code.status).to.equal(400);
      expect(code.body.problems).to.deep.equal([{ path: 'code', message: 'is the record\'s key and cannot be changed (it is "P10")' }]);
    });

    it('deletes a participant without records, and refuses one with records (nothing cascades)', async () => {
      const withRecords = await api.get(`${P}/P01`);
      const refused = await api.delete(`${P}/P01`, { ifMatch: withRecords.etag!, reason: 'Entered in error' });
      expect(refused.status).to.equal(409);
      expect(refused.body.detail).to.equal(
        'participant P01 still has records (4 sessions, 1 adverse event, 2 fading assessments, 1 survey); delete them first, or record a withdrawal instead',
      );
      await api.post(P, newParticipant('P12'));
      const empty = await api.get(`${P}/P12`);
      expect((await api.delete(`${P}/P12`, { ifMatch: empty.etag!, reason: 'Entered in error' })).status).to.equal(204);
      expect((await api.get(`${P}/P12`)).status).to.equal(404);
    });
  });

  describe("a participant's records", () => {
    it('records the next session when no number is given, and keeps the importer’s session rules', async () => {
      const fifth = await api.post(`${P}/P01/sessions`, session(undefined, '2019-03-25'), { reason: 'Second touch-up' });
      expect(fifth.status).to.equal(201);
      expect(fifth.headers.get('location')).to.equal('/api/studies/REC-1/participants/P01/sessions/5');
      expect(fifth.body).to.deep.equal({ ...session(5, '2019-03-25'), version: fifth.body.version });

      const before = await tableCounts(db);
      const early = await api.post(`${P}/P01/sessions`, session(undefined, '2019-03-20', { practitioner: 'PR-Z' }));
      expect(early.status).to.equal(400);
      expect(early.body.problems).to.deep.equal([
        { path: 'date', message: '2019-03-20 is not after the date of session 5 (2019-03-25); dates must ascend with session numbers' },
        { path: 'practitioner', message: 'practitioner "PR-Z" is not defined in practitioners' },
      ]);
      const gap = await api.post(`${P}/P01/sessions`, session(8, '2019-04-20'));
      expect(gap.status).to.equal(400);
      expect(gap.body.problems).to.deep.equal([
        { path: 'number', message: 'session numbers must run 1..6 without gaps for 6 sessions (got 8)' },
      ]);
      const beforeEnrolment = await api.post(`/studies/REC-1/participants/P02/sessions`, session(0, '2019-01-01'));
      expect(beforeEnrolment.status).to.equal(400);
      expect(beforeEnrolment.body.problems).to.deep.equal([{ path: 'number', message: 'must be at least 1 (got 0)' }]);
      const afterWithdrawal = await api.post(`/studies/REC-1/participants/P02/sessions`, session(2, '2019-03-05'));
      expect(afterWithdrawal.body.problems).to.deep.equal([{ path: 'date', message: '2019-03-05 is after withdrawal on 2019-03-01' }]);
      expect(await tableCounts(db)).to.deep.equal(before);
    });

    it('numbers adverse events per participant and never gives a number twice', async () => {
      const second = await api.post(`${P}/P01/adverse-events`, event(), { reason: 'Reported by phone' });
      expect(second.status).to.equal(201);
      expect(second.body).to.deep.equal({ no: 2, ...event(), resolvedDate: null, sessionNumber: null, solicited: false, version: second.body.version });
      expect(second.headers.get('location')).to.equal('/api/studies/REC-1/participants/P01/adverse-events/2');
      const third = await api.post(`${P}/P01/adverse-events`, event({ term: 'Pustule' }));
      expect(third.body.no).to.equal(3);
      expect((await api.delete(`${P}/P01/adverse-events/3`, { ifMatch: third.etag!, reason: 'Duplicate entry' })).status).to.equal(204);
      const fourth = await api.post(`${P}/P01/adverse-events`, event({ term: 'Pustule' }));
      expect(fourth.body.no).to.equal(4);
      expect((await api.get(`${P}/P01/adverse-events/3`)).status).to.equal(404);
      const list = await api.get(`${P}/P01/adverse-events`);
      expect(list.body.items.map((e: { no: number }) => e.no)).to.deep.equal([1, 2, 4]);
      expect(list.body.nextCursor).to.equal(null);
    });

    it('checks events with the importer’s rules: after the session they follow, fatal only at grade 5', async () => {
      const beforeSession = await api.post(`${P}/P01/adverse-events`, event({ onsetDate: '2019-01-10', sessionNumber: 3 }));
      expect(beforeSession.status).to.equal(400);
      expect(beforeSession.body.problems).to.deep.equal([
        { path: 'onsetDate', message: '2019-01-10 is before session 3 on 2019-01-21, which the event follows' },
      ]);
      const fatal = await api.post(`${P}/P01/adverse-events`, event({ outcome: 'fatal', grade: 4 }));
      expect(fatal.body.problems).to.deep.equal([{ path: 'grade', message: 'a fatal outcome is CTCAE grade 5 (got 4)' }]);
      const noSession = await api.post(`${P}/P01/adverse-events`, event({ sessionNumber: 9 }));
      expect(noSession.body.problems).to.deep.equal([{ path: 'sessionNumber', message: 'participant has no session 9' }]);
    });

    it('clears an optional field with null in a merge patch, and checks the record whole', async () => {
      const current = await api.get(`${P}/P01/adverse-events/2`);
      const resolved = await api.patch(
        `${P}/P01/adverse-events/2`,
        { resolvedDate: '2019-03-12', outcome: 'recovered' },
        { ifMatch: current.etag!, reason: 'Resolved at review' },
      );
      expect(resolved.status).to.equal(200);
      expect(resolved.body).to.include({ no: 2, resolvedDate: '2019-03-12', outcome: 'recovered' });
      const reopened = await api.patch(`${P}/P01/adverse-events/2`, { resolvedDate: null }, { ifMatch: resolved.etag!, reason: 'Recurred' });
      expect(reopened.status).to.equal(200);
      expect(reopened.body.resolvedDate).to.equal(null);
      expect((await api.get(`${P}/P01/adverse-events/2`)).body.resolvedDate).to.equal(null);
      const early = await api.patch(`${P}/P01/adverse-events/2`, { resolvedDate: '2019-02-01' }, { ifMatch: reopened.etag!, reason: 'x' });
      expect(early.body.problems).to.deep.equal([{ path: 'resolvedDate', message: '2019-02-01 is before onset on 2019-03-01' }]);
      const required = await api.patch(`${P}/P01/adverse-events/2`, { term: null }, { ifMatch: reopened.etag!, reason: 'x' });
      expect(required.status).to.equal(400);
      expect(required.body.problems[0].path).to.equal('term');
    });

    it('refuses to delete a session an adverse event names, or one that is not the last', async () => {
      await api.post(`${P}/P01/adverse-events`, event({ onsetDate: '2019-03-26', sessionNumber: 5, term: 'Redness' }));
      const fifth = await api.get(`${P}/P01/sessions/5`);
      const named = await api.delete(`${P}/P01/sessions/5`, { ifMatch: fifth.etag!, reason: 'Entered in error' });
      expect(named.status).to.equal(409);
      expect(named.body.detail).to.equal('session 5 of participant P01 is named by adverse event 5; change or delete that event first');
      expect(named.body.problems).to.deep.equal([
        { path: 'participant.adverseEvents[3].sessionNumber', message: 'adverse event 5 (onset 2019-03-26) follows session 5' },
      ]);
      const third = await api.get(`${P}/P01/sessions/3`);
      const middle = await api.delete(`${P}/P01/sessions/3`, { ifMatch: third.etag!, reason: 'x' });
      expect(middle.status).to.equal(409);
      expect(middle.body.problems).to.deep.equal([{ path: 'number', message: 'is not the last session (5)' }]);
      expect((await api.get(`${P}/P01/sessions`)).body.items).to.have.length(5);
    });

    it('adds and changes assessments and surveys, with the rule that they follow the first session', async () => {
      const beforeFirst = await api.post(`${P}/P01/fading-assessments`, { date: '2019-01-05', grade: 1, assessor: 'panel' });
      expect(beforeFirst.body.problems).to.deep.equal([
        { path: 'date', message: "2019-01-05 is before the participant's first session on 2019-01-07" },
      ]);
      const assessment = await api.post(`${P}/P01/fading-assessments`, { date: '2020-12-01', grade: 1, densityScore: 7.9, assessor: 'panel' });
      expect(assessment.status).to.equal(201);
      expect(assessment.body).to.deep.equal({
        no: 3,
        date: '2020-12-01',
        grade: 1,
        densityScore: 7.9,
        needsTouchUp: null,
        assessor: 'panel',
        version: assessment.body.version,
      });
      const survey = await api.post(`${P}/P10/surveys`, { date: '2020-06-01', satisfaction: 4 });
      expect(survey.body.problems).to.deep.equal([{ path: 'date', message: 'participant has no sessions, so there is nothing to survey' }]);
      const second = await api.post(`${P}/P01/surveys`, { date: '2020-12-01', satisfaction: 4, wouldRecommend: true });
      expect(second.body.no).to.equal(2);
      const patched = await api.patch(`${P}/P01/surveys/2`, { satisfaction: 5 }, { ifMatch: second.etag!, reason: 'Transcription error' });
      expect(patched.body).to.include({ no: 2, satisfaction: 5, wouldRecommend: true });
    });

    it('answers 404 for a record or participant that does not exist', async () => {
      expect((await api.get(`${P}/P01/surveys/99`)).body.detail).to.equal('participant P01 has no survey 99');
      expect((await api.get(`${P}/NOBODY/sessions`)).status).to.equal(404);
      expect((await api.get('/studies/NONE-1/participants/P01')).status).to.equal(404);
    });
  });

  describe('a study that starts empty', () => {
    it('is created from sites and practitioners alone, then filled record by record', async () => {
      const empty = { ...smallBundle('EMPTY-1'), participants: [] };
      expect((await api.post('/studies', empty)).status).to.equal(201);
      const base = '/studies/EMPTY-1/participants';
      expect((await api.post(base, newParticipant('E1', { enrolledOn: '2021-01-04' }))).status).to.equal(201);
      for (const [number, date] of [[1, '2021-01-05'], [2, '2021-01-12'], [3, '2021-01-19']] as const) {
        const created = await api.post(`${base}/E1/sessions`, session(number, date, { kind: 'initial' }));
        expect(created.status, date).to.equal(201);
      }
      expect((await api.post(`${base}/E1/adverse-events`, event({ onsetDate: '2021-01-20', sessionNumber: 3 }))).status).to.equal(201);
      expect((await api.post(`${base}/E1/fading-assessments`, { date: '2021-09-01', grade: 0, assessor: 'clinician' })).status).to.equal(201);
      expect((await api.post(`${base}/E1/surveys`, { date: '2021-09-01', satisfaction: 5, wouldRecommend: true })).status).to.equal(201);
      const analysis = await api.get('/studies/EMPTY-1/analysis');
      expect(analysis.body.participants.enrolled).to.equal(1);
      expect(analysis.body.sessions.total).to.equal(3);
      expect(analysis.body.safety.anyEvent).to.include({ n: 1, N: 1 });
    });
  });

  describe('export after any mix of writes', () => {
    it('stays in canonical order, and importing it gives back the same records', async () => {
      // An event with an earlier onset than the stored ones, and a new participant whose code sorts first.
      await api.post(`${P}/P01/adverse-events`, event({ onsetDate: '2019-01-09', term: 'Early crusting' }));
      await api.post(P, newParticipant('A00', { enrolledOn: '2019-06-01' }));
      const exported = await exportBundle(db, 'REC-1');
      expect(validateBundle(exported).ok).to.equal(true);
      expect(exported).to.deep.equal(canonicalOrder(exported));
      expect(exported.participants.map((p) => p.code)).to.deep.equal(['A00', 'P01', 'P02', 'P10']);
      expect(exported.participants[1]!.adverseEvents.map((e) => e.onsetDate)).to.deep.equal([
        '2019-01-08', '2019-01-09', '2019-03-01', '2019-03-01', '2019-03-26',
      ]);
      await importBundle(db, { ...exported, study: { ...exported.study, code: 'REC-2' } });
      const again = await exportBundle(db, 'REC-2');
      expect({ ...again, study: { ...again.study, code: 'REC-1' } }).to.deep.equal(exported);
    });
  });

  describe('study-wide listings', () => {
    it('pages participants with filters, in code order, resuming after the cursor', async () => {
      const first = await api.get('/studies/REC-1/participants?limit=2');
      expect(first.body.items.map((p: { code: string }) => p.code)).to.deep.equal(['A00', 'P01']);
      const second = await api.get(`/studies/REC-1/participants?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((p: { code: string }) => p.code)).to.deep.equal(['P02', 'P10']);
      expect(second.body.nextCursor).to.equal(null);
      const filtered = await api.get('/studies/REC-1/participants?site=LON&withdrawn=false&enrolledFrom=2019-01-01&enrolledTo=2019-12-31');
      expect(filtered.body.items.map((p: { code: string }) => p.code)).to.deep.equal(['A00', 'P01']);
      const newest = await api.get('/studies/REC-1/participants?sort=-enrolledOn&limit=1');
      expect(newest.body.items[0].code).to.equal('P10');
      const next = await api.get(`/studies/REC-1/participants?sort=-enrolledOn&limit=1&cursor=${newest.body.nextCursor}`);
      expect(next.body.items[0].code).to.equal('A00');
      expect((await api.get('/studies/REC-1/participants?q=p0')).body.items.map((p: { code: string }) => p.code)).to.deep.equal(['P01', 'P02']);
      const counts = (await api.get('/studies/REC-1/participants?q=P01')).body.items[0].counts;
      expect(counts).to.deep.equal({ sessions: 5, adverseEvents: 5, fadingAssessments: 3, surveys: 2 });
    });

    it('lists adverse events across participants with filters and pages', async () => {
      const unresolved = await api.get('/studies/REC-1/adverse-events?unresolved=true&category=infection');
      expect(unresolved.body.items.map((e: { participant: string; no: number }) => [e.participant, e.no])).to.deep.equal([
        ['P01', 2],
        ['P01', 4],
        ['P01', 5],
        ['P01', 6],
      ]);
      const byOnset = await api.get('/studies/REC-1/adverse-events?sort=onsetDate&limit=2');
      expect(byOnset.body.items.map((e: { onsetDate: string }) => e.onsetDate)).to.deep.equal(['2019-01-08', '2019-01-09']);
      const rest = await api.get(`/studies/REC-1/adverse-events?sort=onsetDate&limit=10&cursor=${byOnset.body.nextCursor}`);
      expect(rest.body.items.map((e: { no: number }) => e.no)).to.deep.equal([2, 4, 5]);
      expect(rest.body.items[0]).to.include({ participant: 'P01', site: 'LON', term: 'Folliculitis' });
      const serious = await api.get('/studies/REC-1/adverse-events?serious=true');
      expect(serious.body.items).to.deep.equal([]);
      expect((await api.get('/studies/REC-1/adverse-events?grade=1&onsetFrom=2019-01-01&onsetTo=2019-01-31')).body.items.map((e: { no: number }) => e.no)).to.deep.equal([1]);
    });

    it('refuses a cursor it did not give out, and a limit over 1,000', async () => {
      const cursor = await api.get('/studies/REC-1/participants?cursor=bm9wZQ');
      expect(cursor.status).to.equal(400);
      expect(cursor.body.problems[0].path).to.equal('query.cursor');
      const limit = await api.get('/studies/REC-1/participants?limit=1001');
      expect(limit.body.problems).to.deep.equal([{ path: 'query.limit', message: 'must be at most 1000 (got 1001)' }]);
    });
  });

  describe('sites and practitioners', () => {
    it('adds, changes and deletes them, refusing a delete while something names them', async () => {
      const site = await api.post('/studies/REC-1/sites', { code: 'BRS', name: 'Bristol clinic' });
      expect(site.status).to.equal(201);
      const practitioner = await api.post('/studies/REC-1/practitioners', { code: 'PR-C', site: 'BRS', yearsExperience: 2 });
      expect(practitioner.status).to.equal(201);
      const unknownSite = await api.post('/studies/REC-1/practitioners', { code: 'PR-D', site: 'NOWHERE', yearsExperience: 2 });
      expect(unknownSite.body.problems).to.deep.equal([{ path: 'site', message: 'site "NOWHERE" is not defined in sites' }]);
      const renamed = await api.patch('/studies/REC-1/sites/BRS', { name: 'Bristol Clifton clinic' }, { ifMatch: site.etag!, reason: 'Clinic renamed' });
      expect(renamed.body).to.deep.equal({ code: 'BRS', name: 'Bristol Clifton clinic', country: null, version: Number(renamed.etag) });
      const inUse = await api.delete('/studies/REC-1/sites/BRS', { ifMatch: renamed.etag!, reason: 'Closed' });
      expect(inUse.status).to.equal(409);
      expect(inUse.body.detail).to.equal('site BRS still has 0 participants and 1 practitioner; move or delete them first');
      expect((await api.delete('/studies/REC-1/practitioners/PR-C', { ifMatch: practitioner.etag!, reason: 'Left' })).status).to.equal(204);
      expect((await api.delete('/studies/REC-1/sites/BRS', { ifMatch: renamed.etag!, reason: 'Closed' })).status).to.equal(204);
      const gave = await api.get('/studies/REC-1/practitioners/PR-A');
      const refused = await api.delete('/studies/REC-1/practitioners/PR-A', { ifMatch: gave.etag!, reason: 'x' });
      expect(refused.status).to.equal(409);
      expect(refused.body.detail).to.match(/^practitioner PR-A gave \d+ sessions and cannot be deleted$/);
      expect((await api.get('/studies/REC-1/sites')).body.items.map((s: { code: string }) => s.code)).to.deep.equal(['LON', 'MAN']);
    });
  });

  describe("a site's country", () => {
    it('is an ISO 3166-1 alpha-3 code, given at creation or by merge patch, and cleared with null', async () => {
      const site = await api.post('/studies/REC-1/sites', { code: 'DUB', name: 'Dublin clinic', country: 'IRL' });
      expect(site.status).to.equal(201);
      expect(site.body).to.deep.equal({ code: 'DUB', name: 'Dublin clinic', country: 'IRL', version: Number(site.etag) });
      expect((await api.get('/studies/REC-1/sites/DUB')).body.country).to.equal('IRL');
      for (const [country, shown] of [['UK', '"UK"'], ['gbr', '"gbr"'], ['XXX', '"XXX"'], [826, '826']] as const) {
        const bad = await api.patch('/studies/REC-1/sites/DUB', { country }, { ifMatch: site.etag!, reason: 'Moved' });
        expect(bad.status, String(country)).to.equal(400);
        expect(bad.body.problems).to.deep.equal([
          { path: 'country', message: `${shown} is not an ISO 3166-1 alpha-3 country code (three capital letters, e.g. GBR, USA, DEU)` },
        ]);
      }
      const badNew = await api.post('/studies/REC-1/sites', { code: 'XX1', name: 'Nowhere', country: 'ZZZ' });
      expect(badNew.status).to.equal(400);
      expect(badNew.body.problems.map((p: { path: string }) => p.path)).to.deep.equal(['country']);
      expect((await api.get('/studies/REC-1/sites/XX1')).status).to.equal(404);
      const moved = await api.patch('/studies/REC-1/sites/DUB', { country: 'GBR' }, { ifMatch: site.etag!, reason: 'Moved to Belfast' });
      expect(moved.body).to.deep.equal({ code: 'DUB', name: 'Dublin clinic', country: 'GBR', version: Number(moved.etag) });
      const cleared = await api.patch('/studies/REC-1/sites/DUB', { country: null }, { ifMatch: moved.etag!, reason: 'Unknown' });
      expect(cleared.body.country).to.equal(null);
      expect((await api.get('/studies/REC-1/bundle')).body.sites.find((s: { code: string }) => s.code === 'DUB')).to.deep.equal({ code: 'DUB', name: 'Dublin clinic', country: null });
      expect((await api.delete('/studies/REC-1/sites/DUB', { ifMatch: cleared.etag!, reason: 'Closed' })).status).to.equal(204);
    });
  });

  describe('the study itself', () => {
    it('changes title and protocol by merge patch, and only an administrator deletes it', async () => {
      const study = await api.get('/studies/REC-2');
      const changed = await api.patch(
        '/studies/REC-2',
        { title: 'Second cohort', protocol: { touchUpAfterDays: 28, followUpMonths: { to: 36 } } },
        { ifMatch: study.etag!, reason: 'Protocol amendment 2' },
      );
      expect(changed.status).to.equal(200);
      expect(changed.body.title).to.equal('Second cohort');
      expect(changed.body.protocol).to.deep.equal({ ...study.body.protocol, touchUpAfterDays: 28, followUpMonths: { from: 7, to: 36 } });
      const bad = await api.patch('/studies/REC-2', { protocol: { followUpMonths: { from: 40 } } }, { ifMatch: changed.etag!, reason: 'x' });
      expect(bad.body.problems).to.deep.equal([{ path: 'protocol.followUpMonths', message: 'from (40) must not be greater than to (36)' }]);
      const deleted = await api.delete('/studies/REC-2', { ifMatch: changed.etag!, reason: 'Duplicate of REC-1' });
      expect(deleted.status).to.equal(204);
      expect((await api.get('/studies/REC-2')).status).to.equal(404);
    });
  });
});
