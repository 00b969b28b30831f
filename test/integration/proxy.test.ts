// Behind a reverse proxy (SMP_TRUST_PROXY hops): the client's scheme comes from the proxy, so a
// sign-in over HTTPS at the proxy gets a Secure cookie; without it the proxy's headers are ignored.
import { expect } from 'chai';
import { hashPassword } from '../../api/services/password.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const PASSWORD = 'a password long enough for the rule';

describe(`behind a reverse proxy (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  const servers: TestServer[] = [];

  before(async () => {
    db = await freshDb();
    const user = await createTestUser(db, 'researcher', [], 'proxied');
    await db.kysely.updateTable('app_user').set({ password_hash: await hashPassword(PASSWORD) }).where('user_id', '=', user.userId).execute();
  });
  after(async () => {
    for (const server of servers) await server.close();
    await db?.dispose();
  });

  async function cookieVia(trustProxyHops: number): Promise<string> {
    const server = await startTestServer(db, { trustProxyHops });
    servers.push(server);
    const response = await fetch(`${server.base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ username: 'proxied', password: PASSWORD }),
    });
    expect(response.status).to.equal(200);
    return response.headers.get('set-cookie') ?? '';
  }

  it('marks the session cookie Secure when the proxy says the client came over HTTPS', async () => {
    expect(await cookieVia(1)).to.match(/; Secure/i);
  });

  it("ignores a proxy's headers unless told to trust it", async () => {
    const cookie = await cookieVia(0);
    expect(cookie).to.match(/^smp_session=/);
    expect(cookie).to.not.match(/; Secure/i);
  });
});
