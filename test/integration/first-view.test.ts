// The first dashboard view of a study just imported or replaced: the server has started computing
// its answer (the whole study by site) when the import is answered, and the dashboard's request
// waits for that computation instead of starting a second one. Two requests for the same question
// at once share one computation too. A server that starts (after a restore, or imports by the
// command line) computes every study's first answer. Computations are counted by the chart-answer cache.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { bindServer } from '../../api/server.ts';
import { chartAnswerCache } from '../../api/services/analysis-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { openDb, type Db } from '../../db/kysely.ts';
import { openMigratedDb } from '../../db/migrate.ts';
import { createServerDatabase, DRIVER, freshDb, SERVER_URL, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
const CODE = demo.study.code;

describe(`the first view of a study just imported (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let adminHeaders: Record<string, string>;
  const computed = () => chartAnswerCache(db).computed;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    adminHeaders = (await createTestUser(db, 'admin')).headers;
    admin = apiClient(server.base, adminHeaders);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('computes the dashboard answer once, started by the import, and the dashboard request waits for it', async () => {
    const before = computed();
    expect((await admin.post('/studies', demo)).status).to.equal(201);
    expect(computed(), 'started by the import, before any request for it').to.equal(before + 1);
    const first = await admin.get(`/studies/${CODE}/charts?by=site`);
    expect(first.status).to.equal(200);
    expect(first.body.summary.participants.enrolled).to.equal(22);
    expect(first.body.summary.subgroups.groups.map((group: { key: string }) => group.key)).to.deep.equal(['LON', 'MAN']);
    expect(computed(), 'the request computed nothing of its own').to.equal(before + 1);
  });

  it('computes it again after a replace, before the dashboard asks', async () => {
    const before = computed();
    const smaller = { ...demo, participants: demo.participants.filter((participant) => participant.site === 'LON') };
    expect((await admin.post('/studies?replace=true', smaller)).status).to.equal(200);
    expect(computed()).to.equal(before + 1);
    const first = await admin.get(`/studies/${CODE}/charts?by=site`);
    expect(first.body.summary.participants.enrolled).to.equal(12);
    expect(computed()).to.equal(before + 1);
  });

  it('shares one computation between two requests for the same question at the same time', async () => {
    const before = computed();
    const [one, two] = await Promise.all([admin.get(`/studies/${CODE}/charts?by=indication`), admin.get(`/studies/${CODE}/charts?by=indication`)]);
    expect([one.status, two.status]).to.deep.equal([200, 200]);
    expect(two.body).to.deep.equal(one.body);
    expect(one.body.summary.subgroups.by).to.equal('indication');
    expect(computed()).to.equal(before + 1);
  });

  it('computes at start-up the first answer of a study loaded while no server ran (a restore, a command-line import)', async () => {
    await importBundle(db, smallBundle('FIRST-2'));
    const before = computed();
    const started = await bindServer({ host: '127.0.0.1', port: 0 });
    try {
      await started.serve(db);
      // The demo study's answer is kept from the tests above; only the new study's is computed.
      expect(computed()).to.equal(before + 1);
      const first = await apiClient(started.url.replace(/\/$/, ''), adminHeaders).get('/studies/FIRST-2/charts?by=site');
      expect(first.status).to.equal(200);
      expect(first.body.summary.study.code).to.equal('FIRST-2');
      expect(computed()).to.equal(before + 1);
    } finally {
      await started.close();
    }
  });

  it('computes the first answer of a study that another process loads while the server runs (`smp import`, another server)', async function () {
    // The loading process: on PostgreSQL a connection of its own, as `smp import` or a second
    // server process has; PGlite has one process, where the import is announced all the same.
    let database: { url: string; drop(): Promise<void> } | undefined;
    let served: Db = db;
    let loader: Db = db;
    if (SERVER_URL) {
      database = await createServerDatabase();
      served = await openMigratedDb({ databaseUrl: database.url });
      loader = await openDb({ databaseUrl: database.url });
    }
    const counter = () => chartAnswerCache(served).computed;
    const started = await bindServer({ host: '127.0.0.1', port: 0 });
    try {
      await started.serve(served);
      const before = counter();
      await importBundle(loader, smallBundle('FIRST-3'));
      // The announcement arrives on its own connection, a moment after the import's commit.
      for (let tries = 0; counter() === before && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(counter(), 'computed on the announcement, before any request').to.equal(before + 1);
      const headers = SERVER_URL ? (await createTestUser(served, 'admin')).headers : adminHeaders;
      const first = await apiClient(started.url.replace(/\/$/, ''), headers).get('/studies/FIRST-3/charts?by=site');
      expect(first.status).to.equal(200);
      expect(first.body.summary.study.code).to.equal('FIRST-3');
      expect(counter(), 'the request computed nothing of its own').to.equal(before + 1);
    } finally {
      await started.close();
      if (database) {
        await loader.close();
        await served.close();
        await database.drop();
      }
    }
  });
});
