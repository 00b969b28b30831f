// Your account over HTTP (/api/account): your live sessions with the browser each came from and
// the current one marked; ending one, or every other, each recorded in the user-management
// audit; your own API tokens, created only from a signed-in browser and only by roles that run
// scripts, and revoked by anyone; and nobody reaches another user's sessions or tokens.
import { expect } from 'chai';
import { hashPassword } from '../../api/services/password.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http-client.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

const PASSWORD = 'a long and memorable passphrase';

describe(`your account (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let app: TestServer;
  let admin: TestUser;

  before(async () => {
    db = await freshDb();
    app = await startTestServer(db);
    admin = await createTestUser(db, 'admin');
  });
  after(async () => {
    await app?.close();
    await db?.dispose();
  });

  async function signedIn(role: TestUser['role'], userAgent: string) {
    const user = await createTestUser(db, role);
    await db.kysely.updateTable('app_user').set({ password_hash: await hashPassword(PASSWORD) }).where('user_id', '=', user.userId).execute();
    const reply = await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: PASSWORD }, headers: { 'user-agent': userAgent } });
    expect(reply.status).to.equal(200);
    return { user, cookie: reply.cookie! };
  }

  it('lists your live sessions, ends one and then every other, and audits each', async () => {
    const { user, cookie } = await signedIn('researcher', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0');
    const second = await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: PASSWORD }, headers: { 'user-agent': 'Tablet browser' } });
    const listed = await app.request('GET', '/api/account/sessions', { cookie });
    expect(listed.status).to.equal(200);
    const sessions = listed.body.sessions as Array<{ id: number; userAgent: string | null; current: boolean }>;
    // The test factory's session (no User-Agent), the two sign-ins; newest first, this one current.
    expect(sessions.map((s) => [s.userAgent, s.current])).to.deep.equal([
      ['Tablet browser', false],
      ['Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0', true],
      [null, false],
    ]);
    // Another user cannot end them: they do not exist for them.
    const other = await createTestUser(db, 'researcher');
    expect((await app.request('DELETE', `/api/account/sessions/${sessions[0]!.id}`, { headers: other.headers })).status).to.equal(404);
    expect((await app.request('DELETE', `/api/account/sessions/${sessions[0]!.id}`, { cookie })).status).to.equal(204);
    expect((await app.request('GET', '/api/auth/me', { cookie: second.cookie })).status).to.equal(401);
    expect((await app.request('DELETE', `/api/account/sessions/${sessions[0]!.id}`, { cookie })).status).to.equal(404);
    const ended = await app.request('POST', '/api/account/sessions/end-others', { cookie });
    expect(ended.body).to.deep.equal({ ended: 1 });
    expect((await app.request('GET', '/api/auth/me', { cookie: user.cookie })).status).to.equal(401);
    expect((await app.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
    const audit = await app.request('GET', '/api/audit?entity=session', { headers: admin.headers });
    const mine = audit.body.items.filter((e: { key: string }) => e.key.startsWith(`${user.username}/sessions/`));
    expect(mine.map((e: { key: string; user: { username: string } }) => [e.key, e.user.username])).to.deep.equal([
      [`${user.username}/sessions/${sessions[2]!.id}`, user.username],
      [`${user.username}/sessions/${sessions[0]!.id}`, user.username],
    ]);
    expect(mine[0].after.endedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('creates your own API token from a signed-in browser, not with a token, and only for roles that run scripts', async () => {
    const { user, cookie } = await signedIn('researcher', 'test');
    const viaToken = await app.request('POST', '/api/account/tokens', { body: {}, headers: user.headers });
    expect(viaToken.status).to.equal(403);
    expect(viaToken.body.detail).to.equal('an API token cannot create tokens: sign in with your password to create one');
    const created = await app.request('POST', '/api/account/tokens', { body: { expiresInDays: 7 }, cookie });
    expect(created.status).to.equal(201);
    expect(created.headers.get('location')).to.equal(`/api/account/tokens/${created.body.id}`);
    const asToken = () => app.request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${created.body.token}` } });
    expect((await asToken()).body.username).to.equal(user.username);
    const listed = await app.request('GET', '/api/account/tokens', { cookie });
    expect(listed.body.tokens.map((t: { id: number }) => t.id)).to.include(created.body.id);
    expect(JSON.stringify(listed.body)).to.not.contain(created.body.token);
    // Nobody revokes another user's token through their own account.
    expect((await app.request('DELETE', `/api/account/tokens/${created.body.id}`, { headers: admin.headers })).status).to.equal(404);
    const revoked = await app.request('DELETE', `/api/account/tokens/${created.body.id}`, { cookie });
    expect(revoked.body).to.include({ id: created.body.id, active: false });
    expect((await asToken()).status).to.equal(401);
    const audit = await app.request('GET', '/api/audit?entity=api_token', { headers: admin.headers });
    const entries = audit.body.items.filter((e: { key: string }) => e.key === `${user.username}/tokens/${created.body.id}`);
    expect(entries.map((e: { action: string; user: { username: string } }) => [e.action, e.user.username])).to.deep.equal([
      ['update', user.username],
      ['create', user.username],
    ]);

    const clinic = await signedIn('clinic', 'test');
    const refused = await app.request('POST', '/api/account/tokens', { body: {}, cookie: clinic.cookie });
    expect(refused.status).to.equal(403);
    expect(refused.body.detail).to.equal("a clinic user's API tokens are issued by an administrator; ask one for a token");
    // …who may still revoke the one an administrator issued.
    const issued = await app.request('POST', `/api/users/${clinic.user.username}/tokens`, { body: {}, headers: admin.headers });
    expect((await app.request('DELETE', `/api/account/tokens/${issued.body.id}`, { cookie: clinic.cookie })).status).to.equal(200);
  });
});
