// Chart answers computed on a worker thread of their own (PostgreSQL; the embedded database has
// no second connection for one): the worker's answer is the answer this thread computes, byte for
// byte, for every view (the whole study, a clinic's sites with other sites suppressed, a
// reviewer's de-identified view, filters); a study the worker cannot find, or a question the actor
// may not ask, fails as it does here; a worker that cannot open its database (or a stopped one)
// gives no answer and leaves it to this thread; a served database gets its thread with
// `analysisThread` and loses it on close.
import { expect } from 'chai';
import { bindServer } from '../../api/server.ts';
import type { Actor } from '../../api/services/access.ts';
import { chartAnswererOf, chartStudy, computeChartAnswer, type AnalysisOptions } from '../../api/services/analysis-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { ChartAnswerThread, startChartAnswerThread, stopChartAnswerThread } from '../../api/services/workers/chart-answer-thread.ts';
import { isAppError } from '../../api/errors.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { createServerDatabase, DRIVER, freshDb, SERVER_URL, type TestDb } from '../support/database.ts';

const CODE = 'THREAD-1';

describe(`chart answers on a thread of their own (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  const bundle = generateCohort({ seed: 5, participants: 300, code: CODE, sites: 3 });
  const [firstSite, secondSite] = bundle.sites.map((site) => site.code) as [string, string];
  const clinic: Actor = { userId: null, username: 'clinic', role: 'clinic', grants: [{ studyCode: CODE, siteCode: firstSite }] };
  const reviewer: Actor = { userId: null, username: 'reviewer', role: 'reviewer', grants: [{ studyCode: CODE, siteCode: null }] };
  const questions: Array<[string, AnalysisOptions]> = [
    ['the whole study by site', { by: 'site', suppressBelow: 5 }],
    ['by indication, one site', { by: 'indication', site: secondSite }],
    ["a clinic's sites by site, others suppressed", { by: 'site', actor: clinic, suppressBelow: 11 }],
    ["a reviewer's de-identified view by practitioner experience", { by: 'practitioner-experience', actor: reviewer }],
  ];

  before(async () => {
    db = await freshDb();
    await importBundle(db, bundle);
  });
  after(() => db.dispose());

  it('a database gets a thread only on a PostgreSQL server', async () => {
    expect(startChartAnswerThread(db, false)).to.equal(DRIVER === 'postgres');
    expect(chartAnswererOf(db) !== undefined).to.equal(DRIVER === 'postgres');
    await stopChartAnswerThread(db);
    expect(chartAnswererOf(db)).to.equal(undefined);
  });

  if (!SERVER_URL) return;

  describe('on PostgreSQL', () => {
    let thread: ChartAnswerThread;
    before(() => {
      thread = new ChartAnswerThread(db.sameDatabase!, false);
    });
    after(() => thread.stop());

    for (const [what, options] of questions) {
      it(`${what}: the worker's answer is this thread's, byte for byte`, async () => {
        const { frozen: _frozen, ...asked } = options;
        const [there, here] = await Promise.all([thread.answer(CODE, asked), computeChartAnswer(db, CODE, options)]);
        expect(there).to.not.equal(null);
        expect(JSON.stringify(there)).to.equal(JSON.stringify(here));
        expect(there!.charts.length).to.be.greaterThan(0);
      });
    }

    it('fails as this thread does: a missing study is not found, a filter outside a clinic is forbidden', async () => {
      const missing = await thread.answer('NO-SUCH', { by: 'site' }).catch((error: unknown) => error);
      expect(isAppError(missing) && [missing.kind, missing.message]).to.deep.equal(['not_found', 'study NO-SUCH does not exist']);
      const outside = await thread.answer(CODE, { site: secondSite, actor: clinic }).catch((error: unknown) => error);
      const here = await computeChartAnswer(db, CODE, { site: secondSite, actor: clinic }).catch((error: unknown) => error);
      expect(isAppError(outside) && outside.kind).to.equal('forbidden');
      expect((outside as Error).message).to.equal((here as Error).message);
    });

    it("a served database's answers come from its thread: one opened on another database answers from there", async () => {
      // Another database with a study of the same code, smaller: what the thread reads shows in the answer.
      const other = await createServerDatabase();
      const { openMigratedDb } = await import('../../db/migrate.ts');
      const otherDb = await openMigratedDb({ databaseUrl: other.url });
      try {
        await importBundle(otherDb, generateCohort({ seed: 6, participants: 40, code: CODE }));
        const served = { ...db, sameDatabase: { databaseUrl: other.url } };
        expect(startChartAnswerThread(served, false)).to.equal(true);
        try {
          const answer = await chartStudy(served, CODE, { by: 'indication' });
          expect(answer.summary.participants.enrolled).to.equal(40);
        } finally {
          await stopChartAnswerThread(served);
        }
      } finally {
        await otherDb.close();
        await other.drop();
      }
    });

    it('a thread that cannot open its database leaves the answer to this thread', async () => {
      const url = new URL(SERVER_URL!);
      url.pathname = '/smp_no_such_database';
      const broken = new ChartAnswerThread({ databaseUrl: url.toString(), connectTimeoutMs: 5000 }, false);
      try {
        expect(await broken.answer(CODE, { by: 'site' })).to.equal(null);
        expect(broken.unavailable).to.match(/^the chart thread could not open the database: .*smp_no_such_database/);
      } finally {
        await broken.stop();
      }
      const served = { ...db, sameDatabase: { databaseUrl: url.toString(), connectTimeoutMs: 5000 } };
      startChartAnswerThread(served, false);
      try {
        const answer = await chartStudy(served, CODE, { by: 'site', suppressBelow: 7 });
        expect(JSON.stringify(answer)).to.equal(JSON.stringify(await computeChartAnswer(db, CODE, { by: 'site', suppressBelow: 7 })));
      } finally {
        await stopChartAnswerThread(served);
      }
    });

    it('a stopped thread answers nothing more; a server started with analysisThread has one until it closes', async () => {
      const stopped = new ChartAnswerThread(db.sameDatabase!, false);
      await stopped.stop();
      expect(await stopped.answer(CODE, {})).to.equal(null);
      expect(stopped.unavailable).to.equal('the chart thread was stopped');
      // Imported as the server imports them (a module loaded by import() may be another instance
      // under the test runner's loader than one loaded by a static import).
      const served = await import('../../api/services/workers/chart-answer-thread.ts');
      const service = await import('../../api/services/analysis-service.ts');
      const server = await bindServer({ host: '127.0.0.1', port: 0 });
      let thread: unknown;
      try {
        await server.serve(db, { analysisThread: true });
        thread = service.chartAnswererOf(db);
      } finally {
        await server.close();
      }
      expect(thread).to.be.instanceOf(served.ChartAnswerThread);
      expect(service.chartAnswererOf(db)).to.equal(undefined);
    });
  });
});
