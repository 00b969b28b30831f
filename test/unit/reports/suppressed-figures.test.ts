// Another site's suppressed figures in the Markdown and HTML reports: each reads "suppressed (small group)†"
// (with its N where that is shown), never "null/20 (0.0%)", never 0 and never "—", and every table
// with one is followed by the footnote that says why.
import { expect } from 'chai';
import { renderHtml, renderMarkdown } from '../../../api/reports/index.ts';
import type { AnalysisSummary } from '../../../analysis/types.ts';
import { suppressSmallCells } from '../../../api/services/small-cell-suppression.ts';
import { makeSeries, makeSummary } from '../charts/summary-factory.ts';
import { people, siteFigures } from '../services/fixtures/site-figures.ts';

/** A clinic's by=site summary: its own site whole, another with 16 of 20 with an event (remainder 4: hidden). */
function clinicSummary(): AnalysisSummary {
  const own = siteFigures([...people(8, { events: [{ category: 'infection' }] }), ...people(12)]);
  const other = siteFigures([...people(16, { events: [{ category: 'infection' }] }), ...people(4)]);
  return makeSummary({
    subgroups: {
      by: 'site',
      groups: [
        { key: 'LON', label: 'London clinic', figures: own },
        { key: 'MAN', label: 'Manchester clinic', figures: suppressSmallCells(other, 5) },
      ],
    },
  });
}

const rowOf = (markdown: string, label: string) => markdown.split('\n').find((line) => line.startsWith(`| ${label} |`));
const NOTE = '† Suppressed: another site\'s count under 5 is not shown, nor any figure that would give one back';

describe('reports: suppressed figures', () => {
  it('reads "suppressed (small group)†" in Markdown, with N where it is shown, and footnotes each table that has one', () => {
    const markdown = renderMarkdown(clinicSummary(), { suppressBelow: 5 });
    expect(markdown).not.to.match(/null|NaN|undefined/);
    const comparison = markdown.slice(markdown.indexOf('**Key figures by site'));
    // Columns: all participants (the factory's), London (8/20 with an event), Manchester (hidden of 20).
    expect(rowOf(comparison, 'Any adverse event')!.split(' | ').slice(2)).to.deep.equal(['8/20 (40.0%) [19.1%, 63.9%]', 'suppressed (small group)† of 20 |']);
    expect(rowOf(comparison, 'Enrolled (n)')!.endsWith('| 20 | 20 |')).to.equal(true);
    // Nobody withdrew at Manchester: the 0 is a small count, hidden, not shown as 0/20.
    expect(rowOf(comparison, 'Withdrawn')!.endsWith('| 0/20 (0.0%) | suppressed (small group)† of 20 |')).to.equal(true);
    expect(comparison.split('\n').filter((line) => line.startsWith('†'))[0]).to.contain(NOTE);
    // Manchester's adverse events by category: every category listed, each hidden, none as 0.
    const categories = markdown.slice(markdown.indexOf('**Adverse events by category: Manchester clinic**'));
    expect(rowOf(categories, 'Keloid')).to.equal('| Keloid | suppressed (small group)† | suppressed (small group)† of 20 | suppressed (small group)† | suppressed (small group)† | suppressed (small group)† |');
    // All 16 events were infections: shown, 16 would say every other category had none (a small group).
    expect(rowOf(categories, 'Infection')).to.equal('| Infection | suppressed (small group)† | suppressed (small group)† of 20 | suppressed (small group)† | suppressed (small group)† | suppressed (small group)† |');
    expect(categories.split('\n').find((line) => line.startsWith('†'))).to.contain(NOTE);
  });

  it('footnotes nothing in a report without suppressed figures', () => {
    const markdown = renderMarkdown(makeSummary(), { suppressBelow: 5 });
    expect(markdown).not.to.contain('suppressed');
    expect(markdown).not.to.contain('†');
  });

  it('reads the same in HTML, right-aligned with the figures, and says "under the small-cell threshold" without one given', () => {
    const page = renderHtml(clinicSummary(), makeSeries());
    // The tables, without the inlined chart.js.
    const html = page.slice(page.indexOf('<main>'), page.indexOf('<script>'));
    expect(html).not.to.match(/>null|null\/|NaN/);
    expect(html).to.contain('<td class="num">suppressed (small group)† of 20</td>');
    expect(html).to.contain("<p>† Suppressed: another site&#39;s count under the small-cell threshold is not shown");
  });
});
