import { expect } from 'chai';
import { DENSITY_SCALE, densityChart, densityTable } from '../../../analysis/charts/index.ts';
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
