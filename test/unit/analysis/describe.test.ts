import { expect } from 'chai';
import { describe as describeSample } from '../../../analysis/describe.ts';

// Reference values from numpy 2 (scipy 1.17 environment), computed independently of this code:
//   import numpy as np
//   a = np.array(xs, float)
//   a.mean(), a.std(ddof=1), np.median(a), np.percentile(a, 25), np.percentile(a, 75), a.min(), a.max()
// np.percentile's default 'linear' method is R's quantile(type = 7).
describe('describe', () => {
  it('gives only n for an empty sample', () => {
    expect(describeSample([])).to.deep.equal({ n: 0 });
  });

  it('gives a null sd for a single value', () => {
    expect(describeSample([3.5])).to.deep.equal({ n: 1, mean: 3.5, sd: null, median: 3.5, q1: 3.5, q3: 3.5, min: 3.5, max: 3.5 });
  });

  it('matches numpy on [1, 2, 3, 4]', () => {
    // numpy: 2.5 1.2909944487358056 2.5 1.75 3.25 1.0 4.0
    const result = describeSample([1, 2, 3, 4]);
    expectFigures(result, { n: 4, mean: 2.5, sd: 1.2909944487358056, median: 2.5, q1: 1.75, q3: 3.25, min: 1, max: 4 });
  });

  it('matches numpy on an unsorted sample with ties, interpolating quartiles (type 7)', () => {
    // xs = [2, 9, 4, 4, 7, 1, 10.5, 6]
    // numpy: 5.4375 3.310562101603205 5.0 3.5 7.5 1.0 10.5
    const values = [2, 9, 4, 4, 7, 1, 10.5, 6];
    const copy = values.slice();
    const result = describeSample(values);
    expectFigures(result, { n: 8, mean: 5.4375, sd: 3.310562101603205, median: 5, q1: 3.5, q3: 7.5, min: 1, max: 10.5 });
    expect(values, 'input left unsorted').to.deep.equal(copy);
  });

  it('matches numpy on a skewed sample with a negative value', () => {
    // xs = [0.1, 0.2, 0.3, -7.25, 1e3]
    // numpy: 198.67000000000002 447.968709286709 0.2 0.1 0.3 -7.25 1000.0
    const result = describeSample([0.1, 0.2, 0.3, -7.25, 1e3]);
    expectFigures(result, { n: 5, mean: 198.67, sd: 447.968709286709, median: 0.2, q1: 0.1, q3: 0.3, min: -7.25, max: 1000 });
  });

  it('gives sd 0 for a constant sample', () => {
    // numpy: std(ddof=1) of [5, 5, 5] = 0.0
    expect(describeSample([5, 5, 5])).to.deep.equal({ n: 3, mean: 5, sd: 0, median: 5, q1: 5, q3: 5, min: 5, max: 5 });
  });

  it('refuses values that are not finite', () => {
    expect(() => describeSample([1, Number.NaN])).to.throw('describe requires finite numbers');
    expect(() => describeSample([Number.POSITIVE_INFINITY])).to.throw('describe requires finite numbers');
  });
});

function expectFigures(actual: ReturnType<typeof describeSample>, expected: Record<string, number>): void {
  expect(actual.n).to.equal(expected.n);
  for (const [name, value] of Object.entries(expected)) {
    expect((actual as Record<string, number>)[name], name).to.be.closeTo(value, 1e-9);
  }
}
