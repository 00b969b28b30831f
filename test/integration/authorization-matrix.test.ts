// Who may do what, table-driven: every role × every declared route × own site, another site of
// the same study, and another study. Each case prepares its own target just before it runs (as
// an administrator), so that an allowed call must truly succeed. A route without a case here
// fails the test: new routes cannot skip the matrix.
import { expect } from 'chai';
import { sql } from 'kysely';
import { apiRoutes } from '../../api/routes/index.ts';
import { hashPassword } from '../../api/services/password.ts';
import { issueLink } from '../../api/services/sign-in-links.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { secretHash } from '../../api/services/auth-service.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

type Role = 'anonymous' | 'admin' | 'researcher' | 'clinic' | 'reviewer';
type Scope = 'own' | 'otherSite' | 'otherStudy';
const ROLES: Role[] = ['anonymous', 'admin', 'researcher', 'clinic', 'reviewer'];
const SCOPES: Scope[] = ['own', 'otherSite', 'otherStudy'];

/** The study and site a scope points at: the clinic user is granted MAT-A at site LON. */
const TARGET: Record<Scope, { study: string; site: string }> = {
  own: { study: 'MAT-A', site: 'LON' },
  otherSite: { study: 'MAT-A', site: 'MAN' },
  otherStudy: { study: 'MAT-B', site: 'LON' },
};

/**
 * What kind of access a route needs, which decides the expected status:
 * - public: anyone;
 * - self: anyone signed in, about themselves;
 * - studyRead: anyone in the study;
 * - siteFilteredRead: anyone in the study, of one site's participants: a clinic only of its own (403 elsewhere);
 * - participantRead / participantWrite: the participant's site must be reachable (404 otherwise);
 * - enrol: a clinic enrols only at its own sites (403 elsewhere);
 * - studyWrite: administrators and researchers;
 * - auditRead: everyone in the study but reviewers;
 * - adminOnly: administrators;
 * - importReplace: administrators, and researchers for their own studies;
 * - ownTokens: anyone signed in whose role may create API tokens of their own (administrators, researchers).
 */
type Access =
  | 'public'
  | 'self'
  | 'studyRead'
  | 'siteFilteredRead'
  | 'participantRead'
  | 'participantWrite'
  | 'enrol'
  | 'studyWrite'
  | 'auditRead'
  | 'adminOnly'
  | 'importReplace'
  | 'ownTokens';

interface Prepared {
  path: string;
  body?: unknown;
  ifMatch?: string;
  reason?: string;
  /** Call with this sign-in session cookie (and this site's Origin) instead of the role's API token. */
  sessionCookie?: string;
}

interface Case {
  access: Access;
  /** Success status when allowed. */
  ok: number;
  /** Whether the scope's site matters (participant-level routes); otherwise otherSite = own. */
  bySite?: boolean;
  /** A route naming no study (the study list): only the own scope applies. */
  unscoped?: boolean;
  prepare(scope: Scope, role: Role): Promise<Prepared>;
}

function expectedStatus(c: Case, role: Role, scope: Scope): number {
  if (c.access === 'public') return c.ok;
  if (role === 'anonymous') return 401;
  if (c.access === 'self') return c.ok;
  if (role === 'admin') return c.ok;
  if (c.access === 'adminOnly') return 403;
  if (c.access === 'ownTokens') return role === 'researcher' ? c.ok : 403;
  if (c.access === 'importReplace') return role === 'researcher' && scope !== 'otherStudy' ? c.ok : 403;
  if (scope === 'otherStudy') return 404;
  const otherSite = scope === 'otherSite' && c.bySite === true;
  switch (c.access) {
    case 'studyRead':
      return c.ok;
    case 'siteFilteredRead':
      return role === 'clinic' && otherSite ? 403 : c.ok;
    case 'participantRead':
      return role === 'clinic' && otherSite ? 404 : c.ok;
    case 'participantWrite':
      if (role === 'reviewer') return 403;
      return role === 'clinic' && otherSite ? 404 : c.ok;
    case 'enrol':
      if (role === 'reviewer') return 403;
      return role === 'clinic' && otherSite ? 403 : c.ok;
    case 'studyWrite':
      return role === 'researcher' ? c.ok : 403;
    case 'auditRead':
      return role === 'reviewer' ? 403 : c.ok;
    default: {
      const unknown: never = c.access;
      throw new Error(`unknown access ${String(unknown)}`);
    }
  }
}

