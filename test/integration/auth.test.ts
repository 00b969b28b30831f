// Sign-in on the real app and database: the session cookie and its idle timeout, sign-out,
// account locking, rate limits, the Origin check, API tokens, one-time links and passwords.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { expect } from 'chai';
import { sql } from 'kysely';
import { secretHash } from '../../api/services/auth-service.ts';
import { hashPassword, setTestPasswordCost } from '../../api/services/password.ts';
import { createUser } from '../../api/services/user-service.ts';
import { commandLineChange, type Grant } from '../../api/services/access.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { everyStoredRow, startTestServer, type Reply, type TestServer } from '../support/http-client.ts';
import { CHEAP_PASSWORD_COST, useCheapPasswordHashes } from '../support/password-cost.ts';
import { createTestUser, type TestUser } from '../support/users.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';

const PASSWORD = 'a long and memorable passphrase';

describe(`sign-in, sessions, tokens and links (${DRIVER})`, function () {
  this.timeout(60_000);
  useCheapPasswordHashes();
  let db: TestDb;
  let app: TestServer;
  let passwordHash: string;

  /** A user who can sign in with PASSWORD. */
  async function userWithPassword(role: TestUser['role'] = 'researcher', grants: Grant[] = []) {
    const user = await createTestUser(db, role, grants);
    await db.kysely.updateTable('app_user').set({ password_hash: passwordHash }).where('user_id', '=', user.userId).execute();
    return user;
  }
  const signIn = (server: TestServer, username: string, password: string, origin?: string | null) =>
    server.request('POST', '/api/auth/sign-in', { body: { username, password }, ...(origin !== undefined ? { origin } : {}) });
  const userRow = (userId: number) => db.kysely.selectFrom('app_user').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();

  before(async () => {
    db = await freshDb();
    passwordHash = await hashPassword(PASSWORD);
    await importBundle(db, smallBundle('AUTH-1'));
  });
  // A new app and new rate-limit counts for each test: the counts are kept in the database, shared
  // by every app on it, so one test's failed attempts would count against the next.
  beforeEach(async () => {
    await db.kysely.deleteFrom('rate_limit_count').execute();
    app = await startTestServer(db, { signInMaxFailures: 3, signInLockMinutes: 15 });
  });
  afterEach(async () => {
    await app?.close();
  });
  after(async () => {
    await db?.dispose();
  });

  describe('signing in with a password', () => {
    it('sets an HttpOnly, SameSite=Strict session cookie stored only as its hash, and /api/auth/me answers', async () => {
      const user = await userWithPassword('clinic', [{ studyCode: 'AUTH-1', siteCode: 'LON' }]);
      const reply = await signIn(app, user.username.toUpperCase(), PASSWORD);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      expect(reply.body).to.deep.equal({
        username: user.username, role: 'clinic', grants: [{ study: 'AUTH-1', site: 'LON' }], passwordSet: true, via: 'session',
      });
      const setCookie = reply.headers.getSetCookie()[0]!;
      expect(setCookie).to.match(/^smp_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
      const value = reply.cookie!.slice('smp_session='.length);
      const stored = await everyStoredRow(db);
      expect(stored).to.not.contain(value);
      expect(stored).to.contain(secretHash(value).toString('hex'));

      const me = await app.request('GET', '/api/auth/me', { cookie: reply.cookie });
      expect(me.status).to.equal(200);
      expect(me.body.username).to.equal(user.username);
      const studies = await app.request('GET', '/api/studies', { cookie: reply.cookie });
      expect(studies.body.studies.map((s: { code: string }) => s.code)).to.deep.equal(['AUTH-1']);
      const viaToken = await app.request('GET', '/api/auth/me', { headers: user.headers });
      expect(viaToken.body.via).to.equal('token');
    });

    it('marks the cookie Secure when SMP_PUBLIC_URL is https', async () => {
      const user = await userWithPassword();
      const secure = await startTestServer(db, { publicUrl: 'https://smp.example.org' });
      try {
        const reply = await signIn(secure, user.username, PASSWORD, null);
        expect(reply.status).to.equal(200);
        expect(reply.headers.get('set-cookie')).to.match(/; Secure/);
      } finally {
        await secure.close();
      }
    });

    it('refuses an unknown user and a wrong password with the same 401', async () => {
      const user = await userWithPassword();
      const wrong = await signIn(app, user.username, `${PASSWORD}!`);
      const unknown = await signIn(app, 'nobody-here', PASSWORD);
      const invalidName = await signIn(app, 'Not A Name', PASSWORD);
      for (const reply of [wrong, unknown, invalidName]) {
        expect(reply.status).to.equal(401);
        expect(reply.headers.get('content-type')).to.contain('application/problem+json');
        expect(reply.cookie).to.equal(undefined);
      }
      expect(unknown.body.detail).to.equal(wrong.body.detail);
      expect(wrong.body.detail).to.equal('the username or password is not right (3 failed sign-ins in a row lock an account for 15 minutes)');
    });

    it('spends as long on an unknown user as on a wrong password: one password hash of the same cost each', async () => {
      // Today's parameters, for the stored hash and the decoy alike (the other tests hash cheaply).
      setTestPasswordCost(null);
      const user = await createTestUser(db, 'researcher');
      await db.kysely.updateTable('app_user').set({ password_hash: await hashPassword(PASSWORD) }).where('user_id', '=', user.userId).execute();
      // Count scrypt derivations through node:crypto's own export, rather than timing them.
      const calls: number[] = [];
      const original = crypto.scrypt;
      (crypto as { scrypt: unknown }).scrypt = (...args: unknown[]) => {
        calls.push((args[3] as { N: number }).N);
        return (original as (...a: unknown[]) => void)(...args);
      };
      syncBuiltinESMExports();
      try {
        const hashesFor = async (username: string) => {
          calls.length = 0;
          expect((await signIn(app, username, 'a wrong password, typed carefully')).status).to.equal(401);
          return [...calls];
        };
        const wrong = await hashesFor(user.username);
        expect(wrong).to.deep.equal([2 ** 15]);
        expect(await hashesFor('nobody-at-all')).to.deep.equal(wrong);
      } finally {
        (crypto as { scrypt: unknown }).scrypt = original;
        syncBuiltinESMExports();
        setTestPasswordCost(CHEAP_PASSWORD_COST);
      }
    });

    it('refuses a user who has not set a password, and a disabled one', async () => {
      const invited = await createTestUser(db, 'researcher');
      expect((await signIn(app, invited.username, PASSWORD)).status).to.equal(401);
      const disabled = await userWithPassword();
      await db.kysely.updateTable('app_user').set({ disabled_at: sql<string>`now()` }).where('user_id', '=', disabled.userId).execute();
      expect((await signIn(app, disabled.username, PASSWORD)).status).to.equal(401);
      expect((await app.request('GET', '/api/auth/me', { cookie: disabled.cookie })).status).to.equal(401);
      expect((await app.request('GET', '/api/auth/me', { headers: disabled.headers })).status).to.equal(401);
    });

    it('refuses a sign-in posted from another site (login CSRF) but lets scripts without Origin in', async () => {
      const user = await userWithPassword();
      const foreign = await signIn(app, user.username, PASSWORD, 'https://evil.example');
      expect(foreign.status).to.equal(403);
      expect(foreign.cookie).to.equal(undefined);
      expect((await signIn(app, user.username, PASSWORD, null)).status).to.equal(200);
    });
  });

  describe('locking an account after repeated failures', () => {
    it('locks after signInMaxFailures failures in a row: even the right password is refused until the lock ends', async () => {
      const user = await userWithPassword();
      for (let i = 0; i < 3; i++) expect((await signIn(app, user.username, 'wrong password number ' + i)).status).to.equal(401);
      const locked = await userRow(user.userId);
      expect(locked.locked_until).to.not.equal(null);
      const lockedFor = await sql<{ minutes: number }>`
        select round(extract(epoch from locked_until - now()) / 60)::int as minutes from app_user where user_id = ${user.userId}`.execute(db.kysely);
      expect(lockedFor.rows[0]!.minutes).to.equal(15);

      const refused = await signIn(app, user.username, PASSWORD);
      expect(refused.status).to.equal(401);
      expect(refused.cookie).to.equal(undefined);
      // The failures while locked do not extend the lock.
      expect((await userRow(user.userId)).locked_until).to.equal(locked.locked_until);

      await db.kysely.updateTable('app_user').set({ locked_until: sql<string>`now() - interval '1 second'` }).where('user_id', '=', user.userId).execute();
      const after = await signIn(app, user.username, PASSWORD);
      expect(after.status).to.equal(200);
      expect(await userRow(user.userId)).to.include({ failed_sign_ins: 0, locked_until: null });
    });

    it('counts only failures in a row: a success resets the count', async () => {
      const user = await userWithPassword();
      for (let i = 0; i < 2; i++) expect((await signIn(app, user.username, 'not it')).status).to.equal(401);
      expect((await userRow(user.userId)).failed_sign_ins).to.equal(2);
      expect((await signIn(app, user.username, PASSWORD)).status).to.equal(200);
      expect((await userRow(user.userId)).failed_sign_ins).to.equal(0);
      for (let i = 0; i < 2; i++) expect((await signIn(app, user.username, 'not it')).status).to.equal(401);
      expect((await signIn(app, user.username, PASSWORD)).status).to.equal(200);
      expect((await userRow(user.userId)).locked_until).to.equal(null);
    });
  });

  describe('sessions', () => {
    it('ends a session idle for longer than the timeout (default 30 minutes) and renews one in use', async () => {
      const user = await userWithPassword();
      const { cookie } = await signIn(app, user.username, PASSWORD);
      const hash = secretHash(cookie!.slice('smp_session='.length));
      const idle = (minutes: number) =>
        db.kysely
          .updateTable('auth_session')
          .set({ last_seen_at: sql<string>`now() - make_interval(mins => ${minutes})` })
          .where('session_hash', '=', hash)
          .execute();
      await idle(29);
      expect((await app.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
      const renewed = await sql<{ idle: number }>`select extract(epoch from now() - last_seen_at)::int as idle from auth_session
        where session_hash = ${hash}`.execute(db.kysely);
      expect(renewed.rows[0]!.idle).to.be.lessThan(5);
      await idle(31);
      const expired = await app.request('GET', '/api/auth/me', { cookie });
      expect(expired.status).to.equal(401);
      expect(expired.headers.get('content-type')).to.contain('application/problem+json');
    });

    it('takes the idle timeout from the configuration', async () => {
      const user = await userWithPassword();
      const short = await startTestServer(db, { sessionIdleMinutes: 5 });
      try {
        const { cookie } = await signIn(short, user.username, PASSWORD);
        await db.kysely
          .updateTable('auth_session')
          .set({ last_seen_at: sql<string>`now() - interval '6 minutes'` })
          .where('session_hash', '=', secretHash(cookie!.slice('smp_session='.length)))
          .execute();
        expect((await short.request('GET', '/api/auth/me', { cookie })).status).to.equal(401);
        expect((await app.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
      } finally {
        await short.close();
      }
    });

    it('ends a session 12 hours after signing in however busy, or after SMP_SESSION_MAX_HOURS', async () => {
      const user = await userWithPassword();
      const { cookie } = await signIn(app, user.username, PASSWORD);
      const hash = secretHash(cookie!.slice('smp_session='.length));
      // In use a moment ago, begun this many minutes ago.
      const begun = (minutes: number) =>
        db.kysely
          .updateTable('auth_session')
          .set({ created_at: sql<string>`now() - make_interval(mins => ${minutes})`, last_seen_at: sql<string>`now()` })
          .where('session_hash', '=', hash)
          .execute();
      await begun(12 * 60 - 1);
      expect((await app.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
      await begun(12 * 60 + 1);
      const ended = await app.request('GET', '/api/auth/me', { cookie });
      expect(ended.status).to.equal(401);
      expect(ended.headers.get('content-type')).to.contain('application/problem+json');

      const longer = await startTestServer(db, { sessionMaxHours: 13 });
      try {
        expect((await longer.request('GET', '/api/auth/me', { cookie })).status).to.equal(200);
        await begun(13 * 60 + 1);
        expect((await longer.request('GET', '/api/auth/me', { cookie })).status).to.equal(401);
      } finally {
        await longer.close();
      }
    });

    it('signs out: the session is revoked in the database and the cookie cleared', async () => {
      const user = await userWithPassword();
      const { cookie } = await signIn(app, user.username, PASSWORD);
      const out = await app.request('POST', '/api/auth/sign-out', { cookie });
      expect(out.status).to.equal(204);
      expect(out.headers.get('set-cookie')).to.match(/^smp_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
      const row = await db.kysely
        .selectFrom('auth_session')
        .select('revoked_at')
        .where('session_hash', '=', secretHash(cookie!.slice('smp_session='.length)))
        .executeTakeFirstOrThrow();
      expect(row.revoked_at).to.not.equal(null);
      expect((await app.request('GET', '/api/auth/me', { cookie })).status).to.equal(401);
    });

    it('ends the previous session of a browser that signs in again', async () => {
      const user = await userWithPassword();
      const first = await signIn(app, user.username, PASSWORD);
      const second = await app.request('POST', '/api/auth/sign-in', { body: { username: user.username, password: PASSWORD }, cookie: first.cookie });
      expect(second.status).to.equal(200);
      expect(second.cookie).to.not.equal(first.cookie);
      expect((await app.request('GET', '/api/auth/me', { cookie: first.cookie })).status).to.equal(401);
      expect((await app.request('GET', '/api/auth/me', { cookie: second.cookie })).status).to.equal(200);
    });
  });

  describe('the Origin check of cookie-authenticated changes', () => {
    let admin: TestUser;
    before(async () => {
      admin = await createTestUser(db, 'admin');
    });
    const createUserWith = (origin: string | null, cookie: string, n: number) =>
      app.request('POST', '/api/users', { body: { username: `origin-check-${n}`, role: 'reviewer', grants: [] }, cookie, origin });

    it('refuses a POST with the session cookie and no Origin, or another origin (403), and writes nothing', async () => {
      const none = await createUserWith(null, admin.cookie, 1);
      expect(none.status).to.equal(403);
      expect(none.body.detail).to.equal("a signed-in change must come from this site's own pages (Origin missing)");
      const other = await createUserWith('https://evil.example', admin.cookie, 2);
      expect(other.status).to.equal(403);
      expect(other.body.detail).to.contain('Origin https://evil.example');
      const users = await db.kysely.selectFrom('app_user').select('username').where('username', 'like', 'origin-check-%').execute();
      expect(users).to.deep.equal([]);
      // Signing out is a change too: another site cannot sign a visitor out.
      expect((await app.request('POST', '/api/auth/sign-out', { cookie: admin.cookie, origin: null })).status).to.equal(403);
    });

    it("accepts this site's own Origin, and SMP_PUBLIC_URL's", async () => {
      expect((await createUserWith(app.base, admin.cookie, 3)).status).to.equal(201);
      const proxied = await startTestServer(db, { publicUrl: 'https://smp.example.org/' });
      try {
        const reply = await proxied.request('POST', '/api/users', {
          body: { username: 'origin-check-4', role: 'reviewer' },
          cookie: admin.cookie,
          origin: 'https://smp.example.org',
        });
        expect(reply.status).to.equal(201);
      } finally {
        await proxied.close();
      }
    });

    it('needs no Origin with an API token, which a browser never sends by itself', async () => {
      const reply = await app.request('POST', '/api/users', { body: { username: 'origin-check-5', role: 'reviewer' }, headers: admin.headers, origin: null });
      expect(reply.status).to.equal(201);
    });
  });

  describe('API tokens', () => {
    let admin: TestUser;
    before(async () => {
      admin = await createTestUser(db, 'admin');
    });
    const newToken = async (username: string, body: unknown = {}) => {
      const reply = await app.request('POST', `/api/users/${username}/tokens`, { body, headers: admin.headers });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
      return reply.body as { id: number; token: string; expiresAt: string | null };
    };
    const asToken = (token: string, path = '/api/studies') => app.request('GET', path, { headers: { authorization: `Bearer ${token}` } });

    it('authenticates scripts, and stores only the hash of the token', async () => {
      const user = await createTestUser(db, 'researcher', [{ studyCode: 'AUTH-1', siteCode: null }]);
      const { token, expiresAt } = await newToken(user.username);
      expect(token).to.match(/^smp_[A-Za-z0-9_-]{43}$/);
      expect(expiresAt).to.equal(null);
      const reply = await asToken(token);
      expect(reply.status).to.equal(200);
      expect(reply.body.studies.map((s: { code: string }) => s.code)).to.deep.equal(['AUTH-1']);
      const stored = await everyStoredRow(db);
      expect(stored).to.not.contain(token);
      expect(stored).to.not.contain(token.slice(4));
      expect(stored).to.contain(secretHash(token).toString('hex'));
      const listed = await app.request('GET', `/api/users/${user.username}/tokens`, { headers: admin.headers });
      expect(JSON.stringify(listed.body)).to.not.contain(token.slice(4));
      expect(listed.body.tokens.at(-1)).to.include({ active: true, revokedAt: null });
      expect(listed.body.tokens.at(-1).lastUsedAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    });

    it('refuses a revoked token with 401', async () => {
      const user = await createTestUser(db, 'researcher');
      const { id, token } = await newToken(user.username);
      expect((await asToken(token)).status).to.equal(200);
      const revoked = await app.request('DELETE', `/api/users/${user.username}/tokens/${id}`, { headers: admin.headers });
      expect(revoked.status).to.equal(200);
      expect(revoked.body).to.include({ id, active: false });
      const refused = await asToken(token);
      expect(refused.status).to.equal(401);
      expect(refused.body.detail).to.equal('the API token is not valid (unknown, revoked or expired); create one with smp user token NAME');
    });

    it('refuses an expired token with 401', async () => {
      const user = await createTestUser(db, 'researcher');
      const { id, token, expiresAt } = await newToken(user.username, { expiresInDays: 30 });
      const days = (Date.parse(expiresAt!) - Date.now()) / 86_400_000;
      expect(days).to.be.within(29.99, 30.01);
      expect((await asToken(token)).status).to.equal(200);
      await db.kysely.updateTable('api_token').set({ expires_at: sql<string>`now() - interval '1 second'` }).where('token_id', '=', id).execute();
      expect((await asToken(token)).status).to.equal(401);
    });

    it('refuses unknown and malformed tokens with 401, even on public routes', async () => {
      expect((await asToken('smp_' + 'A'.repeat(43))).status).to.equal(401);
      expect((await asToken('not-a-token', '/api/health')).status).to.equal(401);
      expect((await app.request('GET', '/api/studies', { headers: { authorization: 'Basic abc' } })).status).to.equal(401);
    });
  });

  describe('one-time links', () => {
    const secretOf = (url: string) => new URL(url).hash.replace(/^#(invite|sign-in)=/, '');
    let admin: TestUser;
    before(async () => {
      admin = await createTestUser(db, 'admin');
    });
    async function invite(username: string) {
      const created = await createUser(db, commandLineChange(), { username, role: 'researcher', grants: [{ study: 'AUTH-1' }] }, app.base);
      return created.invite;
    }

    it('puts the secret in the fragment, which never reaches the server, and stores only its hash', async () => {
      const link = await invite('link-shape');
      expect(link.url).to.match(new RegExp(`^${app.base}/sign-in#invite=[A-Za-z0-9_-]{43}$`));
      const secret = secretOf(link.url);
      const stored = await everyStoredRow(db);
      expect(stored).to.not.contain(secret);
      expect(stored).to.contain(secretHash(secret).toString('hex'));
      const page = await app.request('GET', '/sign-in');
      expect(page.status).to.equal(200);
      expect(page.body).to.contain('<script type="module" src="/app.js"></script>');
    });

    it('accepts an invite once: it sets the password and signs in; a second use is refused', async () => {
      const link = await invite('invited-once');
      const secret = secretOf(link.url);
      const info = await app.request('POST', '/api/auth/link-info', { body: { link: secret } });
      expect(info.status).to.equal(200);
      expect(info.body).to.deep.equal({ username: 'invited-once', purpose: 'invite', expiresAt: link.expiresAt });

      const short = await app.request('POST', '/api/auth/invite', { body: { link: secret, password: 'too short' } });
      expect(short.status).to.equal(400);
      expect(short.body.problems).to.deep.equal([
        { path: 'password', message: 'is too short: at least 15 characters (it has 9); a few words make a good password' },
      ]);
      const username = await app.request('POST', '/api/auth/invite', { body: { link: secret, password: 'invited-once' } });
      expect(username.status).to.equal(400);
      // Refusing a password does not use up the link.
      const accepted = await app.request('POST', '/api/auth/invite', { body: { link: secret, password: PASSWORD } });
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      expect(accepted.body).to.include({ username: 'invited-once', role: 'researcher', passwordSet: true });
      expect((await app.request('GET', '/api/studies', { cookie: accepted.cookie })).status).to.equal(200);

      const again = await app.request('POST', '/api/auth/invite', { body: { link: secret, password: 'another long password here' } });
      expect(again.status).to.equal(401);
      expect(again.body.detail).to.contain('this link does not work');
      expect((await app.request('POST', '/api/auth/link-info', { body: { link: secret } })).status).to.equal(401);
      expect((await signIn(app, 'invited-once', PASSWORD)).status).to.equal(200);

      const audit = await app.request('GET', '/api/audit?entity=user', { headers: admin.headers });
      const entry = audit.body.items.find((e: { key: string; user: { username: string } }) => e.key === 'invited-once' && e.user.username === 'invited-once');
      expect(entry).to.deep.include({ action: 'update', before: { username: 'invited-once', role: 'researcher', disabled: false, passwordSet: false } });
      expect(entry.after).to.deep.equal({ username: 'invited-once', role: 'researcher', disabled: false, passwordSet: true, passwordChanged: true });
    });

    it('refuses an expired link, and one replaced by a newer link', async () => {
      const first = await invite('invited-late');
      await db.kysely
        .updateTable('sign_in_link')
        .set({ expires_at: sql<string>`now() - interval '1 second'` })
        .where('link_hash', '=', secretHash(secretOf(first.url)))
        .execute();
      expect((await app.request('POST', '/api/auth/invite', { body: { link: secretOf(first.url), password: PASSWORD } })).status).to.equal(401);

      const second = await app.request('POST', '/api/users/invited-late/invite', { headers: admin.headers });
      expect(second.status).to.equal(201);
      const third = await app.request('POST', '/api/users/invited-late/invite', { headers: admin.headers });
      expect((await app.request('POST', '/api/auth/invite', { body: { link: secretOf(second.body.url), password: PASSWORD } })).status).to.equal(401);
      expect((await app.request('POST', '/api/auth/invite', { body: { link: secretOf(third.body.url), password: PASSWORD } })).status).to.equal(200);
    });

    it('refuses a link used for the other purpose', async () => {
      const link = await invite('invited-purpose');
      expect((await app.request('POST', '/api/auth/sign-in-link', { body: { link: secretOf(link.url) } })).status).to.equal(401);
      expect((await app.request('POST', '/api/auth/invite', { body: { link: secretOf(link.url), password: PASSWORD } })).status).to.equal(200);
    });

    it('uses two concurrent redemptions of one link exactly once', async () => {
      const link = await invite('invited-race');
      const secret = secretOf(link.url);
      const replies = await Promise.all([1, 2, 3].map((n) => app.request('POST', '/api/auth/invite', { body: { link: secret, password: `${PASSWORD} ${n}` } })));
      expect(replies.map((r) => r.status).sort()).to.deep.equal([200, 401, 401]);
    });
  });

  describe('setting a password', () => {
    it('needs the current password when there is one; the other sessions end, this one stays', async () => {
      const user = await userWithPassword();
      const mine = (await signIn(app, user.username, PASSWORD)).cookie!;
      const other = (await signIn(app, user.username, PASSWORD, null)).cookie!;
      const missing = await app.request('POST', '/api/auth/password', { body: { newPassword: 'a brand new long password' }, cookie: mine });
      expect(missing.status).to.equal(400);
      expect(missing.body.problems).to.deep.equal([{ path: 'currentPassword', message: 'is required to change a password' }]);
      const wrong = await app.request('POST', '/api/auth/password', { body: { currentPassword: 'nope', newPassword: 'a brand new long password' }, cookie: mine });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.problems).to.deep.equal([{ path: 'currentPassword', message: 'is not your current password' }]);
      expect((await userRow(user.userId)).failed_sign_ins).to.equal(1);

      const changed = await app.request('POST', '/api/auth/password', {
        body: { currentPassword: PASSWORD, newPassword: 'a brand new long password' },
        cookie: mine,
      });
      expect(changed.status).to.equal(204);
      expect((await app.request('GET', '/api/auth/me', { cookie: mine })).status).to.equal(200);
      expect((await app.request('GET', '/api/auth/me', { cookie: other })).status).to.equal(401);
      expect((await signIn(app, user.username, PASSWORD)).status).to.equal(401);
      expect((await signIn(app, user.username, 'a brand new long password')).status).to.equal(200);
      expect((await everyStoredRow(db))).to.not.contain('a brand new long password');
    });
  });

  describe('rate limits (per client address, failures only)', () => {
    // The documented limit (api/README.md, "Rate limit"): 10 failures within 5 minutes.
    const FAILED_ATTEMPTS_PER_WINDOW = 10;
    it(`answers 429 problem+json after ${FAILED_ATTEMPTS_PER_WINDOW} failed sign-ins, even for the right password`, async () => {
      const user = await userWithPassword();
      // A success does not count.
      expect((await signIn(app, user.username, PASSWORD)).status).to.equal(200);
      const replies: Reply[] = [];
      for (let i = 0; i < FAILED_ATTEMPTS_PER_WINDOW; i++) replies.push(await signIn(app, `unknown-${i}`, PASSWORD));
      expect(replies.map((r) => r.status)).to.deep.equal(Array(FAILED_ATTEMPTS_PER_WINDOW).fill(401));
      const refused = await signIn(app, user.username, PASSWORD);
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('content-type')).to.contain('application/problem+json');
      expect(refused.body).to.deep.include({ status: 429, title: 'too many requests', detail: 'too many failed sign-ins from your address; try again in 5 minutes' });
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 300);
      expect(refused.cookie).to.equal(undefined);
      // Other routes are not limited.
      expect((await app.request('GET', '/api/auth/me', { headers: user.headers })).status).to.equal(200);
    });

    it(`answers 429 after ${FAILED_ATTEMPTS_PER_WINDOW} failed uses of one-time links`, async () => {
      for (let i = 0; i < FAILED_ATTEMPTS_PER_WINDOW; i++) {
        const path = ['/api/auth/invite', '/api/auth/sign-in-link', '/api/auth/link-info'][i % 3]!;
        const reply = await app.request('POST', path, { body: { link: `${'x'.repeat(40)}${i}`, password: PASSWORD } });
        expect(reply.status, path).to.be.oneOf([400, 401]);
      }
      const refused = await app.request('POST', '/api/auth/sign-in-link', { body: { link: 'y'.repeat(43) } });
      expect(refused.status).to.equal(429);
      expect(refused.body.detail).to.equal('too many failed uses of one-time links from your address; try again in 5 minutes');
    });
  });
});
