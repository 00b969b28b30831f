// Every axis title of every chart fits its axis as chart.js lays the chart out: on the dashboard
// at 1280 px (a chart box about 577 × 320 px) and at phone width (about 330 × 352 px: .chart-box is
// 22rem high there), and in the
// report's 960 × 540 PNGs. Widths are measured with the font the charts use (DejaVu Sans).
import { expect } from 'chai';
import type { ChartConfiguration } from 'chart.js';
import { readFileSync } from 'node:fs';
import { allCharts } from '../../../analysis/charts/index.ts';
import { drawChart } from '../../../api/reports/chart-png.ts';
import { analyzeBundleWithCharts } from '../../../api/services/bundle-facts.ts';
import { screenConfig } from '../../../web/app/charts/chart-js.ts';
import { makeSeries, makeSummary } from '../charts/summary-factory.ts';

const demo = JSON.parse(readFileSync(new URL('../../../fixtures/smp-2021.json', import.meta.url), 'utf8'));

interface TitleFit {
  chart: string;
  axis: string;
  line: string;
  width: number;
  room: number;
}

/** Each title line's drawn width and the length of its axis, for one chart at one size. */
function titleFits(id: string, config: ChartConfiguration, size: { width: number; height: number }): TitleFit[] {
  return drawChart(config, size, (chart) => {
    const fits: TitleFit[] = [];
    for (const scale of Object.values(chart.scales)) {
      const title = (scale.options as { title?: { display?: boolean; text?: string | string[]; font?: { size?: number; weight?: string } } }).title;
      if (!title?.display || !title.text) continue;
      const lines = Array.isArray(title.text) ? title.text : [title.text];
      chart.ctx.font = `${title.font?.weight ?? 'bold'} ${title.font?.size ?? 13}px DejaVu Sans`;
      const room = scale.isHorizontal() ? scale.width : scale.height;
      for (const line of lines) fits.push({ chart: id, axis: scale.id, line, width: chart.ctx.measureText(line).width, room });
    }
    return fits;
  });
}

describe('axis titles fit their axes', () => {
  const sizes = [
    { what: 'dashboard at 1280 px', size: { width: 577, height: 320 }, screen: true, narrow: false },
    { what: 'dashboard at phone width', size: { width: 330, height: 352 }, screen: true, narrow: true },
    { what: 'report PNG', size: { width: 960, height: 540 }, screen: false, narrow: false },
  ];
  for (const { what, size, screen, narrow } of sizes) {
    it(`on the demo study and a 40-participant cohort: ${what}`, async () => {
      const { summary, series } = await analyzeBundleWithCharts(demo);
      const fits: TitleFit[] = [];
      for (const specs of [allCharts(summary, series), allCharts(makeSummary(), makeSeries())]) {
        for (const spec of specs) fits.push(...titleFits(spec.id, screen ? screenConfig(spec.config, narrow) : spec.config, size));
      }
      expect(fits.length).to.be.greaterThan(10);
      expect(fits.filter((fit) => fit.width > fit.room)).to.deep.equal([]);
      // The whole title is drawn: the density chart's y title reads to its end.
      const densityTitle = fits.filter((fit) => fit.chart === 'density-score' && fit.axis === 'y').map((fit) => fit.line);
      expect(densityTitle.slice(0, densityTitle.length / 2).join(' ')).to.equal('Density score at latest assessment (0–10)');
    });
  }
});
