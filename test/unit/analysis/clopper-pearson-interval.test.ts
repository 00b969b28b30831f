import { expect } from 'chai';
import { clopperPearsonInterval } from '../../../analysis/clopper-pearson-interval.ts';

// Reference values from scipy 1.17, computed independently of this code:
//   from scipy import stats
//   ci = stats.binomtest(k, n).proportion_ci(method='exact')
//   ci.low, ci.high
// (the same interval as R's binom.test(k, n)$conf.int; 1 of 22 is the known [0.0011501, 0.2284444]).
const REFERENCE: Array<[number, number, number, number]> = [
  [1, 22, 0.001150147526581684, 0.22844439766763597],
  [0, 10, 0.0, 0.30849710781876294],
  [10, 10, 0.6915028921812371, 1.0],
  [5, 17, 0.10313551437031993, 0.5595827187543372],
  [37, 120, 0.22725511963384845, 0.3991367645324066],
  [1, 1, 0.025000000000000022, 1.0],
  [0, 1, 0.0, 0.975],
  [499, 1000, 0.4675521862537382, 0.5304537166617128],
  [3, 20000, 3.093467444516009e-5, 0.00043830045341813786],
];

describe('clopperPearsonInterval', () => {
  for (const [successes, trials, lower, upper] of REFERENCE) {
    it(`matches scipy for ${successes} of ${trials}`, () => {
      const [low, high] = clopperPearsonInterval(successes, trials);
      expect(low).to.be.closeTo(lower, 1e-9);
      expect(high).to.be.closeTo(upper, 1e-9);
    });
  }

  it('matches the published binom.test interval for 1 of 22 to 7 decimals', () => {
    const [low, high] = clopperPearsonInterval(1, 22);
    expect(low).to.be.closeTo(0.0011501, 5e-8);
    expect(high).to.be.closeTo(0.2284444, 5e-8);
  });

  it('gives exactly 0 and 1 at the extremes', () => {
    expect(clopperPearsonInterval(0, 4)[0]).to.equal(0);
    expect(clopperPearsonInterval(4, 4)[1]).to.equal(1);
  });

  it('refuses invalid counts', () => {
    expect(() => clopperPearsonInterval(0, 0)).to.throw('clopperPearsonInterval requires');
    expect(() => clopperPearsonInterval(5, 4)).to.throw('clopperPearsonInterval requires');
    expect(() => clopperPearsonInterval(-1, 4)).to.throw('clopperPearsonInterval requires');
    expect(() => clopperPearsonInterval(1, 4.5)).to.throw('clopperPearsonInterval requires');
  });
});
