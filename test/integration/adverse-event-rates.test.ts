// GET /studies/:code/adverse-events/rates on the demo study (fixtures/smp-2021.json: 22
// participants, LON 12 and MAN 10; one adverse event, P07's grade-1 allergic reaction, probably
// related, not serious, at MAN; fixtures/expected-smp-2021.md) and on a generated multi-site study
// for a clinic's suppressed view. Exact intervals are scipy's:
//   stats.binomtest(k, n).proportion_ci(method='exact')
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
const CODE = demo.study.code;

/** scipy exact intervals, by "k/n". */
const EXACT: Record<string, [number, number]> = {
  '0/22': [0, 0.15437251281557457],
  '1/22': [0.001150147526581684, 0.22844439766763597],
  '0/12': [0, 0.26464846939705117],
  '0/10': [0, 0.30849710781876294],
  '1/10': [0.0025285785444625728, 0.44501611702819543],
  '0/2': [0, 0.841886116991607],
};

interface Rate {
  key: string;
  label: string;
  events: number | null;
  participants: { n: number | null; N: number | null; proportion: number | null; exact: [number, number] | null; suppressed?: true };
  suppressed?: true;
}

/** [key, label, events, n, N] per row, and each exact interval against scipy's. */
function expectRates(rates: Rate[], expected: Array<[string, string, number, number, number]>): void {
  expect(rates.map((r) => [r.key, r.label, r.events, r.participants.n, r.participants.N])).to.deep.equal(expected);
  for (const rate of rates) {
    const [low, high] = EXACT[`${rate.participants.n}/${rate.participants.N}`]!;
    expect(rate.participants.exact![0], `${rate.key} lower`).to.be.closeTo(low, 1e-9);
    expect(rate.participants.exact![1], `${rate.key} upper`).to.be.closeTo(high, 1e-9);
  }
}

