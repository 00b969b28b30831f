// Locking out password guessing without locking out the account's owner (OWASP's device
// cookies, api/services/sign-in-guard.ts). Wrong passwords from browsers that never signed in as
// the user, from eight addresses, lock those browsers out; the owner's browser, which signed in
// before, still signs in. A trusted browser's own failures lock only that browser's trust. The
// cookie is signed with a key kept in the database, so a second server on the same database
// honours it and the counts of both add up; a password change or a new invite ends the trust of
// other browsers; a forged, another user's or an expired cookie is not trusted. Time is the
// server's injected clock, moved forward instead of waited for.
import { expect } from 'chai';
import { sql } from 'kysely';
import { hashPassword } from '../../api/services/password.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer, type Reply, type TestServer } from '../support/http-client.ts';
import { useCheapPasswordHashes } from '../support/password-cost.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

const PASSWORD = 'a long and memorable passphrase';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe(`sign-in lockout with device cookies (${DRIVER})`, function () {
  this.timeout(120_000);
  useCheapPasswordHashes();
  let db: TestDb;
  let passwordHash: string;
  let now: number;
  const clock = () => new Date(now);
  const servers: TestServer[] = [];
  /** A server that believes one proxy's X-Forwarded-For, so that each attempt can come from its own address. */
  async function server(): Promise<TestServer> {
    const started = await startTestServer(db, { signInMaxFailures: 5, signInLockMinutes: 15, deviceTrustDays: 30, trustProxyHops: 1 }, clock);
    servers.push(started);
    return started;
  }

  before(async () => {
    db = await freshDb();
    passwordHash = await hashPassword(PASSWORD);
  });
  beforeEach(() => {
    now = Date.parse('2026-12-06T09:00:00Z');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await db?.dispose();
  });

  async function owner(role: TestUser['role'] = 'researcher'): Promise<TestUser> {
    const user = await createTestUser(db, role);
    await db.kysely.updateTable('app_user').set({ password_hash: passwordHash }).where('user_id', '=', user.userId).execute();
    return user;
  }
  let address = 0;
  /** A sign-in from its own address, with the browser's device cookie if it has one. */
  const signIn = (app: TestServer, username: string, password: string, device?: string): Promise<Reply> =>
    app.request('POST', '/api/auth/sign-in', {
      body: { username, password },
      headers: { 'x-forwarded-for': `198.51.100.${++address % 250}`, ...(device ? { cookie: device } : {}) },
    });
  const guessFromEightAddresses = async (app: TestServer, username: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await signIn(app, username, `guess number ${i} of the attacker`)).status);
    expect(statuses).to.deep.equal(Array(8).fill(401));
  };

  it("lets the owner's browser sign in while an attacker's failures from eight addresses lock untrusted browsers out", async () => {
    const app = await server();
    const user = await owner('admin');
    const first = await signIn(app, user.username, PASSWORD);
    expect(first.status).to.equal(200);
    const device = first.device!;
    expect(device).to.match(new RegExp(`^smp_device_${user.username}=d1\\.[A-Za-z0-9_-]{22}\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith('smp_device_'))!;
    expect(setCookie).to.match(/; Max-Age=2592000; Path=\/api\/auth; Expires=[^;]+; HttpOnly; SameSite=Strict$/);

    await guessFromEightAddresses(app, user.username);
    const row = await db.kysely.selectFrom('app_user').select('locked_until').where('user_id', '=', user.userId).executeTakeFirstOrThrow();
    expect(row.locked_until).to.not.equal(null);
    // Even the right password is refused to a browser that has not signed in as the user…
    const untrusted = await signIn(app, user.username, PASSWORD);
    expect(untrusted.status).to.equal(401);
    expect(untrusted.cookie).to.equal(undefined);
    // …but not to the owner's browser, which gets a renewed device cookie.
    const trusted = await signIn(app, user.username, PASSWORD, device);
    expect(trusted.status).to.equal(200);
    expect(trusted.device).to.match(new RegExp(`^smp_device_${user.username}=`));
    expect((await app.request('GET', '/api/auth/me', { cookie: trusted.cookie })).body.username).to.equal(user.username);
    // The lock lasts 15 minutes by the server's clock, then untrusted browsers may try again.
    now += 14 * MINUTE;
    expect((await signIn(app, user.username, PASSWORD)).status).to.equal(401);
    now += 2 * MINUTE;
    expect((await signIn(app, user.username, PASSWORD)).status).to.equal(200);
  });

  it("locks a trusted browser's trust after its own failures, and counts across two servers on one database", async () => {
    const [a, b] = [await server(), await server()];
    const user = await owner();
    const device = (await signIn(a, user.username, PASSWORD)).device!;
    // The second server (another process on the same database) honours the first one's cookie.
    const other = await signIn(b, user.username, PASSWORD, device);
    expect(other.status).to.equal(200);
    const stored = await db.kysely.selectFrom('server_secret').select(['name']).execute();
    expect(stored).to.deep.equal([{ name: 'device-cookie' }]);

    // Untrusted failures, 3 on one server and 2 on the other, add up to the lock.
    for (let i = 0; i < 3; i++) expect((await signIn(a, user.username, `wrong ${i}`)).status).to.equal(401);
    for (let i = 0; i < 2; i++) expect((await signIn(b, user.username, `wrong ${i}`)).status).to.equal(401);
    expect((await signIn(a, user.username, PASSWORD)).status).to.equal(401);

    // The trusted browser's own five failures lock its trust: it is then untrusted, and so locked out.
    for (let i = 0; i < 5; i++) expect((await signIn(i % 2 ? a : b, user.username, `typo ${i}`, device)).status).to.equal(401);
    const failures = await db.kysely.selectFrom('device_sign_in').select(['failed_sign_ins', 'locked_until']).where('user_id', '=', user.userId).execute();
    expect(failures).to.have.length(1);
    expect(failures[0]!.locked_until).to.not.equal(null);
    expect((await signIn(a, user.username, PASSWORD, device)).status).to.equal(401);
    // After 15 minutes both locks are over; a success clears the browser's count.
    now += 16 * MINUTE;
    expect((await signIn(a, user.username, PASSWORD, device)).status).to.equal(200);
    expect(await db.kysely.selectFrom('device_sign_in').selectAll().where('user_id', '=', user.userId).execute()).to.deep.equal([]);
  });

  it('trusts no forged cookie, no cookie of another user, and no cookie older than SMP_DEVICE_TRUST_DAYS', async () => {
    const app = await server();
    const user = await owner();
    const someoneElse = await owner();
    const device = (await signIn(app, user.username, PASSWORD)).device!;
    const othersDevice = (await signIn(app, someoneElse.username, PASSWORD)).device!;
    await guessFromEightAddresses(app, user.username);

    const [name, value] = device.split('=') as [string, string];
    const parts = value.split('.');
    const forged = `${name}=${[parts[0], parts[1], Number(parts[2]) + 86_400, parts[3]].join('.')}`;
    expect((await signIn(app, user.username, PASSWORD, forged)).status).to.equal(401);
    // Another user's cookie, renamed for this user, does not verify.
    const renamed = `${name}=${othersDevice.split('=')[1]}`;
    expect((await signIn(app, user.username, PASSWORD, renamed)).status).to.equal(401);
    // 30 days on, the cookie has expired (and so has the lock: move it back on).
    now += 30 * DAY;
    await guessFromEightAddresses(app, user.username);
    expect((await signIn(app, user.username, PASSWORD, device)).status).to.equal(401);
  });

  it("ends other browsers' trust when the password changes or an administrator sends a new invite", async () => {
    const app = await server();
    const admin = await owner('admin');
    const user = await owner();
    const office = await signIn(app, user.username, PASSWORD);
    const laptop = await signIn(app, user.username, PASSWORD);
    now += MINUTE;
    const newPassword = 'seven green kites over the harbour';
    const changed = await app.request('POST', '/api/auth/password', {
      body: { currentPassword: PASSWORD, newPassword },
      cookie: `${office.cookie}; ${office.device}`,
    });
    expect(changed.status).to.equal(204);
    const renewed = changed.device!;
    expect(renewed).to.not.equal(office.device);
    await guessFromEightAddresses(app, user.username);
    expect((await signIn(app, user.username, newPassword, laptop.device)).status).to.equal(401);
    expect((await signIn(app, user.username, newPassword, office.device)).status).to.equal(401);
    const again = await signIn(app, user.username, newPassword, renewed);
    expect(again.status).to.equal(200);

    // A new invite (an administrator's reset) ends the trust of every browser.
    now += MINUTE;
    const invite = await app.request('POST', `/api/users/${user.username}/invite`, { headers: admin.headers });
    expect(invite.status).to.equal(201);
    expect((await signIn(app, user.username, newPassword, again.device)).status).to.equal(401);
    const trusted = await db.kysely
      .selectFrom('app_user')
      .select(sql<boolean>`devices_trusted_from is not null`.as('reset'))
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(trusted.reset).to.equal(true);
  });

  it("keeps the owner's browser out of the per-address limit that an attacker at the same address reaches", async () => {
    // The earlier tests' failures from this address are counted in the database too: start afresh.
    await db.kysely.deleteFrom('rate_limit_count').execute();
    const app = await startTestServer(db, { signInMaxFailures: 100 }, clock);
    servers.push(app);
    const user = await owner();
    const device = (await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: PASSWORD } })).device!;
    for (let i = 0; i < 10; i++) {
      expect((await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: `guess ${i}` } })).status).to.equal(401);
    }
    const limited = await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: PASSWORD } });
    expect(limited.status).to.equal(429);
    const owners = await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: PASSWORD }, cookie: device });
    expect(owners.status).to.equal(200);
  });
});
