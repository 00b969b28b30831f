// The density chart's configuration and table, from the shared summary and from a small input
// worked out by hand.
import { expect } from 'chai';
import { DENSITY_SCALE, densityChart, densityTable } from '../../../analysis/charts/index.ts';
import { densityPointLabel } from '../../../analysis/charts/density-chart.ts';
import { axisTitle, expectOkabeItoColours, scale } from './chart-assertions.ts';
import { makeSeries, makeSummary } from './summary-factory.ts';

describe('charts/density-score', () => {
  const summary = makeSummary();
  const series = makeSeries();
  const config = densityChart(summary, series);

  it('plots first against latest score, one bubble per pair, the largest drawn first so none hides a smaller one', () => {
    const points = config.data.datasets[0]!.data as Array<{ x: number; y: number; r: number }>;
    // Counts 5, 4, 3, 2, 2, 1, 1, 1; ties by first, then latest score.
    expect(points.map(({ x, y }) => [x, y])).to.deep.equal([
      [7.5, 7.5], [8, 7], [9, 8.5], [8.5, 8], [9.5, 9], [6, 6.5], [7, 6], [8, 6.5],
    ]);
    expect(points[0]!.r).to.equal(Math.max(...points.map((point) => point.r)));
    const labels = config.options?.plugins?.valueLabels?.labels?.[0]?.texts;
    expect(labels).to.deep.equal(['5', '4', '3', '2', '2', '1', '1', '1']);
  });

  it('says how many participants it plots and why', () => {
    // 19 participants in the 8 pairs, of the 36 followed up (minimalOrNone's N).
    expect(config.options?.plugins?.subtitle?.text).to.equal(
      '19 of 36 participants followed up, those scored on two different days; below the line = density fell',
    );
    expect(densityTable(summary, series).caption).to.contain('19 of 36 participants followed up');
    expect(densityTable(summary, series).caption).to.match(/Change \(latest − first\): /);
  });

  it('zooms both axes to the scores present, whole points and half a point beyond', () => {
    // Scores 6 to 9.5: the axes run from 5.5 to 10.5.
    for (const id of ['x', 'y']) expect(scale(config, id)).to.include({ min: 5.5, max: 10.5 });
    const empty = densityChart(summary, makeSeries({ densityPairs: [] }));
    for (const id of ['x', 'y']) expect(scale(empty, id)).to.include({ min: -0.5, max: 10.5 });
  });

  it('draws the identity line y = x over the whole 0–10 scale', () => {
    const line = config.data.datasets[1]!;
    expect(line.type).to.equal('line');
    expect(line.data).to.deep.equal([
      { x: 0, y: 0 },
      { x: 10, y: 10 },
    ]);
    expect(DENSITY_SCALE).to.deep.equal({ min: 0, max: 10 });
  });

  it('has titled axes', () => {
    expect(axisTitle(config, 'x')).to.equal('Density score at first follow-up assessment (0–10)');
    expect(axisTitle(config, 'y')).to.equal('Density score at latest assessment (0–10)');
    expectOkabeItoColours(config);
  });

  it('tabulates each pair with its change', () => {
    const table = densityTable(summary, series);
    expect(table.columns).to.deep.equal(['First score', 'Latest score', 'Change', 'Participants (n)']);
    expect(table.rows[0]).to.deep.equal(['6.0', '6.5', '+0.5', 1]);
    expect(table.rows).to.deep.include(['7.5', '7.5', '0.0', 5]);
  });
});

describe('charts/density-score from three hand-made pairs that overlap', () => {
  // Nine participants at (3, 3), four at (3.5, 3) and one at (3, 2.5): half a point apart, so the
  // bubbles overlap and the large one would hide the others if it were drawn last.
  const summary = makeSummary();
  const series = makeSeries({
    densityPairs: [
      { first: 3, latest: 2.5, count: 1 },
      { first: 3, latest: 3, count: 9 },
      { first: 3.5, latest: 3, count: 4 },
    ],
  });
  const config = densityChart(summary, series);
  const points = config.data.datasets[0]!.data as Array<{ x: number; y: number; r: number; count: number; label: string }>;

  it('draws the largest bubble first, translucent, its area in proportion to its count', () => {
    // Radii: 18 for the largest count (9); 18·√(4/9) = 12; 18·√(1/9) = 6, above the minimum of 4.
    expect(points.map(({ x, y, r, count }) => ({ x, y, r, count }))).to.deep.equal([
      { x: 3, y: 3, r: 18, count: 9 },
      { x: 3.5, y: 3, r: 12, count: 4 },
      { x: 3, y: 2.5, r: 6, count: 1 },
    ]);
    // Fill at 60% opacity: 0.6 × 255 = 153 = 0x99, the alpha byte of #RRGGBBAA.
    expect(config.data.datasets[0]!.backgroundColor).to.match(/^#[0-9A-F]{6}99$/);
  });

  it('labels each bubble with its count, and gives each its words for the tooltip', () => {
    expect(config.options?.plugins?.valueLabels?.labels?.[0]?.texts).to.deep.equal(['9', '4', '1']);
    expect(points.map((point) => point.label)).to.deep.equal([
      '9 participants: first 3.0, latest 3.0 (change 0.0)',
      '4 participants: first 3.5, latest 3.0 (change -0.5)',
      '1 participant: first 3.0, latest 2.5 (change -0.5)',
    ]);
    expect(densityPointLabel({ first: 6, latest: 7.5, count: 2 })).to.equal('2 participants: first 6.0, latest 7.5 (change +1.5)');
  });

  it('says it plots 14 participants and why, and zooms both axes to 1.5–4.5', () => {
    expect(config.options?.plugins?.subtitle?.text).to.equal(
      '14 of 36 participants followed up, those scored on two different days; below the line = density fell',
    );
    // Scores 2.5 to 3.5: whole points 2 to 4, and half a point beyond.
    for (const id of ['x', 'y']) expect(scale(config, id)).to.include({ min: 1.5, max: 4.5 });
  });

  it('lists every pair in the table beside the chart, by first then latest score', () => {
    expect(densityTable(summary, series).rows).to.deep.equal([
      ['3.0', '2.5', '-0.5', 1],
      ['3.0', '3.0', '0.0', 9],
      ['3.5', '3.0', '-0.5', 4],
    ]);
  });
});
