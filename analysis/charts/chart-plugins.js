// Chart.js plugins shared verbatim by the PNG renderer (Node imports this module) and the HTML
// report (which inlines this file's text into a <script type="module">). Plain JavaScript with no
// imports and no Node or DOM globals, so the same text runs in both; chart-plugins.d.ts types it.
// Each plugin reads declarative, JSON-safe options from the chart's raw `options.plugins`, so the
// chart configurations stay plain data that can be serialised into the page.

/** The raw (unresolved) options a configuration gave to one plugin, or undefined. */
function rawPluginOptions(chart, id) {
  const options = chart.config && chart.config.options;
  const plugins = options && options.plugins;
  return plugins ? plugins[id] : undefined;
}

function strokeSegment(ctx, x0, y0, x1, y1) {
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
}

/**
 * Draws interval whiskers (e.g. 95% confidence intervals) over bar or point datasets.
 * Options, at `options.plugins.errorBars`:
 *   { intervals: [{ datasetIndex, bounds: [[low, high] | null, ...] }], color?, lineWidth?, capWidth? }
 * `bounds[i]` is in the value axis's units and belongs to data element i of the dataset.
 * Works for vertical and horizontal (`indexAxis: 'y'`) bars.
 */
export const errorBarsPlugin = {
  id: 'errorBars',
  afterDatasetsDraw(chart) {
    const options = rawPluginOptions(chart, 'errorBars');
    if (!options || !Array.isArray(options.intervals)) return;
    const ctx = chart.ctx;
    const area = chart.chartArea;
    const capWidth = typeof options.capWidth === 'number' ? options.capWidth : 10;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    ctx.clip();
    ctx.strokeStyle = options.color || '#000000';
    ctx.lineWidth = typeof options.lineWidth === 'number' ? options.lineWidth : 1.5;
    ctx.lineCap = 'butt';
    for (const series of options.intervals) {
      if (!series || !Array.isArray(series.bounds) || !chart.isDatasetVisible(series.datasetIndex)) continue;
      const meta = chart.getDatasetMeta(series.datasetIndex);
      const valueScale = meta.vScale;
      if (!valueScale) continue;
      const horizontal = meta.indexAxis === 'y';
      ctx.beginPath();
      series.bounds.forEach((bound, index) => {
        const element = meta.data[index];
        if (!element || !Array.isArray(bound) || bound.length !== 2) return;
        const low = valueScale.getPixelForValue(bound[0]);
        const high = valueScale.getPixelForValue(bound[1]);
        const { x, y } = element.getProps(['x', 'y'], true);
        const half = capWidth / 2;
        if (horizontal) {
          strokeSegment(ctx, low, y, high, y);
          strokeSegment(ctx, low, y - half, low, y + half);
          strokeSegment(ctx, high, y - half, high, y + half);
        } else {
          strokeSegment(ctx, x, low, x, high);
          strokeSegment(ctx, x - half, low, x + half, low);
          strokeSegment(ctx, x - half, high, x + half, high);
        }
      });
      ctx.stroke();
    }
    ctx.restore();
  },
};

/**
 * Replaces an axis's numeric tick labels with names: tick value i gets `labels[i]`; ticks that are
 * not a whole number with a name get no label and no grid line. JSON-safe stand-in for a
 * `ticks.callback` function. Options, at `options.plugins.tickLabels`: { [axisId]: string[] }.
 */
export const tickLabelsPlugin = {
  id: 'tickLabels',
  beforeInit(chart) {
    const spec = rawPluginOptions(chart, 'tickLabels');
    if (!spec || typeof spec !== 'object') return;
    const options = chart.config.options;
    options.scales = options.scales || {};
    for (const axisId of Object.keys(spec)) {
      const labels = spec[axisId];
      if (!Array.isArray(labels)) continue;
      const scale = (options.scales[axisId] = options.scales[axisId] || {});
      const ticks = (scale.ticks = scale.ticks || {});
      ticks.callback = (value) => {
        const number = Number(value);
        return Number.isInteger(number) && number >= 0 && number < labels.length ? labels[number] : null;
      };
    }
  },
};

