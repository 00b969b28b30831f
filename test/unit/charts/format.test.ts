import { expect } from 'chai';
import {
  NO_DATA,
  formatDescribe,
  formatFraction,
  formatInterval,
  formatNumber,
  formatPValue,
  formatPercent,
  formatProportion,
  formatSigned,
  proportionCells,
  suppressionNote,
} from '../../../analysis/charts/format.ts';

describe('charts/format', () => {
  it('formats percentages to one decimal', () => {
    expect(formatPercent(0.8)).to.equal('80.0%');
    expect(formatPercent(1 / 3)).to.equal('33.3%');
    expect(formatPercent(0)).to.equal('0.0%');
    expect(formatPercent(null)).to.equal(NO_DATA);
  });

  it('formats an exact interval as "[0.1%, 22.8%]"', () => {
    // 1/22: Clopper–Pearson 95% interval [0.0011501, 0.2284444] (R: binom.test(1, 22)$conf.int).
    expect(formatInterval([0.0011501, 0.2284444])).to.equal('[0.1%, 22.8%]');
    expect(formatInterval(null)).to.equal(NO_DATA);
  });

  it('shows n/N, and a dash when N = 0', () => {
    expect(formatFraction({ n: 16, N: 20 })).to.equal('16/20');
    expect(formatFraction({ n: 0, N: 0 })).to.equal(NO_DATA);
    const empty = { n: 0, N: 0, proportion: null, wilson: null, exact: null };
    expect(proportionCells(empty)).to.deep.equal([NO_DATA, NO_DATA, NO_DATA, NO_DATA]);
    expect(formatProportion(empty)).to.equal(NO_DATA);
  });

  it('gives every cell of a proportion row', () => {
    // 16/20: R prop.test(16, 20, correct = FALSE)$conf.int and binom.test(16, 20)$conf.int.
    const p = { n: 16, N: 20, proportion: 0.8, wilson: [0.5839826, 0.9193423] as [number, number], exact: [0.563386, 0.942666] as [number, number] };
    expect(proportionCells(p)).to.deep.equal(['16/20', '80.0%', '[58.4%, 91.9%]', '[56.3%, 94.3%]']);
    expect(formatProportion(p)).to.equal('16/20 (80.0%) [56.3%, 94.3%]');
  });

  it('reads a suppressed proportion or description as suppressed, never as null/75 (0.0%)', () => {
    const hidden = { n: null, N: 75, proportion: null, wilson: null, exact: null, suppressed: true as const };
    expect(formatProportion(hidden)).to.equal('suppressed (small group)† of 75');
    expect(formatFraction({ n: null, N: null })).to.equal('suppressed (small group)†');
    expect(proportionCells(hidden)).to.deep.equal(['suppressed (small group)† of 75', 'suppressed (small group)†', 'suppressed (small group)†', 'suppressed (small group)†']);
    expect(formatDescribe({ n: null })).to.equal('suppressed (small group)†');
    expect(suppressionNote(5)).to.match(/^† Suppressed: another site's count under 5 is not shown, nor any figure that would give one back/);
  });

  it('formats Describe as "mean (SD); median [Q1, Q3]; range min–max"', () => {
    expect(formatDescribe({ n: 5, mean: 3.14, sd: 0.94, median: 3, q1: 3, q3: 4, min: 1, max: 5 })).to.equal(
      '3.1 (0.9); median 3.0 [3.0, 4.0]; range 1.0–5.0',
    );
    expect(formatDescribe({ n: 1, mean: 2, sd: null, median: 2, q1: 2, q3: 2, min: 2, max: 2 })).to.equal(
      `2.0 (${NO_DATA}); median 2.0 [2.0, 2.0]; range 2.0–2.0`,
    );
    expect(formatDescribe({ n: 3, mean: -0.5, sd: 0.5, median: -0.5, q1: -0.75, q3: -0.25, min: -1, max: 0 })).to.equal(
      '-0.5 (0.5); median -0.5 [-0.8, -0.3]; range -1.0 to 0.0',
    );
    expect(formatDescribe({ n: 0 })).to.equal(NO_DATA);
  });

  it('never prints a negative zero, and signs slopes', () => {
    expect(formatNumber(-0.04)).to.equal('0.0');
    expect(formatSigned(0.085, 3)).to.equal('+0.085');
    expect(formatSigned(-0.12)).to.equal('-0.12');
    expect(formatSigned(0)).to.equal('0.00');
    expect(formatSigned(null)).to.equal(NO_DATA);
  });

  it('formats p-values', () => {
    expect(formatPValue(1.2e-9)).to.equal('<0.001');
    expect(formatPValue(0.0421)).to.equal('0.042');
    expect(formatPValue(null)).to.equal(NO_DATA);
  });
});
