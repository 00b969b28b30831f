// Queries (discrepancies) and source-data verification over HTTP: who may raise, answer, close
// and re-open; a reviewer's query by pseudonym; what a reviewer reads of a thread; bad paths and
// long messages refused with nothing written; automatic queries that open on a bad write and
// close themselves when the data is corrected; threads that outlive their record; verification
// of a record or a participant, cleared by a later change; and the audit entries of each step.
import { expect } from 'chai';
import { sql } from 'kysely';
import { AUTO_CLOSE_MESSAGE } from '../../api/services/edit-check-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const STUDY = 'DQ-1';
const P01 = `/studies/${STUDY}/participants/P01`;

describe(`data queries and source-data verification (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let clinic: ApiClient;
  let otherClinic: ApiClient;
  let researcher: ApiClient;
  let reviewer: ApiClient;
  let reviewer2: ApiClient;
  let p01Pseudonym: string;

  const count = async (table: 'data_query' | 'data_query_message' | 'record_verification') =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely)).rows[0]!.n);
  const auditOf = async (entity: string) =>
    (
      await db.kysely
        .selectFrom('audit_event')
        .select(['action', 'entity_key', 'username', 'after'])
        .where('entity', '=', entity)
        .orderBy('audit_id')
        .execute()
    ).map((row) => ({ action: row.action, key: row.entity_key, user: row.username, after: row.after as any }));

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    admin = apiClient(server.base, (await createTestUser(db, 'admin', [], 'dq-admin')).headers);
    expect((await admin.post('/studies', smallBundle(STUDY))).status).to.equal(201);
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: STUDY, siteCode: 'LON' }], 'nurse.lon')).headers);
    otherClinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: STUDY, siteCode: 'MAN' }], 'nurse.man')).headers);
    researcher = apiClient(server.base, (await createTestUser(db, 'researcher', [{ studyCode: STUDY, siteCode: null }], 'dq-researcher')).headers);
    reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: STUDY, siteCode: null }], 'dq-reviewer')).headers);
    reviewer2 = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: STUDY, siteCode: null }], 'dq-reviewer2')).headers);
    const row = await db.kysely.selectFrom('participant').select('pseudonym').where('code', '=', 'P01').executeTakeFirstOrThrow();
    p01Pseudonym = row.pseudonym;
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('lets a reviewer raise a query by pseudonym on the right record, and the clinic read it with the real code', async () => {
    expect((await clinic.post(`${P01}/queries`, { path: 'adverseEvents[0].outcome', message: 'Please check' })).status).to.equal(403);
    expect((await reviewer.post(`${P01}/queries`, { path: 'adverseEvents[0].outcome', message: 'Outcome?' })).status, 'by real code').to.equal(404);
    const raised = await reviewer.post(`/studies/${STUDY}/participants/${p01Pseudonym}/queries`, {
      path: 'adverseEvents[0].outcome',
      message: 'Is the outcome right for this allergic reaction?',
    });
    expect(raised.status).to.equal(201);
    expect(raised.body).to.include({ participant: p01Pseudonym, path: 'adverseEvents[0].outcome', state: 'open', field: 'outcome', raisedBy: 'dq-reviewer', raisedByMe: true });
    expect(raised.body.record).to.deep.equal({ list: 'adverseEvents', no: 1, exists: true });
    const stored = await db.kysely.selectFrom('data_query').selectAll().where('query_id', '=', raised.body.id).executeTakeFirstOrThrow();
    expect([stored.participant_code, stored.record_list, stored.record_no, stored.site_code]).to.deep.equal(['P01', 'adverseEvents', 1, 'LON']);

    const inbox = await clinic.get(`/studies/${STUDY}/queries`);
    expect(inbox.status).to.equal(200);
    expect(inbox.body.counts).to.deep.equal({ open: 1, answered: 0, closed: 0 });
    expect(inbox.body.items.map((q: any) => [q.id, q.participant, q.path, q.recordAuditKey])).to.deep.equal([[raised.body.id, 'P01', 'adverseEvents[0].outcome', 'P01/adverse-events/1']]);
    expect(inbox.body.items[0].messages[0]).to.include({ kind: 'raise', text: 'Is the outcome right for this allergic reaction?', author: 'dq-reviewer' });
    // Manchester's clinic neither lists nor reaches London's participant's query.
    expect((await otherClinic.get(`/studies/${STUDY}/queries`)).body.items).to.deep.equal([]);
    expect((await otherClinic.get(`/studies/${STUDY}/queries/${raised.body.id}`)).status).to.equal(404);
  });

  it('lets the clinic answer and the raiser close or re-open; refuses a clinic closing and a reviewer answering', async () => {
    const raised = await reviewer.post(`/studies/${STUDY}/participants/${p01Pseudonym}/queries`, { path: 'sessions[1].date', message: 'Date?' });
    const id = raised.body.id as number;
    const q = `/studies/${STUDY}/queries/${id}`;
    expect((await reviewer.post(`${q}/answer`, { message: 'I answer' })).status).to.equal(403);
    expect((await researcher.post(`${q}/answer`, { message: 'I answer' })).status).to.equal(403);
    expect((await clinic.post(`${q}/close`, { message: 'Done' })).status).to.equal(403);
    expect((await otherClinic.post(`${q}/answer`, { message: 'Not ours' })).status).to.equal(404);
    const answered = await clinic.post(`${q}/answer`, { message: 'Checked against the chart: 14 January.' });
    expect(answered.status).to.equal(200);
    expect(answered.body.state).to.equal('answered');
    expect((await clinic.post(`${q}/close`, { message: 'Done' })).status, 'a clinic never closes').to.equal(403);
    expect((await reviewer2.post(`${q}/close`, { message: 'Not mine' })).status, 'another reviewer').to.equal(403);
    expect((await researcher.post(`${q}/close`, { message: 'Not mine' })).status, 'a researcher who did not raise it').to.equal(403);
    const closed = await reviewer.post(`${q}/close`, { message: 'Thank you.' });
    expect(closed.body.state).to.equal('closed');
    expect((await reviewer.post(`${q}/close`, { message: 'Again' })).status).to.equal(409);
    const reopened = await reviewer.post(`${q}/reopen`, { message: 'One more look, please.' });
    expect(reopened.body.state).to.equal('open');
    expect((await admin.post(`${q}/close`, { message: 'Closed by the administrator.' })).body.state).to.equal('closed');
    const thread = await clinic.get(q);
    expect(thread.body.messages.map((m: any) => [m.no, m.kind, m.author])).to.deep.equal([
      [1, 'raise', 'dq-reviewer'],
      [2, 'answer', 'nurse.lon'],
      [3, 'close', 'dq-reviewer'],
      [4, 'reopen', 'dq-reviewer'],
      [5, 'close', 'dq-admin'],
    ]);
    const audit = (await auditOf('data_query')).filter((a) => a.key === `P01/queries/${id}`);
    expect(audit.map((a) => [a.action, a.user, a.after.state])).to.deep.equal([
      ['create', 'dq-reviewer', 'open'],
      ['update', 'nurse.lon', 'answered'],
      ['update', 'dq-reviewer', 'closed'],
      ['update', 'dq-reviewer', 'open'],
      ['update', 'dq-admin', 'closed'],
    ]);
  });

  it("shows a reviewer no identifier of a thread: pseudonyms, no times, no other role's text", async () => {
    const raised = await researcher.post(`${P01}/queries`, { path: 'adverseEvents[0].term', message: 'P01 said Pruritic erythema began 2019-01-08' });
    expect(raised.status).to.equal(201);
    await clinic.post(`/studies/${STUDY}/queries/${raised.body.id}/answer`, { message: 'nurse.lon: P01 confirmed on 2019-01-08' });
    const texts = [
      JSON.stringify((await reviewer.get(`/studies/${STUDY}/queries?state=all`)).body),
      JSON.stringify((await reviewer.get(`/studies/${STUDY}/queries/${raised.body.id}`)).body),
      JSON.stringify((await reviewer.get(`/studies/${STUDY}/queries?participant=${p01Pseudonym}&state=all`)).body),
    ];
    for (const text of texts) {
      expect(text).to.include(p01Pseudonym);
      for (const secret of ['P01', 'Pruritic', '2019-01-08', 'nurse.lon', 'dq-researcher', 'adverse-events/1']) expect(text, secret).to.not.include(secret);
      expect(text).to.not.match(/20\d\d-\d\d-\d\d/);
    }
    const thread = (await reviewer.get(`/studies/${STUDY}/queries/${raised.body.id}`)).body;
    expect(thread.messages.map((m: any) => [m.kind, m.text, m.author, m.at])).to.deep.equal([
      ['raise', null, 'researcher', null],
      ['answer', null, 'clinic', null],
    ]);
  });

  it('refuses a path that names nothing and a message over the limit, naming the field, and writes nothing', async () => {
    const before = [await count('data_query'), await count('data_query_message')];
    const cases: Array<[unknown, string, RegExp]> = [
      [{ path: 'adverseEvents[5].outcome', message: 'x' }, 'path', /has 1 adverse event/],
      [{ path: 'adverseEvents[0].colour', message: 'x' }, 'path', /names no field of an adverse event/],
      [{ path: 'nickname', message: 'x' }, 'path', /names no field of a participant/],
      [{ path: 'adverseEvents.0', message: 'x' }, 'path', /is not a path in a participant/],
      [{ path: 'sessions[0]', message: 'x'.repeat(2001) }, 'message', /2000/],
      [{ path: 'sessions[0]', message: '' }, 'message', /./],
    ];
    for (const [body, field, message] of cases) {
      const reply = await researcher.post(`${P01}/queries`, body);
      expect(reply.status, JSON.stringify(body).slice(0, 60)).to.equal(400);
      const problem = reply.body.problems.find((p: any) => p.path === field || p.path === `body.${field}`);
      expect(problem, JSON.stringify(reply.body.problems)).to.not.equal(undefined);
      expect(problem.message).to.match(message);
    }
    const long = await clinic.post(`/studies/${STUDY}/queries/1/answer`, { message: 'y'.repeat(2001) });
    expect(long.status).to.equal(400);
    expect([await count('data_query'), await count('data_query_message')]).to.deep.equal(before);
  });

  it('opens an automatic query on a bad write and closes it, with a system message, when the data is corrected', async () => {
    const event = await admin.get(`${P01}/adverse-events/1`);
    const bad = await clinic.patch(`${P01}/adverse-events/1`, { serious: true, outcome: 'unknown' }, { ifMatch: event.etag!, reason: 'reclassified' });
    expect(bad.status).to.equal(200);
    const open = (await clinic.get(`/studies/${STUDY}/queries`)).body.items.filter((q: any) => q.rule !== null);
    expect(open.map((q: any) => [q.rule, q.path, q.state, q.raisedBy])).to.deep.equal([['serious-event-without-outcome', 'adverseEvents[0].outcome', 'open', 'system']]);
    expect(open[0].messages[0].text).to.equal('A serious adverse event has no outcome recorded.');
    // A reviewer reads the edit check's message: it names nothing.
    const seen = (await reviewer.get(`/studies/${STUDY}/queries/${open[0].id}`)).body;
    expect(seen.messages[0].text).to.equal('A serious adverse event has no outcome recorded.');
    // Another write that still breaks the rule opens no second query.
    const again = await clinic.patch(`${P01}/adverse-events/1`, { grade: 2 }, { ifMatch: bad.etag!, reason: 'grade' });
    expect((await clinic.get(`/studies/${STUDY}/queries`)).body.items.filter((q: any) => q.rule !== null)).to.have.length(1);
    const fixed = await clinic.patch(`${P01}/adverse-events/1`, { outcome: 'recovered' }, { ifMatch: again.etag!, reason: 'outcome found' });
    expect(fixed.status).to.equal(200);
    const closed = (await clinic.get(`/studies/${STUDY}/queries/${open[0].id}`)).body;
    expect(closed.state).to.equal('closed');
    expect(closed.messages.map((m: any) => [m.kind, m.text, m.author])).to.deep.equal([
      ['raise', 'A serious adverse event has no outcome recorded.', 'system'],
      ['system', AUTO_CLOSE_MESSAGE, 'system'],
    ]);
    const audit = (await auditOf('data_query')).filter((a) => a.key === `P01/queries/${open[0].id}`);
    expect(audit.map((a) => [a.action, a.user, a.after.state, a.after.rule])).to.deep.equal([
      ['create', 'nurse.lon', 'open', 'serious-event-without-outcome'],
      ['update', 'nurse.lon', 'closed', 'serious-event-without-outcome'],
    ]);
    // A refused write changes no query.
    const queries = await count('data_query');
    const refused = await clinic.post(`${P01}/adverse-events`, { category: 'infection', term: 'x', onsetDate: '2019-01-10', grade: 9, serious: true, relatedness: 'unlikely', outcome: 'unknown' });
    expect(refused.status).to.equal(400);
    expect(await count('data_query')).to.equal(queries);
  });

  it('keeps a query and its messages after the record it names is deleted', async () => {
    const created = await admin.post(`${P01}/surveys`, { date: '2020-01-05', satisfaction: 2 });
    expect(created.status).to.equal(201);
    const index = (await admin.get(`${P01}/surveys`)).body.items.length - 1;
    const raised = await researcher.post(`${P01}/queries`, { path: `surveys[${index}].satisfaction`, message: 'Entered twice?' });
    await clinic.post(`/studies/${STUDY}/queries/${raised.body.id}/answer`, { message: 'Yes, a duplicate: deleting it.' });
    expect((await clinic.delete(`${P01}/surveys/${created.body.no}`, { ifMatch: created.etag!, reason: 'duplicate' })).status).to.equal(204);
    const kept = (await researcher.get(`/studies/${STUDY}/queries/${raised.body.id}`)).body;
    expect(kept.record).to.deep.equal({ list: 'surveys', no: created.body.no, exists: false });
    expect(kept.path).to.equal(`surveys[${index}].satisfaction`);
    expect(kept.recordAuditKey).to.equal(`P01/surveys/${created.body.no}`);
    expect(kept.messages.map((m: any) => m.text)).to.deep.equal(['Entered twice?', 'Yes, a duplicate: deleting it.']);
    const history = (await admin.get(`/studies/${STUDY}/audit?participant=P01&limit=200`)).body.items.filter((e: any) => e.key === kept.recordAuditKey);
    expect(history.map((e: any) => e.action)).to.include('delete');
  });

  it('verifies a record or a whole participant; a later change clears it, audited; the share per site', async () => {
    expect((await clinic.post(`${P01}/verification`, {})).status).to.equal(403);
    expect((await reviewer.post(`/studies/${STUDY}/participants/${p01Pseudonym}/verification`, {})).status).to.equal(403);
    const field = await researcher.post(`${P01}/verification`, { path: 'sessions[0].date' });
    expect(field.status).to.equal(400);
    expect(field.body.problems[0].path).to.equal('path');
    const one = await researcher.post(`${P01}/verification`, { path: 'adverseEvents[0]' });
    expect(one.status).to.equal(200);
    expect(one.body.verified.map((v: any) => v.path)).to.deep.equal(['adverseEvents[0]']);
    const all = await researcher.post(`${P01}/verification`, {});
    const records = all.body.records as number;
    expect(records).to.equal(4 + 1 + 2 + 1);
    expect(all.body.verified).to.have.length(records);
    const shares = (await researcher.get(`/studies/${STUDY}/verification`)).body.sites;
    const lon = shares.find((s: any) => s.site === 'LON');
    expect(lon).to.deep.include({ records, verified: records, share: 1 });
    expect((await clinic.get(`/studies/${STUDY}/verification`)).body.sites.map((s: any) => s.site)).to.deep.equal(['LON']);

    const session = await admin.get(`${P01}/sessions/2`);
    expect((await clinic.patch(`${P01}/sessions/2`, { durationMinutes: 151 }, { ifMatch: session.etag!, reason: 'typo' })).status).to.equal(200);
    const after = (await clinic.get(`${P01}/verification`)).body;
    expect(after.verified.map((v: any) => v.path)).to.not.include('sessions[1]');
    expect(after.verified).to.have.length(records - 1);
    const cleared = (await auditOf('verification')).filter((a) => a.action === 'delete');
    expect(cleared.map((a) => [a.key, a.user, a.after.cleared])).to.deep.equal([['P01/sessions/2/verification', 'nurse.lon', 'the record changed after its verification']]);
    expect((await researcher.get(`/studies/${STUDY}/verification`)).body.sites.find((s: any) => s.site === 'LON').verified).to.equal(records - 1);
    // A reviewer reads which records are verified, without names or times.
    const seen = (await reviewer.get(`/studies/${STUDY}/participants/${p01Pseudonym}/verification`)).body;
    expect(seen.verified.every((v: any) => v.verifiedBy === null && v.verifiedAt === null)).to.equal(true);
  });
});
