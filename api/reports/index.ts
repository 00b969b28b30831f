// Report rendering: Markdown and self-contained HTML from the analysis summary, chart PNGs in Node.
export { DEFAULT_PNG_SIZE, renderChartPng, writeChartPngs, type PngSize } from './chart-png.ts';
export { escapeHtml, renderHtml } from './html.ts';
export { escapeMarkdown, renderMarkdown } from './markdown.ts';
export { reportSections, type ReportBlock, type ReportFreeze, type ReportOptions, type ReportSection } from './report-sections.ts';
export { HTML_REPORT_FILE, writeHtmlReport } from './write-report.ts';
