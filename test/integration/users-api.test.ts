// /api/users and /api/audit on the real app and database: administrators manage users, grants,
// tokens and invites; every other role gets 403 on every route; each change is audited in its
// transaction, with no secret in the trail.
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { everyStoredRow, startTestServer, type TestServer } from '../support/http-client.ts';
import { createTestUser, type TestUser } from '../support/users.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { secretHash } from '../../api/services/auth-service.ts';

describe(`users API (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let app: TestServer;
  let admin: TestUser;
  const as = (user: TestUser) => ({ headers: user.headers });
  const auditCount = async () => Number((await db.kysely.selectFrom('audit_event').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  before(async () => {
    db = await freshDb();
    await importBundle(db, smallBundle('USR-1'));
    await importBundle(db, smallBundle('USR-2'));
    admin = await createTestUser(db, 'admin');
    app = await startTestServer(db);
  });
  after(async () => {
    await app?.close();
    await db?.dispose();
  });

  const createUserReply = (body: unknown, user = admin) => app.request('POST', '/api/users', { body, ...as(user) });

  describe('who may', () => {
    // Every route of the users API, with a request that would succeed for an administrator.
    const routes: Array<[method: string, path: string, body?: unknown]> = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'never-created', role: 'reviewer' }],
      ['GET', '/api/users/target'],
      ['PATCH', '/api/users/target', { role: 'reviewer' }],
      ['POST', '/api/users/target/grants', { study: 'USR-1' }],
      ['DELETE', '/api/users/target/grants/USR-2'],
      ['DELETE', '/api/users/target/grants/USR-1/LON'],
      ['GET', '/api/users/target/tokens'],
      ['POST', '/api/users/target/tokens', {}],
      ['DELETE', '/api/users/target/tokens/TOKEN'],
      ['POST', '/api/users/target/invite'],
      ['GET', '/api/audit'],
    ];
    let others: TestUser[];
    let tokenId: number;
    const pathOf = (path: string) => path.replace('TOKEN', String(tokenId));
    before(async () => {
      await createTestUser(db, 'clinic', [{ studyCode: 'USR-1', siteCode: 'LON' }, { studyCode: 'USR-2', siteCode: null }], 'target');
      tokenId = (await app.request('POST', '/api/users/target/tokens', { body: {}, ...as(admin) })).body.id;
      others = [
        await createTestUser(db, 'researcher', [{ studyCode: 'USR-1', siteCode: null }]),
        await createTestUser(db, 'clinic', [{ studyCode: 'USR-1', siteCode: 'LON' }]),
        await createTestUser(db, 'reviewer', [{ studyCode: 'USR-1', siteCode: null }]),
      ];
    });

    for (const [method, path, body] of routes) {
      it(`${method} ${path}: 401 signed out, 403 for researcher, clinic and reviewer; nothing written`, async () => {
        const before = await auditCount();
        const headers: Record<string, string> = method === 'PATCH' ? { 'if-match': '"1"' } : {};
        const anonymous = await app.request(method, pathOf(path), { body, headers });
        expect(anonymous.status).to.equal(401);
        for (const user of others) {
          const reply = await app.request(method, pathOf(path), { body, headers: { ...user.headers, ...headers } });
          expect(reply.status, `${user.role}: ${JSON.stringify(reply.body)}`).to.equal(403);
          expect(reply.headers.get('content-type')).to.contain('application/problem+json');
          expect(reply.body.detail).to.match(/^only an administrator may /);
        }
        expect(await auditCount()).to.equal(before);
      });
    }

    it('lets an administrator do each of them', async () => {
      const statuses: number[] = [];
      for (const [method, path, body] of routes) {
        let headers: Record<string, string> = { ...admin.headers };
        if (method === 'PATCH') headers = { ...headers, 'if-match': `"${(await app.request('GET', '/api/users/target', as(admin))).body.version}"` };
        const reply = await app.request(method, pathOf(path), { body, headers });
        statuses.push(reply.status);
      }
      expect(statuses).to.deep.equal([200, 201, 200, 409, 201, 200, 200, 200, 201, 200, 201, 200]);
    });
  });

  describe('creating users', () => {
    it('creates a clinic user with grants in order and answers an invite link; audits the user and each grant', async () => {
      const before = await auditCount();
      const reply = await createUserReply({
        username: 'clinic.lon',
        role: 'clinic',
        grants: [{ study: 'USR-2' }, { study: 'USR-1', site: 'LON' }, { study: 'USR-1', site: 'MAN' }],
      });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
      expect(reply.headers.get('location')).to.equal('/api/users/clinic.lon');
      expect(reply.body.user).to.deep.include({
        username: 'clinic.lon',
        role: 'clinic',
        grants: [{ study: 'USR-1', site: 'LON' }, { study: 'USR-1', site: 'MAN' }, { study: 'USR-2', site: null }],
        passwordSet: false,
        lockedUntil: null,
        disabledAt: null,
        activeTokens: 0,
      });
      const { invite } = reply.body;
      expect(invite.purpose).to.equal('invite');
      expect(invite.url).to.match(new RegExp(`^${app.base}/sign-in#invite=[A-Za-z0-9_-]{43}$`));
      expect((Date.parse(invite.expiresAt) - Date.now()) / 86_400_000).to.be.within(6.99, 7.01);

      expect(await auditCount()).to.equal(before + 4);
      const audit = await app.request('GET', '/api/audit?limit=4', as(admin));
      expect(audit.body.items.map((e: { entity: string; key: string; action: string }) => `${e.action} ${e.entity} ${e.key}`)).to.deep.equal([
        'create grant clinic.lon/USR-1/MAN',
        'create grant clinic.lon/USR-1/LON',
        'create grant clinic.lon/USR-2',
        'create user clinic.lon',
      ]);
      const grantRows = await db.kysely.selectFrom('audit_event').select(['study_code', 'site_codes']).where('entity', '=', 'grant').where('entity_key', 'like', 'clinic.lon/%').execute();
      expect(grantRows.map((r) => r.study_code).sort()).to.deep.equal(['USR-1', 'USR-1', 'USR-2']);
      expect(audit.body.items[3]).to.deep.include({
        user: { username: admin.username, role: 'admin' },
        before: null,
        after: { username: 'clinic.lon', role: 'clinic', disabled: false, passwordSet: false, inviteExpiresAt: invite.expiresAt },
      });
      const secret = invite.url.split('#invite=')[1];
      const trail = JSON.stringify(await db.kysely.selectFrom('audit_event').selectAll().execute());
      expect(trail).to.not.contain(secret);
      expect(trail).to.not.contain(secretHash(secret).toString('hex'));
      expect(await everyStoredRow(db)).to.not.contain(secret);
    });

    it('points links at SMP_PUBLIC_URL when it is set', async () => {
      const behindProxy = await startTestServer(db, { publicUrl: 'https://smp.example.org' });
      try {
        const reply = await behindProxy.request('POST', '/api/users', { body: { username: 'proxied', role: 'reviewer' }, ...as(admin) });
        expect(reply.body.invite.url).to.match(/^https:\/\/smp\.example\.org\/sign-in#invite=/);
      } finally {
        await behindProxy.close();
      }
    });

    const refusals: Array<[what: string, body: unknown, status: number, problems: Array<{ path: string; message: string }>]> = [
      ['an invalid username', { username: 'Bad Name', role: 'clinic' }, 400, [
        { path: 'username', message: '"Bad Name" is not a valid username (1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit)' },
      ]],
      ['an unknown role', { username: 'x1', role: 'superuser' }, 400, [{ path: 'role', message: '"superuser" is not a role: use admin, researcher, clinic or reviewer' }]],
      ['an unknown study', { username: 'x2', role: 'researcher', grants: [{ study: 'NOPE-9' }] }, 400, [{ path: 'grants[0].study', message: 'study NOPE-9 does not exist' }]],
      ['an unknown site', { username: 'x3', role: 'clinic', grants: [{ study: 'USR-1' }, { study: 'USR-1', site: 'XYZ' }] }, 400, [
        { path: 'grants[1].site', message: 'study USR-1 has no site XYZ (its sites: LON, MAN)' },
      ]],
      ['a site for a researcher', { username: 'x4', role: 'researcher', grants: [{ study: 'USR-1', site: 'LON' }] }, 400, [
        { path: 'grants[0].site', message: 'a researcher reaches the whole study; sites are granted to clinic users only' },
      ]],
      ['a grant for an administrator', { username: 'x5', role: 'admin', grants: [{ study: 'USR-1' }] }, 400, [
        { path: 'grants[0].study', message: 'an administrator reaches every study and takes no grants' },
      ]],
      ['an existing username', { username: 'clinic.lon', role: 'clinic' }, 409, [{ path: 'username', message: 'user clinic.lon already exists' }]],
      ['an unknown field', { username: 'x6', role: 'clinic', password: 'no' }, 400, [{ path: 'password', message: 'is not a field of this format' }]],
    ];
    for (const [what, body, status, problems] of refusals) {
      it(`refuses ${what} (${status}) and writes nothing`, async () => {
        const users = await db.kysely.selectFrom('app_user').select('user_id').execute();
        const before = await auditCount();
        const reply = await createUserReply(body);
        expect(reply.status).to.equal(status);
        expect(reply.body.problems).to.deep.equal(problems);
        expect(await db.kysely.selectFrom('app_user').select('user_id').execute()).to.have.length(users.length);
        expect(await auditCount()).to.equal(before);
      });
    }
  });

  describe('changing users', () => {
    const version = async (username: string) => (await app.request('GET', `/api/users/${username}`, as(admin))).headers.get('etag')!;
    const patch = (username: string, body: unknown, etag?: string) =>
      app.request('PATCH', `/api/users/${username}`, { body, headers: { ...admin.headers, ...(etag ? { 'if-match': etag } : {}) } });

    it('changes a role with If-Match: 428 without it, 412 when stale, then 200 with a new ETag', async () => {
      await createUserReply({ username: 'changing', role: 'reviewer', grants: [{ study: 'USR-1' }] });
      const etag = await version('changing');
      expect(etag).to.match(/^"\d+"$/);
      expect((await patch('changing', { role: 'researcher' })).status).to.equal(428);
      expect((await patch('changing', { role: 'researcher' }, '"1"')).status).to.equal(412);
      const changed = await patch('changing', { role: 'researcher' }, etag);
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expect(changed.body.role).to.equal('researcher');
      expect(changed.headers.get('etag')).to.not.equal(etag);
      expect((await patch('changing', { role: 'clinic' }, etag)).status).to.equal(412);
      const audit = await app.request('GET', '/api/audit?limit=1', as(admin));
      expect(audit.body.items[0]).to.deep.include({
        action: 'update',
        key: 'changing',
        before: { username: 'changing', role: 'reviewer', disabled: false, passwordSet: false, lockedUntil: null },
        after: { username: 'changing', role: 'researcher', disabled: false, passwordSet: false, lockedUntil: null },
      });
    });

    it('refuses a role that cannot hold the user’s site grants (409)', async () => {
      const reply = await patch('clinic.lon', { role: 'researcher' }, await version('clinic.lon'));
      expect(reply.status).to.equal(409);
      expect(reply.body.detail).to.equal("a researcher reaches whole studies; first revoke clinic.lon's site grants (USR-1/LON, USR-1/MAN)");
    });

    it('disables a user, revoking sessions and tokens, and enables them again', async () => {
      const user = await createTestUser(db, 'researcher', [{ studyCode: 'USR-1', siteCode: null }]);
      expect((await app.request('GET', '/api/studies', as(user))).status).to.equal(200);
      const disabled = await patch(user.username, { disabled: true }, await version(user.username));
      expect(disabled.status).to.equal(200);
      expect(disabled.body.disabledAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(disabled.body.activeTokens).to.equal(0);
      expect((await app.request('GET', '/api/studies', as(user))).status).to.equal(401);
      expect((await app.request('GET', '/api/studies', { cookie: user.cookie })).status).to.equal(401);
      const audit = await app.request('GET', '/api/audit?limit=1', as(admin));
      expect(audit.body.items[0].after).to.deep.include({ disabled: true, sessionsRevoked: 1, tokensRevoked: 1 });
      expect((await app.request('POST', `/api/users/${user.username}/tokens`, { body: {}, ...as(admin) })).status).to.equal(409);

      const enabled = await patch(user.username, { disabled: false }, await version(user.username));
      expect(enabled.body.disabledAt).to.equal(null);
      // Revoked credentials stay revoked.
      expect((await app.request('GET', '/api/studies', as(user))).status).to.equal(401);
    });

    it('keeps at least one enabled administrator', async () => {
      const onlyAdmins = await db.kysely.selectFrom('app_user').select('username').where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
      expect(onlyAdmins.map((u) => u.username)).to.deep.equal([admin.username]);
      const demote = await patch(admin.username, { role: 'researcher' }, await version(admin.username));
      expect(demote.status).to.equal(409);
      expect(demote.body.problems).to.deep.equal([
        { path: 'role', message: `${admin.username} is the last enabled administrator; make another user an administrator first` },
      ]);
      expect((await patch(admin.username, { disabled: true }, await version(admin.username))).status).to.equal(409);
      await createUserReply({ username: 'second-admin', role: 'admin' });
      const demoteSecond = await patch('second-admin', { role: 'reviewer' }, await version('second-admin'));
      expect(demoteSecond.status).to.equal(200);
    });

    it('ends a lock', async () => {
      await db.kysely.updateTable('app_user').set({ failed_sign_ins: 2, locked_until: new Date(Date.now() + 600_000).toISOString() }).where('username', '=', 'changing').execute();
      expect((await app.request('GET', '/api/users/changing', as(admin))).body.lockedUntil).to.match(/Z$/);
      const unlocked = await patch('changing', { unlock: true }, await version('changing'));
      expect(unlocked.body.lockedUntil).to.equal(null);
    });

    it('answers 404 for an unknown user', async () => {
      const reply = await app.request('GET', '/api/users/nobody', as(admin));
      expect(reply.status).to.equal(404);
      expect(reply.body.detail).to.equal('user nobody does not exist (smp user list shows every user)');
    });
  });

  describe('grants', () => {
    it('grants a study, which the user then reaches, and revokes it', async () => {
      const user = await createTestUser(db, 'researcher');
      const studies = async () => (await app.request('GET', '/api/studies', as(user))).body.studies.map((s: { code: string }) => s.code);
      expect(await studies()).to.deep.equal([]);
      const granted = await app.request('POST', `/api/users/${user.username}/grants`, { body: { study: 'USR-2' }, ...as(admin) });
      expect(granted.status).to.equal(201);
      expect(granted.body.grants).to.deep.equal([{ study: 'USR-2', site: null }]);
      expect(await studies()).to.deep.equal(['USR-2']);
      const again = await app.request('POST', `/api/users/${user.username}/grants`, { body: { study: 'USR-2' }, ...as(admin) });
      expect(again.status).to.equal(200);
      const revoked = await app.request('DELETE', `/api/users/${user.username}/grants/USR-2`, as(admin));
      expect(revoked.status).to.equal(200);
      expect(revoked.body.grants).to.deep.equal([]);
      expect(await studies()).to.deep.equal([]);
      const missing = await app.request('DELETE', `/api/users/${user.username}/grants/USR-2`, as(admin));
      expect(missing.status).to.equal(404);
      expect(missing.body.detail).to.equal(`${user.username} has no grant of USR-2 (their grants: none)`);
      const audit = await app.request('GET', '/api/audit?entity=grant&limit=2', as(admin));
      expect(audit.body.items.map((e: { action: string; key: string }) => `${e.action} ${e.key}`)).to.deep.equal([
        `delete ${user.username}/USR-2`,
        `create ${user.username}/USR-2`,
      ]);
    });

    it('refuses an unknown study or site with the field named', async () => {
      const study = await app.request('POST', '/api/users/clinic.lon/grants', { body: { study: 'NOPE-1' }, ...as(admin) });
      expect(study.status).to.equal(400);
      expect(study.body.problems).to.deep.equal([{ path: 'study', message: 'study NOPE-1 does not exist' }]);
      const site = await app.request('POST', '/api/users/clinic.lon/grants', { body: { study: 'USR-2', site: 'LDS' }, ...as(admin) });
      expect(site.body.problems).to.deep.equal([{ path: 'site', message: 'study USR-2 has no site LDS (its sites: LON, MAN)' }]);
    });
  });

  it('describes every sign-in and users route in the OpenAPI document', async () => {
    const { authRoutes } = await import('../../api/routes/auth.ts');
    const { userRoutes } = await import('../../api/routes/users.ts');
    const document = (await app.request('GET', '/api/openapi.json')).body;
    for (const route of [...authRoutes, ...userRoutes]) {
      const operation = document.paths[`/api${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`]?.[route.method];
      expect(operation?.operationId, `${route.method} ${route.path}`).to.equal(route.operationId);
      if (route.auth === 'user' && route.tag === 'Users') expect(operation.responses).to.have.property('403');
    }
  });

  describe('the audit listing', () => {
    it('pages newest first and filters by entity and user', async () => {
      const first = await app.request('GET', '/api/audit?limit=2', as(admin));
      expect(first.body.items).to.have.length(2);
      const second = await app.request('GET', `/api/audit?limit=2&cursor=${first.body.nextCursor}`, as(admin));
      expect(Number(second.body.items[0].id)).to.be.lessThan(Number(first.body.items[1].id));
      const tokens = await app.request('GET', '/api/audit?entity=api_token', as(admin));
      expect(tokens.body.items.length).to.be.greaterThan(0);
      expect(tokens.body.items.every((e: { entity: string }) => e.entity === 'api_token')).to.equal(true);
      const byUser = await app.request('GET', `/api/audit?user=${admin.username}&limit=1000`, as(admin));
      expect(byUser.body.items.every((e: { user: { username: string } }) => e.user.username === admin.username)).to.equal(true);
      const bad = await app.request('GET', '/api/audit?entity=participant', as(admin));
      expect(bad.status).to.equal(400);
      expect(bad.body.problems[0].path).to.equal('query.entity');
    });
  });
});
