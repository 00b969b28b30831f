// The few seconds a token's user is remembered: repeated requests do not look it up again; a
// change of users, grants or tokens takes effect at once, whether made through this server or
// elsewhere (another process on the database: the access generation that a trigger raises).
import { expect } from 'chai';
import { sql } from 'kysely';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer as startServerWithClock } from '../support/http-client.ts';
import { apiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

describe(`remembered users (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  /** The server's clock, moved forward instead of waited for. */
  let now = Date.parse('2026-03-02T09:00:00Z');

  before(async () => {
    db = await freshDb();
    server = await startServerWithClock(db, { authCacheSeconds: 1 }, () => new Date(now));
    const admin = apiClient(server.base, (await createTestUser(db, 'admin', [], 'cache-admin')).headers);
    expect((await admin.post('/studies', smallBundle('CACHE-1'))).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('sees at once a change made elsewhere, straight in the database', async () => {
    const user = await createTestUser(db, 'researcher', [{ studyCode: 'CACHE-1', siteCode: null }]);
    const api = apiClient(server.base, user.headers);
    expect((await api.get('/studies/CACHE-1')).status).to.equal(200);
    // Another process takes the grant away.
    await db.kysely.deleteFrom('user_grant').where('user_id', '=', user.userId).execute();
    expect((await api.get('/studies/CACHE-1')).status, 'the access generation moved on').to.equal(404);
  });

  it('remembers a user for the configured seconds while the access generation stays the same', async () => {
    const user = await createTestUser(db, 'researcher', [{ studyCode: 'CACHE-1', siteCode: null }]);
    const api = apiClient(server.base, user.headers);
    expect((await api.get('/studies/CACHE-1')).status).to.equal(200);
    // The grant goes with the triggers off (as a replica applies changes): only the seconds end the memory.
    await db.kysely.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await trx.deleteFrom('user_grant').where('user_id', '=', user.userId).execute();
    });
    expect((await api.get('/studies/CACHE-1')).status, 'still remembered').to.equal(200);
    now += 900;
    expect((await api.get('/studies/CACHE-1')).status, 'still remembered 0.9 s later').to.equal(200);
    now += 200;
    expect((await api.get('/studies/CACHE-1')).status, 'looked up again 1.1 s later').to.equal(404);
  });

  it('forgets at once when this server changes a grant or revokes a token', async () => {
    const admin = apiClient(server.base, { authorization: `Bearer ${(await createTestUser(db, 'admin')).token}` });
    const user = await createTestUser(db, 'researcher', [{ studyCode: 'CACHE-1', siteCode: null }]);
    const api = apiClient(server.base, user.headers);
    expect((await api.get('/studies/CACHE-1')).status).to.equal(200);
    expect((await admin.delete(`/users/${user.username}/grants/CACHE-1`)).status).to.equal(200);
    expect((await api.get('/studies/CACHE-1')).status).to.equal(404);
    const tokens = await admin.get(`/users/${user.username}/tokens`);
    expect((await api.get('/studies')).status).to.equal(200);
    expect((await admin.delete(`/users/${user.username}/tokens/${tokens.body.tokens[0].id}`)).status).to.equal(200);
    expect((await api.get('/studies')).status).to.equal(401);
  });
});