describe(`adverse-event rates (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let server: TestServer;
  let admin: ApiClient;
  const rates = (client: ApiClient, query = '', code = CODE) => client.get(`/studies/${code}/adverse-events/rates${query}`);

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { suppressBelow: 5 });
    await importBundle(db, demo);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('counts every category by default, zero-event ones too: allergic reaction 1/22, the rest 0/22', async () => {
    const reply = await rates(admin);
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.include({
      study: { code: CODE, title: demo.study.title },
      by: 'category',
      filters: { site: null, indication: null },
      participants: 22,
      events: 1,
    });
    expectRates(reply.body.rates, [
      ['infection', 'Infection', 0, 0, 22],
      ['allergic_reaction', 'Allergic reaction', 1, 1, 22],
      ['keloid', 'Keloid', 0, 0, 22],
      ['granuloma', 'Granuloma', 0, 0, 22],
      ['mri_interference', 'MRI interference', 0, 0, 22],
      ['pigment_migration', 'Pigment migration', 0, 0, 22],
      ['discoloration', 'Discoloration', 0, 0, 22],
      ['other', 'Other', 0, 0, 22],
    ]);
    // The published figure: [0.0011501, 0.2284444] (R binom.test(1, 22)).
    const allergic = reply.body.rates[1].participants;
    expect(allergic.exact[0]).to.be.closeTo(0.0011501, 5e-8);
    expect(allergic.exact[1]).to.be.closeTo(0.2284444, 5e-8);
  });

  it('counts by seriousness: no serious event, 0/22 with upper bound 0.15437', async () => {
    const reply = await rates(admin, '?by=serious');
    expectRates(reply.body.rates, [
      ['true', 'Serious', 0, 0, 22],
      ['false', 'Not serious', 1, 1, 22],
    ]);
    expect(reply.body.rates[0].participants.exact[1]).to.be.closeTo(0.15437, 5e-6);
  });

  it('counts by grade 1–5 and by every relatedness judgement', async () => {
    expectRates((await rates(admin, '?by=grade')).body.rates, [
      ['1', '1 (mild)', 1, 1, 22],
      ['2', '2 (moderate)', 0, 0, 22],
      ['3', '3 (severe)', 0, 0, 22],
      ['4', '4 (life-threatening)', 0, 0, 22],
      ['5', '5 (death)', 0, 0, 22],
    ]);
    expectRates((await rates(admin, '?by=relatedness')).body.rates, [
      ['not_related', 'Not related', 0, 0, 22],
      ['unlikely', 'Unlikely', 0, 0, 22],
      ['possible', 'Possible', 0, 0, 22],
      ['probable', 'Probable', 1, 1, 22],
      ['definite', 'Definite', 0, 0, 22],
    ]);
  });

  it("rates each site over its own participants: London 0/12, Manchester 1/10", async () => {
    const reply = await rates(admin, '?by=site');
    expect(reply.body).to.deep.include({ participants: 22, events: 1 });
    expectRates(reply.body.rates, [
      ['LON', 'London Scalp Micropigmentation Clinic', 0, 0, 12],
      ['MAN', 'Manchester Hair and Scalp Clinic', 1, 1, 10],
    ]);
  });

  it("filters by site: Manchester's 10 participants", async () => {
    const reply = await rates(admin, '?site=MAN');
    expect(reply.body).to.deep.include({ filters: { site: 'MAN', indication: null }, participants: 10, events: 1 });
    expect(reply.body.rates).to.have.length(8);
    expectRates(reply.body.rates.slice(0, 2), [
      ['infection', 'Infection', 0, 0, 10],
      ['allergic_reaction', 'Allergic reaction', 1, 1, 10],
    ]);
    const bySite = await rates(admin, '?by=site&site=LON');
    expectRates(bySite.body.rates, [['LON', 'London Scalp Micropigmentation Clinic', 0, 0, 12]]);
  });

  it('filters by indication: P07 is one of 10 with androgenetic alopecia; nobody with a scar had an event', async () => {
    const aga = await rates(admin, '?indication=androgenetic_alopecia&by=serious');
    expect(aga.body).to.deep.include({ filters: { site: null, indication: 'androgenetic_alopecia' }, participants: 10, events: 1 });
    expectRates(aga.body.rates, [
      ['true', 'Serious', 0, 0, 10],
      ['false', 'Not serious', 1, 1, 10],
    ]);
    // Scar: 2 participants, both in London. By site, Manchester has none of them: N = 0, no interval.
    const scar = await rates(admin, '?indication=scar&by=site');
    expect(scar.body).to.deep.include({ participants: 2, events: 0 });
    expectRates(scar.body.rates.slice(0, 1), [['LON', 'London Scalp Micropigmentation Clinic', 0, 0, 2]]);
    expect(scar.body.rates[1]).to.deep.equal({
      key: 'MAN',
      label: 'Manchester Hair and Scalp Clinic',
      events: 0,
      participants: { n: 0, N: 0, proportion: null, wilson: null, exact: null },
    });
  });

  it('gives reviewers and researchers the same rates as administrators', async () => {
    const reviewer = apiClient(server.base, (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }])).headers);
    const researcher = apiClient(server.base, (await createTestUser(db, 'researcher', [{ studyCode: CODE, siteCode: null }])).headers);
    for (const query of ['', '?by=site', '?by=grade&indication=androgenetic_alopecia']) {
      const expected = (await rates(admin, query)).body;
      expect((await rates(reviewer, query)).body, `reviewer ${query}`).to.deep.equal(expected);
      expect((await rates(researcher, query)).body, `researcher ${query}`).to.deep.equal(expected);
    }
  });

  describe('a clinic', () => {
    it("counts its own site's participants only", async () => {
      const london = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
      const reply = await rates(london);
      expect(reply.body).to.deep.include({ participants: 12, events: 0 });
      expect(reply.body.rates[1]).to.deep.include({ key: 'allergic_reaction', events: 0 });
      expect(reply.body.rates[1].participants).to.include({ n: 0, N: 12 });
    });

    it("lists every site with by=site, the other site's small counts suppressed", async () => {
      const london = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
      const reply = await rates(london, '?by=site');
      expect(reply.body).to.deep.include({ participants: 12, events: 0 });
      expectRates(reply.body.rates.slice(0, 1), [['LON', 'London Scalp Micropigmentation Clinic', 0, 0, 12]]);
      // Manchester: 1 event and 1 of 10 participants are under 5; its 10 participants are not.
      expect(reply.body.rates[1]).to.deep.equal({
        key: 'MAN',
        label: 'Manchester Hair and Scalp Clinic',
        events: null,
        participants: { n: null, N: 10, proportion: null, wilson: null, exact: null, suppressed: true },
        suppressed: true,
      });
    });

    it("withholds other sites' counts under an indication filter, even where they are not small", async () => {
      const source = generateCohort({ participants: 120, sites: 3, seed: 7, code: 'AER-2', adverseEventRate: 0.6 });
      await importBundle(db, source);
      const own = source.sites[0]!.code;
      const clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'AER-2', siteCode: own }])).headers);
      const query = '?by=site&indication=androgenetic_alopecia';
      const served = (await rates(clinic, query, 'AER-2')).body;
      const full = (await rates(admin, query, 'AER-2')).body;
      expect(served.rates.map((r: Rate) => r.key)).to.deep.equal(source.sites.map((s) => s.code).sort());
      for (const [index, rate] of (served.rates as Rate[]).entries()) {
        const complete = full.rates[index] as Rate;
        if (rate.key === own) {
          expect(rate).to.deep.equal(complete);
          continue;
        }
        // Not small: the threshold alone would show these.
        expect(complete.participants.N, rate.key).to.be.at.least(5);
        expect(rate).to.deep.equal({
          key: complete.key,
          label: complete.label,
          events: null,
          participants: { n: null, N: null, proportion: null, wilson: null, exact: null, suppressed: true },
          suppressed: true,
        });
      }
    });

    it("is refused another site's rates (403 naming the field)", async () => {
      const london = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: 'LON' }])).headers);
      const reply = await rates(london, '?site=MAN');
      expect(reply.status).to.equal(403);
      expect(reply.body.problems).to.deep.equal([{ path: 'query.site', message: 'is not one of your sites' }]);
      expect((await rates(london, '?site=LON&by=site')).status).to.equal(200);
    });

    it('sees the true figures of other sites where every count is at least 5', async () => {
      const source = generateCohort({ participants: 120, sites: 3, seed: 7, code: 'AER-1', adverseEventRate: 0.6 });
      await importBundle(db, source);
      const own = source.sites[0]!.code;
      const clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'AER-1', siteCode: own }])).headers);
      const served = (await rates(clinic, '?by=site', 'AER-1')).body;
      const full = (await rates(admin, '?by=site', 'AER-1')).body;
      expect(served.rates.map((r: Rate) => r.key)).to.deep.equal(source.sites.map((s) => s.code).sort());
      // The clinic's totals are its own site's, the administrator's every site's.
      const ownRate = full.rates.find((r: Rate) => r.key === own);
      expect(served.participants).to.equal(ownRate.participants.N);
      expect(served.events).to.equal(ownRate.events);
      for (const [index, rate] of (served.rates as Rate[]).entries()) {
        const complete = full.rates[index] as Rate;
        if (rate.key === own) {
          expect(rate).to.deep.equal(complete);
          continue;
        }
        const { n, N } = complete.participants as { n: number; N: number };
        if (n < 5 || N - n < 5) expect(rate.participants.n, rate.key).to.equal(null);
        else expect(rate.participants, rate.key).to.deep.equal(complete.participants);
        expect(rate.events, rate.key).to.equal(complete.events! < 5 ? null : complete.events);
      }
      // With 40 participants a site and many events, other sites' figures are mostly shown in full.
      expect(served.rates.filter((r: Rate) => r.key !== own && r.participants.n !== null)).to.not.be.empty;
    });
  });

  it('answers 400 naming the field for bad values, 404 for an unknown site or study', async () => {
    const cases: Array<[string, string, string]> = [
      ['by=outcome', 'query.by', 'must be category, grade, serious, relatedness or site (got "outcome")'],
      ['indication=bald', 'query.indication', 'must be one of androgenetic_alopecia, female_pattern_hair_loss, alopecia_areata, scar, birthmark, chemotherapy_alopecia, hair_transplant_adjunct, other (got "bald")'],
      ['site=-x', 'query.site', '"-x" is not a site code'],
      ['grade=1', 'query.grade', 'is not a field of this format'],
    ];
    for (const [query, field, message] of cases) {
      const reply = await rates(admin, `?${query}`);
      expect(reply.status, query).to.equal(400);
      expect(reply.body.problems, query).to.deep.equal([{ path: field, message }]);
    }
    const site = await rates(admin, '?site=XYZ');
    expect(site.status).to.equal(404);
    expect(site.body.problems).to.deep.equal([{ path: 'query.site', message: 'is not a site of the study' }]);
    expect((await rates(admin, '', 'NOPE-9')).status).to.equal(404);
  });
});
