import { expect } from 'chai';
import { ADVERSE_EVENT_CATEGORIES } from '../../../analysis/charts/labels.ts';
import type { ChartConfiguration } from 'chart.js';
import {
  adverseEventErrorBars,
  adverseEventsChart,
  adverseEventsTable,
  type ErrorBarsOptions,
} from '../../../analysis/charts/index.ts';
import { axisTitle, expectOkabeItoColours, scale } from './chart-assertions.ts';
import { makeSeries, makeSummary, proportion } from './summary-factory.ts';

const errorBarsOf = (config: ChartConfiguration) => config.options?.plugins?.errorBars as ErrorBarsOptions;
const boundsOf = (config: ChartConfiguration) => errorBarsOf(config).intervals[0]!.bounds;

describe('charts/adverse-events', () => {
  const summary = makeSummary();
  const series = makeSeries();
  const config = adverseEventsChart(summary, series);
  const dataset = config.data.datasets[0]!;

  it('has a bar for every one of the 8 categories, zero-event ones included', () => {
    expect(config.data.labels).to.have.length(8);
    expect(dataset.data).to.have.length(8);
    expect(config.data.labels).to.deep.equal([
      'Infection (2/40)',
      'Allergic reaction (1/40)',
      'Keloid (0/40)',
      'Granuloma (0/40)',
      'MRI interference (0/40)',
      'Pigment migration (3/40)',
      'Discoloration (3/40)',
      'Other (1/40)',
    ]);
    expect(series.adverseEventCategories.map((row) => row.category)).to.deep.equal(ADVERSE_EVENT_CATEGORIES);
  });

  it('draws the percentage of participants as horizontal bars', () => {
    expect(config.type).to.equal('bar');
    expect(config.options?.indexAxis).to.equal('y');
    expect(dataset.data).to.deep.equal([5, 2.5, 0, 0, 0, 7.5, 7.5, 2.5]);
  });

  it('gives the error-bar plugin the exact interval ×100 for every category', () => {
    const errorBars = errorBarsOf(config);
    expect(errorBars.intervals).to.have.length(1);
    const bounds = boundsOf(config);
    expect(errorBars.intervals[0]!.datasetIndex).to.equal(0);
    expect(bounds).to.have.length(8);
    series.adverseEventCategories.forEach(({ participants }, index) => {
      const [low, high] = participants.exact!;
      expect(bounds[index]![0]).to.be.closeTo(low * 100, 1e-12);
      expect(bounds[index]![1]).to.be.closeTo(high * 100, 1e-12);
    });
    expect(adverseEventErrorBars(series)).to.deep.equal(bounds);
  });

  it('keeps the upper bound of zero-event categories: 0/40 gives [0, 8.81%]', () => {
    // Clopper–Pearson upper bound for 0 of n is 1 − 0.025^(1/n): 1 − 0.025^(1/40) = 0.0880973
    // (R: binom.test(0, 40)$conf.int[2]).
    const bounds = boundsOf(config);
    for (const index of [2, 3, 4]) {
      expect(bounds[index]![0]).to.equal(0);
      expect(bounds[index]![1]).to.be.closeTo(100 * (1 - 0.025 ** (1 / 40)), 1e-6);
      expect(bounds[index]![1]).to.be.closeTo(8.80973, 0.00001);
    }
  });

  it('has a percent axis wide enough for the highest upper bound', () => {
    // The value axis says %, as the bars show; the category axis names no unit (its labels carry n/N).
    expect(axisTitle(config, 'x')).to.equal('Participants (%)');
    expect(axisTitle(config, 'y')).to.equal('Adverse-event category');
    const highest = Math.max(...adverseEventErrorBars(series).map((bound) => bound![1]));
    expect(scale(config, 'x').min).to.equal(0);
    expect(scale(config, 'x').max).to.be.at.least(highest).and.at.most(100);
    expect(scale(config, 'x').max).to.equal(25);
  });

  it('shows no bar and no whisker when a category has no denominator', () => {
    const empty = makeSeries({
      adverseEventCategories: ADVERSE_EVENT_CATEGORIES.map((category) => ({ category, events: 0, participants: proportion(0, 0) })),
    });
    const emptyConfig = adverseEventsChart(makeSummary(), empty);
    expect(emptyConfig.data.datasets[0]!.data).to.deep.equal(Array(8).fill(null));
    expect(boundsOf(emptyConfig)).to.deep.equal(Array(8).fill(null));
    expect(scale(emptyConfig, 'x').max).to.equal(5);
  });

  it('uses Okabe–Ito colours, a title and static options', () => {
    expectOkabeItoColours(config);
    expect(dataset.backgroundColor).to.equal('#D55E00');
    expect(config.options?.plugins?.title?.text).to.equal('Participants with each adverse-event category');
    expect(config.options?.animation).to.equal(false);
    expect(config.options?.responsive).to.equal(false);
  });

  it('tabulates every category with n/N, % and the exact interval', () => {
    const table = adverseEventsTable(summary, series);
    expect(table.columns).to.deep.equal([
      'Category',
      'Events (n)',
      'Participants (n/N)',
      'Participants (%)',
      '95% exact CI',
    ]);
    expect(table.rows).to.have.length(8);
    expect(table.rows[0]).to.deep.equal(['Infection', 2, '2/40', '5.0%', '[0.6%, 16.9%]']);
    expect(table.rows[2]).to.deep.equal(['Keloid', 0, '0/40', '0.0%', '[0.0%, 8.8%]']);
  });
});
