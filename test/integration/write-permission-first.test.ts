// A write's permission is checked before its body is read: a reviewer's writes answer 403 and
// a clinic's writes to another site answer as the authorization matrix says, whatever the body
// holds (not JSON, invalid, a broken bundle), while a study outside the caller's scope stays 404
// and a caller who may write still gets its body's problems (400). Nothing is written.
import { expect } from 'chai';
import { apiRoutes } from '../../api/routes/index.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

type Who = 'anonymous' | 'researcher' | 'clinic' | 'reviewer';

interface Attempt {
  name: string;
  who: Who;
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** Sent as is, with `type` as its Content-Type. */
  body?: string;
  type?: string;
  headers?: Record<string, string>;
  status: number;
  /** The detail, exactly. */
  detail?: string;
  /** The first problem's path, when the answer lists problems. */
  problemPath?: string;
}

const JSON_TYPE = 'application/json';
const PATCH_TYPE = 'application/merge-patch+json';
const change = { 'if-match': '"1"', 'x-change-reason': 'a reason' };

describe(`write permissions come before the body (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  const headers = {} as Record<Who | 'admin', Record<string, string>>;
  /** The reviewer's name for participant P01: its pseudonym. */
  let pseudonym: string;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    headers.admin = (await createTestUser(db, 'admin')).headers;
    headers.anonymous = {};
    headers.researcher = (await createTestUser(db, 'researcher', [{ studyCode: 'PRM-A', siteCode: null }])).headers;
    headers.clinic = (await createTestUser(db, 'clinic', [{ studyCode: 'PRM-A', siteCode: 'LON' }])).headers;
    headers.reviewer = (await createTestUser(db, 'reviewer', [{ studyCode: 'PRM-A', siteCode: null }])).headers;
    for (const code of ['PRM-A', 'PRM-B']) {
      const created = await fetch(`${server.base}/api/studies`, {
        method: 'POST',
        headers: { ...headers.admin, 'content-type': JSON_TYPE },
        body: JSON.stringify(smallBundle(code)),
      });
      expect(created.status).to.equal(201);
    }
    const listed = await fetch(`${server.base}/api/studies/PRM-A/participants?site=LON`, { headers: headers.reviewer });
    pseudonym = ((await listed.json()) as { items: Array<{ code: string }> }).items[0]!.code;
    expect(pseudonym).not.to.equal('P01');
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const invalidSession = JSON.stringify({ kind: 'sideways', date: '2019-02-30', durationMinutes: -5 });
  const invalidParticipantPatch = JSON.stringify({ birthYear: 'long ago', costUsd: -1 });
  const attempts = (): Attempt[] => [
    // A reviewer: 403 for every write in the study, whatever the body; 404 outside it.
    ...(['sessions', 'adverse-events', 'fading-assessments', 'surveys'] as const).map(
      (segment): Attempt => ({
        name: `a reviewer's invalid ${segment} record`,
        who: 'reviewer',
        method: 'POST',
        path: `/studies/PRM-A/participants/${pseudonym}/${segment}`,
        body: invalidSession,
        type: JSON_TYPE,
        status: 403,
        detail: 'your role may not change participants or their records in study PRM-A',
      }),
    ),
    // Own API tokens: a role whose tokens an administrator issues, and any request with a token, whatever the body.
    {
      name: "a clinic user's own token, with a body that is not JSON",
      who: 'clinic',
      method: 'POST',
      path: '/account/tokens',
      body: '{"expiresInDays": ',
      type: JSON_TYPE,
      status: 403,
      detail: "a clinic user's API tokens are issued by an administrator; ask one for a token",
    },
    {
      name: "a researcher's own token asked for with an API token",
      who: 'researcher',
      method: 'POST',
      path: '/account/tokens',
      body: '{"expiresInDays": "soon"}',
      type: JSON_TYPE,
      status: 403,
      detail: 'an API token cannot create tokens: sign in with your password to create one',
    },
    { name: "a reviewer's session that is not JSON", who: 'reviewer', method: 'POST', path: `/studies/PRM-A/participants/${pseudonym}/sessions`, body: '{"kind": ', type: JSON_TYPE, status: 403 },
    { name: "a reviewer's session sent as text", who: 'reviewer', method: 'POST', path: `/studies/PRM-A/participants/${pseudonym}/sessions`, body: 'hello', type: 'text/plain', status: 403 },
    {
      name: "a reviewer's invalid participant patch",
      who: 'reviewer',
      method: 'PATCH',
      path: `/studies/PRM-A/participants/${pseudonym}`,
      body: invalidParticipantPatch,
      type: PATCH_TYPE,
      headers: change,
      status: 403,
      detail: 'your role may not change participants or their records in study PRM-A',
    },
    { name: "a reviewer's participant patch without If-Match or reason", who: 'reviewer', method: 'PATCH', path: `/studies/PRM-A/participants/${pseudonym}`, body: invalidParticipantPatch, type: PATCH_TYPE, status: 403 },
    { name: "a reviewer's invalid enrolment", who: 'reviewer', method: 'POST', path: '/studies/PRM-A/participants', body: '{"code": 7}', type: JSON_TYPE, status: 403, detail: 'your role may not enrol participants in study PRM-A' },
    { name: "a reviewer's deletion without If-Match", who: 'reviewer', method: 'DELETE', path: `/studies/PRM-A/participants/${pseudonym}/sessions/1`, status: 403 },
    {
      name: "a reviewer's invalid bundle import",
      who: 'reviewer',
      method: 'POST',
      path: '/studies',
      body: JSON.stringify({ ...smallBundle('PRM-A'), format: 'nope', participants: 'none' }),
      type: JSON_TYPE,
      status: 403,
      detail: 'your role may not import studies: only administrators and researchers do',
    },
    { name: "a reviewer's replace with a body that is not JSON", who: 'reviewer', method: 'POST', path: '/studies?replace=true', body: '{"format"', type: JSON_TYPE, status: 403 },
    { name: "a reviewer's csv import of junk", who: 'reviewer', method: 'POST', path: '/studies?format=csv', body: 'junk', type: 'application/zip', status: 403 },
    { name: "a reviewer's invalid site", who: 'reviewer', method: 'POST', path: '/studies/PRM-A/sites', body: '{"code": ""}', type: JSON_TYPE, status: 403, detail: 'your role may not change sites or practitioners in study PRM-A' },
    { name: "a reviewer's invalid practitioner patch", who: 'reviewer', method: 'PATCH', path: '/studies/PRM-A/practitioners/PR-A', body: '{"yearsExperience": "many"}', type: PATCH_TYPE, headers: change, status: 403 },
    { name: "a reviewer's invalid study patch", who: 'reviewer', method: 'PATCH', path: '/studies/PRM-A', body: '{"title": 5}', type: PATCH_TYPE, headers: change, status: 403, detail: 'your role may not change the study in study PRM-A' },
    { name: "a reviewer's study deletion", who: 'reviewer', method: 'DELETE', path: '/studies/PRM-A', status: 403, detail: 'only an administrator may delete a study' },
    { name: "a reviewer's invalid write in a study not granted", who: 'reviewer', method: 'POST', path: '/studies/PRM-B/participants/P01/sessions', body: invalidSession, type: JSON_TYPE, status: 404, detail: 'study PRM-B does not exist' },
    { name: "a reviewer's invalid site in a study not granted", who: 'reviewer', method: 'POST', path: '/studies/PRM-B/sites', body: '{"code": ""}', type: JSON_TYPE, status: 404 },

    // A clinic at LON: another site's participant does not exist for it (404), enrolling or moving
    // elsewhere is refused (403), the study's structure is not its to change (403).
    {
      name: "a clinic's invalid patch of another site's participant",
      who: 'clinic',
      method: 'PATCH',
      path: '/studies/PRM-A/participants/P02',
      body: invalidParticipantPatch,
      type: PATCH_TYPE,
      headers: change,
      status: 404,
      detail: 'participant P02 does not exist in this study',
    },
    { name: "a clinic's invalid session for another site's participant", who: 'clinic', method: 'POST', path: '/studies/PRM-A/participants/P02/sessions', body: invalidSession, type: JSON_TYPE, status: 404 },
    { name: "a clinic's deletion of another site's record", who: 'clinic', method: 'DELETE', path: '/studies/PRM-A/participants/P02/surveys/1', status: 404 },
    { name: "a clinic's invalid session for a participant that does not exist", who: 'clinic', method: 'POST', path: '/studies/PRM-A/participants/NOBODY/sessions', body: invalidSession, type: JSON_TYPE, status: 404, detail: 'participant NOBODY does not exist in this study' },
    {
      name: "a clinic's invalid enrolment at another site",
      who: 'clinic',
      method: 'POST',
      path: '/studies/PRM-A/participants',
      body: JSON.stringify({ code: 'N01', site: 'MAN', birthYear: 'x' }),
      type: JSON_TYPE,
      status: 403,
      problemPath: 'site',
    },
    { name: "a clinic's invalid move of its participant to another site", who: 'clinic', method: 'PATCH', path: '/studies/PRM-A/participants/P01', body: JSON.stringify({ site: 'MAN', costUsd: -1 }), type: PATCH_TYPE, headers: change, status: 403, problemPath: 'site' },
    { name: "a clinic's invalid site", who: 'clinic', method: 'POST', path: '/studies/PRM-A/sites', body: '{"code": ""}', type: JSON_TYPE, status: 403 },
    { name: "a clinic's invalid bundle import", who: 'clinic', method: 'POST', path: '/studies', body: '{"format": 1}', type: JSON_TYPE, status: 403 },
    { name: "a clinic's invalid session in a study not granted", who: 'clinic', method: 'POST', path: '/studies/PRM-B/participants/P01/sessions', body: invalidSession, type: JSON_TYPE, status: 404 },
    // …while its own participant's invalid body is still a bad request.
    { name: "a clinic's invalid patch of its own participant", who: 'clinic', method: 'PATCH', path: '/studies/PRM-A/participants/P01', body: invalidParticipantPatch, type: PATCH_TYPE, headers: change, status: 400, problemPath: 'birthYear' },
    { name: "a clinic's invalid enrolment at its own site", who: 'clinic', method: 'POST', path: '/studies/PRM-A/participants', body: JSON.stringify({ code: 'N02', site: 'LON', birthYear: 'x' }), type: JSON_TYPE, status: 400 },

    // A researcher may import and write, so its invalid bodies are bad requests; deleting a study is not its to do.
    { name: "a researcher's invalid bundle import", who: 'researcher', method: 'POST', path: '/studies?replace=true', body: JSON.stringify({ ...smallBundle('PRM-A'), format: 'nope' }), type: JSON_TYPE, status: 400, detail: 'the bundle has 1 problem' },
    { name: "a researcher's invalid session", who: 'researcher', method: 'POST', path: '/studies/PRM-A/participants/P01/sessions', body: invalidSession, type: JSON_TYPE, status: 400 },
    { name: "a researcher's study deletion", who: 'researcher', method: 'DELETE', path: '/studies/PRM-A', headers: change, status: 403, detail: 'only an administrator may delete a study' },

    // Nobody signed in: 401 before the body is read.
    { name: 'an anonymous session that is not JSON', who: 'anonymous', method: 'POST', path: '/studies/PRM-A/participants/P01/sessions', body: '{"kind": ', type: JSON_TYPE, status: 401 },
  ];

  it('answers each as its role and scope decide, whatever the body, and writes nothing', async () => {
    const before = await tableCounts(db);
    const auditBefore = (await db.kysely.selectFrom('audit_event').select('audit_id').execute()).length;
    const failures: string[] = [];
    for (const attempt of attempts()) {
      const response = await fetch(`${server.base}/api${attempt.path}`, {
        method: attempt.method,
        headers: { ...headers[attempt.who], ...(attempt.type ? { 'content-type': attempt.type } : {}), ...attempt.headers },
        ...(attempt.body !== undefined ? { body: attempt.body } : {}),
      });
      const type = response.headers.get('content-type') ?? '';
      const body = type.includes('json') ? ((await response.json()) as { detail?: string; problems?: Array<{ path: string }> }) : null;
      const wrong: string[] = [];
      if (response.status !== attempt.status) wrong.push(`status ${response.status}`);
      if (!type.includes('application/problem+json')) wrong.push(`content type ${type}`);
      if (attempt.detail !== undefined && body?.detail !== attempt.detail) wrong.push(`detail "${body?.detail}"`);
      if (attempt.problemPath !== undefined && body?.problems?.[0]?.path !== attempt.problemPath) wrong.push(`problem path ${body?.problems?.[0]?.path}`);
      if (wrong.length > 0) failures.push(`${attempt.name}: ${wrong.join(', ')} ${JSON.stringify(body)?.slice(0, 200)}`);
    }
    expect(failures).to.deep.equal([]);
    expect(await tableCounts(db)).to.deep.equal(before);
    expect((await db.kysely.selectFrom('audit_event').select('audit_id').execute()).length).to.equal(auditBefore);
  });

  it('declares a permission on every write route that needs a signed-in caller', () => {
    // Changing one's own password, ending one's own sessions and tokens, and making or revoking
    // one's own calendar feeds of a study one reaches, are every signed-in user's right.
    const self = new Set([
      'POST /auth/password',
      'DELETE /account/sessions/:id',
      'POST /account/sessions/end-others',
      'DELETE /account/tokens/:id',
      'POST /studies/:code/worklist/feeds',
      'DELETE /studies/:code/worklist/feeds/:id',
    ]);
    const undeclared = apiRoutes
      .filter((route) => route.method !== 'get' && route.auth === 'user' && route.permission === undefined)
      .map((route) => `${route.method.toUpperCase()} ${route.path}`)
      .filter((key) => !self.has(key));
    expect(undeclared).to.deep.equal([]);
  });
});
