// A clinic's view of a multi-site study: its own participants only, its analysis and report of
// its own sites, and the other sites as figures with every small count suppressed.
import { expect } from 'chai';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

describe(`clinic scope (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let clinic: ApiClient;
  let admin: ApiClient;
  let source: StudyBundle;
  let own: string;

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { suppressBelow: 5 });
    source = generateCohort({ participants: 90, sites: 3, seed: 41, code: 'CLI-1', adverseEventRate: 0.4 });
    await importBundle(db, source);
    own = source.sites[0]!.code;
    // The independent reference: a study holding the clinic's own participants only.
    await importBundle(db, {
      ...source,
      study: { ...source.study, code: 'CLI-OWN' },
      participants: source.participants.filter((p) => p.site === own),
    });
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'CLI-1', siteCode: own }])).headers);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it("analyses the clinic's own site only", async () => {
    const served = (await clinic.get('/studies/CLI-1/analysis')).body;
    const reference = await analyzeStudy(db, 'CLI-OWN');
    expect({ ...served, study: reference.study }).to.deep.equal(reference);
    expect(served.participants.enrolled).to.equal(source.participants.filter((p) => p.site === own).length);
    const byIndication = (await clinic.get('/studies/CLI-1/analysis?by=indication')).body;
    expect(byIndication.subgroups.groups).to.deep.equal((await analyzeStudy(db, 'CLI-OWN', { by: 'indication' })).subgroups!.groups);
  });

  it('shows every site with by=site, the others with small counts suppressed', async () => {
    const served = (await clinic.get('/studies/CLI-1/analysis?by=site')).body;
    const full = (await admin.get('/studies/CLI-1/analysis?by=site')).body;
    expect(served.subgroups.groups.map((g: { key: string }) => g.key)).to.deep.equal(source.sites.map((s) => s.code).sort());
    for (const [index, group] of served.subgroups.groups.entries()) {
      const complete = full.subgroups.groups[index];
      if (group.key === own) {
        expect(group).to.deep.equal(complete);
        continue;
      }
      expect(group.figures.suppressed, group.key).to.equal(true);
      // Shown counts are the true ones, and every shown count is at least 5.
      expect(group.figures.participants.enrolled).to.equal(complete.figures.participants.enrolled);
      const { anyEvent } = complete.figures.safety;
      if (anyEvent.n < 5 || anyEvent.N - anyEvent.n < 5) expect(group.figures.safety.anyEvent.n).to.equal(null);
      else expect(group.figures.safety.anyEvent).to.deep.equal(anyEvent);
      const counts: number[] = [];
      const collect = (value: unknown, key: string) => {
        if (typeof value === 'number' && ['n', 'N', 'events', 'enrolled', 'withdrawn', 'total', 'respondents', 'atRisk'].includes(key)) counts.push(value);
        if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, k);
      };
      collect(group.figures, '');
      expect(counts.filter((n) => n < 5), `${group.key}: shown counts under 5`).to.deep.equal([]);
      expect(group.figures.fading.touchUpFree.steps).to.equal(null);
    }
  });

  it("withholds every count of other sites under an indication filter, keeping its own site's", async () => {
    // Set against the unfiltered by=site figures, another site's figures for one indication would
    // give back by subtraction the small groups each hides: under the filter, none is shown.
    const indication = source.participants.find((p) => p.site === own)!.indication;
    const served = (await clinic.get(`/studies/CLI-1/analysis?by=site&indication=${indication}`)).body;
    const full = (await admin.get(`/studies/CLI-1/analysis?by=site&indication=${indication}`)).body;
    const others = served.subgroups.groups.filter((g: { key: string }) => g.key !== own);
    expect(others.map((g: { key: string }) => g.key)).to.deep.equal(source.sites.map((s) => s.code).filter((c) => c !== own).sort());
    expect(served.subgroups.groups.find((g: { key: string }) => g.key === own)).to.deep.equal(
      full.subgroups.groups.find((g: { key: string }) => g.key === own),
    );
    for (const group of others) {
      const counts: unknown[] = [];
      const collect = (value: unknown, key: string) => {
        if (['n', 'N', 'events', 'enrolled', 'withdrawn', 'total', 'respondents'].includes(key)) counts.push(value);
        if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, k);
      };
      collect(group.figures, '');
      expect(counts.length, group.key).to.be.greaterThan(20);
      expect(counts.filter((n) => n !== null), `${group.key}: counts shown`).to.deep.equal([]);
      expect(group.figures.participants.byIndication, group.key).to.include({ suppressed: true });
      expect(Object.values(group.figures.followUp.coverage).filter((n) => typeof n === 'number'), group.key).to.deep.equal([]);
      // The full figures are not all small: the filter, not the threshold, withholds them.
      const complete = full.subgroups.groups.find((g: { key: string }) => g.key === group.key);
      expect(complete.figures.participants.enrolled, group.key).to.be.at.least(5);
    }
  });

  it("lists, exports and reports only the clinic's own participants, and hides the others'", async () => {
    const listed = (await clinic.get('/studies/CLI-1/participants?limit=1000')).body.items;
    const expected = source.participants.filter((p) => p.site === own).map((p) => p.code).sort();
    expect(listed.map((p: { code: string }) => p.code)).to.deep.equal(expected);
    const bundle = (await clinic.get('/studies/CLI-1/bundle')).body as StudyBundle;
    expect(bundle.participants.map((p) => p.code)).to.deep.equal(expected);
    expect(bundle.sites).to.deep.equal(source.sites);
    const other = source.participants.find((p) => p.site !== own)!;
    expect((await clinic.get(`/studies/CLI-1/participants/${other.code}`)).status).to.equal(404);
    expect((await clinic.get(`/studies/CLI-1/participants/${other.code}/sessions`)).status).to.equal(404);
    const events = (await clinic.get('/studies/CLI-1/adverse-events?limit=1000')).body.items;
    expect(events.every((e: { site: string }) => e.site === own)).to.equal(true);
    const report = await clinic.get('/studies/CLI-1/report');
    expect(report.status).to.equal(200);
    expect(report.headers.get('content-security-policy')).to.match(/script-src 'sha256-/);
  });
});
