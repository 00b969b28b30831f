import { expect } from 'chai';
import { linearRegression } from '../../../analysis/linear-regression.ts';

// Reference values from scipy 1.17, computed independently of this code:
//   from scipy import stats
//   r = stats.linregress(x, y); r.slope, r.intercept, r.rvalue ** 2
describe('linearRegression', () => {
  it('matches scipy on a small sample', () => {
    // x = [0, 1, 2, 3]; y = [1, 3, 2, 5] -> 1.1 1.0999999999999999 0.6914285714285714
    const fit = linearRegression([0, 1, 2, 3], [1, 3, 2, 5]);
    expect(fit.n).to.equal(4);
    expect(fit.slope).to.be.closeTo(1.1, 1e-9);
    expect(fit.intercept).to.be.closeTo(1.1, 1e-9);
    expect(fit.r2).to.be.closeTo(0.6914285714285714, 1e-9);
  });

  it('matches scipy on a falling trend with tied responses', () => {
    // x = [0.5, 1.2, 3.3, 4.1, 6.0, 7.7]; y = [4, 3, 3, 2, 1, 1]
    // -> -0.41535226077812826 3.911671924290221 0.8948953254946944
    const fit = linearRegression([0.5, 1.2, 3.3, 4.1, 6.0, 7.7], [4, 3, 3, 2, 1, 1]);
    expect(fit.slope).to.be.closeTo(-0.41535226077812826, 1e-9);
    expect(fit.intercept).to.be.closeTo(3.911671924290221, 1e-9);
    expect(fit.r2).to.be.closeTo(0.8948953254946944, 1e-9);
  });

  it('matches scipy on grade-like data with tied months', () => {
    // x = [0, 2, 4, 6, 8, 10, 12, 14]; y = [0, 0, 1, 1, 1, 2, 1, 3]
    // -> 0.17261904761904762 -0.08333333333333326 0.7281385281385281
    const fit = linearRegression([0, 2, 4, 6, 8, 10, 12, 14], [0, 0, 1, 1, 1, 2, 1, 3]);
    expect(fit.slope).to.be.closeTo(0.17261904761904762, 1e-9);
    expect(fit.intercept).to.be.closeTo(-0.08333333333333326, 1e-9);
    expect(fit.r2).to.be.closeTo(0.7281385281385281, 1e-9);
  });

  it('gives a flat line and a null r² when y is constant', () => {
    // scipy: x = [1, 2, 3]; y = [2, 2, 2] -> slope 0.0, intercept 2.0, r² nan (0 / 0)
    expect(linearRegression([1, 2, 3], [2, 2, 2])).to.deep.equal({ n: 3, slope: 0, intercept: 2, r2: null });
  });

  it('gives nulls when x is constant or there are fewer than two points', () => {
    expect(linearRegression([4, 4, 4], [1, 2, 3])).to.deep.equal({ n: 3, slope: null, intercept: null, r2: null });
    expect(linearRegression([1], [1])).to.deep.equal({ n: 1, slope: null, intercept: null, r2: null });
    expect(linearRegression([], [])).to.deep.equal({ n: 0, slope: null, intercept: null, r2: null });
  });

  it('refuses unequal lengths and values that are not finite', () => {
    expect(() => linearRegression([1, 2], [1])).to.throw('linearRegression requires x and y of equal length');
    expect(() => linearRegression([1, Number.NaN], [1, 2])).to.throw('linearRegression requires finite numbers');
  });
});
