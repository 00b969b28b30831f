// Two people at once: writes that would together break a rule (both adding session 5; deleting
// a session while an event naming it is recorded) end with exactly one succeeding, and two edits
// from the same version never overwrite each other.
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const S = '/studies/CON-1';
const ROUNDS = 8;

describe(`concurrent writes (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    alice = apiClient(server.base, (await createTestUser(db, 'researcher', [{ studyCode: 'CON-1', siteCode: null }])).headers);
    bob = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'CON-1', siteCode: 'LON' }])).headers);
    expect((await apiClient(server.base, (await createTestUser(db, 'admin')).headers).post('/studies', smallBundle('CON-1'))).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const sessionFive = (date: string) => ({ number: 5, kind: 'touch_up', date, durationMinutes: 45, practitioner: 'PR-A', pigmentLot: 'L', anesthesia: 'none' });

  /** One new participant per round, `<prefix><round>`, with sessions 1 to 4 (and 5 with `withFifth`): each test makes its own. */
  async function enrolRounds(prefix: string, withFifth = false): Promise<string[]> {
    const codes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const code = `${prefix}${round}`;
      expect((await alice.post(`${S}/participants`, {
        code, site: 'LON', sex: 'male', birthYear: 1985, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01',
      })).status).to.equal(201);
      for (const [number, date] of [[1, '2020-01-06'], [2, '2020-01-13'], [3, '2020-01-20'], [4, '2020-02-19']] as const) {
        const kind = number === 4 ? 'touch_up' : 'initial';
        expect((await alice.post(`${S}/participants/${code}/sessions`, {
          number, kind, date, durationMinutes: 100, practitioner: 'PR-A', pigmentLot: 'L', anesthesia: 'none',
        })).status).to.equal(201);
      }
      if (withFifth) expect((await alice.post(`${S}/participants/${code}/sessions`, sessionFive('2020-03-20'))).status).to.equal(201);
      codes.push(code);
    }
    return codes;
  }

  it('lets exactly one of two simultaneous "session 5" writes through', async () => {
    const codes = await enrolRounds('A');
    for (let round = 0; round < ROUNDS; round++) {
      const path = `${S}/participants/${codes[round]}/sessions`;
      const replies = await Promise.all([alice.post(path, sessionFive('2020-03-20')), bob.post(path, sessionFive('2020-03-21'))]);
      expect(replies.map((r) => r.status).sort(), `round ${round}`).to.deep.equal([201, 400]);
      const refused = replies.find((r) => r.status === 400)!;
      expect(refused.body.problems[0]).to.deep.include({ path: 'number' });
      expect(refused.body.problems[0].message).to.match(/^session number 5 is already used by sessions\[4\]$|^session numbers must run 1\.\.6/);
      const stored = await alice.get(path);
      expect(stored.body.items.map((s: { number: number }) => s.number)).to.deep.equal([1, 2, 3, 4, 5]);
    }
  });

  it('never both deletes a session and records an event that follows it', async () => {
    const codes = await enrolRounds('B', true);
    for (let round = 0; round < ROUNDS; round++) {
      const base = `${S}/participants/${codes[round]}`;
      const fifth = await alice.get(`${base}/sessions/5`);
      const replies = await Promise.all([
        alice.delete(`${base}/sessions/5`, { ifMatch: fifth.etag!, reason: 'Entered twice' }),
        bob.post(`${base}/adverse-events`, {
          category: 'infection', term: 'Pustules', onsetDate: '2020-03-25', grade: 1, serious: false,
          relatedness: 'possible', outcome: 'recovered', sessionNumber: 5,
        }),
      ]);
      const [deleted, recorded] = replies.map((r) => r.status);
      // Either the delete went first (the event then names a missing session), or the event did
      // (the delete is then refused because an event names the session).
      expect(`${deleted} ${recorded}`, `round ${round}`).to.be.oneOf(['204 400', '409 201']);
      const sessions = (await alice.get(`${base}/sessions`)).body.items.length;
      const events = (await alice.get(`${base}/adverse-events`)).body.items;
      expect(events.every((e: { sessionNumber: number | null }) => e.sessionNumber === null || e.sessionNumber <= sessions)).to.equal(true);
    }
  });

  it('refuses the second of two edits made from the same version with 412, keeping the first', async () => {
    const codes = await enrolRounds('C');
    for (let round = 0; round < ROUNDS; round++) {
      const path = `${S}/participants/${codes[round]}`;
      const read = await alice.get(path);
      const replies = await Promise.all([
        alice.patch(path, { costUsd: 1000 + round }, { ifMatch: read.etag!, reason: 'Invoice' }),
        bob.patch(path, { costUsd: 2000 + round }, { ifMatch: read.etag!, reason: 'Receipt' }),
      ]);
      expect(replies.map((r) => r.status).sort()).to.deep.equal([200, 412]);
      const winner = replies.find((r) => r.status === 200)!;
      const loser = replies.find((r) => r.status === 412)!;
      expect(loser.body.current.costUsd).to.equal(winner.body.costUsd);
      expect((await alice.get(path)).body.costUsd).to.equal(winner.body.costUsd);
    }
  });

  it('gives a writer that waited for the participant the records its predecessor committed', async () => {
    const { lockAndLoadParticipant, writeRecordWithAudit } = await import('../../db/repositories/participant-repository.ts');
    const { auditRowOf, chainAuditRow } = await import('../../api/services/audit-service.ts');
    const { commandLineChange } = await import('../../api/services/access.ts');
    const code = 'D0';
    expect((await alice.post(`${S}/participants`, {
      code, site: 'LON', sex: 'male', birthYear: 1985, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01',
    })).status).to.equal(201);
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstHolds!: () => void;
    const firstHoldsLock = new Promise<void>((resolve) => (firstHolds = resolve));
    const first = db.transaction(async ({ kysely }) => {
      const loaded = (await lockAndLoadParticipant(kysely, 'CON-1', code))!;
      firstHolds();
      await writeRecordWithAudit(
        kysely,
        'satisfaction_survey',
        { studyId: loaded.study.study_id, participantNo: loaded.participant.participant_no },
        { kind: 'insert', no: loaded.participant.last_survey_no + 1, counter: 'last_survey_no', columns: { surveyed_on: '2021-05-05', satisfaction: 3, would_recommend: null } },
        await chainAuditRow(kysely, auditRowOf(commandLineChange(), { action: 'create', entity: 'survey', key: `${code}/surveys/x`, studyCode: 'CON-1', before: null, after: {} })),
      );
      await firstMayCommit;
      return loaded.surveys.length;
    });
    await firstHoldsLock;
    // The second asks for the participant while the first holds it, and so waits for its commit.
    const second = db.transaction(({ kysely }) => lockAndLoadParticipant(kysely, 'CON-1', code));
    await new Promise((resolve) => setTimeout(resolve, 200));
    releaseFirst();
    const surveysBefore = await first;
    const seen = (await second)!;
    expect(seen.surveys.length).to.equal(surveysBefore + 1);
    expect(seen.participant.last_survey_no).to.equal(seen.surveys.at(-1)!.survey_no);
  });

  it('numbers simultaneous adverse events of one participant without gaps or repeats', async () => {
    expect((await alice.post(`${S}/participants`, {
      code: 'E0', site: 'LON', sex: 'male', birthYear: 1985, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01',
    })).status).to.equal(201);
    const path = `${S}/participants/E0/adverse-events`;
    const before = (await alice.get(path)).body.items.map((e: { no: number }) => e.no);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? alice : bob).post(path, {
          category: 'other', term: `Event ${i}`, onsetDate: '2020-04-01', grade: 1, serious: false, relatedness: 'unlikely', outcome: 'recovered',
        }),
      ),
    );
    expect(replies.map((r) => r.status)).to.deep.equal(Array(10).fill(201));
    const given = replies.map((r) => r.body.no).sort((a: number, b: number) => a - b);
    const start = Math.max(0, ...before) + 1;
    expect(given).to.deep.equal(Array.from({ length: 10 }, (_, i) => start + i));
  });
});
