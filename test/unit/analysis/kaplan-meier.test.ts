import { expect } from 'chai';
import { kaplanMeier, type SurvivalObservation } from '../../../analysis/kaplan-meier.ts';

// Freireich E. J. et al. (1963), Blood 21:699–716: weeks in remission of acute leukaemia patients.
// 6-MP group (* censored): 6,6,6,6*,7,9*,10,10*,11*,13,16,17*,19*,20*,22,23,25*,32*,32*,34*,35*.
// Published KM table (Kleinbaum & Klein, Survival Analysis: A Self-Learning Text, table 2.2):
//   t   n  d  S(t)
//   6  21  3  0.857
//   7  17  1  0.807
//  10  15  1  0.753
//  13  12  1  0.690
//  16  11  1  0.627
//  22   7  1  0.538
//  23   6  1  0.448      median 23
// Full-precision survival from this independent python script (numpy 2):
//   import numpy as np
//   def km(times, events):
//       t = np.array(times, float); e = np.array(events, bool); s = 1.0; out = []
//       for u in np.unique(t[e]):
//           n = int((t >= u).sum()); d = int(((t == u) & e).sum()); s *= 1 - d / n
//           out.append((float(u), n, d, s))
//       return out
const SIX_MP: SurvivalObservation[] = [
  [6, true], [6, true], [6, true], [6, false], [7, true], [9, false], [10, true], [10, false], [11, false],
  [13, true], [16, true], [17, false], [19, false], [20, false], [22, true], [23, true], [25, false],
  [32, false], [32, false], [34, false], [35, false],
].map(([time, event]) => ({ time: time as number, event: event as boolean }));

describe('kaplanMeier', () => {
  it('reproduces the published 6-MP table of Freireich et al.', () => {
    const result = kaplanMeier(SIX_MP);
    expect(result.n).to.equal(21);
    expect(result.events).to.equal(9);
    expect(result.median).to.equal(23);
    const expected: Array<[number, number, number, number, number]> = [
      // months, atRisk, events, python survival, published (3 decimals)
      [6, 21, 3, 0.8571428571428572, 0.857],
      [7, 17, 1, 0.8067226890756303, 0.807],
      [10, 15, 1, 0.7529411764705882, 0.753],
      [13, 12, 1, 0.6901960784313725, 0.69],
      [16, 11, 1, 0.6274509803921569, 0.627],
      [22, 7, 1, 0.5378151260504203, 0.538],
      [23, 6, 1, 0.44817927170868355, 0.448],
    ];
    expect(result.steps).to.have.length(expected.length);
    expected.forEach(([months, atRisk, events, survival, published], i) => {
      const step = result.steps[i]!;
      expect(step.months).to.equal(months);
      expect(step.atRisk).to.equal(atRisk);
      expect(step.events).to.equal(events);
      expect(step.survival).to.be.closeTo(survival, 1e-9);
      expect(step.survival).to.be.closeTo(published, 5e-4);
    });
  });

  it('does not depend on input order', () => {
    const reversed = kaplanMeier(SIX_MP.slice().reverse());
    expect(reversed).to.deep.equal(kaplanMeier(SIX_MP));
  });

  it('reproduces the placebo group, where every patient relapsed (published median 8 weeks)', () => {
    // Placebo: 1,1,2,2,3,4,4,5,5,8,8,8,8,11,11,12,12,15,17,22,23, all events; python km() as above.
    const times = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23];
    const result = kaplanMeier(times.map((time) => ({ time, event: true })));
    expect(result.median).to.equal(8);
    expect(result.events).to.equal(21);
    const expected: Array<[number, number, number]> = [
      [1, 21, 0.9047619047619048], [2, 19, 0.8095238095238095], [3, 17, 0.7619047619047619],
      [4, 16, 0.6666666666666666], [5, 14, 0.5714285714285714], [8, 12, 0.380952380952381],
      [11, 8, 0.28571428571428575], [12, 6, 0.19047619047619052], [15, 4, 0.1428571428571429],
      [17, 3, 0.09523809523809527], [22, 2, 0.04761904761904764], [23, 1, 0],
    ];
    expect(result.steps.map((step) => [step.months, step.atRisk])).to.deep.equal(expected.map(([t, n]) => [t, n]));
    expected.forEach(([, , survival], i) => expect(result.steps[i]!.survival).to.be.closeTo(survival, 1e-9));
  });

  it('takes the first time survival reaches exactly 0.5 as the median', () => {
    // times 1,2,3,4*,5,6*: python km() -> (1, 6, 1, 0.8333…), (2, 5, 1, 0.6666…), (3, 4, 1, 0.5), (5, 2, 1, 0.25)
    const result = kaplanMeier([
      { time: 1, event: true }, { time: 2, event: true }, { time: 3, event: true },
      { time: 4, event: false }, { time: 5, event: true }, { time: 6, event: false },
    ]);
    expect(result.median).to.equal(3);
    expect(result.steps.map((step) => step.atRisk)).to.deep.equal([6, 5, 4, 2]);
    expect(result.steps[2]!.survival).to.be.closeTo(0.5, 1e-12);
    expect(result.steps[3]!.survival).to.be.closeTo(0.25, 1e-12);
  });

  it('has no median when survival stays above 0.5, and no steps without events', () => {
    const result = kaplanMeier([{ time: 2, event: true }, { time: 3, event: false }, { time: 4, event: false }]);
    expect(result.median).to.equal(null);
    expect(result.steps).to.have.length(1);
    expect(result.steps[0]!.survival).to.be.closeTo(2 / 3, 1e-12);
    expect(kaplanMeier([{ time: 5, event: false }])).to.deep.equal({ n: 1, events: 0, median: null, steps: [], lastMonths: 5 });
    expect(kaplanMeier([])).to.deep.equal({ n: 0, events: 0, median: null, steps: [], lastMonths: null });
  });

  it('gives the longest time observed, censored or not, as the end of the curve', () => {
    // 6-MP: the last relapse is at 23 weeks, the longest remission (censored) 35 weeks.
    expect(kaplanMeier(SIX_MP).lastMonths).to.equal(35);
    // Placebo: every patient relapsed, the last at 23 weeks.
    expect(kaplanMeier([1, 4, 23, 8].map((time) => ({ time, event: true }))).lastMonths).to.equal(23);
  });

  it('refuses times that are not finite', () => {
    expect(() => kaplanMeier([{ time: Number.NaN, event: true }])).to.throw('kaplanMeier requires finite times');
  });
});
