// The pages' chart tooltips: a bubble of the density chart says its count and scores in words
// (chart.js alone would show its radius), and a point without words keeps chart.js's own line.
import { expect } from 'chai';
import type { ChartConfiguration } from 'chart.js';
import { densityChart } from '../../../analysis/charts/density-chart.ts';
import { screenConfig, tooltipLabel } from '../../../web/app/charts/chart-js.ts';
import { makeSeries, makeSummary } from '../charts/summary-factory.ts';

type Item = Parameters<typeof tooltipLabel>[0];
/** A tooltip item as chart.js passes it, with what the label reads. */
const item = (raw: unknown, dataset: string, formattedValue: string) => ({ raw, dataset: { label: dataset }, formattedValue }) as Item;

describe('web/charts: tooltips', () => {
  const config = densityChart(
    makeSummary(),
    makeSeries({ densityPairs: [{ first: 4, latest: 3.5, count: 7 }, { first: 4, latest: 4, count: 2 }] }),
  ) as ChartConfiguration;
  const drawn = screenConfig(config);
  const label = (drawn.options?.plugins?.tooltip?.callbacks as { label?: (item: Item) => string } | undefined)?.label;

  it("gives a bubble's tooltip its count and scores, where chart.js would give (x, y, radius)", () => {
    expect(label).to.equal(tooltipLabel);
    const [largest, smaller] = drawn.data.datasets[0]!.data as unknown[];
    const bubble = 'Participants (bubble area ∝ count)';
    expect(label!(item(largest, bubble, '(4, 3.5, 18)'))).to.equal('7 participants: first 4.0, latest 3.5 (change -0.5)');
    expect(label!(item(smaller, bubble, '(4, 4, 9.6)'))).to.equal('2 participants: first 4.0, latest 4.0 (change 0.0)');
  });

  it("keeps chart.js's line for a point without words (the line of no change), and leaves the served configuration untouched", () => {
    expect(tooltipLabel(item({ x: 0, y: 0 }, 'No change (latest = first)', '(0, 0)'))).to.equal('No change (latest = first): (0, 0)');
    expect(config.options?.plugins?.tooltip).to.equal(undefined);
  });

  it('adds no tooltip callback to a chart whose points carry no words', () => {
    const bars: ChartConfiguration = { type: 'bar', data: { labels: ['a'], datasets: [{ label: 'n', data: [3] }] } };
    expect(screenConfig(bars).options?.plugins?.tooltip).to.equal(undefined);
  });
});
