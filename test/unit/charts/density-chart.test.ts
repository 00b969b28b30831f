import { expect } from 'chai';
import { DENSITY_SCALE, densityChart, densityTable } from '../../../analysis/charts/index.ts';
import { axisTitle, expectOkabeItoColours, scale } from './chart-assertions.ts';
import { makeSeries, makeSummary } from './summary-factory.ts';

describe('charts/density-score', () => {
  const summary = makeSummary();
  const series = makeSeries();
  const config = densityChart(summary, series);

  it('plots first against latest score, one bubble per pair', () => {
    const points = config.data.datasets[0]!.data as Array<{ x: number; y: number; r: number }>;
    expect(points.map(({ x, y }) => [x, y])).to.deep.equal(series.densityPairs.map((pair) => [pair.first, pair.latest]));
    const largest = series.densityPairs.findIndex((pair) => pair.count === 5);
    expect(points[largest]!.r).to.equal(Math.max(...points.map((point) => point.r)));
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

  it('has titled axes covering the scale', () => {
    expect(axisTitle(config, 'x')).to.equal('Density score at first follow-up assessment (0–10)');
    expect(axisTitle(config, 'y')).to.equal('Density score at latest assessment (0–10)');
    for (const id of ['x', 'y']) {
      expect(scale(config, id).min).to.be.at.most(0);
      expect(scale(config, id).max).to.be.at.least(10);
    }
    expectOkabeItoColours(config);
  });

  it('tabulates each pair with its change', () => {
    const table = densityTable(summary, series);
    expect(table.columns).to.deep.equal(['First score', 'Latest score', 'Change', 'Participants (n)']);
    expect(table.rows[0]).to.deep.equal(['6.0', '6.5', '+0.5', 1]);
    expect(table.rows).to.deep.include(['7.5', '7.5', '0.0', 5]);
  });
});
