// Small-cell suppression that cannot be undone: a clinic's `by=site` answer on a registry of many
// small sites, through the real HTTP route, gives back no hidden count of another site. For each
// other site, every count of its figures and every relation between them (declared once, in
// api/services/figure-relations.ts) make an integer program; the figures the clinic was shown, and
// the same site's row of the adverse-event rates by site, fix what they show; HiGHS then finds
// that each hidden count can take another value, and that no small group of them is given back
// whole. Then the three attacks that undid the earlier suppression, one by one, and the audit
// trail of the demo study as clinic LON sees it.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { CohortFigures } from '../../analysis/types.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { figureModel } from '../../api/services/figure-relations.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { declaredPaths, leafPaths, proveNoDisclosure } from '../support/disclosure-proof.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';

const THRESHOLD = 5;
const CODE = 'SCD-1';

interface Group {
  key: string;
  figures: any;
}

describe(`small-cell suppression cannot be undone (${DRIVER})`, function () {
  this.timeout(300_000);
  let db: TestDb;
  let server: TestServer;
  let clinic: ApiClient;
  let admin: ApiClient;
  let own: string;
  let served: Group[];
  let full: Group[];

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db, { suppressBelow: THRESHOLD });
    // 8 sites of about 12 participants, with frequent events, withdrawals and touch-ups, and few
    // surveys: most counts of a site are small.
    const registry = generateCohort({
      participants: 96, sites: 8, seed: 15, code: CODE,
      adverseEventRate: 0.8, withdrawalRate: 0.2, surveyResponseRate: 0.6, touchUpNeedRate: 0.3, protocolDeviationRate: 0.2,
    });
    // A schedule, so that retention by visit is proved too.
    registry.study.protocol.visits = [
      { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 60, expects: ['fadingAssessment'] },
      { code: 'FU15', label: '15-month review', monthsAfterFinalSession: 15, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
      { code: 'FU26', label: '26-month review', monthsAfterFinalSession: 26, windowBeforeDays: 90, windowAfterDays: 90, expects: ['fadingAssessment', 'survey'] },
    ];
    await importBundle(db, registry);
    await importBundle(db, JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle);
    own = registry.sites[0]!.code;
    clinic = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: CODE, siteCode: own }])).headers);
    admin = apiClient(server.base, (await createTestUser(db, 'admin')).headers);
    const clinicAnswer = await clinic.get(`/studies/${CODE}/analysis?by=site`);
    expect(clinicAnswer.status).to.equal(200);
    served = clinicAnswer.body.subgroups.groups;
    full = (await admin.get(`/studies/${CODE}/analysis?by=site`)).body.subgroups.groups;
    expect(served.map((g) => g.key)).to.deep.equal(full.map((g) => g.key));
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  const others = () => served.flatMap((group, index) => (group.key === own ? [] : [{ key: group.key, shown: group.figures, truth: full[index]!.figures as CohortFigures }]));

  it("proves, for every other site, that no hidden count can be worked out from the clinic's figures and rates", async () => {
    const rates = (await clinic.get(`/studies/${CODE}/adverse-events/rates?by=site`)).body.rates as Array<{
      key: string;
      events: number | null;
      participants: { n: number | null; N: number | null };
    }>;
    let smallCounts = 0;
    for (const { key, shown, truth } of others()) {
      const model = figureModel(truth);
      // Every figure has its declared relations (a new figure without them fails here), and the
      // answer shows nothing that is not declared.
      const declared = declaredPaths(model);
      expect(leafPaths(truth).filter((path) => !declared.has(path)), `${key}: figures without declared relations`).to.deep.equal([]);
      expect(leafPaths(shown).filter((path) => !declared.has(path)), `${key}: figures shown without declared relations`).to.deep.equal([]);
      const rate = rates.find((row) => row.key === key)!;
      const { disclosures, known, open } = await proveNoDisclosure(truth, shown, THRESHOLD, {
        'safety.events': rate.events,
        'safety.anyEvent.n': rate.participants.n,
        'participants.enrolled': rate.participants.N,
      });
      expect(disclosures, `${key}: counts given back`).to.deep.equal([]);
      // Not vacuous: the site has small counts, hidden and proved open, and figures shown.
      const small = model.cells.filter((cell) => !cell.unprotected && cell.value < THRESHOLD);
      expect(small.filter((cell) => !open.has(cell.id)).map((cell) => cell.id), `${key}: small counts not proved open`).to.deep.equal([]);
      expect(known.has('participants.enrolled'), `${key}: enrolled shown`).to.equal(true);
      smallCounts += small.length;
    }
    expect(smallCounts, 'small counts in the registry').to.be.greaterThan(7 * 20);
  });

  it('hides the grade that minimalOrNone (n = grades 0 + 1, N = all grades) would give back with the others', () => {
    let attacked = 0;
    for (const { key, shown, truth } of others()) {
      const grades = truth.fading.latestGrade;
      if (grades['0'] >= THRESHOLD && grades['4'] >= THRESHOLD) continue;
      attacked++;
      const { n, N } = shown.fading.minimalOrNone;
      const g = shown.fading.latestGrade;
      // Each hidden grade, and the sums that would give it back: grade 0 = n − grade 1; grade 4 =
      // N − n − grades 2 and 3; any grade = N − the four others.
      const attacks: Record<string, unknown[][]> = {
        '0': [[n, g['1']], [N, g['1'], g['2'], g['3'], g['4']]],
        '1': [[n, g['0']], [N, g['0'], g['2'], g['3'], g['4']]],
        '2': [[N, n, g['3'], g['4']], [N, g['0'], g['1'], g['3'], g['4']]],
        '3': [[N, n, g['2'], g['4']], [N, g['0'], g['1'], g['2'], g['4']]],
        '4': [[N, n, g['2'], g['3']], [N, g['0'], g['1'], g['2'], g['3']]],
      };
      for (const [grade, sums] of Object.entries(attacks)) {
        if (g[grade] !== null) continue;
        for (const terms of sums) expect(terms.includes(null), `${key}: grade ${grade} from ${JSON.stringify(terms)}`).to.equal(true);
      }
      expect(g['0'] === null || g['4'] === null, `${key}: a small grade shown`).to.equal(true);
    }
    expect(attacked, 'sites with a small grade 0 or 4').to.be.at.least(3);
  });

  it('hides a term of eventsPer100Sessions × sessions / 100 − solicited, which gave back the spontaneous events', () => {
    let attacked = 0;
    for (const { key, shown, truth } of others()) {
      if (truth.safety.spontaneousEvents >= THRESHOLD && truth.safety.solicitedEvents >= THRESHOLD) continue;
      attacked++;
      const { eventsPer100Sessions, solicitedEvents, spontaneousEvents } = shown.safety;
      expect(spontaneousEvents === null || solicitedEvents === null, `${key}: a small count shown`).to.equal(true);
      expect([eventsPer100Sessions, shown.sessions.total, solicitedEvents, spontaneousEvents].filter((v) => v === null).length, key).to.be.at.least(2);
    }
    expect(attacked, 'sites with few solicited or spontaneous events').to.be.at.least(3);
  });

  it("prints the other sites' hidden figures as suppressed, with the footnote, in the clinic's HTML report", async () => {
    const report = await clinic.get(`/studies/${CODE}/report?by=site`);
    expect(report.status).to.equal(200);
    const tables = (report.body as string).slice((report.body as string).indexOf('<main>'), (report.body as string).indexOf('<script>'));
    expect(tables).not.to.match(/null|NaN/);
    expect(tables).to.contain('<td class="num">suppressed (small group)†');
    expect(tables).to.contain("<p>† Suppressed: another site&#39;s count under 5 is not shown, nor any figure that would give one back");
  });

  it("shows clinic LON of the demo study its own site's counts of the import, not the whole study's (MAN had one adverse event)", async () => {
    const lon = apiClient(server.base, (await createTestUser(db, 'clinic', [{ studyCode: 'SMP-2021', siteCode: 'LON' }])).headers);
    const entries = (await lon.get('/studies/SMP-2021/audit?entity=study')).body.items;
    const imported = entries.find((entry: { action: string }) => entry.action === 'import');
    // London's 12 participants had no adverse event; Manchester's 10 had one (fixtures/smp-2021.json).
    const demo = JSON.parse(readFileSync(new URL('../../fixtures/smp-2021.json', import.meta.url), 'utf8')) as StudyBundle;
    const london = demo.participants.filter((p) => p.site === 'LON');
    const count = (pick: (p: (typeof london)[number]) => unknown[]) => london.reduce((n, p) => n + pick(p).length, 0);
    expect(imported.before).to.equal(null);
    expect(imported.after).to.deep.equal({
      title: demo.study.title,
      countsBySite: {
        LON: {
          practitioners: demo.practitioners.filter((p) => p.site === 'LON').length,
          participants: 12,
          sessions: count((p) => p.sessions),
          adverseEvents: 0,
          fadingAssessments: count((p) => p.fadingAssessments),
          surveys: count((p) => p.surveys),
        },
      },
    });
    // The administrator's entry has the whole study's counts, and Manchester's one event.
    const whole = (await admin.get('/studies/SMP-2021/audit?entity=study')).body.items.find((entry: { action: string }) => entry.action === 'import');
    expect(whole.after.counts.adverseEvents).to.equal(1);
    expect(whole.after.countsBySite.MAN.adverseEvents).to.equal(1);
  });
});
