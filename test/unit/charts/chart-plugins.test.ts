// The shared plugins against a stand-in chart: no canvas needed to check what they draw.
import { expect } from 'chai';
import type { Chart } from 'chart.js';
import { atRiskRowPlugin, chartPlugins, errorBarsPlugin, tickLabelsPlugin, valueLabelsPlugin } from '../../../analysis/charts/chart-plugins.js';

type Call = [string, ...number[]] | [string, string, number, number];

function recordingContext() {
  const calls: Call[] = [];
  const ctx = {
    calls,
    strokeStyle: '',
    fillStyle: '',
    lineWidth: 0,
    lineCap: '',
    font: '',
    textAlign: '',
    textBaseline: '',
    save: () => calls.push(['save']),
    restore: () => calls.push(['restore']),
    beginPath: () => calls.push(['beginPath']),
    rect: (...args: number[]) => calls.push(['rect', ...args]),
    clip: () => calls.push(['clip']),
    moveTo: (x: number, y: number) => calls.push(['moveTo', x, y]),
    lineTo: (x: number, y: number) => calls.push(['lineTo', x, y]),
    stroke: () => calls.push(['stroke']),
    measureText: (text: string) => ({ width: text.length * 6 }),
    fillText: (text: string, x: number, y: number) => calls.push(['fillText', text, x, y]),
  };
  return ctx;
}

/** A chart with one dataset whose elements sit at the given points; the value scale maps v → 100 + 10·v. */
function fakeChart(options: Record<string, unknown>, points: Array<{ x: number; y: number; base?: number; radius?: number }>, meta: Record<string, unknown>) {
  const ctx = recordingContext();
  const chart = {
    ctx,
    chartArea: { left: 0, top: 0, right: 500, bottom: 300 },
    config: { options: { plugins: options } },
    isDatasetVisible: () => true,
    getDatasetMeta: () => ({
      vScale: { getPixelForValue: (value: number) => 100 + 10 * value },
      data: points.map((point) => ({
        options: { radius: point.radius ?? 0 },
        getProps: () => ({ x: point.x, y: point.y, base: point.base ?? 0 }),
      })),
      ...meta,
    }),
  };
  return { chart: chart as unknown as Chart, ctx };
}

const hook = (plugin: unknown, name: string) =>
  (plugin as Record<string, (chart: Chart, args?: unknown, options?: unknown) => void>)[name]!;

describe('charts/chart-plugins', () => {
  it('exports the four plugins with their ids', () => {
    expect(chartPlugins.map((plugin) => plugin.id)).to.deep.equal(['errorBars', 'tickLabels', 'valueLabels', 'atRiskRow']);
  });

  it('atRiskRow writes the label and each count under the x axis at its time, skipping times off the axis', () => {
    const { chart, ctx } = fakeChart({ atRiskRow: { label: 'At risk', times: [0, 12, 48], counts: [37, 27, 3] } }, [], {});
    // x axis from pixel 50 (0 months) to 450 (24 months): 12 months at 250, 48 months off the axis.
    (chart as unknown as { scales: unknown }).scales = {
      x: { left: 50, right: 450, bottom: 280, getPixelForValue: (months: number) => 50 + (400 * months) / 24 },
    };
    hook(atRiskRowPlugin, 'afterDraw')(chart);
    expect(ctx.calls.filter((call) => call[0] === 'fillText')).to.deep.equal([
      ['fillText', 'At risk', 4, 286],
      ['fillText', '37', 50, 286],
      ['fillText', '27', 250, 286],
    ]);
  });

  it('errorBars draws a horizontal whisker with caps from the low to the high bound', () => {
    const { chart, ctx } = fakeChart(
      { errorBars: { intervals: [{ datasetIndex: 0, bounds: [[1, 5], null] }], capWidth: 10 } },
      [{ x: 130, y: 40 }, { x: 100, y: 80 }],
      { indexAxis: 'y', type: 'bar' },
    );
    hook(errorBarsPlugin, 'afterDatasetsDraw')(chart);
    const segments = ctx.calls.filter((call) => call[0] === 'moveTo' || call[0] === 'lineTo');
    expect(segments).to.deep.equal([
      ['moveTo', 110, 40], ['lineTo', 150, 40],
      ['moveTo', 110, 35], ['lineTo', 110, 45],
      ['moveTo', 150, 35], ['lineTo', 150, 45],
    ]);
    expect(ctx.calls.filter((call) => call[0] === 'stroke')).to.have.length(1);
  });

  it('errorBars draws vertical whiskers for vertical bars, and nothing without options', () => {
    const { chart, ctx } = fakeChart(
      { errorBars: { intervals: [{ datasetIndex: 0, bounds: [[0, 2]] }], capWidth: 4 } },
      [{ x: 60, y: 110 }],
      { indexAxis: 'x', type: 'bar' },
    );
    hook(errorBarsPlugin, 'afterDatasetsDraw')(chart);
    expect(ctx.calls.filter((call) => call[0] === 'moveTo' || call[0] === 'lineTo')).to.deep.equal([
      ['moveTo', 60, 100], ['lineTo', 60, 120],
      ['moveTo', 58, 100], ['lineTo', 62, 100],
      ['moveTo', 58, 120], ['lineTo', 62, 120],
    ]);
    const bare = fakeChart({}, [{ x: 1, y: 1 }], {});
    hook(errorBarsPlugin, 'afterDatasetsDraw')(bare.chart);
    expect(bare.ctx.calls).to.deep.equal([]);
  });

  it('tickLabels names whole ticks and hides the others', () => {
    const options: Record<string, any> = { plugins: { tickLabels: { y: ['none', 'minimal', 'mild'] } } };
    hook(tickLabelsPlugin, 'beforeInit')({ config: { options } } as unknown as Chart);
    const callback = options.scales.y.ticks.callback as (value: number) => string | null;
    expect([0, 1, 2].map(callback)).to.deep.equal(['none', 'minimal', 'mild']);
    expect(callback(0.5)).to.equal(null);
    expect(callback(-0.5)).to.equal(null);
    expect(callback(3)).to.equal(null);
  });

  it('valueLabels writes labels past bar ends and skips overlapping bubble labels', () => {
    const bars = fakeChart(
      { valueLabels: { labels: [{ datasetIndex: 0, texts: ['40 (100.0%)', null] }] } },
      [{ x: 300, y: 50, base: 0 }, { x: 10, y: 90, base: 0 }],
      { indexAxis: 'y', type: 'bar' },
    );
    hook(valueLabelsPlugin, 'afterDatasetsDraw')(bars.chart);
    expect(bars.ctx.calls.filter((call) => call[0] === 'fillText')).to.deep.equal([['fillText', '40 (100.0%)', 306, 50]]);

    const bubbles = fakeChart(
      { valueLabels: { labels: [{ datasetIndex: 0, texts: ['2', '15', '4'] }] } },
      [{ x: 100, y: 100, radius: 5 }, { x: 103, y: 100, radius: 18 }, { x: 200, y: 100, radius: 8 }],
      { indexAxis: 'x', type: 'bubble' },
    );
    hook(valueLabelsPlugin, 'afterDatasetsDraw')(bubbles.chart);
    expect(bubbles.ctx.calls.filter((call) => call[0] === 'fillText')).to.deep.equal([
      ['fillText', '15', 103, 100],
      ['fillText', '4', 200, 100],
    ]);
  });
});
