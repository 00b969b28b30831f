// Renders the self-contained HTML report: every chart drawn in the browser by an inlined chart.js
// with its figures in a table beside it, then the same summary tables as the Markdown report.
// No network: scripts, styles and data are all inline; every text from the data is escaped.
import { FONT_FAMILY, allCharts } from '../../analysis/charts/index.ts';
import type { ChartSpec, DataTable } from '../../analysis/charts/types.ts';
import type { AnalysisSummary, ChartSeries } from '../../analysis/types.ts';
import { chartJsUmdSource, chartPluginsSource } from './browser-assets.ts';
import { freezeSentence, isNumericColumn, reportSections, type ReportOptions, type ReportSection } from './report-sections.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** JSON that is safe inside a <script> element: no "<" can close it or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Escaped cell text in which a bracketed interval ("[0.1%, 22.8%]") never breaks across lines. */
function cellHtml(value: string | number): string {
  return escapeHtml(value).replace(/\[[^\]<]*\]/g, (interval) => `<span class="nowrap">${interval}</span>`);
}

export function htmlTable(table: DataTable, className = 'data'): string {
  const numeric = table.columns.map((_, index) => isNumericColumn(table, index));
  const head = table.columns
    .map((column, index) => `<th scope="col"${numeric[index] ? ' class="num"' : ''}>${escapeHtml(column)}</th>`)
    .join('');
  const body = table.rows
    .map((row) => {
      const cells = table.columns.map((_, index) => {
        const value = cellHtml(row[index] ?? '');
        if (index === 0) return `<th scope="row">${value}</th>`;
        return `<td${numeric[index] ? ' class="num"' : ''}>${value}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const empty = table.rows.length === 0 ? `<tr><td colspan="${table.columns.length}">None.</td></tr>` : '';
  return (
    `<table class="${className}">\n<caption>${escapeHtml(table.caption)}</caption>\n` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}${empty}\n</tbody>\n</table>`
  );
}

function chartFigure(chart: ChartSpec, index: number): string {
  const id = escapeHtml(chart.id);
  return `<figure class="chart" id="figure-${id}">
<figcaption>Figure ${index + 1}. ${escapeHtml(chart.title)}</figcaption>
<div class="chart-box"><canvas id="chart-${id}" width="960" height="540" role="img" aria-label="${escapeHtml(chart.title)}. The table below the chart gives its figures.">${escapeHtml(chart.title)}: the table gives the figures.</canvas></div>
<div class="chart-table">${htmlTable(chart.table, 'data compact')}</div>
</figure>`;
}

function htmlSection(section: ReportSection, level: number): string {
  const heading = `<h${level}>${escapeHtml(section.title)}</h${level}>`;
  const blocks = section.blocks.map((block) =>
    // A table wider than a phone scrolls inside its own box, not the page.
    block.kind === 'paragraph' ? `<p>${escapeHtml(block.text)}</p>` : `<div class="table-scroll">${htmlTable(block.table)}</div>`,
  );
  const subsections = section.subsections.map((subsection) => htmlSection(subsection, level + 1));
  return `<section id="${escapeHtml(section.id)}">\n${[heading, ...blocks, ...subsections].join('\n')}\n</section>`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #cfcfcf; --band: #f4f6f8; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, Arial, sans-serif; }
header, main, nav, footer { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; border-bottom: 3px solid var(--accent); }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.4rem; margin: 2.25rem 0 .75rem; border-bottom: 1px solid var(--rule); padding-bottom: .25rem; }
h3 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
nav ol { columns: 2; margin: .5rem 0 0; padding-left: 1.25rem; }
a { color: var(--accent); }
table { border-collapse: collapse; margin: 0 0 1.25rem; font-size: .92rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 .35rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); background: var(--band); }
tbody th { font-weight: normal; }
tbody tr:nth-child(even) { background: #fafbfc; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
figure.chart { margin: 1.5rem 0 2.25rem; padding: 1rem; border: 1px solid var(--rule); border-radius: 6px; }
figure.chart figcaption { font-weight: 700; font-size: 1.05rem; margin-bottom: .5rem; }
.chart-box { position: relative; width: 100%; max-width: 960px; margin: 0 auto 1rem; }
.chart-box canvas { display: block; max-width: 100%; }
.chart-table { overflow: auto; max-height: 26rem; }
.table-scroll { overflow-x: auto; max-width: 100%; }
.table-scroll caption { position: sticky; left: 0; }
.chart-table caption { position: sticky; left: 0; }
table.compact { font-size: .85rem; }
footer { color: var(--muted); font-size: .85rem; padding: 2rem 1.25rem 3rem; }
@media (max-width: 900px) { nav ol { columns: 1; } }
@media print {
  body { font-size: 11pt; }
  nav { display: none; }
  header, main, footer { max-width: none; padding: 0; }
  .chart-table, .table-scroll { max-height: none; overflow: visible; }
  figure.chart { border: none; padding: 0; break-inside: avoid; }
  table, h2, h3 { break-inside: avoid; break-after: auto; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

// Runs after chart.js's UMD script (module scripts are deferred), with the plugins defined above it.
const BOOTSTRAP = `
const payload = JSON.parse(document.getElementById('smp-chart-data').textContent);
Chart.register(...chartPlugins);
Chart.defaults.font.family = payload.fontFamily;
Chart.defaults.color = '#000000';
let drawn = 0;
for (const { id, config } of payload.charts) {
  const canvas = document.getElementById('chart-' + id);
  if (!canvas) continue;
  // On a phone the chart is squarer, and labels written past the end of horizontal bars get room.
  const narrow = window.matchMedia('(max-width: 540px)').matches;
  const options = Object.assign({}, config.options, { responsive: true, maintainAspectRatio: true, aspectRatio: narrow ? 1 : 16 / 9 });
  if (options.indexAxis === 'y' && options.plugins && options.plugins.valueLabels) {
    const layout = options.layout || {};
    const padding = typeof layout.padding === 'object' ? layout.padding : {};
    options.layout = Object.assign({}, layout, { padding: Object.assign({}, padding, { right: Math.max(padding.right || 0, 72) }) });
  }
  config.options = options;
  new Chart(canvas, config);
  drawn += 1;
}
window.addEventListener('beforeprint', () => { for (const chart of Object.values(Chart.instances)) chart.resize(); });
document.documentElement.dataset.chartsDrawn = String(drawn);
`;

/** The self-contained report page for the summary and its chart series. */
export function renderHtml(summary: AnalysisSummary, series: ChartSeries, options: ReportOptions = {}): string {
  const charts = allCharts(summary, series);
  const sections = reportSections(summary, options);
  const title = escapeHtml(summary.study.title);
  const contents = [
    `<li><a href="#charts">Charts</a></li>`,
    ...sections.map((section) => `<li><a href="#${escapeHtml(section.id)}">${escapeHtml(section.title)}</a></li>`),
  ].join('\n');
  const payload = { fontFamily: FONT_FAMILY, charts: charts.map(({ id, config }) => ({ id, config })) };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — outcomes report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<p class="subtitle">Outcomes report for study <strong>${escapeHtml(summary.study.code)}</strong> (${escapeHtml(summary.format)}), ${summary.participants.enrolled} participants enrolled.</p>
${options.freeze ? `<p class="subtitle" id="freeze">${escapeHtml(freezeSentence(options.freeze))}</p>\n` : ''}</header>
<nav aria-label="Contents"><ol>
${contents}
</ol></nav>
<main>
<section id="charts">
<h2>Charts</h2>
${charts.map(chartFigure).join('\n')}
</section>
${sections.map((section) => htmlSection(section, 2)).join('\n')}
</main>
<footer>Generated from the smp-analysis/1 summary. Charts need JavaScript; every figure they show is also in the table below each chart.</footer>
<script>
${chartJsUmdSource()}
</script>
<script type="application/json" id="smp-chart-data">${scriptJson(payload)}</script>
<script type="module">
${chartPluginsSource()}
${BOOTSTRAP}
</script>
</body>
</html>
`;
}
