// GET /charts keeps its answers: the same question is answered from the cache while the study has
// not changed, and any change (a record written through the API, a site renamed, the study
// replaced) makes the next answer a fresh one. Different filters and callers never share one.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { chartAnswerCache } from '../../api/services/analysis-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
const CODE = demo.study.code;

describe(`chart answers kept while the study is unchanged (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let londonClinic: ApiClient;
  const counts = () => ({ hits: chartAnswerCache(db).hits, misses: chartAnswerCache(db).misses });

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    await importBundle(db, demo);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    londonClinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('answers the same question again from the cache, identically', async () => {
    const first = await admin.get(`/studies/${CODE}/charts?by=site`);
    const before = counts();
    const second = await admin.get(`/studies/${CODE}/charts?by=site`);
    expect(second.body).to.deep.equal(first.body);
    expect(counts()).to.deep.equal({ hits: before.hits + 1, misses: before.misses });
  });

  it('never shares an answer between filters or between callers of different scope', async () => {
    const all = (await admin.get(`/studies/${CODE}/charts`)).body;
    const manchester = (await admin.get(`/studies/${CODE}/charts?site=MAN`)).body;
    const clinic = (await londonClinic.get(`/studies/${CODE}/charts`)).body;
    expect([all, manchester, clinic].map((answer) => answer.summary.participants.enrolled)).to.deep.equal([22, 10, 12]);
    // Asked again, each is answered from the cache with its own figures.
    const again = counts();
    expect((await londonClinic.get(`/studies/${CODE}/charts`)).body).to.deep.equal(clinic);
    expect((await admin.get(`/studies/${CODE}/charts?site=MAN`)).body).to.deep.equal(manchester);
    expect(counts().hits).to.equal(again.hits + 2);
    // A clinic is still refused another site's figures, answer kept or not.
    expect((await londonClinic.get(`/studies/${CODE}/charts?site=MAN`)).status).to.equal(403);
  });

  it('answers afresh after a record is written, and after a site is renamed', async () => {
    const before = (await admin.get(`/studies/${CODE}/charts`)).body;
    expect(before.summary.safety.anyEvent).to.include({ n: 1, N: 22 });
    const added = await admin.post(
      `/studies/${CODE}/participants/P03/adverse-events`,
      {
        category: 'infection',
        term: 'Folliculitis',
        onsetDate: '2018-03-14',
        grade: 2,
        serious: false,
        relatedness: 'possible',
        outcome: 'recovering',
        sessionNumber: 1,
      },
      { reason: 'Reported at the second session' },
    );
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    const after = (await admin.get(`/studies/${CODE}/charts`)).body;
    expect(after.summary.safety.anyEvent).to.include({ n: 2, N: 22 });
    expect(after.charts.find((chart: { id: string }) => chart.id === 'adverse-events').table.rows[0].slice(0, 3)).to.deep.equal([
      'Infection',
      1,
      '1/22',
    ]);

    // Any audited change of the study counts, even one the charts do not show.
    await admin.get(`/studies/${CODE}/charts?by=site`);
    const site = await admin.get(`/studies/${CODE}/sites/MAN`);
    const renamed = await admin.patch(`/studies/${CODE}/sites/MAN`, { name: 'Manchester Trafford clinic' }, { ifMatch: site.etag!, reason: 'Moved' });
    expect(renamed.status).to.equal(200);
    const before2 = counts();
    await admin.get(`/studies/${CODE}/charts?by=site`);
    expect(counts()).to.deep.equal({ hits: before2.hits, misses: before2.misses + 1 });
  });

  it('answers afresh after the study is replaced', async () => {
    await admin.get(`/studies/${CODE}/charts`);
    const smaller = { ...demo, participants: demo.participants.filter((p) => p.site === 'LON') };
    expect((await admin.post('/studies?replace=true', smaller)).status).to.equal(200);
    expect((await admin.get(`/studies/${CODE}/charts`)).body.summary.participants.enrolled).to.equal(12);
    expect((await admin.delete(`/studies/${CODE}`, { ifMatch: (await admin.get(`/studies/${CODE}`)).etag!, reason: 'Withdrawn' })).status).to.equal(204);
    expect((await admin.get(`/studies/${CODE}/charts`)).status).to.equal(404);
  });
});
