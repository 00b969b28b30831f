// chart.js for the pages, registered once: every part of chart.js (bundled from npm, nothing
// fetched) and the plugins the API's chart configurations use (analysis/charts/chart-plugins.js:
// error bars, value labels, tick labels), the same ones the HTML report and the PNGs register.
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import { chartPlugins } from '../../../analysis/charts/chart-plugins.js';
import { FONT_FAMILY, TEXT_COLOUR } from '../../../analysis/charts/palette.ts';

let registered = false;

/** chart.js with every part and the shared plugins registered. */
export function chartJs(): typeof Chart {
  if (!registered) {
    Chart.register(...registerables, ...chartPlugins);
    Chart.defaults.font.family = FONT_FAMILY;
    Chart.defaults.color = TEXT_COLOUR;
    registered = true;
  }
  return Chart;
}

type Options = Record<string, unknown> & { plugins?: Record<string, Record<string, unknown> | undefined> };

/** A copy of a configuration from the API (which stays untouched: chart.js writes into its configuration). */
function copyOf(config: ChartConfiguration): ChartConfiguration & { options: Options } {
  const copy = structuredClone(config) as ChartConfiguration & { options?: Options };
  copy.options ??= {};
  copy.options.plugins ??= {};
  return copy as ChartConfiguration & { options: Options };
}

/** The words a point of the configuration carries for its tooltip (a bubble's count), if any. */
const pointLabel = (point: unknown): unknown => (typeof point === 'object' && point !== null ? (point as { label?: unknown }).label : undefined);

/**
 * A tooltip line: the point's own words where it has them (a bubble's "5 participants: …", where
 * chart.js would show its radius), else chart.js's "dataset: value".
 */
export function tooltipLabel(item: { raw: unknown; dataset: { label?: string | undefined }; formattedValue: string }): string {
  const label = pointLabel(item.raw);
  return typeof label === 'string' ? label : `${item.dataset.label ?? ''}: ${item.formattedValue}`;
}

/** A screen whose chart boxes are narrower than about 480 CSS pixels: a phone. */
export const NARROW_SCREEN = '(max-width: 540px)';

/**
 * The configuration as the page draws it: sized by its box (`.chart-box`), drawn at once (no
 * animation), without the title and subtitle, which the page shows as text above the chart. In a
 * `narrow` box, horizontal bars lose their category-axis title, which would cover their labels,
 * and their labels are a size smaller.
 */
export function screenConfig(config: ChartConfiguration, narrow = false): ChartConfiguration {
  const copy = copyOf(config);
  Object.assign(copy.options, { responsive: true, maintainAspectRatio: false, animation: false });
  const plugins = copy.options.plugins!;
  if (copy.data.datasets.some((dataset) => dataset.data.some((point) => typeof pointLabel(point) === 'string'))) {
    // Set as plain data: typing it as chart.js's tooltip options makes the checker measure every
    // chart type's configuration against the general one, which then fails elsewhere.
    Object.assign(plugins, { tooltip: { ...(plugins.tooltip as object | undefined), callbacks: { label: tooltipLabel } } });
  }
  plugins.title = { ...plugins.title, display: false };
  plugins.subtitle = { ...plugins.subtitle, display: false };
  // Labels written past the end of horizontal bars need room on a narrow box.
  if (copy.options['indexAxis'] === 'y' && plugins['valueLabels']) {
    const layout = (copy.options['layout'] ??= {}) as { padding?: Record<string, number> | number };
    const padding = typeof layout.padding === 'object' ? layout.padding : {};
    layout.padding = { ...padding, right: Math.max(padding['right'] ?? 0, 72) };
  }
  if (narrow && copy.options['indexAxis'] === 'y') {
    const scales = (copy.options['scales'] ?? {}) as Record<string, { title?: Record<string, unknown>; ticks?: { font?: Record<string, unknown> } } | undefined>;
    const y = scales['y'];
    if (y?.title) y.title = { ...y.title, display: false };
    if (y) y.ticks = { ...y.ticks, font: { ...y.ticks?.font, size: 11 } };
  }
  return copy;
}

/** Paints the canvas white under the chart, so the PNG is not transparent. */
const whiteBackground: Plugin = {
  id: 'smpWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export const PNG_SIZE = { width: 1200, height: 675 };

/**
 * The chart as a PNG data URL, drawn afresh at a fixed size with its title and subtitle (as the
 * report's PNGs are), whatever the width of the screen.
 */
export function chartPng(config: ChartConfiguration): string {
  const ChartJs = chartJs();
  const canvas = document.createElement('canvas');
  canvas.width = PNG_SIZE.width;
  canvas.height = PNG_SIZE.height;
  const copy = copyOf(config);
  Object.assign(copy.options, { responsive: false, maintainAspectRatio: false, animation: false, devicePixelRatio: 1 });
  copy.plugins = [...(copy.plugins ?? []), whiteBackground];
  const chart = new ChartJs(canvas, copy);
  try {
    return canvas.toDataURL('image/png');
  } finally {
    chart.destroy();
  }
}

/** Starts the download of a data URL under a file name (an anchor made here, never from data as markup). */
export function downloadDataUrl(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
