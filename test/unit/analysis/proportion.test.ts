import { expect } from 'chai';
import { proportion } from '../../../analysis/proportion.ts';

describe('proportion', () => {
  it('combines the estimate with both scipy intervals', () => {
    // scipy 1.17: r = stats.binomtest(5, 17)
    //   r.proportion_ci(method='wilson') -> (0.1327998961029523, 0.5313311006653985)
    //   r.proportion_ci(method='exact')  -> (0.10313551437031993, 0.5595827187543372)
    const result = proportion(5, 17);
    expect(result.n).to.equal(5);
    expect(result.N).to.equal(17);
    expect(result.proportion).to.be.closeTo(5 / 17, 1e-15);
    expect(result.wilson![0]).to.be.closeTo(0.1327998961029523, 1e-9);
    expect(result.wilson![1]).to.be.closeTo(0.5313311006653985, 1e-9);
    expect(result.exact![0]).to.be.closeTo(0.10313551437031993, 1e-9);
    expect(result.exact![1]).to.be.closeTo(0.5595827187543372, 1e-9);
  });

  it('gives the known exact interval for 1 of 22', () => {
    // R binom.test(1, 22)$conf.int = 0.0011501 0.2284444 (scipy: 0.001150147526581684, 0.22844439766763597)
    const result = proportion(1, 22);
    expect(result.exact![0]).to.be.closeTo(0.001150147526581684, 1e-9);
    expect(result.exact![1]).to.be.closeTo(0.22844439766763597, 1e-9);
  });

  it('gives lower 0 with no successes and upper 1 with all', () => {
    // scipy binomtest(0, 10) exact high 0.30849710781876294; binomtest(10, 10) exact low 0.6915028921812371
    const none = proportion(0, 10);
    expect(none.proportion).to.equal(0);
    expect(none.exact![0]).to.equal(0);
    expect(none.exact![1]).to.be.closeTo(0.30849710781876294, 1e-9);
    expect(none.wilson![0]).to.equal(0);
    const all = proportion(10, 10);
    expect(all.proportion).to.equal(1);
    expect(all.exact![1]).to.equal(1);
    expect(all.exact![0]).to.be.closeTo(0.6915028921812371, 1e-9);
    expect(all.wilson![1]).to.equal(1);
  });

  it('gives nulls for an empty denominator', () => {
    expect(proportion(0, 0)).to.deep.equal({ n: 0, N: 0, proportion: null, wilson: null, exact: null });
  });

  it('refuses invalid counts with a clear message', () => {
    expect(() => proportion(-1, 5)).to.throw('proportion requires a non-negative count, got -1');
    expect(() => proportion(6, 5)).to.throw('proportion requires the count (6) not to exceed the denominator (5)');
    expect(() => proportion(1.5, 5)).to.throw('proportion requires integer counts');
    expect(() => proportion(1, 5.5)).to.throw('proportion requires integer counts');
    expect(() => proportion(Number.NaN, 5)).to.throw('proportion requires integer counts');
  });
});
