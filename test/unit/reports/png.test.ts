import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { expect } from 'chai';
import type { ChartConfiguration } from 'chart.js';
import { adverseEventsChart, allCharts } from '../../../analysis/charts/index.ts';
import { HTML_REPORT_FILE, renderChartPng, writeChartPngs, writeHtmlReport } from '../../../api/reports/index.ts';
import { makeEmptyStudy, makeSeries, makeSummary } from '../charts/summary-factory.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from the IHDR chunk, which must come first. */
function ihdrSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).to.deep.equal(PNG_SIGNATURE);
  expect(png.subarray(12, 16).toString('ascii')).to.equal('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function pixels(png: Buffer): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { data: ctx.getImageData(0, 0, image.width, image.height).data, width: image.width, height: image.height };
}

/** Pixels within `tolerance` of the colour (per channel). */
function countColour(data: Uint8ClampedArray, hex: string, tolerance = 8): number {
  const [r, g, b] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)) as [number, number, number];
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i]! - r) <= tolerance && Math.abs(data[i + 1]! - g) <= tolerance && Math.abs(data[i + 2]! - b) <= tolerance) {
      count += 1;
    }
  }
  return count;
}

function differingPixels(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let count = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) count += 1;
  return count;
}

describe('reports/png', () => {
  const summary = makeSummary();
  const series = makeSeries();

  it('renders every chart to a PNG of the requested size', () => {
    for (const chart of allCharts(summary, series)) {
      const png = renderChartPng(chart.config, { width: 640, height: 360 });
      expect(ihdrSize(png), chart.id).to.deep.equal({ width: 640, height: 360 });
    }
  });

  it('paints a white background and draws in several colours, not one', async () => {
    for (const chart of allCharts(summary, series)) {
      const { data, width, height } = await pixels(renderChartPng(chart.config, { width: 800, height: 450 }));
      expect([...data.subarray(0, 4)], `${chart.id} corner`).to.deep.equal([255, 255, 255, 255]);
      const sampled = new Set<string>();
      let notWhite = 0;
      for (let y = 0; y < height; y += 3) {
        for (let x = 0; x < width; x += 3) {
          const i = (y * width + x) * 4;
          sampled.add(`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`);
          if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) notWhite += 1;
        }
      }
      expect(sampled.size, `${chart.id} distinct colours`).to.be.greaterThan(10);
      expect(notWhite, `${chart.id} drawn pixels`).to.be.greaterThan(1000);
    }
  });

  it('draws the adverse-event bars in vermillion and their error bars', async () => {
    const config = adverseEventsChart(summary, series);
    const withBars = await pixels(renderChartPng(config));
    expect(countColour(withBars.data, '#D55E00'), 'vermillion bar pixels').to.be.greaterThan(2000);
    const withoutBars: ChartConfiguration = structuredClone(config);
    delete withoutBars.options!.plugins!.errorBars;
    const plain = await pixels(renderChartPng(withoutBars));
    // Whiskers of 8 categories, each tens to hundreds of pixels long.
    expect(differingPixels(withBars.data, plain.data)).to.be.greaterThan(1000);
  });

  it('renders the charts of a study with no data yet', () => {
    const { summary: emptySummary, series: emptySeries } = makeEmptyStudy();
    for (const chart of allCharts(emptySummary, emptySeries)) {
      expect(ihdrSize(renderChartPng(chart.config, { width: 480, height: 270 })), chart.id).to.deep.equal({ width: 480, height: 270 });
    }
  });

  it('accepts configurations with callbacks (not only JSON data)', () => {
    const config = structuredClone(allCharts(summary, series)[1]!.config) as ChartConfiguration<'bar'>;
    let calls = 0;
    config.options!.scales!['y']!.ticks!.callback = (value) => {
      calls += 1;
      return `${value} people`;
    };
    expect(ihdrSize(renderChartPng(config as ChartConfiguration, { width: 400, height: 300 }))).to.deep.equal({ width: 400, height: 300 });
    expect(calls).to.be.greaterThan(0);
  });

  it('leaves the configuration it is given unchanged', () => {
    const config = allCharts(summary, series)[2]!.config;
    const before = JSON.stringify(config);
    renderChartPng(config, { width: 320, height: 200 });
    expect(JSON.stringify(config)).to.equal(before);
  });

  describe('files', () => {
    let outDir = '';
    beforeEach(() => (outDir = mkdtempSync(join(tmpdir(), 'smp-report-'))));
    afterEach(() => rmSync(outDir, { recursive: true, force: true }));

    it('writeChartPngs writes <id>.png for every chart', () => {
      const written = writeChartPngs(summary, series, outDir);
      const ids = allCharts(summary, series).map((chart) => chart.id);
      expect(written).to.deep.equal(ids.map((id) => join(outDir, `${id}.png`)));
      for (const path of written) expect(ihdrSize(readFileSync(path))).to.deep.equal({ width: 960, height: 540 });
    });

    it('writeHtmlReport writes report.html and the PNGs into a new directory', () => {
      const target = join(outDir, 'nested', 'out');
      const written = writeHtmlReport(summary, series, target);
      expect(written[0]).to.equal(join(target, HTML_REPORT_FILE));
      expect(readdirSync(target).sort()).to.deep.equal(
        [HTML_REPORT_FILE, ...allCharts(summary, series).map((chart) => `${chart.id}.png`)].sort(),
      );
      expect(readFileSync(join(target, HTML_REPORT_FILE), 'utf8')).to.match(/^<!doctype html>/);
    });
  });
});