/**
 * Writes a text label on each data element: centred in bubbles and points, past the end of bars.
 * Bubble and point labels are placed largest element first and skipped where they would overlap a
 * label already drawn, so crowded charts stay legible (the report's tables carry every figure).
 * Options, at `options.plugins.valueLabels`:
 *   { labels: [{ datasetIndex, texts: [string | null, ...] }], color?, font? }
 */
export const valueLabelsPlugin = {
  id: 'valueLabels',
  afterDatasetsDraw(chart) {
    const options = rawPluginOptions(chart, 'valueLabels');
    if (!options || !Array.isArray(options.labels)) return;
    const ctx = chart.ctx;
    const font = options.font || {};
    const size = typeof font.size === 'number' ? font.size : 12;
    const family = font.family || 'sans-serif';
    const drawn = [];
    const overlaps = (box) =>
      drawn.some((other) => box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom);
    ctx.save();
    ctx.fillStyle = options.color || '#000000';
    ctx.font = (font.weight ? font.weight + ' ' : '') + size + 'px ' + family;
    for (const series of options.labels) {
      if (!series || !Array.isArray(series.texts) || !chart.isDatasetVisible(series.datasetIndex)) continue;
      const meta = chart.getDatasetMeta(series.datasetIndex);
      const isBar = meta.type === 'bar';
      const horizontal = meta.indexAxis === 'y';
      const items = [];
      series.texts.forEach((text, index) => {
        const element = meta.data[index];
        if (!element || text === null || text === undefined || text === '') return;
        const radius = element.options && typeof element.options.radius === 'number' ? element.options.radius : 0;
        items.push({ element, text: String(text), radius });
      });
      if (!isBar) items.sort((a, b) => b.radius - a.radius);
      for (const { element, text } of items) {
        const { x, y, base } = element.getProps(['x', 'y', 'base'], true);
        if (!isBar) {
          const width = ctx.measureText(text).width;
          const box = { left: x - width / 2 - 1, right: x + width / 2 + 1, top: y - size / 2, bottom: y + size / 2 };
          if (overlaps(box)) continue;
          drawn.push(box);
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          ctx.fillText(text, x, y);
        } else if (horizontal) {
          const forward = x >= base;
          ctx.textAlign = forward ? 'left' : 'right';
          ctx.textBaseline = 'middle';
          ctx.fillText(text, x + (forward ? 6 : -6), y);
        } else {
          const upward = y <= base;
          ctx.textAlign = 'center';
          ctx.textBaseline = upward ? 'bottom' : 'top';
          ctx.fillText(text, x, y + (upward ? -4 : 4));
        }
      }
    }
    ctx.restore();
  },
};

/** Every plugin above, for `Chart.register(...chartPlugins)`. */
/**
 * Writes a number-at-risk row under the x axis, one count under each given time, with its label
 * at the left. Options, at `options.plugins.atRiskRow`: { label, times: number[], counts: number[],
 * color?, font? }. The chart's bottom layout padding must leave room for the row.
 */
export const atRiskRowPlugin = {
  id: 'atRiskRow',
  afterDraw(chart) {
    const options = rawPluginOptions(chart, 'atRiskRow');
    if (!options || !Array.isArray(options.times) || !Array.isArray(options.counts)) return;
    const xScale = chart.scales.x;
    if (!xScale) return;
    const ctx = chart.ctx;
    const font = options.font || {};
    const size = typeof font.size === 'number' ? font.size : 12;
    ctx.save();
    ctx.fillStyle = options.color || '#000000';
    ctx.font = (font.weight ? font.weight + ' ' : '') + size + 'px ' + (font.family || 'sans-serif');
    ctx.textBaseline = 'top';
    const y = xScale.bottom + 6;
    ctx.textAlign = 'left';
    ctx.fillText(String(options.label || ''), 4, y);
    ctx.textAlign = 'center';
    options.times.forEach((time, index) => {
      const x = xScale.getPixelForValue(time);
      if (x >= xScale.left - 1 && x <= xScale.right + 1) ctx.fillText(String(options.counts[index]), x, y);
    });
    ctx.restore();
  },
};

export const chartPlugins = [errorBarsPlugin, tickLabelsPlugin, valueLabelsPlugin, atRiskRowPlugin];
