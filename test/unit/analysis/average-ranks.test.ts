import { expect } from 'chai';
import { averageRanks } from '../../../analysis/average-ranks.ts';

// Reference values from scipy 1.17, computed independently of this code:
//   from scipy import stats
//   stats.rankdata(values)            # method='average'
describe('averageRanks', () => {
  it('shares ranks between ties', () => {
    // rankdata([10, 20, 10, 30]) -> [1.5, 3.0, 1.5, 4.0]
    expect(averageRanks([10, 20, 10, 30])).to.deep.equal([1.5, 3, 1.5, 4]);
  });

  it('matches scipy with several groups of ties', () => {
    // rankdata([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]) -> [4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8]
    expect(averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])).to.deep.equal([4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8]);
  });

  it('ranks values given in ascending order the same way', () => {
    // rankdata([0.5, 1, 1, 2, 3, 3, 3, 7]) -> [1, 2.5, 2.5, 4, 6, 6, 6, 8]
    expect(averageRanks([0.5, 1, 1, 2, 3, 3, 3, 7])).to.deep.equal([1, 2.5, 2.5, 4, 6, 6, 6, 8]);
    // The same values out of order: rankdata([3, 1, 7, 3, 0.5, 2, 1, 3]) -> [6, 2.5, 8, 6, 1, 4, 2.5, 6]
    expect(averageRanks([3, 1, 7, 3, 0.5, 2, 1, 3])).to.deep.equal([6, 2.5, 8, 6, 1, 4, 2.5, 6]);
  });

  it('gives every value the middle rank when all are tied', () => {
    // rankdata([2.5, 2.5, 2.5]) -> [2.0, 2.0, 2.0]
    expect(averageRanks([2.5, 2.5, 2.5])).to.deep.equal([2, 2, 2]);
  });

  it('handles the empty sample and refuses NaN', () => {
    expect(averageRanks([])).to.deep.equal([]);
    expect(() => averageRanks([1, Number.NaN])).to.throw('averageRanks requires finite numbers');
  });
});
