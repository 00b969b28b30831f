import { expect } from 'chai';
import { spearman } from '../../../analysis/spearman.ts';

// Reference values from scipy 1.17, computed independently of this code:
//   from scipy import stats
//   r = stats.spearmanr(x, y); r.statistic, r.pvalue
// spearmanr ranks with average ties and takes p from Student's t with n − 2 df,
// t = rho * sqrt((n − 2) / (1 − rho²)), the definition this function follows.
describe('spearman', () => {
  it('matches scipy without ties', () => {
    // x = [1, 2, 3, 4, 5]; y = [2, 1, 4, 3, 5] -> 0.7999999999999999 0.10408803866182788
    const result = spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])!;
    expect(result.n).to.equal(5);
    expect(result.rho).to.be.closeTo(0.8, 1e-9);
    expect(result.p).to.be.closeTo(0.10408803866182788, 1e-9);
  });

  it('matches scipy with many ties in both variables', () => {
    // x = [0, 0, 0, 1.5, 1.5, 3, 3, 3, 3, 6, 6, 6, 9, 9, 12]
    // y = [0, 1, 1, 1, 2, 1, 2, 2, 3, 2, 3, 3, 3, 4, 4]
    // -> 0.8775020238508592 1.7225972569222276e-05
    const x = [0, 0, 0, 1.5, 1.5, 3, 3, 3, 3, 6, 6, 6, 9, 9, 12];
    const y = [0, 1, 1, 1, 2, 1, 2, 2, 3, 2, 3, 3, 3, 4, 4];
    const result = spearman(x, y)!;
    expect(result.rho).to.be.closeTo(0.8775020238508592, 1e-9);
    expect(result.p).to.be.closeTo(1.7225972569222276e-5, 1e-12);
  });

  it('matches scipy on an unordered sample', () => {
    // x = [10, 20, 30, 40, 50, 60, 70, 80]; y = [3, 1, 4, 1, 5, 9, 2, 6] -> 0.5030030300035688 0.203876682008432
    const result = spearman([10, 20, 30, 40, 50, 60, 70, 80], [3, 1, 4, 1, 5, 9, 2, 6])!;
    expect(result.rho).to.be.closeTo(0.5030030300035688, 1e-9);
    expect(result.p).to.be.closeTo(0.203876682008432, 1e-9);
  });

  it('matches scipy with one degree of freedom', () => {
    // x = [1, 2, 3]; y = [1, 3, 2] -> 0.5 0.6666666666666666
    const result = spearman([1, 2, 3], [1, 3, 2])!;
    expect(result.rho).to.be.closeTo(0.5, 1e-9);
    expect(result.p).to.be.closeTo(0.6666666666666666, 1e-9);
  });

  it('gives p = 0 for a perfect monotone relation', () => {
    // scipy: x = [1, 2, 3, 4]; y = [4, 3, 2, 1] -> -1.0 0.0
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).to.deep.equal({ n: 4, rho: -1, p: 0 });
    expect(spearman([0.1, 0.7, 2, 9, 9.5], [1, 4, 9, 16, 25])).to.deep.equal({ n: 5, rho: 1, p: 0 });
  });

  it('is null with fewer than three pairs or a constant variable', () => {
    expect(spearman([1, 2], [2, 1])).to.equal(null);
    expect(spearman([1, 2, 3], [5, 5, 5])).to.equal(null);
    expect(spearman([7, 7, 7, 7], [1, 2, 3, 4])).to.equal(null);
  });

  it('refuses unequal lengths', () => {
    expect(() => spearman([1, 2, 3], [1, 2])).to.throw('spearman requires x and y of equal length');
  });
});
