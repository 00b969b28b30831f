import { expect } from 'chai';
import { wilsonInterval } from '../../../analysis/wilson-interval.ts';

// Reference values from scipy 1.17, computed independently of this code:
//   from scipy import stats
//   ci = stats.binomtest(k, n).proportion_ci(method='wilson')   # no continuity correction
//   ci.low, ci.high
// (the same interval as R's prop.test(k, n, correct = FALSE)$conf.int).
const REFERENCE: Array<[number, number, number, number]> = [
  [1, 22, 0.00806942762126385, 0.21798045838657332],
  [0, 10, 0.0, 0.27753279986288926],
  [10, 10, 0.7224672001371109, 1.0],
  [5, 17, 0.1327998961029523, 0.5313311006653985],
  [37, 120, 0.23272736988916295, 0.3958299772380067],
  [1, 1, 0.20654931437723745, 1.0],
  [0, 1, 0.0, 0.7934506856227626],
  [499, 1000, 0.468073488750724, 0.529934164766247],
  [3, 20000, 5.101481799495061e-5, 0.0004409636272928436],
];

describe('wilsonInterval', () => {
  for (const [successes, trials, lower, upper] of REFERENCE) {
    it(`matches scipy for ${successes} of ${trials}`, () => {
      const [low, high] = wilsonInterval(successes, trials);
      expect(low).to.be.closeTo(lower, 1e-9);
      expect(high).to.be.closeTo(upper, 1e-9);
    });
  }

  it('gives exactly 0 and 1 at the extremes', () => {
    expect(wilsonInterval(0, 7)[0]).to.equal(0);
    expect(wilsonInterval(7, 7)[1]).to.equal(1);
  });

  it('refuses invalid counts', () => {
    expect(() => wilsonInterval(0, 0)).to.throw('wilsonInterval requires');
    expect(() => wilsonInterval(3, 2)).to.throw('wilsonInterval requires');
    expect(() => wilsonInterval(-1, 2)).to.throw('wilsonInterval requires');
    expect(() => wilsonInterval(0.5, 2)).to.throw('wilsonInterval requires');
  });
});
