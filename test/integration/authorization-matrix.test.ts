// Who may do what, table-driven: every role × every declared route × own site, another site of
// the same study, and another study. Each case prepares its own target just before it runs (as
// an administrator), so that an allowed call must truly succeed. A route without a case here
// fails the test: new routes cannot skip the matrix.
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import { apiRoutes } from '../../api/routes/index.ts';
import { EXPORT_FORMATS } from '../../api/services/format-service.ts';
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
const SIGNING_PASSWORD = 'matrix signing password words';
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
 * - ownTokens: anyone signed in whose role may create API tokens of their own (administrators, researchers);
 * - contact: a participant's contact details: administrators, and a clinic for its own sites' participants (404 elsewhere);
 * - signOffRead: a participant's signatures, locks and signed data: everyone who reads it identified (reviewers 403);
 * - lock: locking a signed participant: administrators and researchers (a clinic 403 at its own site, 404 elsewhere).
 * - queryRaise: raising a query: administrators, researchers and reviewers (a clinic answers, 403);
 * - queryAnswer: answering a query: administrators, and a clinic for its own sites' participants (404 elsewhere);
 * - queryClose: closing or re-opening a query: its raiser (a clinic never raises, 403) and administrators;
 * - verify: source-data verification: administrators and researchers.
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
  | 'ownTokens'
  | 'contact'
  | 'signOffRead'
  | 'lock'
  | 'queryRaise'
  | 'queryAnswer'
  | 'queryClose'
  | 'verify';

interface Prepared {
  path: string;
  body?: unknown;
  ifMatch?: string;
  reason?: string;
  /** Call with this sign-in session cookie (and this site's Origin) instead of the role's API token. */
  sessionCookie?: string;
  /** Where the record the call changes is read back, when the call's own path is not readable. */
  readPath?: string;
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
    case 'contact':
      if (role !== 'clinic') return 403;
      return otherSite ? 404 : c.ok;
    case 'signOffRead':
      if (role === 'reviewer') return 403;
      return role === 'clinic' && otherSite ? 404 : c.ok;
    case 'lock':
      if (role === 'reviewer') return 403;
      if (role === 'clinic') return otherSite ? 404 : 403;
      return c.ok;
    case 'queryRaise':
    case 'queryClose':
      return role === 'clinic' ? 403 : c.ok;
    case 'queryAnswer':
      if (role !== 'clinic') return 403;
      return otherSite ? 404 : c.ok;
    case 'verify':
      return role === 'researcher' ? c.ok : 403;
    default: {
      const unknown: never = c.access;
      throw new Error(`unknown access ${String(unknown)}`);
    }
  }
}

