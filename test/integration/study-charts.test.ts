// GET /studies/:code/charts and the cohort filters of /analysis, /charts and /report, on the demo
// study (fixtures/smp-2021.json: 22 participants, LON 12 and MAN 10; its known figures are in
// fixtures/expected-smp-2021.md): real values, one site's or indication's figures, clinic scope,
// reviewers, and bad query values.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { sql } from 'kysely';
import { CHART_IDS } from '../../analysis/charts/index.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
const CODE = demo.study.code;

interface ChartSpecBody {
  id: string;
  title: string;
  config: { type: string; data: { datasets: Array<{ data: unknown[] }> }; options: Record<string, unknown> };
  table: { caption: string; columns: string[]; rows: Array<Array<string | number>> };
}

const tableOf = (charts: ChartSpecBody[], id: string) => charts.find((chart) => chart.id === id)!.table;

describe(`study charts and cohort filters (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  let reviewer: ApiClient;
  let londonClinic: ApiClient;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { suppressBelow: 5 });
    await importBundle(db, demo);
    // Independent references: studies holding only Manchester's participants, and only the alopecia areata ones.
    await importBundle(db, { ...demo, study: { ...demo.study, code: 'SMP-MAN' }, participants: demo.participants.filter((p) => p.site === 'MAN') });
    await importBundle(db, {
      ...demo,
      study: { ...demo.study, code: 'SMP-AA' },
      participants: demo.participants.filter((p) => p.indication === 'alopecia_areata'),
    });
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers);
    londonClinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  describe('GET /charts', () => {
    it('answers the summary /analysis gives and the eight charts of the report', async () => {
      const reply = await admin.get(`/studies/${CODE}/charts`);
      expect(reply.status).to.equal(200);
      expect(reply.body.summary).to.deep.equal((await admin.get(`/studies/${CODE}/analysis`)).body);
      expect(reply.body.charts.map((chart: ChartSpecBody) => chart.id)).to.deep.equal(CHART_IDS);
      for (const chart of reply.body.charts as ChartSpecBody[]) {
        expect(chart.config.options.plugins, chart.id).to.have.nested.property('title.text', chart.title);
      }
    });

    it("draws the demo study's known figures", async () => {
      const { summary, charts } = (await admin.get(`/studies/${CODE}/charts`)).body as { summary: any; charts: ChartSpecBody[] };
      expect(summary.participants.enrolled).to.equal(22);
      // One allergic reaction: 1/22, exact 95% [0.0011501, 0.2284444] (R binom.test(1, 22)).
      const allergic = summary.safety.byCategory.allergic_reaction.participants;
      expect(allergic).to.include({ n: 1, N: 22 });
      expect(allergic.exact[0]).to.be.closeTo(0.0011501, 5e-8);
      expect(allergic.exact[1]).to.be.closeTo(0.2284444, 5e-8);
      expect(tableOf(charts, 'adverse-events').rows[1]).to.deep.equal(['Allergic reaction', 1, '1/22', '4.5%', '[0.1%, 22.8%]']);
      // Latest follow-up 7.06 to 31.90 months after the touch-up: all 22 inside the 7–32-month window.
      expect(tableOf(charts, 'follow-up-coverage').rows).to.deep.equal([
        ['No follow-up', '—', 0, '0.0%'],
        ['Before the window', '< 7', 0, '0.0%'],
        ['In the window', '7–32', 22, '100.0%'],
        ['After the window', '> 32', 0, '0.0%'],
      ]);
      // Touch-ups are called for at the latest visits of P04 (941 days = 30.92 months after the
      // final session; P04 and P01 still at risk) and P01 (971 days = 31.90 months; P01 alone):
      // S = 1 − 1/2 = 0.5, then 0.5 × (1 − 1/1) = 0; `median` (first time S ≤ 0.5) 30.9 months.
      expect(tableOf(charts, 'touch-up-free').rows).to.deep.equal([
        ['0.0', 22, 0, '100.0%'],
        ['30.9', 2, 1, '50.0%'],
        ['31.9', 1, 1, '0.0%'],
      ]);
      const curve = charts.find((chart) => chart.id === 'touch-up-free')!.config.data.datasets[0]!.data as Array<{ x: number; y: number }>;
      expect(curve.map((point) => [Number(point.x.toFixed(4)), point.y])).to.deep.equal([
        [0, 100],
        [30.9158, 50],
        [31.9014, 0],
      ]);
      expect(tableOf(charts, 'participant-flow').rows.map((row) => row[1])).to.deep.equal([22, 22, 22, 20, 0]);
      // The median as R 4.2.2 / survival 3.5.3 gives it (test/reference/km-median.R, "demo"):
      // quantile(survfit(Surv(months, event) ~ 1, conf.type = "log-log"), 0.5) → 31.408624229979466,
      // lower 30.915811088295687, upper NA; 2 at risk when the curve falls to 50%.
      const median = summary.fading.touchUpFreeMedian;
      expect(median.months).to.be.closeTo(31.408624229979466, 1e-6);
      expect(median.lower).to.be.closeTo(30.915811088295687, 1e-6);
      expect(median).to.include({ upper: null, atRisk: 2, unstable: true });
      // 20 censored; at risk 22, 18 and 8 at 0, 12 and 24 months (R: summary(fit, times = c(0, 12, 24))$n.risk).
      const km = charts.find((chart) => chart.id === 'touch-up-free')!.config as any;
      const censored = (km.data.datasets[1].data as unknown[]).length;
      expect(censored).to.be.within(1, 20); // 20 times, some sharing a 0.1-month mark
      expect(km.options.plugins.atRiskRow).to.deep.include({ times: [0, 12, 24], counts: [22, 18, 8] });
      // Within the 7–32-month window (counted from the bundle by hand in Python): every latest
      // assessment in it, grade ≤ 1 (22/22); 20 surveyed in it, 16 very satisfied.
      expect(summary.fading.minimalOrNoneInWindow).to.include({ n: 22, N: 22 });
      expect(summary.satisfaction.verySatisfiedInWindow).to.include({ n: 16, N: 20 });
      expect(summary.primaryOutcome.figure).to.equal('fading.minimalOrNoneInWindow');
    });

    it('charts the cohort only, whatever `by`; the summary carries the subgroups', async () => {
      const plain = (await admin.get(`/studies/${CODE}/charts`)).body;
      const bySite = (await admin.get(`/studies/${CODE}/charts?by=site`)).body;
      expect(bySite.charts).to.deep.equal(plain.charts);
      expect(bySite.summary.subgroups.groups.map((g: { key: string }) => g.key)).to.deep.equal(['LON', 'MAN']);
    });

    it('gives a reviewer the same aggregates, with no participant code or pseudonym in them', async () => {
      const reply = await reviewer.get(`/studies/${CODE}/charts`);
      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.equal((await admin.get(`/studies/${CODE}/charts`)).body);
      const text = JSON.stringify(reply.body);
      const { rows } = await sql<{ code: string; pseudonym: string }>`
        select p.code, p.pseudonym from participant p join study s on s.study_id = p.study_id where s.code = ${CODE}`.execute(db.kysely);
      expect(rows).to.have.length(22);
      for (const { code, pseudonym } of rows) {
        expect(text).to.not.match(new RegExp(`"${code}"|\\b${code}\\b`));
        expect(text).to.not.contain(pseudonym);
      }
    });
  });

  describe('site and indication filters', () => {
    it("gives one site's figures: Manchester's 10 participants, as a study of them alone", async () => {
      const reply = await admin.get(`/studies/${CODE}/charts?site=MAN`);
      expect(reply.status).to.equal(200);
      const { summary, charts } = reply.body as { summary: any; charts: ChartSpecBody[] };
      const reference = await analyzeStudy(db, 'SMP-MAN');
      expect({ ...summary, study: reference.study }).to.deep.equal(reference);
      expect(summary.participants.enrolled).to.equal(10);
      // P07's allergic reaction is Manchester's: 1/10, scipy binomtest(1, 10) exact [0.0025286, 0.4450161].
      expect(summary.safety.anyEvent.exact[0]).to.be.closeTo(0.0025285785444625728, 1e-9);
      expect(summary.safety.anyEvent.exact[1]).to.be.closeTo(0.44501611702819543, 1e-9);
      expect(tableOf(charts, 'adverse-events').rows[1]!.slice(0, 3)).to.deep.equal(['Allergic reaction', 1, '1/10']);
      expect((await admin.get(`/studies/${CODE}/analysis?site=MAN`)).body).to.deep.equal(summary);
    });

    it("gives London's 12 participants, with both touch-ups (P01 and P04 are London's)", async () => {
      const summary = (await admin.get(`/studies/${CODE}/analysis?site=LON`)).body;
      expect(summary.participants.enrolled).to.equal(12);
      expect(summary.safety.anyEvent).to.include({ n: 0, N: 12 });
      expect(summary.fading.touchUpFree).to.include({ n: 12, events: 2 });
    });

    it('filters by indication, and by site and indication together', async () => {
      const summary = (await admin.get(`/studies/${CODE}/analysis?indication=alopecia_areata`)).body;
      const reference = await analyzeStudy(db, 'SMP-AA');
      expect({ ...summary, study: reference.study }).to.deep.equal(reference);
      expect(summary.participants.enrolled).to.equal(3);
      const both = (await admin.get(`/studies/${CODE}/analysis?site=LON&indication=androgenetic_alopecia&by=site`)).body;
      expect(both.participants.enrolled).to.equal(6);
      expect(both.subgroups.groups.map((g: any) => [g.key, g.figures.participants.enrolled])).to.deep.equal([['LON', 6]]);
      // Nobody in London has alopecia areata: an empty cohort still charts.
      const none = await admin.get(`/studies/${CODE}/charts?site=LON&indication=alopecia_areata`);
      expect(none.status).to.equal(200);
      expect(none.body.summary.participants.enrolled).to.equal(0);
      expect(none.body.charts).to.have.length(8);
    });

    it('filters the HTML report too', async () => {
      const report = await admin.get(`/studies/${CODE}/report?site=MAN`);
      expect(report.status).to.equal(200);
      expect(report.body).to.contain('10 participants enrolled');
      expect(report.body.match(/<canvas /g)).to.have.length(8);
      expect((await admin.get(`/studies/${CODE}/report?indication=bald`)).status).to.equal(400);
    });
  });

  describe('a clinic', () => {
    it('charts its own sites only, and may name its own site', async () => {
      const own = (await londonClinic.get(`/studies/${CODE}/charts`)).body;
      expect(own.summary.participants.enrolled).to.equal(12);
      expect((await londonClinic.get(`/studies/${CODE}/charts?site=LON`)).body).to.deep.equal(own);
    });

    it("is refused another site's figures (403 naming the field) on /analysis, /charts and /report", async () => {
      for (const path of ['analysis', 'charts', 'report']) {
        const reply = await londonClinic.get(`/studies/${CODE}/${path}?site=MAN`);
        expect(reply.status, path).to.equal(403);
        expect(reply.body.problems, path).to.deep.equal([{ path: 'query.site', message: 'is not one of your sites' }]);
      }
    });

    it('still sees other sites suppressed with by=site, within the filtered cohort', async () => {
      const served = (await londonClinic.get(`/studies/${CODE}/analysis?by=site&indication=androgenetic_alopecia`)).body;
      expect(served.participants.enrolled).to.equal(6);
      const [london, manchester] = served.subgroups.groups;
      expect(london.key).to.equal('LON');
      expect(london.figures.participants.enrolled).to.equal(6);
      // Manchester has 4 androgenetic alopecia participants: under 5, so hidden.
      expect(manchester.key).to.equal('MAN');
      expect(manchester.figures.suppressed).to.equal(true);
      expect(manchester.figures.participants.enrolled).to.equal(null);
      const all = (await londonClinic.get(`/studies/${CODE}/analysis?by=site`)).body.subgroups.groups[1];
      expect(all.figures.participants.enrolled).to.equal(10);
      expect(all.figures.safety.anyEvent.n).to.equal(null);
    });
  });

  describe('bad queries', () => {
    it('answers 400 naming the field, and 404 for a site the study lacks', async () => {
      const cases: Array<[string, string, string]> = [
        ['by=clinic', 'query.by', 'must be site, indication or practitioner-experience (got "clinic")'],
        ['indication=bald', 'query.indication', 'must be one of androgenetic_alopecia, female_pattern_hair_loss, alopecia_areata, scar, birthmark, chemotherapy_alopecia, hair_transplant_adjunct, other (got "bald")'],
        ['site=no%20site', 'query.site', '"no site" is not a site code'],
        ['sites=LON', 'query.sites', 'is not a field of this format'],
      ];
      for (const path of ['analysis', 'charts']) {
        for (const [query, field, message] of cases) {
          const reply = await admin.get(`/studies/${CODE}/${path}?${query}`);
          expect(reply.status, `${path}?${query}`).to.equal(400);
          expect(reply.body.problems, `${path}?${query}`).to.deep.equal([{ path: field, message }]);
        }
        const unknown = await admin.get(`/studies/${CODE}/${path}?site=XYZ`);
        expect(unknown.status).to.equal(404);
        expect(unknown.body.detail).to.equal(`site XYZ does not exist in study ${CODE}`);
      }
      expect((await admin.get('/studies/NOPE-9/charts')).status).to.equal(404);
    });
  });
});
