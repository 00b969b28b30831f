// Complementary suppression over small hand-made tables, each answer worked out by hand in the
// comment beside it: which counts must go so that the shown ones give back no small one.
import { expect } from 'chai';
import { complementarySuppression, type SuppressionCell, type SumRelation } from '../../../api/services/complementary-suppression.ts';

const cells = (values: Record<string, number>): SuppressionCell[] => Object.entries(values).map(([id, value]) => ({ id, value }));
const hide = (cellList: SuppressionCell[], sums: SumRelation[], order?: string[]) =>
  [...complementarySuppression({ cells: cellList, sums, threshold: 5, ...(order ? { order } : {}) })].sort();

describe('complementary suppression', () => {
  it('hides a small part and the next smallest of a shown total', () => {
    // 20 = 3 + 9 + 8: 3 is small; with 9 and 8 shown, 20 − 9 − 8 gives it back, so 8 goes too.
    expect(hide(cells({ all: 20, a: 3, b: 9, c: 8 }), [{ total: 'all', parts: ['a', 'b', 'c'] }])).to.deep.equal(['a', 'c']);
  });

  it('treats a count of exactly the threshold as not small', () => {
    // 14 = 5 + 9: nothing is small. 13 = 4 + 9: 4 is, and 13 − 9 gives it back, so 9 goes too.
    expect(hide(cells({ all: 14, a: 5, b: 9 }), [{ total: 'all', parts: ['a', 'b'] }])).to.deep.equal([]);
    expect(hide(cells({ all: 13, a: 4, b: 9 }), [{ total: 'all', parts: ['a', 'b'] }])).to.deep.equal(['a', 'b']);
  });

  it('hides more parts until the hidden ones are no small group together', () => {
    // 20 = 1 + 2 + 4 + 13: the three small ones add up to 7, which is no small group: 13 stays.
    expect(hide(cells({ all: 20, a: 1, b: 2, c: 4, d: 13 }), [{ total: 'all', parts: ['a', 'b', 'c', 'd'] }])).to.deep.equal(['a', 'b', 'c']);
    // 16 = 1 + 2 + 13: 1 + 2 = 3 would be given back whole, so 13 goes too.
    expect(hide(cells({ all: 16, a: 1, b: 2, d: 13 }), [{ total: 'all', parts: ['a', 'b', 'd'] }])).to.deep.equal(['a', 'b', 'd']);
    // 12 = 0 + 0 + 12: two zeros that must add up to 0 are both 0.
    expect(hide(cells({ all: 12, a: 0, b: 0, c: 12 }), [{ total: 'all', parts: ['a', 'b', 'c'] }])).to.deep.equal(['a', 'b', 'c']);
  });

  it('protects through nested sums: a subtotal less a shown part gives back the other', () => {
    // followed = g0 + … + g4 = 30 and low = g0 + g1 = 13, both shown, with g0 = 3. Shown g1 = 10
    // would give back g0 = 13 − 10; so g1 goes. Of the high grades (6, 5, 6) all can stay: they
    // and 30 − 13 leave g0 + g1 = 13 to split.
    const table = cells({ followed: 30, low: 13, g0: 3, g1: 10, g2: 6, g3: 5, g4: 6 });
    const sums = [
      { total: 'followed', parts: ['g0', 'g1', 'g2', 'g3', 'g4'] },
      { total: 'low', parts: ['g0', 'g1'] },
    ];
    expect(hide(table, sums, ['followed', 'low'])).to.deep.equal(['g0', 'g1']);
    // Tried first, grades 1 to 3 keep their place; grade 4 goes (30 − 10 − 6 − 5 − 6 would be
    // g0), and so does the subtotal (13 − 10).
    expect(hide(table, sums, ['followed', 'g1', 'g2', 'g3', 'g4'])).to.deep.equal(['g0', 'g4', 'low']);
  });

  it('shows a count that the shown ones give back anyway', () => {
    // 20 = 8 + 12: once 20 and 12 are shown, 8 is known: it is shown rather than blanked.
    expect(hide(cells({ all: 20, a: 8, b: 12 }), [{ total: 'all', parts: ['a', 'b'] }])).to.deep.equal([]);
  });

  it('never shows an implied count, and protects it when small', () => {
    // N = n + rest with rest = 3 (implied: no figure shows it): N and n shown would give it back.
    const table: SuppressionCell[] = [...cells({ N: 20, n: 17 }), { id: 'rest', value: 3, implied: true }];
    expect(hide(table, [{ total: 'N', parts: ['n', 'rest'] }], ['N', 'n'])).to.deep.equal(['n', 'rest']);
    // With rest = 5 nothing is small: the implied count stays implied, the others are shown.
    const large: SuppressionCell[] = [...cells({ N: 20, n: 15 }), { id: 'rest', value: 5, implied: true }];
    expect(hide(large, [{ total: 'N', parts: ['n', 'rest'] }])).to.deep.equal(['rest']);
  });

  it('hides a count that pins another at a bound, through counts that cannot be negative', () => {
    // enrolled = none + followed (20 = 0 + 20), and density ≤ followed (density + slack =
    // followed, 20 + 0). Shown enrolled and density (both 20): followed is between them, so
    // none = 0 would be pinned; the slack is only a link (unprotected) and may be worked out.
    const table: SuppressionCell[] = [
      ...cells({ enrolled: 20, none: 0, followed: 20, density: 20 }),
      { id: 'slack', value: 0, implied: true, unprotected: true },
    ];
    const sums = [
      { total: 'enrolled', parts: ['none', 'followed'] },
      { total: 'followed', parts: ['density', 'slack'], bound: true },
    ];
    expect(hide(table, sums, ['enrolled', 'followed', 'density'])).to.deep.equal(['density', 'followed', 'none', 'slack']);
    // With density 18 (slack 2) it may stay: followed could be 18, 19 or 20.
    const looser: SuppressionCell[] = [
      ...cells({ enrolled: 20, none: 0, followed: 20, density: 18 }),
      { id: 'slack', value: 2, implied: true, unprotected: true },
    ];
    expect(hide(looser, sums, ['enrolled', 'followed', 'density'])).to.deep.equal(['followed', 'none', 'slack']);
  });

  it('keeps the split of an inequality out of the small-group rule', () => {
    // serious ≤ any (9 ≤ 12, slack 3): the slack is no group of its own, so both are shown.
    const table: SuppressionCell[] = [...cells({ any: 12, serious: 9 }), { id: 'slack', value: 3, implied: true, unprotected: true }];
    expect(hide(table, [{ total: 'any', parts: ['serious', 'slack'], bound: true }])).to.deep.equal(['slack']);
  });

  it('refuses a sum that names a count it was not given', () => {
    expect(() => complementarySuppression({ cells: cells({ all: 3 }), sums: [{ total: 'all', parts: ['a'] }], threshold: 5 })).to.throw(
      'a sum names the count a, which is not given',
    );
  });
});
