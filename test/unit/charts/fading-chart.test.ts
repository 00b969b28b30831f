import { expect } from 'chai';
import {
  FADING_GRADE_TICKS,
  fadingChart,
  fadingTable,
  fadingTrendLine,
  type ValueLabelsOptions,
} from '../../../analysis/charts/index.ts';
import type { AnalysisSummary } from '../../../analysis/types.ts';
import { axisTitle, expectOkabeItoColours, scale } from './chart-assertions.ts';
import { makeSeries, makeSummary } from './summary-factory.ts';

describe('charts/fading-grade', () => {
  const summary = makeSummary();
  const series = makeSeries();
  const config = fadingChart(summary, series);

  it('plots one bubble per (months, grade) point, larger for larger counts', () => {
    const bubbles = config.data.datasets[0]!;
    expect(bubbles.type).to.equal('bubble');
    const points = bubbles.data as Array<{ x: number; y: number; r: number }>;
    expect(points).to.have.length(series.fadingPoints.length);
    series.fadingPoints.forEach((point, index) => {
      expect(points[index]!.x).to.equal(point.months);
      expect(points[index]!.y).to.equal(point.grade);
    });
    const byCount = series.fadingPoints
      .map((point, index) => ({ count: point.count, r: points[index]!.r }))
      .sort((a, b) => a.count - b.count);
    for (let i = 1; i < byCount.length; i += 1) expect(byCount[i]!.r).to.be.at.least(byCount[i - 1]!.r);
    // Counts are also written on the bubbles.
    const valueLabels = config.options?.plugins?.valueLabels as ValueLabelsOptions;
    expect(valueLabels.labels[0]?.texts).to.deep.equal(
      series.fadingPoints.map((point) => String(point.count)),
    );
  });

  it('draws the regression line intercept + slope·x across the observed month range', () => {
    const line = config.data.datasets[1]!;
    expect(line.type).to.equal('line');
    const [start, end] = line.data as Array<{ x: number; y: number }>;
    // Months range 0.5–24 in the series; intercept 0.62, slope 0.085 in the summary.
    expect(start!.x).to.equal(0.5);
    expect(end!.x).to.equal(24);
    expect(start!.y).to.be.closeTo(0.62 + 0.085 * 0.5, 1e-12);
    expect(end!.y).to.be.closeTo(0.62 + 0.085 * 24, 1e-12);
    expect(end!.y).to.be.closeTo(2.66, 1e-12);
    expect(fadingTrendLine(summary, series)).to.deep.equal([start, end]);
  });

  it('leaves the line out when the trend is not estimable', () => {
    const flat: AnalysisSummary = makeSummary();
    flat.fading = {
      ...flat.fading,
      gradeTrend: { n: 1, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null },
    };
    const noLine = fadingChart(flat, series);
    expect(noLine.data.datasets).to.have.length(1);
    expect(noLine.options?.plugins?.subtitle?.text).to.match(/not estimable/);
    expect(fadingTrendLine(flat, series)).to.equal(null);
  });

  it('has a 0–4 grade axis labelled none … marked and a months axis', () => {
    expect(axisTitle(config, 'x')).to.equal('Months since final session');
    expect(axisTitle(config, 'y')).to.equal('Fading grade (0–4)');
    const y = scale(config, 'y');
    expect(y.min).to.be.at.most(0);
    expect(y.max).to.be.at.least(4);
    expect(config.options?.plugins?.tickLabels?.y).to.deep.equal([
      '0 none',
      '1 minimal',
      '2 mild',
      '3 moderate',
      '4 marked',
    ]);
    expect(FADING_GRADE_TICKS).to.have.length(5);
  });

  it('describes the trend in the subtitle and uses Okabe–Ito colours', () => {
    expect(config.options?.plugins?.subtitle?.text).to.equal(
      'Least-squares trend +0.085 grade per month (n = 120, R² = 0.31); Spearman ρ = 0.52, p < 0.001',
    );
    expectOkabeItoColours(config);
    expect(config.data.datasets[1]!.borderColor).to.equal('#D55E00');
  });

  it('tabulates the points sorted by months and grade, with the trend equation', () => {
    const table = fadingTable(summary, series);
    expect(table.rows).to.have.length(series.fadingPoints.length);
    expect(table.rows[0]).to.deep.equal(['0.5', 0, 'none', 2]);
    expect(table.caption).to.contain('grade = 0.620 + 0.085 × months');
  });
});
