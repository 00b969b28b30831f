// Hostile requests on every declared route: random JSON bodies (and random query strings) never
// make the server answer 500, and every answer is JSON or problem+json. A versioned write gets
// the current version in If-Match half the time, so that the code behind the version check is
// reached too. `npm run test:fuzz` runs many more of them (FUZZ_RUNS).
import { expect } from 'chai';
import fc from 'fast-check';
import { apiRoutes } from '../../api/routes/index.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { runs } from './bundle-arbitrary.ts';

/** Values for the path parameters: ones that exist, so requests reach the handlers. */
const PARAMS: Record<string, string> = {
  code: 'FUZZ-1',
  siteCode: 'LON',
  practitionerCode: 'PR-A',
  participantCode: 'P01',
  number: '1',
  no: '1',
  id: '1',
  username: 'fuzz-target',
  study: 'FUZZ-1',
  site: 'LON',
};
const pathOf = (path: string) => path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(PARAMS[name]!));

/** Keys a body or query may hold: the fields of this API's shapes, so that some values land where they are read. */
const KEYS = [
  'code', 'site', 'name', 'title', 'protocol', 'sex', 'birthYear', 'indication', 'enrolledOn', 'withdrawnOn', 'date', 'number',
  'kind', 'practitioner', 'grade', 'serious', 'category', 'term', 'onsetDate', 'satisfaction', 'username', 'password', 'role',
  'grants', 'study', 'link', 'limit', 'cursor', 'sort', 'by', 'format', 'replace', 'from', 'to', 'entity', 'q', 'unresolved',
  'participants', 'sessions', 'format', '__proto__', 'constructor',
];
const bodies = fc.oneof(
  fc.constant({}),
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
);
const queries = fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constant('')), { maxKeys: 4 });

describe(`HTTP properties: no 500 on random input (${DRIVER})`, function () {
  this.timeout(Number(process.env.FUZZ_RUNS ?? 0) > 100 ? 3_600_000 : 120_000);
  let db: TestDb;
  let server: TestServer;
  let auth: Record<string, string>;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    auth = (await createTestUser(db, 'admin')).headers;
    const api = apiClient(server.base, auth);
    expect((await api.post('/studies', smallBundle('FUZZ-1'))).status).to.equal(201);
    expect((await api.post('/users', { username: 'fuzz-target', role: 'researcher', grants: [{ study: 'FUZZ-1' }] })).status).to.equal(201);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  /** The current version of a versioned route's record, read from the same path. */
  async function currentVersion(path: string): Promise<string> {
    const response = await fetch(`${server.base}/api${pathOf(path)}`, { headers: auth });
    await response.arrayBuffer();
    return response.headers.get('etag') ?? '"1"';
  }

  async function send(method: string, path: string, body: unknown, query: Record<string, string>, ifMatch = '"1"') {
    const search = new URLSearchParams(query).toString();
    const response = await fetch(`${server.base}/api${pathOf(path)}${search ? `?${search}` : ''}`, {
      method,
      headers: {
        ...auth,
        ...(body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
        'if-match': ifMatch,
        'x-change-reason': 'fuzz',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = response.headers.get('content-type') ?? '';
    await response.arrayBuffer();
    return { status: response.status, type };
  }

  const withBody = apiRoutes.filter((r) => r.body || r.unvalidatedBody);
  const reads = apiRoutes.filter((r) => r.method === 'get');

  it('answers random JSON bodies on every route that takes one with a 2xx or 4xx, never a 500', async () => {
    expect(withBody.length).to.be.greaterThan(20);
    const seen = new Set<number>();
    /** Statuses of versioned writes sent with the current version: past the version check. */
    const pastVersionCheck = new Set<number>();
    for (const route of withBody) {
      await fc.assert(
        fc.asyncProperty(bodies, fc.boolean(), async (body, current) => {
          const withCurrent = route.ifMatch === true && current;
          const ifMatch = withCurrent ? await currentVersion(route.path) : '"1"';
          const { status, type } = await send(route.method.toUpperCase(), route.path, body, {}, ifMatch);
          seen.add(status);
          if (withCurrent) pastVersionCheck.add(status);
          expect(status, `${route.method} ${route.path} ${JSON.stringify(body).slice(0, 200)}`).to.be.below(500);
          expect(type).to.match(/json/);
        }),
        { numRuns: runs(12) },
      );
    }
    expect([...seen].some((status) => status === 400)).to.equal(true);
    expect([...pastVersionCheck].some((status) => status >= 200 && status < 300), 'a versioned write got past its version check').to.equal(true);
  });

  it('answers random query strings on every read with a 2xx or 4xx, never a 500', async () => {
    for (const route of reads) {
      await fc.assert(
        fc.asyncProperty(queries, async (query) => {
          const { status } = await send('GET', route.path, undefined, query);
          expect(status, `GET ${route.path}?${new URLSearchParams(query)}`).to.be.below(500);
        }),
        { numRuns: runs(6) },
      );
    }
  });
});
