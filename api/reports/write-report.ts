// Writes the report files for `--out DIR`: report.html and one <id>.png per chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisSummary, ChartSeries } from '../../analysis/types.ts';
import { writeChartPngs } from './chart-png.ts';
import { renderHtml } from './html.ts';
import type { ReportOptions } from './report-sections.ts';

export const HTML_REPORT_FILE = 'report.html';

/** Writes report.html and the chart PNGs into outDir (created if missing); returns the paths written. */
export function writeHtmlReport(summary: AnalysisSummary, series: ChartSeries, outDir: string, options: ReportOptions = {}): string[] {
  mkdirSync(outDir, { recursive: true });
  const htmlPath = join(outDir, HTML_REPORT_FILE);
  writeFileSync(htmlPath, renderHtml(summary, series, options), 'utf8');
  return [htmlPath, ...writeChartPngs(summary, series, outDir)];
}
