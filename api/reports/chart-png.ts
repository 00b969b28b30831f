// Renders chart configurations to PNG in Node with chart.js on an @napi-rs/canvas surface: fixed
// size, device pixel ratio 1, white background, DejaVu Sans when the machine has it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Canvas, GlobalFonts, createCanvas } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  BubbleController,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  SubTitle,
  Title,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import { chartPlugins } from '../../analysis/charts/chart-plugins.js';
import { FONT_FAMILY, allCharts } from '../../analysis/charts/index.ts';
import type { AnalysisSummary, ChartSeries } from '../../analysis/types.ts';

export interface PngSize {
  width: number;
  height: number;
}

export const DEFAULT_PNG_SIZE: PngSize = { width: 960, height: 540 };

const DEJAVU_DIRECTORY = '/usr/share/fonts/truetype/dejavu';
const DEJAVU_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

let prepared = false;

/** Registers chart.js parts, the shared plugins and the font once per process. */
function prepareChartJs(): void {
  if (prepared) return;
  Chart.register(
    BarController,
    BubbleController,
    LineController,
    BarElement,
    PointElement,
    LineElement,
    LinearScale,
    CategoryScale,
    Title,
    SubTitle,
    Legend,
    ...chartPlugins,
  );
  for (const file of DEJAVU_FILES) {
    const path = join(DEJAVU_DIRECTORY, file);
    // Without the font, Skia's default sans-serif is used: the chart still renders.
    if (existsSync(path)) GlobalFonts.registerFromPath(path, 'DejaVu Sans');
  }
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.color = '#000000';
  prepared = true;
}

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#FFFFFF';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** A deep copy of plain objects and arrays; functions (e.g. tick callbacks) are kept as they are. */
function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, copyPlain(child)])) as T;
  }
  return value;
}

/** Draws one chart configuration and returns the PNG bytes. The configuration is not modified. */
export function renderChartPng(config: ChartConfiguration, size: PngSize = DEFAULT_PNG_SIZE): Buffer {
  return drawChart(config, size, (_chart, canvas) => canvas.toBuffer('image/png'));
}

/**
 * Draws one chart configuration on a canvas of the given size and hands the drawn chart (its
 * laid-out scales, its context) to `inspect`; the configuration is not modified.
 */
export function drawChart<T>(
  config: ChartConfiguration,
  size: PngSize,
  inspect: (chart: Chart, canvas: Canvas) => T,
): T {
  prepareChartJs();
  const canvas = createCanvas(size.width, size.height);
  // chart.js mutates the configuration it is given; the caller's stays as it was.
  const own = copyPlain({ type: config.type, data: config.data, options: config.options ?? {} });
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    ...own,
    options: { ...own.options, animation: false, responsive: false, devicePixelRatio: 1 },
    plugins: [...(config.plugins ?? []), whiteBackground],
  } as ChartConfiguration);
  try {
    return inspect(chart, canvas);
  } finally {
    chart.destroy();
  }
}

/** Writes `<id>.png` for every chart of the summary into outDir; returns the paths written. */
export function writeChartPngs(
  summary: AnalysisSummary,
  series: ChartSeries,
  outDir: string,
  size: PngSize = DEFAULT_PNG_SIZE,
): string[] {
  mkdirSync(outDir, { recursive: true });
  return allCharts(summary, series).map((chart) => {
    const path = join(outDir, `${chart.id}.png`);
    writeFileSync(path, renderChartPng(chart.config, size));
    return path;
  });
}
