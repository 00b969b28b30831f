// Bad requests, table-driven: each answers its status as application/problem+json with the
// problem's path, and writes nothing.
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

interface BadRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** The first problem's path, when the answer lists problems. */
  problemPath?: string;
  /** Text the detail contains. */
  detail?: string;
  allow?: string;
}

const P = '/api/studies/BAD-1/participants/P01';
/** A cursor as the lists encode them, holding `values`: the lists never give these out. */
const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
const json = { 'content-type': 'application/json' };
const patch = { 'content-type': 'application/merge-patch+json' };

describe(`bad requests (${DRIVER})`, function () {
  this.timeout(60_000);
  let db: TestDb;
  let server: TestServer;
  let auth: Record<string, string>;
  let version: string;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    auth = (await createTestUser(db, 'admin')).headers;
    const created = await fetch(`${server.base}/api/studies`, { method: 'POST', headers: { ...json, ...auth }, body: JSON.stringify(smallBundle('BAD-1')) });
    expect(created.status).to.equal(201);
    version = (await fetch(`${server.base}${P}`, { headers: auth })).headers.get('etag')!;
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const cases = (): BadRequest[] => [
    { name: 'no credentials', method: 'GET', path: '/api/studies', status: 401, detail: 'sign in' },
    { name: 'an unknown API token', method: 'GET', path: '/api/studies', headers: { authorization: 'Bearer smp_not-a-token' }, status: 401 },
    { name: 'an unknown endpoint', method: 'GET', path: '/api/nothing', status: 404, detail: 'no such API endpoint' },
    { name: 'a method the path does not take', method: 'PUT', path: P, status: 405, allow: 'DELETE, GET, HEAD, PATCH' },
    { name: 'a malformed study code', method: 'GET', path: '/api/studies/bad_code', status: 400, problemPath: 'path.code' },
    { name: 'a session number that is not a number', method: 'GET', path: `${P}/sessions/first`, status: 400, problemPath: 'path.number' },
    { name: 'an unknown query parameter', method: 'GET', path: '/api/studies/BAD-1/participants?colour=red', status: 400, problemPath: 'query' },
    { name: 'a limit over 1,000', method: 'GET', path: '/api/studies/BAD-1/adverse-events?limit=5000', status: 400, problemPath: 'query.limit' },
    { name: 'a filter value outside its list', method: 'GET', path: '/api/studies/BAD-1/adverse-events?category=burn', status: 400, problemPath: 'query.category' },
    { name: 'a body that is not JSON', method: 'POST', path: `${P}/surveys`, headers: json, body: '{"date": ', status: 400, problemPath: '(body)' },
    { name: 'a body that is not an object', method: 'POST', path: `${P}/surveys`, headers: json, body: '[1, 2]', status: 400, problemPath: '(body)' },
    { name: 'a body that is not sent as JSON', method: 'POST', path: `${P}/surveys`, headers: { 'content-type': 'text/plain' }, body: '{}', status: 415 },
    {
      name: 'a body in another charset',
      method: 'POST',
      path: `${P}/surveys`,
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: '{}',
      status: 415,
    },
    {
      name: 'a record over 1 MB',
      method: 'POST',
      path: `${P}/surveys`,
      headers: json,
      body: JSON.stringify({ date: '2020-01-01', satisfaction: 5, padding: 'x'.repeat(1_100_000) }),
      status: 413,
    },
    {
      name: 'a field the record does not have',
      method: 'POST',
      path: `${P}/surveys`,
      headers: json,
      body: JSON.stringify({ date: '2019-10-02', satisfaction: 5, mood: 'happy' }),
      status: 400,
      problemPath: 'mood',
    },
    {
      name: 'a duplicate key',
      method: 'POST',
      path: `${P}/surveys`,
      headers: json,
      body: '{"date": "2019-10-02", "satisfaction": 5, "satisfaction": 1}',
      status: 400,
      problemPath: 'satisfaction',
      detail: 'duplicate',
    },
    { name: 'a change without If-Match', method: 'PATCH', path: P, headers: { ...patch, 'x-change-reason': 'x' }, body: '{}', status: 428, problemPath: '(header) If-Match' },
    {
      name: 'a change with If-Match *',
      method: 'PATCH',
      path: P,
      headers: { ...patch, 'if-match': '*', 'x-change-reason': 'x' },
      body: '{}',
      status: 400,
      problemPath: '(header) If-Match',
    },
    {
      name: 'a change from a stale version',
      method: 'PATCH',
      path: P,
      headers: { ...patch, 'if-match': '"1"', 'x-change-reason': 'x' },
      body: '{"costUsd": 1}',
      status: 412,
      problemPath: '(header) If-Match',
    },
    { name: 'a change without a reason', method: 'PATCH', path: P, headers: { ...patch, 'if-match': version }, body: '{}', status: 400, problemPath: '(header) X-Change-Reason' },
    {
      name: 'a reason that is not percent-encoded UTF-8',
      method: 'DELETE',
      path: P,
      headers: { 'if-match': version, 'x-change-reason': 'caf%E9' },
      status: 400,
      problemPath: '(header) X-Change-Reason',
    },
    {
      name: 'an empty reason',
      method: 'DELETE',
      path: P,
      headers: { 'if-match': version, 'x-change-reason': '%20' },
      status: 400,
      problemPath: '(header) X-Change-Reason',
    },
    { name: 'a record that does not exist', method: 'GET', path: `${P}/adverse-events/77`, status: 404 },
    { name: 'a study that does not exist', method: 'GET', path: '/api/studies/NONE-1/participants', status: 404 },
    {
      name: 'a duplicate participant code',
      method: 'POST',
      path: '/api/studies/BAD-1/participants',
      headers: json,
      body: JSON.stringify({ code: 'P01', site: 'LON', sex: 'male', birthYear: 1990, indication: 'scar', keloidHistory: false, enrolledOn: '2020-01-01' }),
      status: 409,
      problemPath: 'code',
    },
    { name: 'a bad percent-encoding in the path', method: 'GET', path: '/api/studies/%ZZ', status: 400, problemPath: '(path)' },
    // Values that reached PostgreSQL and failed there (500) before they were checked at the edge.
    { name: 'a NUL in a participant search', method: 'GET', path: '/api/studies/BAD-1/participants?q=P%00', status: 400, problemPath: 'query.q' },
    { name: 'a NUL in the study audit user', method: 'GET', path: '/api/studies/BAD-1/audit?user=%00', status: 400, problemPath: 'query.user' },
    { name: 'a NUL in the user-management audit user', method: 'GET', path: '/api/audit?user=ad%00min', status: 400, problemPath: 'query.user' },
    ...[['x'], [null], ['\u0000'], [1.5], ['0']].map((values) => ({
      name: `an audit cursor holding ${JSON.stringify(values)}`,
      method: 'GET',
      path: `/api/studies/BAD-1/audit?cursor=${cursor(values)}`,
      status: 400,
      problemPath: 'query.cursor',
    })),
    ...[['x'], [null], ['\u0000']].map((values) => ({
      name: `a user-management audit cursor holding ${JSON.stringify(values)}`,
      method: 'GET',
      path: `/api/audit?cursor=${cursor(values)}`,
      status: 400,
      problemPath: 'query.cursor',
    })),
    ...[
      ['code', ['\u0000']],
      ['code', [null]],
      ['code', ['P01', 'P02']],
      ['enrolledOn', ['x', 'P01']],
      ['enrolledOn', ['2019-02-30', 'P01']],
      ['enrolledOn', [null, '\u0000']],
    ].map(([sort, values]) => ({
      name: `a participant cursor holding ${JSON.stringify(values)} (sort=${sort})`,
      method: 'GET',
      path: `/api/studies/BAD-1/participants?sort=${sort}&cursor=${cursor(values as unknown[])}`,
      status: 400,
      problemPath: 'query.cursor',
    })),
    ...[
      ['participant', ['P01', 'x']],
      ['participant', ['\u0000', 1]],
      ['priority', ['x', 'P01', 1]],
      ['onsetDate', ['x', 'P01', 1]],
      ['-onsetDate', ['2019-01-01', null, 1]],
    ].map(([sort, values]) => ({
      name: `an adverse-event cursor holding ${JSON.stringify(values)} (sort=${sort})`,
      method: 'GET',
      path: `/api/studies/BAD-1/adverse-events?sort=${sort}&cursor=${cursor(values as unknown[])}`,
      status: 400,
      problemPath: 'query.cursor',
    })),
    { name: 'a cursor that is not base64url', method: 'GET', path: '/api/studies/BAD-1/participants?cursor=%2B%2F%3D', status: 400, problemPath: 'query.cursor' },
  ];

  it('answers each with its status, as problem+json naming the problem, and writes nothing', async () => {
    const before = await tableCounts(db);
    const auditBefore = (await db.kysely.selectFrom('audit_event').select('audit_id').execute()).length;
    const failures: string[] = [];
    for (const c of cases()) {
      const needsAuth = !c.headers?.authorization && c.name !== 'no credentials';
      const response = await fetch(`${server.base}${c.path}`, {
        method: c.method,
        headers: { ...(needsAuth ? auth : {}), ...c.headers },
        ...(c.body !== undefined ? { body: c.body } : {}),
      });
      const type = response.headers.get('content-type') ?? '';
      const body = type.includes('json') ? ((await response.json()) as { status: number; detail: string; problems?: Array<{ path: string }> }) : null;
      const problems = body?.problems ?? [];
      const wrong: string[] = [];
      if (response.status !== c.status) wrong.push(`status ${response.status}`);
      if (!type.includes('application/problem+json')) wrong.push(`content type ${type}`);
      if (body?.status !== c.status) wrong.push(`body status ${body?.status}`);
      if (c.problemPath !== undefined && !problems[0]?.path.startsWith(c.problemPath)) wrong.push(`problem path ${problems[0]?.path}`);
      if (c.detail !== undefined && !body?.detail.includes(c.detail)) wrong.push(`detail "${body?.detail}"`);
      if (c.allow !== undefined && response.headers.get('allow') !== c.allow) wrong.push(`Allow ${response.headers.get('allow')}`);
      if (response.status >= 500) wrong.push('a server error');
      if (wrong.length > 0) failures.push(`${c.name}: ${wrong.join(', ')} ${JSON.stringify(body)?.slice(0, 200)}`);
    }
    expect(failures).to.deep.equal([]);
    expect(await tableCounts(db)).to.deep.equal(before);
    expect((await db.kysely.selectFrom('audit_event').select('audit_id').execute()).length).to.equal(auditBefore);
  });

  it('sends security headers and no CORS permission, and gives every response a request id', async () => {
    const response = await fetch(`${server.base}/api/health`, { headers: { origin: 'https://elsewhere.example' } });
    expect(response.headers.get('access-control-allow-origin')).to.equal(null);
    expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(response.headers.get('content-security-policy')).to.contain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).to.equal(null);
    expect(response.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${server.base}/api/health`, { headers: { 'x-request-id': 'trace-42' } });
    expect(given.headers.get('x-request-id')).to.equal('trace-42');
  });
});
