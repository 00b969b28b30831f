// The demo study reproduces the 2021 study's published figures (../shared/seed/smp-article.txt):
// 22 participants, three weekly sessions and a touch-up a month later, 7–32 months of follow-up,
// minimal fading, no serious adverse event, one allergic reaction, 80% very satisfied, 100%
// would recommend. Interval bounds are R's binom.test / prop.test values; for 0 of N and N of N
// the exact bounds have the closed forms 1 − 0.025^(1/N) and 0.025^(1/N).
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { AnalysisSummary } from '../../analysis/types.ts';
import { loadDemo } from '../../api/services/demo-service.ts';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { runSmp } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

const DEMO_FILE = fileURLToPath(new URL('../../fixtures/smp-2021.json', import.meta.url));

function expectInterval(actual: [number, number] | null, expected: [number, number], tolerance = 5e-8): void {
  expect(actual).to.not.equal(null);
  expect(actual![0]).to.be.closeTo(expected[0], tolerance);
  expect(actual![1]).to.be.closeTo(expected[1], tolerance);
}

function expectArticleFigures(summary: AnalysisSummary): void {
  // "A 2021 study looked at the effects of SMP in 22 people."
  expect(summary.participants.enrolled).to.equal(22);
  expect(summary.participants.withdrawn).to.equal(0);

  // "three weekly sessions of SMP, followed by a fourth touch-up session a month later"
  expect(summary.sessions.total).to.equal(88);
  expect(summary.sessions.perParticipant).to.deep.equal({ n: 22, mean: 4, sd: 0, median: 4, q1: 4, q3: 4, min: 4, max: 4 });
  expect(summary.sessions.protocolAdherence).to.include({ n: 22, N: 22, proportion: 1 });
  expectInterval(summary.sessions.protocolAdherence.exact, [0.8456274871844254, 1]); // 0.025^(1/22)
  // "an SMP session may last 2–4 hours"
  expect(summary.sessions.durationMinutes).to.include({ n: 88, min: 120, max: 240 });

  // "In the follow-up period of 7–32 months following SMP"
  const months = summary.followUp.months;
  if (!('min' in months)) throw new Error('no follow-up');
  expect(months.n).to.equal(22);
  expect(months.min).to.be.within(7, 7.5);
  expect(months.max).to.be.within(31.5, 32);
  expect(summary.followUp.inWindow).to.include({ n: 22, N: 22, proportion: 1 });

  // "fading of the tattoo was minimal"
  const grades = summary.fading.latestGrade;
  expect(grades['2'] + grades['3'] + grades['4']).to.equal(0);
  expect(grades['0'] + grades['1']).to.equal(22);
  expect(summary.fading.minimalOrNone).to.include({ n: 22, N: 22, proportion: 1 });

  // "did not result in any serious adverse events" — 0/22, exact upper bound 1 − 0.025^(1/22)
  expect(summary.safety.seriousEvent).to.include({ n: 0, N: 22, proportion: 0 });
  expectInterval(summary.safety.seriousEvent.exact, [0, 0.15437251281557457]);
  // "One participant had an allergic reaction" — R: binom.test(1, 22)$conf.int = 0.001150148 0.228444398
  expect(summary.safety.anyEvent).to.include({ n: 1, N: 22 });
  expect(Object.keys(summary.safety.byCategory)).to.deep.equal(['allergic_reaction']);
  const allergic = summary.safety.byCategory.allergic_reaction!;
  expect(allergic.events).to.equal(1);
  expect(allergic.participants).to.include({ n: 1, N: 22 });
  expect(allergic.participants.proportion).to.be.closeTo(1 / 22, 1e-12);
  expectInterval(allergic.participants.exact, [0.0011501, 0.2284444], 5e-8);
  // R: prop.test(1, 22, correct = FALSE)$conf.int = 0.008069428 0.217980458 (Wilson score)
  expectInterval(allergic.participants.wilson, [0.008069428, 0.217980458], 5e-9);

  // "80% of participants reported they were very satisfied" — of the 20 who answered
  expect(summary.satisfaction.respondents).to.equal(20);
  expect(summary.satisfaction.verySatisfied).to.include({ n: 16, N: 20, proportion: 0.8 });
  // R: binom.test(16, 20)$conf.int = 0.5633860 0.9426660
  expectInterval(summary.satisfaction.verySatisfied.exact, [0.563386, 0.942666], 5e-7);
  // "100% of participants would recommend the procedure" — exact lower bound 0.025^(1/20)
  expect(summary.satisfaction.wouldRecommend).to.include({ n: 20, N: 20, proportion: 1 });
  expectInterval(summary.satisfaction.wouldRecommend.exact, [0.8315665290169146, 1]);

  // "the procedure may range from around $2,000–$4,000"
  expect(summary.costUsd).to.include({ n: 22, min: 2000, max: 4000 });
}

describe(`the demo study reproduces the 2021 study's figures (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  before(async () => {
    db = await freshDb();
    await loadDemo(db);
  });
  after(async () => {
    await db?.dispose();
  });

  it('from the stored study (smp demo, then analyze --study SMP-2021)', async () => {
    const summary = await analyzeStudy(db, 'SMP-2021');
    expect(summary.format).to.equal('smp-analysis/1');
    expect(summary.study.code).to.equal('SMP-2021');
    expectArticleFigures(summary);
  });

  it('from the bundle file alone (smp analyze fixtures/smp-2021.json)', () => {
    const run = runSmp({ ...process.env, DATABASE_URL: '' }, ['analyze', DEMO_FILE]);
    expect(run.status, run.stderr).to.equal(0);
    expectArticleFigures(JSON.parse(run.stdout) as AnalysisSummary);
  });

  it('repeats every figure per practitioner-experience subgroup', async () => {
    const summary = await analyzeStudy(db, 'SMP-2021', { by: 'practitioner-experience' });
    const groups = summary.subgroups!.groups;
    expect(summary.subgroups!.by).to.equal('practitioner-experience');
    expect(groups.map((g) => g.key)).to.deep.equal(['under_1_year', '1_year_or_more']);
    const enrolled = groups.map((g) => g.figures.participants.enrolled);
    expect(enrolled[0]! + enrolled[1]!).to.equal(22);
    expect(groups.reduce((n, g) => n + g.figures.sessions.total!, 0)).to.equal(88);
    expect(groups.reduce((n, g) => n + g.figures.satisfaction.respondents!, 0)).to.equal(20);
  });
});
