import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { kaplanMeierMedian } from '../../../analysis/kaplan-meier-median.ts';
import type { SurvivalObservation } from '../../../analysis/kaplan-meier.ts';
import { demoBundle, referenceCohort, touchUpFreeObservations } from '../../reference/touch-up-free-data.ts';

// Every expected value below was printed by R 4.2.2 with survival 3.5.3:
//   npx tsx test/reference/touch-up-free-data.ts && Rscript test/reference/km-median.R
// which computes quantile(survfit(Surv(months, event) ~ 1, conf.type = "log-log"), probs = 0.5)
// and the participants at risk when the curve first falls to 50%. R's NA is null here.
const TOLERANCE = 1e-6;

function observations(times: number[], events: number[]): SurvivalObservation[] {
  return times.map((time, i) => ({ time, event: events[i] === 1 }));
}

function csvObservations(name: string): SurvivalObservation[] {
  const text = readFileSync(new URL(`../../reference/${name}`, import.meta.url), 'utf8');
  return text.trim().split('\n').slice(1).map((line) => {
    const [time, event] = line.split(',');
    return { time: Number(time), event: event === '1' };
  });
}

function expectClose(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) expect(actual, what).to.equal(null);
  else expect(actual, what).to.be.a('number').and.closeTo(expected, TOLERANCE);
}

describe('kaplanMeierMedian', () => {
  it('equals R survfit on the demo study (the curve rests at exactly 50% from 30.9 to 31.9 months)', async () => {
    const demo = await touchUpFreeObservations(demoBundle());
    expect(demo).to.deep.equal(csvObservations('touch-up-free-demo.csv'));
    const median = kaplanMeierMedian(demo);
    // R: demo: n=22 events=2 median=31.408624229979466 lower=30.915811088295687 upper=NA atRisk=2
    expectClose(median.months, 31.408624229979466, 'median');
    expectClose(median.lower, 30.915811088295687, 'lower');
    expectClose(median.upper, null, 'upper');
    expect(median.atRisk).to.equal(2);
    expect(median.unstable).to.equal(true);
  });

  it('equals R survfit on a generated cohort of 400', async () => {
    const generated = await touchUpFreeObservations(referenceCohort());
    expect(generated).to.deep.equal(csvObservations('touch-up-free-generated.csv'));
    const median = kaplanMeierMedian(generated);
    // R: generated: n=381 events=45 median=26.184804928131417 lower=23.885010266940451 upper=NA atRisk=5
    expect(generated).to.have.length(381);
    expectClose(median.months, 26.184804928131417, 'median');
    expectClose(median.lower, 23.885010266940451, 'lower');
    expectClose(median.upper, null, 'upper');
    expect(median.atRisk).to.equal(5);
    expect(median.unstable).to.equal(false);
  });

  it('equals R when every limit is reached', () => {
    const thirty = Array.from({ length: 30 }, (_, i) => i + 1);
    // R: thirty: n=30 events=20 median=20 lower=13 upper=25 atRisk=11
    const median = kaplanMeierMedian(observations(thirty, thirty.map((t) => (t % 3 !== 0 ? 1 : 0))));
    expect(median).to.deep.equal({ months: 20, lower: 13, upper: 25, atRisk: 11, unstable: false });
  });

  it('takes the midpoint of a stretch at 50% (to rounding), as R does', () => {
    // R: plateau: n=6 events=4 median=4 lower=1 upper=NA atRisk=4 (S = 5/6 · 4/5 · 3/4 = 0.5 from 3 to 5)
    const median = kaplanMeierMedian(observations([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0]));
    expect(median).to.deep.equal({ months: 4, lower: 1, upper: null, atRisk: 4, unstable: true });
  });

  it('takes the midpoint to the last time observed when the curve ends at 50%, as quantile() does', () => {
    // R: ends at half: n=4 events=2 median=3 lower=1 upper=NA atRisk=3
    const median = kaplanMeierMedian(observations([1, 2, 3, 4], [1, 1, 0, 0]));
    expect(median).to.deep.equal({ months: 3, lower: 1, upper: null, atRisk: 3, unstable: true });
  });

  it('says not reached (null) when the curve stays above 50%', () => {
    // R: not reached: n=5 events=1 median=NA lower=1 upper=NA atRisk=NA
    const median = kaplanMeierMedian(observations([1, 2, 3, 4, 5], [1, 0, 0, 0, 0]));
    expect(median).to.deep.equal({ months: null, lower: 1, upper: null, atRisk: null, unstable: false });
  });

  it('gives the documented example', () => {
    // R: example: n=6 events=4 median=4 lower=1 upper=NA atRisk=3
    const median = kaplanMeierMedian(observations([1, 2, 3, 4, 5, 6], [1, 0, 1, 1, 0, 1]));
    expect(median).to.deep.equal({ months: 4, lower: 1, upper: null, atRisk: 3, unstable: true });
  });

  it('is not reached for no participants, and refuses a time that is not finite', () => {
    expect(kaplanMeierMedian([])).to.deep.equal({ months: null, lower: null, upper: null, atRisk: null, unstable: false });
    expect(() => kaplanMeierMedian([{ time: Number.NaN, event: true }])).to.throw('kaplanMeierMedian requires finite times');
  });
});
