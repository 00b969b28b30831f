// A client that goes away in the middle of an export: the server stops reading the study and
// lets its snapshot go. On PostgreSQL no query or transaction of the export is left in
// pg_stat_activity; on PGlite, whose one connection the export held, the next request is served.
// A server that kept exporting would, with nobody reading, wait on the full socket for ever,
// holding its transaction (PostgreSQL) or the only connection (PGlite).
import fs from 'node:fs';
import { expect } from 'chai';
import { sql } from 'kysely';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser, type TestUser } from '../support/users.ts';

const MEGABYTE = 1024 * 1024;

/** Read `url` until at least `bytes` have come, then abort the request; the bytes read. */
async function readThenAbort(url: string, headers: Record<string, string>, bytes: number): Promise<{ status: number; read: number }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  let read = 0;
  while (read < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.length;
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return { status: response.status, read };
}

/** The other sessions of this test's database that are running a query or hold a transaction. */
async function busySessions(db: TestDb): Promise<Array<{ state: string; query: string }>> {
  const { rows } = await sql<{ state: string; query: string }>`
    select state, query from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
      and (state <> 'idle' or backend_xid is not null or backend_xmin is not null)`.execute(db.kysely);
  return rows;
}

describe(`an export the client abandons (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: TestUser;

  before(async () => {
    db = await freshDb();
    await importBundle(db, generateCohort({ seed: 3, participants: 2000, code: 'ABORT-1' }));
    await importBundle(db, JSON.parse(fs.readFileSync('fixtures/smp-2021.json', 'utf8')));
    admin = await createTestUser(db, 'admin');
    server = await startTestServer(db);
  });
  after(async () => {
    await server.close();
    await db.dispose();
  });

  for (const format of ['fhir', 'json'] as const) {
    it(`${format}: aborted after the first megabyte, the export stops and frees its snapshot; the next request is served`, async () => {
      const url = `${server.base}/api/studies/ABORT-1/export?format=${format}`;
      const { status, read } = await readThenAbort(url, admin.headers, MEGABYTE);
      expect(status).to.equal(200);
      expect(read).to.be.at.least(MEGABYTE);

      if (DRIVER === 'postgres') {
        // The server notices the closed connection at its next write: wait for that, then expect nothing left.
        let left = await busySessions(db);
        for (let attempt = 0; attempt < 200 && left.length > 0; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          left = await busySessions(db);
        }
        expect(left).to.deep.equal([]);
      }
      // PGlite has one connection: this is answered only if the abandoned export let it go.
      const next = await fetch(`${server.base}/api/studies/SMP-2021/export?format=json`, { headers: admin.headers });
      expect(next.status).to.equal(200);
      const bundle = (await next.json()) as { study: { code: string }; participants: unknown[] };
      expect([bundle.study.code, bundle.participants.length]).to.deep.equal(['SMP-2021', 22]);
    });
  }

  it('an export read to its end is whole: the zip of a 2,000-participant cohort holds every file', async () => {
    const response = await fetch(`${server.base}/api/studies/ABORT-1/export?format=csv`, { headers: admin.headers });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/zip');
    const { unzipFiles } = await import('../../api/formats/archive.ts');
    const { files, problems } = unzipFiles('x.zip', new Uint8Array(await response.arrayBuffer()));
    expect(problems).to.deep.equal([]);
    const participants = files.find((f) => f.name === 'participants.csv')!;
    // The header and one line per participant.
    expect(Buffer.from(participants.content).toString('utf8').split('\r\n').length - 2).to.equal(2000);
  });
});
