// Opens the HTML report in headless Chromium from a file:// URL and checks that every chart is
// drawn, the error bars appear, nothing is fetched and nothing is logged as an error. Needs the
// Debian chromium package (CI installs it); without it this test fails rather than skips.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { allCharts } from '../../analysis/charts/index.ts';
import { writeHtmlReport } from '../../api/reports/index.ts';
import { makeSeries, makeSummaryWithSubgroups } from '../unit/charts/summary-factory.ts';
import { launchChromium } from '../support/browser.ts';

const HOSTILE_TITLE = `<script>alert("x")</script> & 'q' — Ünïcødé`;

interface CanvasReport {
  id: string;
  width: number;
  height: number;
  paintedPixels: number;
  colours: number;
}

describe('browser: HTML report', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let outDir = '';
  let page: Page;
  const problems: string[] = [];
  // Warnings count while the page loads; afterwards the tests' own pixel reads cause Chromium's
  // "willReadFrequently" advice, which says nothing about the report.
  let loading = true;
  const series = makeSeries();
  const summary = makeSummaryWithSubgroups();
  summary.study.title = HOSTILE_TITLE;

  before(async () => {
    browser = await launchChromium();
    outDir = mkdtempSync(join(tmpdir(), 'smp-browser-report-'));
    const [htmlPath] = writeHtmlReport(summary, series, outDir);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || (loading && message.type() === 'warning')) {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(pathToFileURL(htmlPath!).href);
    await page.waitForFunction(() => document.documentElement.dataset['chartsDrawn'] !== undefined, null, { timeout: 15_000 });
    loading = false;
  });

  after(async () => {
    await browser?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('draws every chart on its canvas', async () => {
    const ids = allCharts(summary, series).map((chart) => `chart-${chart.id}`);
    expect(await page.evaluate(() => document.documentElement.dataset['chartsDrawn'])).to.equal(String(ids.length));
    const canvases: CanvasReport[] = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let paintedPixels = 0;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! === 0) continue;
          paintedPixels += 1;
          if (colours.size < 100) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        }
        return { id: canvas.id, width: canvas.width, height: canvas.height, paintedPixels, colours: colours.size };
      }),
    );
    expect(canvases.map((canvas) => canvas.id)).to.deep.equal(ids);
    for (const canvas of canvases) {
      expect(canvas.width, canvas.id).to.be.greaterThan(200);
      expect(canvas.paintedPixels, `${canvas.id} painted pixels`).to.be.greaterThan(2_000);
      expect(canvas.colours, `${canvas.id} colours`).to.be.greaterThan(5);
    }
  });

  it('draws the error bars of the adverse-event chart with the shared plugin', async () => {
    // No named local functions inside evaluate: tsx would wrap them in a `__name` helper the page lacks.
    const changed = await page.evaluate(() => {
      const ChartJs = (window as unknown as { Chart: any }).Chart;
      const canvas = document.getElementById('chart-adverse-events') as HTMLCanvasElement;
      const chart = ChartJs.getChart(canvas);
      const registered = ChartJs.registry.plugins.get('errorBars') !== undefined;
      const context = canvas.getContext('2d')!;
      const withBars = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const saved = chart.config.options.plugins.errorBars;
      delete chart.config.options.plugins.errorBars;
      chart.update('none');
      const withoutBars = context.getImageData(0, 0, canvas.width, canvas.height).data;
      chart.config.options.plugins.errorBars = saved;
      chart.update('none');
      let differing = 0;
      for (let i = 0; i < withBars.length; i += 4) if (withBars[i + 3] !== withoutBars[i + 3]) differing += 1;
      return { registered, differing };
    });
    expect(changed.registered).to.equal(true);
    expect(changed.differing, 'pixels drawn by the error bars').to.be.greaterThan(500);
  });

  it('keeps every bar label inside its chart at phone width', async () => {
    const phone = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(page.url());
      await phone.waitForFunction(() => document.documentElement.dataset['chartsDrawn'] !== undefined, null, { timeout: 15_000 });
      // No named local functions inside evaluate: tsx would wrap them in a `__name` helper the page lacks.
      const labels = await phone.evaluate(() => {
        const ChartJs = (window as unknown as { Chart: any }).Chart;
        const out: Array<{ chart: string; text: string; right: number; width: number }> = [];
        for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas')) {
          const chart = ChartJs.getChart(canvas);
          const options = chart?.config.options.plugins?.valueLabels;
          if (!chart || !options || chart.config.options.indexAxis !== 'y') continue;
          const font = options.font ?? {};
          chart.ctx.save();
          chart.ctx.font = `${font.weight ? `${font.weight} ` : ''}${font.size ?? 12}px ${font.family ?? 'sans-serif'}`;
          for (const series of options.labels) {
            const meta = chart.getDatasetMeta(series.datasetIndex);
            series.texts.forEach((text: string | null, index: number) => {
              if (!text) return;
              const { x } = meta.data[index].getProps(['x'], true);
              out.push({ chart: canvas.id, text, right: x + 6 + chart.ctx.measureText(text).width, width: chart.width });
            });
          }
          chart.ctx.restore();
        }
        return out;
      });
      expect(labels.length, 'bar labels measured').to.be.greaterThan(5);
      expect(labels.filter((label) => label.right > label.width)).to.deep.equal([]);
    } finally {
      await phone.close();
    }
  });

  it('shows a hostile study title as text, without running it', async () => {
    expect(await page.title()).to.equal(`${HOSTILE_TITLE} — outcomes report`);
    expect(await page.locator('h1').textContent()).to.equal(HOSTILE_TITLE);
  });

  it('logs no errors or warnings and fetches nothing', () => {
    expect(problems).to.deep.equal([]);
  });
});
