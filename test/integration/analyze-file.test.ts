// `smp analyze FILE` analyses a bundle with no database. Its figures must be those of the same
// bundle imported and analysed from the database: this holds the two paths to identical
// summaries and chart series, for the demo study, generated cohorts and a bundle built to hit
// every ordering and rounding rule (arrays out of canonical order, same-day assessments by
// several assessors, cents and tenths, a participant without sessions), with and without --by.
import { expect } from 'chai';
import type { AppError } from '../../api/errors.ts';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SubgroupDimension } from '../../analysis/types.ts';
import { analyzeStudyWithCharts } from '../../api/services/analysis-service.ts';
import { analyzeBundleWithCharts } from '../../api/services/bundle-facts.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

const DEMO = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../fixtures/smp-2021.json', import.meta.url)), 'utf8'));
const DIMENSIONS: Array<SubgroupDimension | undefined> = [undefined, 'site', 'indication', 'practitioner-experience'];

/** A bundle out of canonical order that exercises each rule the file path mirrors. */
function edgeBundle() {
  const bundle = smallBundle('EDGE-1');
  const [first, second] = bundle.participants;
  first.costUsd = 1234.57;
  second.costUsd = 0.1;
  // Same-day assessments by every assessor, given in the reverse of the analysis's preference.
  first.fadingAssessments.push(
    { date: '2019-09-01', grade: 2, densityScore: 6.3, needsTouchUp: true, assessor: 'participant' },
    { date: '2019-09-01', grade: 1, densityScore: 7.7, needsTouchUp: false, assessor: 'panel' },
    { date: '2019-09-01', grade: 0, densityScore: 8.1, needsTouchUp: null, assessor: 'clinician' },
    { date: '2019-08-01', grade: 3, densityScore: null, needsTouchUp: true, assessor: 'clinician' },
  );
  first.surveys.push({ date: '2019-03-01', satisfaction: 2, wouldRecommend: false });
  first.sessions.reverse();
  first.adverseEvents.push({
    category: 'infection',
    term: 'Folliculitis',
    onsetDate: '2019-01-08',
    resolvedDate: null,
    grade: 2,
    serious: false,
    relatedness: 'possible',
    outcome: 'recovering',
    sessionNumber: 1,
    solicited: false,
  });
  bundle.participants.push({
    ...structuredClone(second),
    code: 'P00',
    sessions: [],
    adverseEvents: [],
    fadingAssessments: [],
    surveys: [],
    withdrawnOn: '2019-03-01',
    withdrawalCause: 'participant_choice',
    withdrawalReason: 'moved away',
    costUsd: null,
  });
  bundle.participants.reverse();
  bundle.sites.reverse();
  bundle.practitioners.reverse();
  return bundle;
}

describe(`analysis of a bundle file without a database equals the stored study's (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;

  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  const cases: Array<[string, () => unknown]> = [
    ['the demo study SMP-2021', () => DEMO],
    ['a generated cohort of 300', () => generateCohort({ seed: 5, participants: 300, code: 'GEN-A' })],
    [
      'a generated cohort with many withdrawals, events and touch-ups',
      () =>
        generateCohort({
          seed: 9,
          participants: 200,
          sites: 4,
          practitionersPerSite: 3,
          code: 'GEN-B',
          adverseEventRate: 1.5,
          withdrawalRate: 0.3,
          touchUpNeedRate: 0.5,
          protocolDeviationRate: 0.4,
        }),
    ],
    ['a bundle out of canonical order with same-day assessments', edgeBundle],
  ];

  for (const [name, make] of cases) {
    it(`gives identical summaries and chart series for ${name}`, async () => {
      const bundle = make() as { study: { code: string } };
      const code = bundle.study.code;
      await importBundle(db, structuredClone(bundle));
      for (const by of DIMENSIONS) {
        const fromFile = await analyzeBundleWithCharts(structuredClone(bundle), { by });
        const fromStore = await analyzeStudyWithCharts(db, code, { by });
        expect(fromFile, `--by ${by ?? '(none)'}`).to.deep.equal(fromStore);
        expect(fromFile.summary.participants.enrolled).to.be.greaterThan(0);
      }
    });
  }

  it('refuses an invalid bundle with every problem, as the import does', async () => {
    const bundle = smallBundle('EDGE-2');
    bundle.participants[0].sessions[1].date = '2021-02-30';
    const error = (await analyzeBundleWithCharts(bundle).catch((e: unknown) => e)) as AppError;
    expect(error.kind).to.equal('validation');
    expect(error.message).to.equal('the bundle has 1 problem');
    expect(error.problems).to.deep.equal([{ path: 'participants[0].sessions[1].date', message: '2021-02-30 is not a calendar date' }]);
  });
});