describe(`authorization matrix (${DRIVER})`, function () {
  this.timeout(600_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  /** An administrator whose password no case changes: signs the participants that cases lock. */
  let signingAdmin: ApiClient;
  const clients = {} as Record<Role, ApiClient>;
  const users = {} as Record<Exclude<Role, 'anonymous'>, TestUser>;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}${++counter}`;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { contactKey: Buffer.alloc(32, 7) });
    users.admin = await createTestUser(db, 'admin');
    admin = apiClient(server.base, users.admin.headers);
    for (const code of ['MAT-A', 'MAT-B']) expect((await admin.post('/studies', smallBundle(code))).status).to.equal(201);
    clients.anonymous = apiClient(server.base);
    clients.admin = admin;
    users.researcher = await createTestUser(db, 'researcher', [{ studyCode: 'MAT-A', siteCode: null }]);
    users.clinic = await createTestUser(db, 'clinic', [{ studyCode: 'MAT-A', siteCode: 'LON' }]);
    users.reviewer = await createTestUser(db, 'reviewer', [{ studyCode: 'MAT-A', siteCode: null }]);
    for (const role of ['researcher', 'clinic', 'reviewer'] as const) clients[role] = apiClient(server.base, users[role].headers);
    // Everyone but the reviewer may sign, with the same password.
    signingHash = await hashPassword(SIGNING_PASSWORD);
    const passwordHash = signingHash;
    const preparer = await createTestUser(db, 'admin');
    signingAdmin = apiClient(server.base, preparer.headers);
    for (const user of [users.admin, users.researcher, users.clinic, preparer]) {
      await db.kysely.updateTable('app_user').set({ password_hash: passwordHash, full_name: `Signer ${user.role}`, may_sign: true }).where('user_id', '=', user.userId).execute();
    }
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  /**
   * A study is not replaced while a participant is locked, and a replace invalidates the valid
   * signatures (an audit row each): the sign-off cases leave both, so they are ended first.
   */
  async function releaseSignOff(): Promise<void> {
    const now = new Date().toISOString();
    await db.kysely
      .updateTable('participant_lock')
      .set({ unlocked_at: now, unlocked_by: 'matrix', unlock_reason: 'the matrix replaces the study' })
      .where('unlocked_at', 'is', null)
      .execute();
    await db.kysely.updateTable('participant_signature').set({ invalidated_at: now, invalidated_by: 'matrix' }).where('invalidated_at', 'is', null).execute();
  }

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

  /** A new participant at the scope's site whose contact details the administrator stored. */
  async function participantWithContact(scope: Scope, role: Role) {
    const p = await participantPath(scope, role);
    const stored = await admin.call('PUT', `/studies/${p.study}/participants/${p.code}/contact`, { email: 'someone@example.org' });
    expect(stored.status, 'preparing contact details').to.equal(200);
    return p;
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

  /** The secret of a new survey link of a participant with a session (a survey needs one before it). */
  async function freshSurveyLink() {
    const p = await freshParticipant('own', true);
    const created = await admin.post(`/studies/${p.study}/participants/${p.code}/survey-links`, {});
    expect(created.status, 'preparing a survey link').to.equal(201);
    return (created.body.url as string).split('#')[1]!;
  }

  /**
   * A query on a new participant at the scope's site, raised by the role itself when it may raise
   * one in that study (so that it may close it), else by the administrator; closed when asked.
   */
  async function freshQuery(scope: Scope, role: Role, closed = false) {
    const raiser = (role === 'researcher' || role === 'reviewer') && scope !== 'otherStudy' ? role : 'admin';
    const p = await participantPath(scope, raiser);
    const client = raiser === 'admin' ? admin : clients[raiser];
    const raised = await client.post(`${p.path}/queries`, { path: '', message: 'Please check this participant' });
    expect(raised.status, `preparing a query: ${JSON.stringify(raised.body)}`).to.equal(201);
    const path = `/studies/${p.study}/queries/${raised.body.id}`;
    if (closed) expect((await client.post(`${path}/close`, { message: 'Closed' })).status, 'closing a query').to.equal(200);
    return path;
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
      prepare: async (scope) => {
        await releaseSignOff();
        return { path: '/studies?replace=true', body: smallBundle(TARGET[scope].study) };
      },
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
    'GET /studies/:code/participants/:participantCode/survey-links': {
      access: 'participantWrite',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role)).path}/survey-links` }),
    },
    'POST /studies/:code/participants/:participantCode/survey-links': {
      access: 'participantWrite',
      ok: 201,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role)).path}/survey-links`, body: {} }),
    },
    'DELETE /studies/:code/participants/:participantCode/survey-links/:id': {
      access: 'participantWrite',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => {
        const p = await participantPath(s, role);
        const created = await admin.post(`/studies/${p.study}/participants/${p.code}/survey-links`, {});
        expect(created.status, 'preparing a survey link').to.equal(201);
        return { path: `${p.path}/survey-links/${created.body.id}` };
      },
    },
    'GET /studies/:code/participants/:participantCode/contact': {
      access: 'contact',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantWithContact(s, role)).path}/contact` }),
    },
    'PUT /studies/:code/participants/:participantCode/contact': {
      access: 'contact',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role)).path}/contact`, body: { email: 'someone@example.org' } }),
    },
    'DELETE /studies/:code/participants/:participantCode/contact': {
      access: 'contact',
      ok: 204,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantWithContact(s, role)).path}/contact` }),
    },
    'POST /survey-links/open': {
      access: 'public',
      ok: 200,
      unscoped: true,
      prepare: async () => ({ path: '/survey-links/open', body: { link: await freshSurveyLink() } }),
    },
    'POST /survey-links/answer': {
      access: 'public',
      ok: 201,
      unscoped: true,
      prepare: async () => ({
        path: '/survey-links/answer',
        body: { link: await freshSurveyLink(), satisfaction: 4, wouldRecommend: true, language: 'en' },
      }),
    },
    'GET /studies/:code/queries': { access: 'studyRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/queries?state=all` }) },
    'POST /studies/:code/participants/:participantCode/queries': {
      access: 'queryRaise',
      ok: 201,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role)).path}/queries`, body: { path: '', message: 'Is this right?' } }),
    },
    'GET /studies/:code/queries/:queryId': {
      access: 'participantRead',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: await freshQuery(s, 'admin') }),
    },
    'POST /studies/:code/queries/:queryId/answer': {
      access: 'queryAnswer',
      ok: 200,
      bySite: true,
      prepare: async (s) => ({ path: `${await freshQuery(s, 'admin')}/answer`, body: { message: 'Checked' } }),
    },
    'POST /studies/:code/queries/:queryId/close': {
      access: 'queryClose',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${await freshQuery(s, role)}/close`, body: { message: 'Thank you' } }),
    },
    'POST /studies/:code/queries/:queryId/reopen': {
      access: 'queryClose',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${await freshQuery(s, role, true)}/reopen`, body: { message: 'Once more' } }),
    },
    'GET /studies/:code/participants/:participantCode/verification': {
      access: 'participantRead',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role, true)).path}/verification` }),
    },
    'POST /studies/:code/participants/:participantCode/verification': {
      access: 'verify',
      ok: 200,
      bySite: true,
      prepare: async (s, role) => ({ path: `${(await participantPath(s, role, true)).path}/verification`, body: {} }),
    },
    'GET /studies/:code/verification': { access: 'studyRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/verification` }) },
    'GET /studies/:code/audit': { access: 'auditRead', ok: 200, prepare: async (s) => ({ path: `/studies/${TARGET[s].study}/audit` }) },
    'GET /studies/:code/audit/:id/bundle': {
      access: 'adminOnly',
      ok: 200,
      prepare: async (s) => {
        const { study } = TARGET[s];
        await releaseSignOff();
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
    'GET /outbox': { access: 'adminOnly', ok: 200, unscoped: true, prepare: async () => ({ path: '/outbox?status=pending' }) },
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

  /** The signers' password again: the case of POST /auth/password clears every user's. */
  let signingHash = '';
  async function restoreSigningPasswords(): Promise<void> {
    await db.kysely.updateTable('app_user').set({ password_hash: signingHash }).where('may_sign', '=', true).execute();
  }

  /** A participant the administrator signed, and optionally locked. */
  async function signedParticipant(scope: Scope, role: Role, locked: boolean) {
    await restoreSigningPasswords();
    const p = await participantPath(scope, role);
    const signed = await signingAdmin.post(`/studies/${p.study}/participants/${p.code}/signatures`, { meaning: 'approve', password: SIGNING_PASSWORD });
    expect(signed.status, `preparing a signature: ${JSON.stringify(signed.body)}`).to.equal(201);
    if (locked) expect((await admin.post(`/studies/${p.study}/participants/${p.code}/lock`, {})).status, 'preparing a lock').to.equal(201);
    return p;
  }
  async function freshFreeze(scope: Scope) {
    const made = await admin.post(`/studies/${TARGET[scope].study}/freezes`, { label: unique('freeze ') });
    expect(made.status, 'preparing a freeze').to.equal(201);
    return made.body.id as number;
  }
  Object.assign(cases, {
    'GET /studies/:code/participants/:participantCode/sign-off': {
      access: 'signOffRead',
      ok: 200,
      bySite: true,
      prepare: async (s: Scope, role: Role) => ({ path: `${(await participantPath(s, role)).path}/sign-off` }),
    },
    'GET /studies/:code/participants/:participantCode/signed-data': {
      access: 'signOffRead',
      ok: 200,
      bySite: true,
      prepare: async (s: Scope, role: Role) => ({ path: `${(await participantPath(s, role)).path}/signed-data` }),
    },
    'POST /studies/:code/participants/:participantCode/signatures': {
      access: 'participantWrite',
      ok: 201,
      bySite: true,
      prepare: async (s: Scope, role: Role) => {
        await restoreSigningPasswords();
        return { path: `${(await participantPath(s, role)).path}/signatures`, body: { meaning: 'review', password: SIGNING_PASSWORD } };
      },
    },
    'POST /studies/:code/participants/:participantCode/lock': {
      access: 'lock',
      ok: 201,
      bySite: true,
      prepare: async (s: Scope, role: Role) => ({ path: `${(await signedParticipant(s, role, false)).path}/lock`, body: {} }),
    },
    'POST /studies/:code/participants/:participantCode/unlock': {
      access: 'adminOnly',
      ok: 200,
      bySite: true,
      prepare: async (s: Scope, role: Role) => ({ path: `${(await signedParticipant(s, role, true)).path}/unlock`, body: { reason: 'matrix unlock' } }),
    },
    'GET /studies/:code/freezes': { access: 'studyRead', ok: 200, prepare: async (s: Scope) => ({ path: `/studies/${TARGET[s].study}/freezes` }) },
    'POST /studies/:code/freezes': {
      access: 'studyWrite',
      ok: 201,
      prepare: async (s: Scope) => ({ path: `/studies/${TARGET[s].study}/freezes`, body: { label: 'matrix freeze' } }),
    },
    'GET /studies/:code/freezes/:id/bundle': {
      access: 'studyWrite',
      ok: 200,
      prepare: async (s: Scope) => ({ path: `/studies/${TARGET[s].study}/freezes/${await freshFreeze(s)}/bundle` }),
    },
  });

  cases['POST /studies/:code/participants/:participantCode/sessions/:number/remove-and-renumber'] = {
    access: 'participantWrite',
    ok: 200,
    bySite: true,
    prepare: async (s: Scope, role: Role) => {
      const session = await withRecord(s, role, 'sessions', recordBodies.sessions!.create);
      return { path: `${session.path}/remove-and-renumber`, ifMatch: session.ifMatch, readPath: session.path };
    },
  };

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

  /**
   * What every write route leaves behind when an administrator calls it once: the audit rows
   * (`entity action`, made by the caller with the caller's reason, or by the invited user for an
   * invite), or none and why; and whether it is versioned (If-Match required). A declared write
   * route missing here fails the test, so a new write is classified before it ships.
   */
  interface WriteRule {
    audit: { rows: string[]; by?: 'invitee' | 'participant-link' } | { none: string };
    versioned: boolean;
  }
  const record = (entity: string, action: string) => ({ audit: { rows: [`${entity} ${action}`] }, versioned: action !== 'create' });
  const writeRules: Record<string, WriteRule> = {
    'POST /auth/sign-in': { audit: { none: 'a sign-in changes no study or account data' }, versioned: false },
    'POST /auth/sign-out': { audit: { none: 'a sign-out ends the calling browser’s own session only' }, versioned: false },
    'POST /auth/password': { audit: { rows: ['user update'] }, versioned: false },
    'POST /auth/link-info': { audit: { none: 'it reads what a link is for' }, versioned: false },
    'POST /auth/invite': { audit: { rows: ['user update'], by: 'invitee' }, versioned: false },
    'POST /auth/sign-in-link': { audit: { none: 'a sign-in changes no study or account data' }, versioned: false },
    'DELETE /account/sessions/:id': { audit: { rows: ['session update'] }, versioned: false },
    'POST /account/sessions/end-others': { audit: { rows: ['session update'] }, versioned: false },
    'POST /account/tokens': { audit: { rows: ['api_token create'] }, versioned: false },
    'DELETE /account/tokens/:id': { audit: { rows: ['api_token update'] }, versioned: false },
    'POST /studies': { audit: { rows: ['study replace'] }, versioned: false },
    'PATCH /studies/:code': record('study', 'update'),
    'DELETE /studies/:code': record('study', 'delete'),
    'POST /studies/:code/sites': record('site', 'create'),
    'PATCH /studies/:code/sites/:siteCode': record('site', 'update'),
    'DELETE /studies/:code/sites/:siteCode': record('site', 'delete'),
    'POST /studies/:code/practitioners': record('practitioner', 'create'),
    'PATCH /studies/:code/practitioners/:practitionerCode': record('practitioner', 'update'),
    'DELETE /studies/:code/practitioners/:practitionerCode': record('practitioner', 'delete'),
    'POST /studies/:code/participants': record('participant', 'create'),
    'PATCH /studies/:code/participants/:participantCode': record('participant', 'update'),
    'DELETE /studies/:code/participants/:participantCode': record('participant', 'delete'),
    'POST /studies/:code/worklist/feeds': { audit: { rows: ['calendar_feed create'] }, versioned: false },
    'DELETE /studies/:code/worklist/feeds/:id': { audit: { rows: ['calendar_feed update'] }, versioned: false },
    'POST /studies/:code/participants/:participantCode/survey-links': { audit: { rows: ['survey_link create'] }, versioned: false },
    'DELETE /studies/:code/participants/:participantCode/survey-links/:id': { audit: { rows: ['survey_link update'] }, versioned: false },
    // A contact change is recorded without its values (see participant-contacts.test.ts).
    'PUT /studies/:code/participants/:participantCode/contact': { audit: { rows: ['participant_contact create'] }, versioned: false },
    'DELETE /studies/:code/participants/:participantCode/contact': { audit: { rows: ['participant_contact delete'] }, versioned: false },
    'POST /studies/:code/participants/:participantCode/queries': { audit: { rows: ['data_query create'] }, versioned: false },
    'POST /studies/:code/queries/:queryId/answer': { audit: { rows: ['data_query update'] }, versioned: false },
    'POST /studies/:code/queries/:queryId/close': { audit: { rows: ['data_query update'] }, versioned: false },
    'POST /studies/:code/queries/:queryId/reopen': { audit: { rows: ['data_query update'] }, versioned: false },
    'POST /studies/:code/participants/:participantCode/verification': { audit: { rows: ['verification create'] }, versioned: false },
    'POST /survey-links/open': { audit: { none: 'it reads what a survey link is for' }, versioned: false },
    // The participant answers: the survey is recorded under the link, whoever's browser sent it.
    'POST /survey-links/answer': { audit: { rows: ['survey create'], by: 'participant-link' }, versioned: false },
    // The user the matrix creates carries one grant: one row for the user, one for the grant.
    'POST /users': { audit: { rows: ['user create', 'grant create'] }, versioned: false },
    'PATCH /users/:username': record('user', 'update'),
    'POST /users/:username/grants': { audit: { rows: ['grant create'] }, versioned: false },
    'DELETE /users/:username/grants/:study': { audit: { rows: ['grant delete'] }, versioned: false },
    'DELETE /users/:username/grants/:study/:site': { audit: { rows: ['grant delete'] }, versioned: false },
    'POST /users/:username/tokens': { audit: { rows: ['api_token create'] }, versioned: false },
    'DELETE /users/:username/tokens/:id': { audit: { rows: ['api_token update'] }, versioned: false },
    'POST /users/:username/invite': { audit: { rows: ['user update'] }, versioned: false },
    'POST /studies/:code/participants/:participantCode/signatures': { audit: { rows: ['signature create'] }, versioned: false },
    'POST /studies/:code/participants/:participantCode/lock': { audit: { rows: ['participant_lock create'] }, versioned: false },
    'POST /studies/:code/participants/:participantCode/unlock': { audit: { rows: ['participant_lock update'] }, versioned: false },
    'POST /studies/:code/freezes': { audit: { rows: ['freeze create'] }, versioned: false },
  };
  const entityOf: Record<string, string> = { sessions: 'session', 'adverse-events': 'adverse_event', 'fading-assessments': 'fading_assessment', surveys: 'survey' };
  for (const segment of Object.keys(recordBodies)) {
    const base = `/studies/:code/participants/:participantCode/${segment}`;
    const key = segment === 'sessions' ? ':number' : ':no';
    writeRules[`POST ${base}`] = record(entityOf[segment]!, 'create');
    writeRules[`PATCH ${base}/${key}`] = record(entityOf[segment]!, 'update');
    writeRules[`DELETE ${base}/${key}`] = record(entityOf[segment]!, 'delete');
  }
  // The matrix's participant has one session: removing it renumbers nothing, so its delete is the one row.
  writeRules['POST /studies/:code/participants/:participantCode/sessions/:number/remove-and-renumber'] = record('session', 'delete');
  const writeRoutes = () => apiRoutes.filter((r) => r.method !== 'get');
  const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

  /** The newest audit row's id, so that a call's own rows can be picked out after it. */
  async function lastAuditId(): Promise<string> {
    const { max } = await db.kysely.selectFrom('audit_event').select((eb) => eb.fn.max('audit_id').as('max')).executeTakeFirstOrThrow();
    return String(max ?? 0);
  }
  const auditRowsAfter = (id: string) =>
    db.kysely.selectFrom('audit_event').select(['entity', 'action', 'entity_key', 'user_id', 'username', 'reason']).where('audit_id', '>', id).orderBy('audit_id').execute();

  /** An administrator's call of a prepared case, with `ifMatch` as given (undefined sends none). */
  function callAsAdmin(method: string, prepared: Prepared, ifMatch: string | undefined, reason: string) {
    const caller = prepared.sessionCookie ? clients.anonymous : admin;
    return caller.call(method, prepared.path, prepared.body, {
      ...(ifMatch === undefined ? {} : { ifMatch }),
      reason,
      ...(prepared.sessionCookie ? { headers: { cookie: prepared.sessionCookie, origin: server.base } } : {}),
    });
  }

  it('classifies every declared write route: its audit rows and whether it is versioned', () => {
    const keys = writeRoutes().map(routeKey);
    expect(keys.filter((k) => !(k in writeRules)), 'write routes without a rule').to.deep.equal([]);
    expect(Object.keys(writeRules).filter((k) => !keys.includes(k)), 'rules without a write route').to.deep.equal([]);
    const misdeclared = writeRoutes().filter((r) => (r.ifMatch === true) !== writeRules[routeKey(r)]!.versioned).map(routeKey);
    expect(misdeclared, 'routes whose If-Match declaration differs from the rule').to.deep.equal([]);
  });

  it('records each write in the audit trail: exactly its rows, with the caller and the reason', async () => {
    const failures: string[] = [];
    for (const route of writeRoutes()) {
      const key = routeKey(route);
      const rule = writeRules[key]!;
      const c = cases[key]!;
      // Ending the other sessions needs one to end: a second browser of the administrator's.
      if (key === 'POST /account/sessions/end-others') await sessionCookie(users.admin);
      const prepared = await c.prepare('own', 'admin');
      const before = await lastAuditId();
      const reason = `audit rule ${unique('r')}`;
      const reply = await callAsAdmin(route.method.toUpperCase(), prepared, prepared.ifMatch, reason);
      if (reply.status !== c.ok) {
        failures.push(`${key}: expected ${c.ok}, got ${reply.status}`);
        continue;
      }
      const rows = await auditRowsAfter(before);
      const seen = rows.map((r) => `${r.entity} ${r.action}`);
      const expected = 'none' in rule.audit ? [] : rule.audit.rows;
      if (JSON.stringify(seen) !== JSON.stringify(expected)) failures.push(`${key}: rows ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
      for (const row of rows) {
        if ('rows' in rule.audit && rule.audit.by === 'invitee') {
          if (row.username !== row.entity_key || row.user_id === users.admin.userId || row.reason !== null) {
            failures.push(`${key}: made by ${row.username} (${row.user_id}) with reason ${row.reason}, expected the invited user ${row.entity_key}`);
          }
        } else if ('rows' in rule.audit && rule.audit.by === 'participant-link') {
          if (!/^participant-link:\d+$/.test(row.username) || row.user_id !== null) {
            failures.push(`${key}: made by ${row.username} (${row.user_id}), expected the survey link`);
          }
        } else if (row.user_id !== users.admin.userId || row.username !== users.admin.username || row.reason !== reason) {
          failures.push(`${key}: made by ${row.username} (${row.user_id}) with reason ${row.reason}, expected ${users.admin.username} with ${reason}`);
        }
      }
    }
    expect(failures).to.deep.equal([]);
  });

  it('refuses every versioned write without If-Match (428) and with a stale one (412), and changes nothing', async () => {
    const failures: string[] = [];
    const versioned = writeRoutes().filter((r) => writeRules[routeKey(r)]!.versioned);
    expect(versioned.length).to.equal(18);
    for (const route of versioned) {
      const key = routeKey(route);
      const prepared = await cases[key]!.prepare('own', 'admin');
      const current = prepared.ifMatch!;
      expect(current, `${key}: the version read`).to.match(/^\d+$/);
      const stale = current === '0' ? '1' : String(BigInt(current) - 1n);
      const readBefore = await admin.get(prepared.readPath ?? prepared.path);
      const before = await lastAuditId();
      const missing = await callAsAdmin(route.method.toUpperCase(), prepared, undefined, 'no If-Match');
      if (missing.status !== 428) failures.push(`${key} without If-Match: expected 428, got ${missing.status}`);
      const refused = await callAsAdmin(route.method.toUpperCase(), prepared, stale, 'stale If-Match');
      if (refused.status !== 412) failures.push(`${key} with If-Match "${stale}" for version ${current}: expected 412, got ${refused.status}`);
      const readAfter = await admin.get(prepared.readPath ?? prepared.path);
      if (readAfter.status !== 200 || readAfter.etag !== readBefore.etag || JSON.stringify(readAfter.body) !== JSON.stringify(readBefore.body)) {
        failures.push(`${key}: the record changed (${readBefore.status} "${readBefore.etag}" → ${readAfter.status} "${readAfter.etag}")`);
      }
      const rows = await auditRowsAfter(before);
      if (rows.length !== 0) failures.push(`${key}: refused calls left audit rows ${JSON.stringify(rows.map((r) => `${r.entity} ${r.action}`))}`);
    }
    expect(failures).to.deep.equal([]);
  });

  /**
   * What a clinic reads of its own study, beyond the status: every study-level read that lists
   * participants' records must hold its own site's participants and none of another site's.
   * Reads that list no participants say why. A study-level read missing here fails the test.
   */
  const clinicReads: Record<string, { paths: string[] } | { notListing: string }> = {
    'GET /studies/:code': { notListing: 'the study’s title and protocol' },
    'GET /studies/:code/bundle': { paths: ['/studies/MAT-A/bundle'] },
    'GET /studies/:code/export': { paths: EXPORT_FORMATS.map((format) => `/studies/MAT-A/export?format=${format}`) },
    'GET /studies/:code/analysis': { notListing: 'aggregate figures, suppressed below the threshold' },
    'GET /studies/:code/charts': { notListing: 'aggregate figures of the site asked for (403 for another site)' },
    'GET /studies/:code/report': { notListing: 'aggregate figures of the site asked for (403 for another site)' },
    'GET /studies/:code/adverse-events/rates': { notListing: 'aggregate rates of the site asked for (403 for another site)' },
    'GET /studies/:code/sites': { notListing: 'the study’s sites' },
    'GET /studies/:code/sites/:siteCode': { notListing: 'one site' },
    'GET /studies/:code/practitioners': { notListing: 'the study’s practitioners' },
    'GET /studies/:code/practitioners/:practitionerCode': { notListing: 'one practitioner' },
    'GET /studies/:code/participants': { paths: ['/studies/MAT-A/participants?limit=1000'] },
    'GET /studies/:code/adverse-events': { paths: ['/studies/MAT-A/adverse-events?limit=1000'] },
    'GET /studies/:code/adverse-events.csv': { paths: ['/studies/MAT-A/adverse-events.csv'] },
    'GET /studies/:code/worklist': { paths: ['/studies/MAT-A/worklist?asOf=2020-01-10&limit=1000'] },
    'GET /studies/:code/worklist.csv': { paths: ['/studies/MAT-A/worklist.csv?asOf=2020-01-10'] },
    'GET /studies/:code/worklist.ics': { paths: ['/studies/MAT-A/worklist.ics?asOf=2020-01-10'] },
    'GET /studies/:code/worklist/feeds': { notListing: 'the caller’s own calendar feeds' },
    'GET /studies/:code/audit': { paths: ['/studies/MAT-A/audit?limit=1000'] },
    'GET /studies/:code/queries': { paths: ['/studies/MAT-A/queries?state=all'] },
    'GET /studies/:code/queries/:queryId': { notListing: 'one query; another site’s is 404 (the matrix above)' },
    'GET /studies/:code/verification': { notListing: 'per-site shares of records verified, of the clinic’s own sites' },
    'GET /studies/:code/audit/:id/bundle': { notListing: 'administrators only' },
    'GET /studies/:code/freezes': { notListing: 'the freezes: ids, labels, times and hashes' },
    'GET /studies/:code/freezes/:id/bundle': { notListing: 'administrators and researchers only' },
  };

  /** A body as text: a zip's files joined, JSON as sent. */
  async function readAsText(path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const response = await fetch(`${server.base}/api${path}`, { headers });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if ((response.headers.get('content-type') ?? '').includes('zip')) {
      return { status: response.status, text: Object.values(unzipSync(bytes)).map((file) => new TextDecoder().decode(file)).join('\n') };
    }
    return { status: response.status, text: new TextDecoder().decode(bytes) };
  }

  it('shows a clinic its own site’s participants, and no other site’s, in every listing and export', async () => {
    const studyReads = apiRoutes.filter((r) => r.method === 'get' && r.path.startsWith('/studies/:code') && !r.path.includes(':participantCode')).map(routeKey);
    expect(studyReads.filter((k) => !(k in clinicReads)), 'study reads without a clinic rule').to.deep.equal([]);
    expect(Object.keys(clinicReads).filter((k) => !studyReads.includes(k)), 'clinic rules without a route').to.deep.equal([]);
    // Both sites have participants with every kind of record, an adverse event among them.
    for (const scope of ['own', 'otherSite'] as const) {
      const { study, code } = await freshParticipant(scope, true);
      expect((await admin.post(`/studies/${study}/participants/${code}/adverse-events`, event)).status).to.equal(201);
      expect((await admin.post(`/studies/${study}/participants/${code}/queries`, { path: 'adverseEvents[0]', message: 'Check' })).status).to.equal(201);
    }
    const codesAt = async (site: string) =>
      (
        await db.kysely
          .selectFrom('participant as p')
          .innerJoin('study as s', 's.study_id', 'p.study_id')
          .innerJoin('site as t', (join) => join.onRef('t.study_id', '=', 'p.study_id').onRef('t.site_no', '=', 'p.site_no'))
          .select('p.code')
          .where('s.code', '=', 'MAT-A')
          .where('t.code', '=', site)
          .execute()
      ).map((r) => r.code);
    const own = await codesAt('LON');
    const other = await codesAt('MAN');
    expect(own.length).to.be.greaterThan(1);
    expect(other.length).to.be.greaterThan(1);
    const mentions = (text: string, codes: string[]) => codes.filter((code) => new RegExp(`(?<![\\w-])${code}(?![\\w])`).test(text));
    const failures: string[] = [];
    for (const [key, rule] of Object.entries(clinicReads)) {
      if (!('paths' in rule)) continue;
      for (const path of rule.paths) {
        const { status, text } = await readAsText(path, users.clinic.headers);
        if (status !== 200) failures.push(`${key} ${path}: status ${status}`);
        else if (mentions(text, own).length === 0) failures.push(`${key} ${path}: none of the clinic’s own participants`);
        const leaked = mentions(text, other);
        if (leaked.length > 0) failures.push(`${key} ${path}: another site’s participants ${leaked.join(', ')}`);
      }
    }
    expect(failures).to.deep.equal([]);
  });
});
