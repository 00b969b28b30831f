// Investigator e-signatures, participant locks and study freezes over HTTP: signing asks for the
// password again (a wrong one is refused and counted as a failed sign-in), a signature keeps the
// SHA-256 of exactly the bytes GET …/signed-data answers, a later change invalidates it (audited),
// a locked participant refuses writes with 423 and changes nothing, only an administrator unlocks
// with a reason, and a freeze reproduces its summary byte for byte after the data changed.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sql } from 'kysely';
import { hashPassword } from '../../api/services/password.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

const PASSWORD = 'correct horse battery staple';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe(`sign-off: signatures, locks and freezes (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let investigator: TestUser;
  let signer: ApiClient;
  let clinic: ApiClient;
  let researcher: ApiClient;
  let reviewer: ApiClient;

  /** A user who may sign, with a full name and a password. */
  async function withSigningRight(user: TestUser, fullName: string): Promise<void> {
    await db.kysely
      .updateTable('app_user')
      .set({ password_hash: await hashPassword(PASSWORD), full_name: fullName, may_sign: true })
      .where('user_id', '=', user.userId)
      .execute();
  }

  const counts = async () => {
    const { rows } = await sql<{ signatures: number; locks: number; freezes: number; audit: number }>`
      select (select count(*)::int from participant_signature) as signatures, (select count(*)::int from participant_lock) as locks,
             (select count(*)::int from study_freeze) as freezes, (select count(*)::int from audit_event) as audit`.execute(db.kysely);
    return rows[0]!;
  };

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    const adminUser = await createTestUser(db, 'admin');
    await withSigningRight(adminUser, 'Ada Admin');
    admin = apiClient(server.base, adminUser.headers);
    for (const code of ['SG-1', 'SG-2']) expect((await admin.post('/studies', smallBundle(code))).status).to.equal(201);
    investigator = await createTestUser(db, 'clinic', [{ studyCode: 'SG-1', siteCode: 'LON' }]);
    await withSigningRight(investigator, 'Dr Iris Investigator');
    signer = apiClient(server.base, investigator.headers);
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'SG-1', siteCode: 'LON' }])).headers);
    researcher = apiClient(server.base, (await createTestUser(db, 'researcher', [{ studyCode: 'SG-1', siteCode: null }])).headers);
    reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: 'SG-1', siteCode: null }])).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const P = '/studies/SG-1/participants/P01';

  it('refuses a wrong password, counts it as a failed sign-in and writes nothing', async () => {
    const before = await counts();
    const reply = await signer.post(`${P}/signatures`, { meaning: 'approve', password: 'not the password at all' });
    expect(reply.status).to.equal(400);
    expect(reply.body.problems).to.deep.equal([{ path: 'password', message: 'is not your password' }]);
    const row = await db.kysely.selectFrom('app_user').select('failed_sign_ins').where('user_id', '=', investigator.userId).executeTakeFirstOrThrow();
    expect(row.failed_sign_ins).to.equal(1);
    expect(await counts()).to.deep.equal(before);
  });

  it('refuses a user without the signing right, and a reviewer', async () => {
    const before = await counts();
    expect((await clinic.post(`${P}/signatures`, { meaning: 'review', password: PASSWORD })).status).to.equal(403);
    const refused = await reviewer.post(`${P}/signatures`, { meaning: 'review', password: PASSWORD });
    expect(refused.status).to.equal(403);
    const badMeaning = await signer.post(`${P}/signatures`, { meaning: 'agree', password: PASSWORD });
    expect(badMeaning.status).to.equal(400);
    expect(badMeaning.body.problems[0].path).to.equal('meaning');
    expect(await counts()).to.deep.equal(before);
  });

  it('signs with the password again: name, UTC time, meaning and the hash of the signed data, audited', async () => {
    const data = await fetch(`${server.base}/api${P}/signed-data`, { headers: investigator.headers });
    const text = await data.text();
    expect(JSON.parse(text).code).to.equal('P01');
    const signed = await signer.post(`${P}/signatures`, { meaning: 'approve', password: PASSWORD });
    expect(signed.status).to.equal(201);
    expect(signed.body).to.include({
      username: investigator.username,
      fullName: 'Dr Iris Investigator',
      meaning: 'approve',
      meaningText: 'I approve the data of this casebook as complete and correct',
      dataSha256: sha256(text),
      valid: true,
      invalidatedAt: null,
    });
    expect(signed.body.signedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // A success clears nothing it should not: the failed sign-in stays counted until a sign-in.
    const audit = await admin.get(`/studies/SG-1/audit?participant=P01&entity=signature`);
    expect(audit.status).to.equal(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['create']);
    expect(audit.body.items[0].after).to.deep.include({ fullName: 'Dr Iris Investigator', dataSha256: sha256(text) });
    const view = await clinic.get(`${P}/sign-off`);
    expect(view.body.signatures.map((s: { id: number; valid: boolean }) => s.valid)).to.deep.equal([true]);
    expect((await reviewer.get(`${P}/sign-off`)).status).to.equal(403);
  });

  it('invalidates the signature when a record changes after signing, visibly and audited, and never deletes it', async () => {
    const signed = await signer.post(`${P}/signatures`, { meaning: 'review', password: PASSWORD });
    expect(signed.status).to.equal(201);
    const session = await clinic.get(`${P}/sessions/1`);
    const changed = await clinic.patch(`${P}/sessions/1`, { durationMinutes: session.body.durationMinutes + 1 }, { ifMatch: session.etag!, reason: 'typo' });
    expect(changed.status).to.equal(200);
    const view = await clinic.get(`${P}/sign-off`);
    const signature = view.body.signatures.find((s: { id: number }) => s.id === signed.body.id);
    expect(signature).to.include({ valid: false, invalidatedBy: await clinicName() });
    expect(view.body.signatures.every((s: { valid: boolean }) => !s.valid)).to.equal(true);
    const now = await fetch(`${server.base}/api${P}/signed-data`, { headers: investigator.headers });
    expect(sha256(await now.text())).to.not.equal(signature.dataSha256);
    const audit = await admin.get(`/studies/SG-1/audit?participant=P01&entity=signature`);
    const entries = audit.body.items.filter((e: { key: string }) => e.key === `P01/signatures/${signed.body.id}`);
    expect(entries.map((e: { action: string }) => e.action)).to.deep.equal(['update', 'create']);
    expect(entries[0].after.valid).to.equal(false);
    let refused: unknown;
    try {
      await db.kysely.deleteFrom('participant_signature').execute();
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(/kept as made/);
  });

  async function clinicName(): Promise<string> {
    const { rows } = await sql<{ username: string }>`select username from audit_event where entity = 'session' order by audit_id desc limit 1`.execute(db.kysely);
    return rows[0]!.username;
  }

  it('locks only a signed participant; a write to it gets 423 naming the lock and changes nothing; an administrator unlocks with a reason', async () => {
    const P2 = '/studies/SG-1/participants/P03';
    const enrolled = await admin.post('/studies/SG-1/participants', {
      code: 'P03', site: 'LON', sex: 'female', birthYear: 1990, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01',
    });
    expect(enrolled.status).to.equal(201);
    const unsigned = await admin.post(`${P2}/lock`, {});
    expect(unsigned.status).to.equal(409);
    expect(unsigned.body.problems).to.deep.equal([{ path: 'participantCode', message: 'has no valid signature' }]);
    expect((await admin.post(`${P2}/signatures`, { meaning: 'review', password: PASSWORD })).status).to.equal(201);
    expect((await clinic.post(`${P2}/lock`, {})).status).to.equal(403);
    const locked = await researcher.post(`${P2}/lock`, {});
    expect(locked.status).to.equal(201);
    const lockId = locked.body.id as number;

    const before = await counts();
    const read = await clinic.get(P2);
    const refused = await clinic.patch(P2, { costUsd: 1 }, { ifMatch: read.etag!, reason: 'x' });
    expect(refused.status).to.equal(423);
    expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(refused.body.lock).to.deep.include({ id: lockId, participant: 'P03' });
    expect(refused.body.detail).to.include(`lock ${lockId}`);
    const event = { category: 'other', term: 'Itch', onsetDate: '2019-02-01', grade: 1, serious: false, relatedness: 'unlikely', outcome: 'recovered' };
    expect((await clinic.post(`${P2}/adverse-events`, event)).status).to.equal(423);
    const again = await admin.post(`${P2}/signatures`, { meaning: 'approve', password: PASSWORD });
    expect(again.status).to.equal(423);
    expect(again.body.problems).to.deep.equal([{ path: 'participantCode', message: `is locked (lock ${lockId})` }]);
    expect((await admin.post(`${P2}/lock`, {})).status).to.equal(409);
    expect(await counts()).to.deep.equal(before);
    expect((await clinic.get(P2)).etag).to.equal(read.etag);

    expect((await researcher.post(`${P2}/unlock`, { reason: 'correction needed' })).status).to.equal(403);
    const empty = await admin.post(`${P2}/unlock`, { reason: '  ' });
    expect(empty.status).to.equal(400);
    expect(empty.body.problems).to.deep.equal([{ path: 'reason', message: 'must not be empty' }]);
    const unlocked = await admin.post(`${P2}/unlock`, { reason: 'the clinic found a wrong date' });
    expect(unlocked.status).to.equal(200);
    expect(unlocked.body).to.include({ id: lockId, unlockReason: 'the clinic found a wrong date' });
    const audit = await admin.get(`/studies/SG-1/audit?participant=P03&entity=participant_lock`);
    expect(audit.body.items.map((e: { action: string; after: { unlockReason: string | null } }) => [e.action, e.after.unlockReason])).to.deep.equal([
      ['update', 'the clinic found a wrong date'],
      ['create', null],
    ]);
    expect((await clinic.patch(P2, { costUsd: 1 }, { ifMatch: read.etag!, reason: 'x' })).status).to.equal(200);
    const view = await admin.get(`${P2}/sign-off`);
    expect(view.body.lock).to.equal(null);
    expect(view.body.locks).to.have.length(1);
    expect(view.body.signatures[0].valid).to.equal(false);
  });

  it('refuses to replace a study while a participant is locked', async () => {
    const P3 = '/studies/SG-2/participants/P01';
    expect((await admin.post(`${P3}/signatures`, { meaning: 'approve', password: PASSWORD })).status).to.equal(201);
    expect((await admin.post(`${P3}/lock`, {})).status).to.equal(201);
    const replaced = await admin.post('/studies?replace=true', smallBundle('SG-2'));
    expect(replaced.status).to.equal(423);
  });

  it('freezes a study; the frozen analysis equals the one before a change byte for byte, and the live one differs', async () => {
    const before = await counts();
    const empty = await researcher.post('/studies/SG-1/freezes', { label: '' });
    expect(empty.status).to.equal(400);
    expect(empty.body.problems).to.deep.equal([{ path: 'label', message: 'must not be empty' }]);
    expect((await clinic.post('/studies/SG-1/freezes', { label: 'x' })).status).to.equal(403);
    expect(await counts()).to.deep.equal(before);

    const analysisBefore = await fetch(`${server.base}/api/studies/SG-1/analysis`, { headers: investigator.headers }).then((r) => r.text());
    const frozen = await researcher.post('/studies/SG-1/freezes', { label: '12-month paper' });
    expect(frozen.status).to.equal(201);
    const id = frozen.body.id as number;
    const bundle = await fetch(`${server.base}/api/studies/SG-1/freezes/${id}/bundle`, { headers: { ...adminHeadersOf() } }).then((r) => r.text());
    expect(sha256(bundle)).to.equal(frozen.body.sha256);

    const session = await clinic.get('/studies/SG-1/participants/P01/sessions/2');
    expect((await clinic.patch('/studies/SG-1/participants/P01/sessions/2', { durationMinutes: 30 }, { ifMatch: session.etag!, reason: 'r' })).status).to.equal(200);
    const get = (query: string) => fetch(`${server.base}/api/studies/SG-1/analysis${query}`, { headers: investigator.headers }).then((r) => r.text());
    expect(await get(`?freeze=${id}`)).to.equal(analysisBefore);
    expect(await get('')).to.not.equal(analysisBefore);
    const report = await fetch(`${server.base}/api/studies/SG-1/report?freeze=${id}`, { headers: investigator.headers }).then((r) => r.text());
    expect(report).to.include(`Made from freeze ${id} &quot;12-month paper&quot;`).and.include(frozen.body.sha256);
    const missing = await researcher.get('/studies/SG-1/analysis?freeze=999');
    expect(missing.status).to.equal(404);
    const seen = await reviewer.get('/studies/SG-1/freezes');
    expect(seen.body.freezes).to.deep.equal([{ ...frozen.body, label: null, createdBy: null }]);
    expect((await reviewer.get(`/studies/SG-1/freezes/${id}/bundle`)).status).to.equal(403);
  });

  let adminHeaders: Record<string, string> = {};
  const adminHeadersOf = () => adminHeaders;
  before(async () => {
    adminHeaders = (await createTestUser(db, 'admin')).headers;
  });
});
