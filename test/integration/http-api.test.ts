// The HTTP API on a real database: import, list, export, and problem+json for every error.
import { expect } from 'chai';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

describe(`HTTP API (${DRIVER})`, function () {
  let db: TestDb;
  let server: TestServer;
  let base: string;
  let auth: Record<string, string>;
  const get = (path: string) => fetch(`${base}${path}`, { headers: auth });

  before(async () => {
    db = await freshDb();
    auth = (await createTestUser(db, 'admin')).headers;
    server = await startTestServer(db);
    base = server.base;
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers the health check with the driver in use', async () => {
    const response = await fetch(`${base}/api/health`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok', database: DRIVER });
  });

  it('imports a bundle, lists it with counts and exports it back', async () => {
    const created = await post('/api/studies', smallBundle('HTTP-1'));
    expect(created.status).to.equal(201);
    expect(created.headers.get('location')).to.equal('/api/studies/HTTP-1');
    expect(await created.json()).to.deep.equal({
      code: 'HTTP-1',
      replaced: false,
      counts: {
        site: 2, practitioner: 2, participant: 2, treatment_session: 5,
        adverse_event: 1, fading_assessment: 2, satisfaction_survey: 1,
      },
    });

    const list = (await (await get('/api/studies')).json()) as { studies: Array<Record<string, unknown>> };
    expect(list.studies).to.have.length(1);
    expect(list.studies[0]).to.include({
      code: 'HTTP-1', title: 'Small test cohort', sites: 2, practitioners: 2, participants: 2,
      sessions: 5, adverseEvents: 1, fadingAssessments: 2, surveys: 1,
    });
    expect(list.studies[0]!.importedAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const exported = await get(`/api/studies/HTTP-1/bundle`);
    expect(exported.status).to.equal(200);
    expect(exported.headers.get('content-disposition')).to.contain('HTTP-1.json');
    const bundle = (await exported.json()) as { participants: Array<{ code: string; sessions: unknown[] }> };
    expect(bundle.participants.map((p) => p.code)).to.deep.equal(['P01', 'P02']);
    expect(bundle.participants[0]!.sessions).to.have.length(4);
  });

  it('refuses an existing code with 409 and replaces it with ?replace=true', async () => {
    const again = await post('/api/studies', smallBundle('HTTP-1'));
    expect(again.status).to.equal(409);
    expect(again.headers.get('content-type')).to.contain('application/problem+json');
    expect(await again.json()).to.deep.include({
      status: 409,
      detail: 'study HTTP-1 already exists; import with replace=true to replace it, or with code=NEW-CODE as a new study',
      problems: [{ path: 'study.code', message: 'study HTTP-1 already exists' }],
    });
    const replaced = await post('/api/studies?replace=true', smallBundle('HTTP-1'));
    expect(replaced.status).to.equal(200);
    expect(((await replaced.json()) as { replaced: boolean }).replaced).to.equal(true);
  });

  it('answers an invalid bundle with 400 and every problem, writing nothing', async () => {
    const before = await tableCounts(db);
    const bundle = smallBundle('HTTP-2');
    bundle.participants[0].sessions[1].date = '2021-02-30';
    bundle.participants[1].site = 'NOWHERE';
    const response = await post('/api/studies', bundle);
    expect(response.status).to.equal(400);
    expect(response.headers.get('content-type')).to.contain('application/problem+json');
    const problem = (await response.json()) as { status: number; problems: unknown };
    expect(problem.status).to.equal(400);
    expect(problem.problems).to.deep.equal([
      { path: 'participants[0].sessions[1].date', message: '2021-02-30 is not a calendar date' },
      { path: 'participants[1].site', message: 'site "NOWHERE" is not defined in sites' },
    ]);
    expect(await tableCounts(db)).to.deep.equal(before);
  });

  it('answers a body that is not JSON with 400', async () => {
    const response = await post('/api/studies', '{"format": ');
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { problems: unknown }).problems).to.deep.equal([
      { path: '(body)', message: 'is not valid JSON (line 1, column 12): Unexpected end of JSON input' },
    ]);
  });

  it('names the bad parameter of a request', async () => {
    const badCode = await get(`/api/studies/not-a-code/bundle`);
    expect(badCode.status).to.equal(400);
    expect(((await badCode.json()) as { problems: unknown }).problems).to.deep.equal([
      { path: 'path.code', message: '"not-a-code" is not a study code' },
    ]);
    const badQuery = await post('/api/studies?replace=yes', smallBundle('HTTP-3'));
    expect(badQuery.status).to.equal(400);
    expect(((await badQuery.json()) as { problems: unknown }).problems).to.deep.equal([
      { path: 'query.replace', message: 'must be true or false' },
    ]);
  });

  it('answers an unknown study and an unknown endpoint with 404', async () => {
    const study = await get(`/api/studies/NOPE-9/bundle`);
    expect(study.status).to.equal(404);
    expect(((await study.json()) as { detail: string }).detail).to.equal('study NOPE-9 does not exist');
    const endpoint = await get('/api/nothing-here');
    expect(endpoint.status).to.equal(404);
    expect(endpoint.headers.get('content-type')).to.contain('application/problem+json');
  });

  it('serves the analysis summary and the HTML report of a study', async () => {
    const analysis = await get(`/api/studies/HTTP-1/analysis?by=site`);
    expect(analysis.status).to.equal(200);
    const summary = (await analysis.json()) as {
      format: string;
      participants: { enrolled: number };
      sessions: { total: number };
      safety: { anyEvent: { n: number; N: number } };
      subgroups: { by: string; groups: Array<{ key: string; figures: { participants: { enrolled: number } } }> };
    };
    expect(summary.format).to.equal('smp-analysis/1');
    expect(summary.participants.enrolled).to.equal(2);
    expect(summary.sessions.total).to.equal(5);
    expect(summary.safety.anyEvent).to.include({ n: 1, N: 2 });
    expect(summary.subgroups.by).to.equal('site');
    expect(summary.subgroups.groups.map((g) => [g.key, g.figures.participants.enrolled])).to.deep.equal([
      ['LON', 1],
      ['MAN', 1],
    ]);

    const report = await get(`/api/studies/HTTP-1/report`);
    expect(report.status).to.equal(200);
    expect(report.headers.get('content-type')).to.contain('text/html');
    const html = await report.text();
    expect(html).to.contain('Small test cohort');
    expect(html.match(/<canvas/g)).to.have.length(8);

    const badBy = await get(`/api/studies/HTTP-1/analysis?by=clinic`);
    expect(badBy.status).to.equal(400);
    expect(((await badBy.json()) as { problems: unknown }).problems).to.deep.equal([
      { path: 'query.by', message: 'must be site, indication or practitioner-experience (got "clinic")' },
    ]);
    expect((await get(`/api/studies/NOPE-9/analysis`)).status).to.equal(404);
  });

  it('serves the web application at each of its addresses, and its built script', async () => {
    for (const address of ['/', '/sign-in', '/users', '/studies/SMP-2021', '/studies/SMP-2021/participants/P01']) {
      const page = await fetch(`${base}${address}`);
      expect(page.status, address).to.equal(200);
      expect(page.headers.get('content-type')).to.contain('text/html');
      expect(await page.text()).to.contain('<script type="module" src="/app.js"></script>');
    }
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).to.contain('javascript');
    expect(await script.text()).to.contain('/api/studies');
    expect((await fetch(`${base}/main.ts`)).status).to.equal(404);
    expect((await fetch(`${base}/app/main.tsx`)).status).to.equal(404);
    expect((await fetch(`${base}/no-such-page`)).status).to.equal(404);
  });
});
