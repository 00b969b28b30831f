import { expect } from 'chai';
import { allCharts } from '../../../analysis/charts/index.ts';
import { escapeHtml, renderHtml } from '../../../api/reports/index.ts';
import { makeEmptyStudy, makeSeries, makeSummary, makeSummaryWithSubgroups } from '../charts/summary-factory.ts';

const HOSTILE = `<script>alert("x")</script> & 'q'`;

function hostileHtml(): string {
  const summary = makeSummaryWithSubgroups();
  summary.study.title = `${HOSTILE} — Ünïcødé ✓`;
  summary.study.code = 'SMP"<01>';
  summary.subgroups!.groups[0]!.label = '<b>North</b> & "co"';
  return renderHtml(summary, makeSeries());
}

describe('reports/html', () => {
  const html = hostileHtml();

  it('escapes study titles and labels everywhere they appear', () => {
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;';
    expect(html).to.contain(`<title>${escaped} — Ünïcødé ✓ — outcomes report</title>`);
    expect(html).to.contain(`<h1>${escaped} — Ünïcødé ✓</h1>`);
    expect(html).to.contain('SMP&quot;&lt;01&gt;');
    expect(html).to.contain('&lt;b&gt;North&lt;/b&gt; &amp; &quot;co&quot;');
    expect(html).to.not.contain('<script>alert');
    expect(html).to.not.contain('<b>North');
    expect(escapeHtml(HOSTILE)).to.equal(escaped);
  });

  it('loads nothing from the network: every src and href stays in the page', () => {
    const references = [...html.matchAll(/\b(src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((match) => match[2] ?? '');
    expect(references.length).to.be.greaterThan(5);
    for (const reference of references) expect(reference, reference).to.match(/^#[\w-]+$/);
    expect(html).to.not.match(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).to.not.match(/<link\b/i);
    expect(html).to.not.match(/<script[^>]*\bsrc=/i);
    expect(html).to.not.contain('sourceMappingURL');
  });

  it('inlines chart.js and the shared chart plugins', () => {
    expect(html).to.contain('Chart.js v4.');
    expect(html).to.contain('<script type="module">');
    expect(html).to.contain('export const errorBarsPlugin');
    expect(html).to.contain('Chart.register(...chartPlugins);');
  });

  it('inlines every chart configuration as JSON, unchanged', () => {
    const match = /<script type="application\/json" id="smp-chart-data">([^<]*)<\/script>/.exec(html);
    expect(match, 'chart data script').to.exist;
    const payload = JSON.parse(match![1]!) as { charts: Array<{ id: string; config: unknown }> };
    const summary = makeSummaryWithSubgroups();
    const expected = allCharts(summary, makeSeries()).map(({ id, config }) => ({ id, config }));
    expect(payload.charts).to.deep.equal(JSON.parse(JSON.stringify(expected)));
  });

  it('puts each chart in a figure with a canvas and the table of its figures', () => {
    for (const chart of allCharts(makeSummary(), makeSeries())) {
      expect(html).to.contain(`<figure class="chart" id="figure-${chart.id}">`);
      expect(html).to.match(new RegExp(`<canvas id="chart-${chart.id}"[^>]*role="img"`));
      expect(html).to.contain(`<caption>${escapeHtml(chart.table.caption)}</caption>`);
    }
    expect(html.match(/<canvas /g)).to.have.length(8);
  });

  it('has the summary tables, subgroups included', () => {
    for (const id of ['study', 'participants', 'sessions', 'follow-up', 'fading', 'safety', 'satisfaction', 'cost', 'subgroups']) {
      expect(html).to.contain(`<section id="${id}">`);
    }
    expect(html).to.contain('<th scope="row">Keloid</th><td class="num">0</td><td class="num">0/40</td><td class="num">0.0%</td><td><span class="nowrap">[0.0%, 8.8%]</span></td><td><span class="nowrap">[0.0%, 8.8%]</span></td>');
    expect(html).to.contain('<caption>Participants with adverse events</caption>');
    expect(html).to.contain('<th scope="col">South clinic</th>');
  });

  it('is print-friendly', () => {
    expect(html).to.contain('@media print');
    expect(html).to.contain('break-inside: avoid');
  });

  it('renders a study with no data yet', () => {
    const { summary, series } = makeEmptyStudy();
    const page = renderHtml(summary, series);
    expect(page.replace(/<script[\s\S]*?<\/script>/g, '')).to.not.match(/NaN|undefined|Infinity/);
    expect(page.match(/<canvas /g)).to.have.length(8);
  });
});