describe(`authorization matrix (${DRIVER})`, function () {
  this.timeout(300_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  const clients = {} as Record<Role, ApiClient>;
  const users = {} as Record<Exclude<Role, 'anonymous'>, TestUser>;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}${++counter}`;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    users.admin = await createTestUser(db, 'admin');
    admin = apiClient(server.base, users.admin.headers);
    for (const code of ['MAT-A', 'MAT-B']) expect((await admin.post('/studies', smallBundle(code))).status).to.equal(201);
    clients.anonymous = apiClient(server.base);
    clients.admin = admin;
    users.researcher = await createTestUser(db, 'researcher', [{ studyCode: 'MAT-A', siteCode: null }]);
    users.clinic = await createTestUser(db, 'clinic', [{ studyCode: 'MAT-A', siteCode: 'LON' }]);
    users.reviewer = await createTestUser(db, 'reviewer', [{ studyCode: 'MAT-A', siteCode: null }]);
    for (const role of ['researcher', 'clinic', 'reviewer'] as const) clients[role] = apiClient(server.base, users[role].headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  /** The name a role uses for a participant or practitioner: the pseudonym for reviewers. */
  async function nameFor(role: Role, table: 'participant' | 'practitioner', study: string, code: string): Promise<string> {
    if (role !== 'reviewer') return code;
    const { rows } = await sql<{ pseudonym: string }>`
      select t.pseudonym from ${sql.table(table)} t join study s on s.study_id = t.study_id
      where s.code = ${study} and t.code = ${code}`.execute(db.kysely);
    const row = rows[0]!;
    return row.pseudonym;
  }

  /** A new participant at the scope's site, enrolled by the administrator; optionally with one session. */
  async function freshParticipant(scope: Scope, withSession = false) {
    const { study, site } = TARGET[scope];
    const code = unique('M');
    const created = await admin.post(`/studies/${study}/participants`, {
      code,
      site,
      sex: 'male',
      birthYear: 1980,
      indication: 'scar',
      keloidHistory: false,
      enrolledOn: '2020-01-01',
    });
    expect(created.status, 'preparing a participant').to.equal(201);
    if (withSession) {
      const practitioner = site === 'LON' ? 'PR-A' : 'PR-B';
      const made = await admin.post(`/studies/${study}/participants/${code}/sessions`, {
        kind: 'initial', date: '2020-01-02', durationMinutes: 90, practitioner, pigmentLot: 'L1', anesthesia: 'none',
      });
      expect(made.status, 'preparing a session').to.equal(201);
    }
    return { study, code, version: created.etag! };
  }

  async function participantPath(scope: Scope, role: Role, withSession = false) {
    const p = await freshParticipant(scope, withSession);
    return { ...p, path: `/studies/${p.study}/participants/${await nameFor(role, 'participant', p.study, p.code)}` };
  }

  /** A participant with one record of `segment`, and that record's path and version. */
  async function withRecord(scope: Scope, role: Role, segment: string, body: unknown) {
    const p = await participantPath(scope, role, true);
    if (segment === 'sessions') {
      const read = await admin.get(`/studies/${p.study}/participants/${p.code}/sessions/1`);
      return { path: `${p.path}/sessions/1`, ifMatch: read.etag! };
    }
    const created = await admin.post(`/studies/${p.study}/participants/${p.code}/${segment}`, body);
    expect(created.status, `preparing ${segment}`).to.equal(201);
    return { path: `${p.path}/${segment}/${created.body.no}`, ifMatch: created.etag! };
  }

  /** A user the administrator creates, and the secret of their invite link. */
  async function freshUser(role = 'reviewer', grants: Array<{ study: string; site?: string }> = []) {
    const username = unique('user-');
    const created = await admin.post('/users', { username, role, grants });
    expect(created.status, 'preparing a user').to.equal(201);
    return { username, version: created.body.user.version as string, invite: (created.body.invite.url as string).split('#invite=')[1]! };
  }

  const event = { category: 'other', term: 'Itch', onsetDate: '2020-01-03', grade: 1, serious: false, relatedness: 'unlikely', outcome: 'recovered' };
  const assessment = { date: '2020-06-01', grade: 0, assessor: 'clinician' };
  const survey = { date: '2020-06-01', satisfaction: 5 };
  const recordBodies: Record<string, { create: unknown; patch: unknown }> = {
    sessions: {
      create: { kind: 'touch_up', date: '2020-02-01', durationMinutes: 60, practitioner: 'PR-A', pigmentLot: 'L2', anesthesia: 'none' },
      patch: { durationMinutes: 75 },
    },
    'adverse-events': { create: event, patch: { grade: 2 } },
    'fading-assessments': { create: assessment, patch: { grade: 1 } },
    surveys: { create: survey, patch: { satisfaction: 4 } },
  };

  const cases: Record<string, Case> = {
    'GET /health': { access: 'public', ok: 200, prepare: async () => ({ path: '/health' }) },
    'GET /openapi.json': { access: 'public', ok: 200, prepare: async () => ({ path: '/openapi.json' }) },
    'GET /studies': { access: 'studyRead', ok: 200, unscoped: true, prepare: async () => ({ path: '/studies' }) },
    'POST /studies': {
      access: 'importReplace',
      ok: 200,
      prepare: async (scope) => ({ path: '/studies?replace=true', body: smallBundle(TARGET[scope].study) }),
    },
    'GET /studies/:code': { access: 'studyRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}` }) },
    'PATCH /studies/:code': {
      access: 'studyWrite',
      ok: 200,
      prepare: async (s) => {
        const read = await admin.get(`/studies/${TARGET[s].study}`);
        return { path: `/studies/${TARGET[s].study}`, body: { title: `Retitled ${unique('T')}` }, ifMatch: read.etag! };
      },
    },
    'DELETE /studies/:code': {
      access: 'adminOnly',
      ok: 204,
      prepare: async () => {
        const code = `MAT-${unique('X')}`;
        expect((await admin.post('/studies', smallBundle(code))).status).to.equal(201);
        return { path: `/studies/${code}`, ifMatch: (await admin.get(`/studies/${code}`)).etag! };
      },
    },
    'GET /studies/:code/bundle': { access: 'studyRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/bundle` }) },
    'GET /studies/:code/export': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/export?format=csv` }),
    },
    'GET /studies/:code/analysis': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/analysis?by=site` }),
    },
    'GET /studies/:code/charts': {
      access: 'siteFilteredRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/charts?site=${TARGET[s].site}` }),
    },
    'GET /studies/:code/report': {
      access: 'siteFilteredRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/report?site=${TARGET[s].site}&indication=scar` }),
    },
    'GET /studies/:code/adverse-events/rates': {
      access: 'siteFilteredRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/adverse-events/rates?by=site&site=${TARGET[s].site}` }),
    },
    'GET /studies/:code/sites': { access: 'studyRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/sites` }) },
    'POST /studies/:code/sites': {
      access: 'studyWrite',
      ok: 201,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/sites`, body: { code: unique('S'), name: 'New clinic' } }),
    },
    'GET /studies/:code/sites/:siteCode': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/sites/${TARGET[s].site}` }),
    },
    'PATCH /studies/:code/sites/:siteCode': {
      access: 'studyWrite',
      ok: 200,
      prepare: async (s) => {
        const path = `/studies/${TARGET[s].study}/sites/${TARGET[s].site}`;
        return { path, body: { name: `Clinic ${unique('N')}` }, ifMatch: (await admin.get(path)).etag! };
      },
    },
    'DELETE /studies/:code/sites/:siteCode': {
      access: 'studyWrite',
      ok: 204,
      prepare: async (s) => {
        const created = await admin.post(`/studies/${TARGET[s].study}/sites`, { code: unique('S'), name: 'Short-lived clinic' });
        return { path: `/studies/${TARGET[s].study}/sites/${created.body.code}`, ifMatch: created.etag! };
      },
    },
    'GET /studies/:code/practitioners': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/practitioners` }),
    },
    'POST /studies/:code/practitioners': {
      access: 'studyWrite',
      ok: 201,
      prepare: async (s) => ({
        path: `/studies/${TARGET[s].study}/practitioners`,
        body: { code: unique('PR'), site: TARGET[s].site, yearsExperience: 1 },
      }),
    },
    'GET /studies/:code/practitioners/:practitionerCode': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s, role) => ({
        path: `/studies/${TARGET[s].study}/practitioners/${await nameFor(role, 'practitioner', TARGET[s].study, 'PR-A')}`,
      }),
    },
    'PATCH /studies/:code/practitioners/:practitionerCode': {
      access: 'studyWrite',
      ok: 200,
      prepare: async (s) => {
        const path = `/studies/${TARGET[s].study}/practitioners/PR-A`;
        return { path, body: { yearsExperience: 6 + counter++ / 100 }, ifMatch: (await admin.get(path)).etag! };
      },
    },
    'DELETE /studies/:code/practitioners/:practitionerCode': {
      access: 'studyWrite',
      ok: 204,
      prepare: async (s) => {
        const created = await admin.post(`/studies/${TARGET[s].study}/practitioners`, { code: unique('PR'), site: 'LON', yearsExperience: 1 });
        return { path: `/studies/${TARGET[s].study}/practitioners/${created.body.code}`, ifMatch: created.etag! };
      },
    },
    'GET /studies/:code/participants': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/participants` }),
    },
    'POST /studies/:code/participants': {
      access: 'enrol',
      ok: 201,
      bySite: true,
      prepare: async (s) => ({
        path: `/studies/${TARGET[s].study}/participants`,
        body: { code: unique('N'), site: TARGET[s].site, sex: 'female', birthYear: 1990, indication: 'scar', keloidHistory: false, enrolledOn: '2021-01-01' },
      }),
    },
    'GET /studies/:code/participants/:participantCode': {
      access: 'participantRead',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: (await participantPath(s, role)).path }),
    },
    'PATCH /studies/:code/participants/:participantCode': {
      access: 'participantWrite',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => {
        const p = await participantPath(s, role);
        return { path: p.path, body: { costUsd: 2500 }, ifMatch: p.version };
      },
    },
    'DELETE /studies/:code/participants/:participantCode': {
      access: 'participantWrite',
      ok: 204,
      bySite: true,
      prepare: async (s, role) => {
        const p = await participantPath(s, role);
        return { path: p.path, ifMatch: p.version };
      },
    },
    'GET /studies/:code/adverse-events': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/adverse-events` }),
    },
    'GET /studies/:code/adverse-events.csv': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/adverse-events.csv?sort=priority` }),
    },
    'GET /studies/:code/worklist': {
      access: 'siteFilteredRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/worklist?site=${TARGET[s].site}&asOf=2021-01-10` }),
    },
    'GET /studies/:code/worklist.csv': {
      access: 'siteFilteredRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/worklist.csv?site=${TARGET[s].site}&status=due,overdue` }),
    },
    'GET /studies/:code/worklist.ics': {
      access: 'siteFilteredRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/worklist.ics?site=${TARGET[s].site}` }),
    },
    'GET /studies/:code/participants/:participantCode/schedule': {
      access: 'participantRead',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role, true)).path}/schedule` }),
    },
    'GET /studies/:code/worklist/feeds': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/worklist/feeds` }),
    },
    'POST /studies/:code/worklist/feeds': {
      access: 'studyRead',
      ok: 201,
      prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/worklist/feeds`, body: {} }),
    },
    'DELETE /studies/:code/worklist/feeds/:id': {
      access: 'studyRead',
      ok: 200,
      prepare: async (s, role) => {
        // Each user revokes a feed of their own; out of scope (another study) there is none to reach.
        const owner = role === 'anonymous' || s === 'otherStudy' ? admin : clients[role];
        const created = await owner.post(`/studies/${TARGET[s].study}/worklist/feeds`, {});
        expect(created.status, 'preparing a feed').to.equal(201);
        return { path: `/studies/${TARGET[s].study}/worklist/feeds/${created.body.id}` };
      },
    },
    'GET /calendar/worklist.ics': {
      access: 'public',
      ok: 200,
      unscoped: true,
      prepare: async () => {
        const created = await admin.post('/studies/MAT-A/worklist/feeds', {});
        return { path: `/calendar/worklist.ics?token=${new URL(created.body.url).searchParams.get('token')}` };
      },
    },
    'GET /studies/:code/audit': { access: 'auditRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/audit` }) },
    'GET /studies/:code/audit/:id/bundle': {
      access: 'adminOnly',
      ok: 200,
      prepare: async (s) => {
        const { study } = TARGET[s];
        expect((await admin.post('/studies?replace=true', smallBundle(study))).status).to.equal(200);
        const entries = await admin.get(`/studies/${study}/audit?entity=study`);
        const replace = entries.body.items.find((e: { action: string }) => e.action === 'replace');
        return { path: `/studies/${study}/audit/${replace.id}/bundle` };
      },
    },
  };
  Object.assign(cases, {
    'POST /auth/sign-in': {
      access: 'public',
      ok: 200,
      unscoped: true,
      prepare: async () => {
        const { username } = await freshUser();
        const password = 'correct horse battery staple';
        await db.kysely.updateTable('app_user').set({ password_hash: await hashPassword(password) }).where('username', '=', username).execute();
        return { path: '/auth/sign-in', body: { username, password } };
      },
    },
    'POST /auth/sign-out': { access: 'public', ok: 204, unscoped: true, prepare: async () => ({ path: '/auth/sign-out' }) },
    'GET /auth/session': { access: 'public', ok: 200, unscoped: true, prepare: async () => ({ path: '/auth/session' }) },
    'GET /auth/me': { access: 'self', ok: 200, unscoped: true, prepare: async () => ({ path: '/auth/me' }) },
    'POST /auth/password': {
      access: 'self',
      ok: 204,
      unscoped: true,
      prepare: async () => {
        // Callers made by the test factory have no password yet, so none is asked for.
        await db.kysely.updateTable('app_user').set({ password_hash: null }).execute();
        return { path: '/auth/password', body: { newPassword: `a long new password ${unique('p')}` } };
      },
    },
    'POST /auth/link-info': {
      access: 'public',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: '/auth/link-info', body: { link: (await freshUser()).invite } }),
    },
    'POST /auth/invite': {
      access: 'public',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: '/auth/invite', body: { link: (await freshUser()).invite, password: 'an invited user chose this' } }),
    },
    'POST /auth/sign-in-link': {
      access: 'public',
      ok: 200,
      unscoped: true,
      prepare: async () => {
        const { username } = await freshUser();
        const user = await db.kysely.selectFrom('app_user').select('user_id').where('username', '=', username).executeTakeFirstOrThrow();
        const link = await db.transaction(({ kysely }) => issueLink(kysely, user.user_id, 'sign-in', server.base));
        return { path: '/auth/sign-in-link', body: { link: link.url.split('#sign-in=')[1] } };
      },
    },
    'GET /users': { access: 'adminOnly', ok: 200, unscoped: true, prepare: async () => ({ path: '/users' }) },
    'POST /users': {
      access: 'adminOnly',
      ok: 201,
      unscoped: true,
      prepare: async () => ({ path: '/users', body: { username: unique('new-'), role: 'researcher', grants: [{ study: 'MAT-A' }] } }),
    },
    'GET /users/:username': {
      access: 'adminOnly',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser()).username}` }),
    },
    'PATCH /users/:username': {
      access: 'adminOnly',
      ok: 200,
      unscoped: true,
      prepare: async () => {
        const user = await freshUser();
        return { path: `/users/${user.username}`, body: { role: 'researcher' }, ifMatch: user.version };
      },
    },
    'POST /users/:username/grants': {
      access: 'adminOnly',
      ok: 201,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser()).username}/grants`, body: { study: 'MAT-A' } }),
    },
    'DELETE /users/:username/grants/:study': {
      access: 'adminOnly',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser('reviewer', [{ study: 'MAT-A' }])).username}/grants/MAT-A` }),
    },
    'DELETE /users/:username/grants/:study/:site': {
      access: 'adminOnly',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser('clinic', [{ study: 'MAT-A', site: 'LON' }])).username}/grants/MAT-A/LON` }),
    },
    'GET /users/:username/tokens': {
      access: 'adminOnly',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser()).username}/tokens` }),
    },
    'POST /users/:username/tokens': {
      access: 'adminOnly',
      ok: 201,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser()).username}/tokens`, body: { expiresInDays: 30 } }),
    },
    'DELETE /users/:username/tokens/:id': {
      access: 'adminOnly',
      ok: 200,
      unscoped: true,
      prepare: async () => {
        const { username } = await freshUser();
        const token = await admin.post(`/users/${username}/tokens`, {});
        return { path: `/users/${username}/tokens/${token.body.id}` };
      },
    },
    'POST /users/:username/invite': {
      access: 'adminOnly',
      ok: 201,
      unscoped: true,
      prepare: async () => ({ path: `/users/${(await freshUser()).username}/invite` }),
    },
    'GET /audit': { access: 'adminOnly', ok: 200, unscoped: true, prepare: async () => ({ path: '/audit' }) },
    'GET /account/sessions': { access: 'self', ok: 200, unscoped: true, prepare: async () => ({ path: '/account/sessions' }) },
    'DELETE /account/sessions/:id': {
      access: 'self',
      ok: 204,
      unscoped: true,
      prepare: async (_scope, role) => ({ path: `/account/sessions/${role === 'anonymous' ? 1 : await newSession(users[role])}` }),
    },
    'POST /account/sessions/end-others': { access: 'self', ok: 200, unscoped: true, prepare: async () => ({ path: '/account/sessions/end-others' }) },
    'GET /account/tokens': { access: 'self', ok: 200, unscoped: true, prepare: async () => ({ path: '/account/tokens' }) },
    'POST /account/tokens': {
      access: 'ownTokens',
      ok: 201,
      unscoped: true,
      // Tokens are made from a signed-in browser: the call carries a session cookie of the role's user.
      prepare: async (_scope, role) => ({
        path: '/account/tokens',
        body: { expiresInDays: 30 },
        ...(role === 'anonymous' ? {} : { sessionCookie: await sessionCookie(users[role]) }),
      }),
    },
    'DELETE /account/tokens/:id': {
      access: 'self',
      ok: 200,
      unscoped: true,
      prepare: async (_scope, role) => {
        if (role === 'anonymous') return { path: '/account/tokens/1' };
        const token = await admin.post(`/users/${users[role].username}/tokens`, {});
        return { path: `/account/tokens/${token.body.id}` };
      },
    },
  } satisfies Record<string, Case>);

  /** A new sign-in session of `user`: its cookie. */
  async function sessionCookie(user: TestUser): Promise<string> {
    const secret = `matrix-${unique('s')}-${'x'.repeat(32)}`;
    await db.kysely.insertInto('auth_session').values({ session_hash: secretHash(secret), user_id: user.userId }).execute();
    return `smp_session=${secret}`;
  }
  /** A new sign-in session of `user`: its number. */
  async function newSession(user: TestUser): Promise<number> {
    const cookie = await sessionCookie(user);
    const row = await db.kysely
      .selectFrom('auth_session')
      .select('session_id')
      .where('session_hash', '=', secretHash(cookie.slice('smp_session='.length)))
      .executeTakeFirstOrThrow();
    return row.session_id;
  }

  for (const [segment, bodies] of Object.entries(recordBodies)) {
    const key = segment === 'sessions' ? ':number' : ':no';
    Object.assign(cases, {
      [`GET /studies/:code/participants/:participantCode/${segment}`]: {
        access: 'participantRead',
        ok: 200,
        bySite: true,
        prepare: async (s: Scope, role: Role) => ({ path: `${(await participantPath(s, role)).path}/${segment}` }),
      },
      [`POST /studies/:code/participants/:participantCode/${segment}`]: {
        access: 'participantWrite',
        ok: 201,
        bySite: true,
        prepare: async (s: Scope, role: Role) => {
          const p = await participantPath(s, role, segment !== 'sessions');
          const body = segment === 'sessions' && s === 'otherSite' ? { ...(bodies.create as object), practitioner: 'PR-B', date: '2020-01-02' } : bodies.create;
          return { path: `${p.path}/${segment}`, body: segment === 'sessions' ? { ...(body as object), kind: 'initial', date: '2020-01-02' } : body };
        },
      },
      [`GET /studies/:code/participants/:participantCode/${segment}/${key}`]: {
        access: 'participantRead',
        ok: 200,
        bySite: true,
        prepare: async (s: Scope, role: Role) => ({ path: (await withRecord(s, role, segment, bodies.create)).path }),
      },
      [`PATCH /studies/:code/participants/:participantCode/${segment}/${key}`]: {
        access: 'participantWrite',
        ok: 200,
        bySite: true,
        prepare: async (s: Scope, role: Role) => ({ ...(await withRecord(s, role, segment, bodies.create)), body: bodies.patch }),
      },
      [`DELETE /studies/:code/participants/:participantCode/${segment}/${key}`]: {
        access: 'participantWrite',
        ok: 204,
        bySite: true,
        prepare: async (s: Scope, role: Role) => withRecord(s, role, segment, bodies.create),
      },
    });
  }

  it('has a case for every declared route', () => {
    const declared = apiRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(declared.filter((key) => !(key in cases)), 'routes without a case').to.deep.equal([]);
    expect(Object.keys(cases).filter((key) => !declared.includes(key)), 'cases without a route').to.deep.equal([]);
  });

  it('lists each user the studies granted to them, a clinic with its own sites’ counts', async () => {
    const listed = async (role: Role) =>
      (await clients[role].get('/studies')).body.studies.map((s: { code: string; participants: number }) => [s.code, s.participants]);
    expect(await listed('admin')).to.deep.equal([['MAT-A', 2], ['MAT-B', 2]]);
    expect(await listed('researcher')).to.deep.equal([['MAT-A', 2]]);
    expect(await listed('reviewer')).to.deep.equal([['MAT-A', 2]]);
    expect(await listed('clinic')).to.deep.equal([['MAT-A', 1]]);
  });

  it('answers every role, route and scope as the roles define', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const route of apiRoutes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const c = cases[key];
      if (!c) continue;
      for (const role of ROLES) {
        for (const scope of SCOPES) {
          if (scope === 'otherSite' && !c.bySite) continue;
          if (scope !== 'own' && c.unscoped) continue;
          const prepared = await c.prepare(scope, role);
          const caller = prepared.sessionCookie ? clients.anonymous : clients[role];
          const reply = await caller.call(route.method.toUpperCase(), prepared.path, prepared.body, {
            ...(prepared.ifMatch ? { ifMatch: prepared.ifMatch } : {}),
            reason: prepared.reason ?? 'authorization matrix',
            ...(prepared.sessionCookie ? { headers: { cookie: prepared.sessionCookie, origin: server.base } } : {}),
          });
          calls += 1;
          const expected = expectedStatus(c, role, scope);
          if (reply.status !== expected) {
            failures.push(`${role} ${scope} ${key} (${prepared.path}): expected ${expected}, got ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
          }
        }
      }
    }
    expect(failures).to.deep.equal([]);
    expect(calls).to.be.greaterThan(200);
  });
});
