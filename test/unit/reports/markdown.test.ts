import { expect } from 'chai';
import { escapeMarkdown, renderMarkdown } from '../../../api/reports/index.ts';
import type { AnalysisSummary, Proportion } from '../../../analysis/types.ts';
import { makeEmptyStudy, makeSummary, makeSummaryWithSubgroups, proportion } from '../charts/summary-factory.ts';

/** 1 of 22: Wilson [0.0080694, 0.2179805] (R: prop.test(1, 22, correct = FALSE)) and exact [0.0011501, 0.2284444] (R: binom.test(1, 22)). */
const ONE_OF_22: Proportion = { n: 1, N: 22, proportion: 1 / 22, wilson: [0.0080694, 0.2179805], exact: [0.0011501, 0.2284444] };

function summaryWith(update: (summary: AnalysisSummary) => void): AnalysisSummary {
  const summary = makeSummary();
  update(summary);
  return summary;
}

const rowOf = (markdown: string, label: string) => markdown.split('\n').find((line) => line.startsWith(`| ${label} |`));

describe('reports/markdown', () => {
  it('gives a proportion as n/N, %, Wilson and exact intervals', () => {
    const markdown = renderMarkdown(
      summaryWith((summary) => {
        summary.sessions.protocolAdherence = proportion(16, 20);
        summary.safety.seriousEvent = ONE_OF_22;
      }),
    );
    expect(rowOf(markdown, 'Protocol adherence')).to.equal('| Protocol adherence | 16/20 | 80.0% | [58.4%, 91.9%] | [56.3%, 94.3%] |');
    expect(rowOf(markdown, 'Serious adverse event')).to.equal('| Serious adverse event | 1/22 | 4.5% | [0.8%, 21.8%] | [0.1%, 22.8%] |');
    expect(markdown).to.contain('16/20');
    expect(markdown).to.contain('80.0%');
    expect(markdown).to.contain('[0.1%, 22.8%]');
  });

  it('has every section, in order', () => {
    const headings = renderMarkdown(makeSummary())
      .split('\n')
      .filter((line) => line.startsWith('#'));
    expect(headings).to.deep.equal([
      '# Scalp micropigmentation outcomes: demo cohort',
      '## Study',
      '## Participants',
      '## Sessions',
      '## Follow-up',
      '## Fading',
      '## Safety (CONSORT Harms)',
      '## Satisfaction',
      '## Cost',
    ]);
  });

  it("places every participant's latest follow-up against the protocol window in the follow-up section", () => {
    // The factory: 40 enrolled, 3 without follow-up, latest before the 6–18-month window 5, in it 30, after it 2.
    const markdown = renderMarkdown(makeSummary());
    expect(rowOf(markdown, 'No follow-up')).to.equal('| No follow-up | — | 3 | 7.5% |');
    expect(rowOf(markdown, 'Before the window')).to.equal('| Before the window | < 6 | 5 | 12.5% |');
    expect(rowOf(markdown, 'In the window')).to.equal('| In the window | 6–18 | 30 | 75.0% |');
    expect(rowOf(markdown, 'After the window')).to.equal('| After the window | > 18 | 2 | 5.0% |');
  });

  it('formats Describe as mean (SD); median [Q1, Q3]; range min–max, and n = 0 as a dash', () => {
    const markdown = renderMarkdown(summaryWith((summary) => (summary.costUsd = { n: 0 })));
    expect(rowOf(markdown, 'Sessions per participant')).to.equal(
      '| Sessions per participant | 40 | 3.1 (0.9); median 3.0 [3.0, 4.0]; range 1.0–5.0 |',
    );
    expect(rowOf(markdown, 'Cost (USD)')).to.equal('| Cost (USD) | 0 | — |');
  });

  it('shows a dash for every figure of a proportion without a denominator', () => {
    const markdown = renderMarkdown(summaryWith((summary) => (summary.satisfaction.wouldRecommend = proportion(0, 0))));
    expect(rowOf(markdown, 'Would recommend SMP')).to.equal('| Would recommend SMP | — | — | — | — |');
  });

  it('reports the CONSORT Harms figures, zero-event categories and event rates', () => {
    const markdown = renderMarkdown(makeSummary());
    expect(rowOf(markdown, 'Any adverse event')).to.match(/^\| Any adverse event \| 9\/40 \| 22\.5% \| \[[\d.]+%, [\d.]+%\] \| \[10\.8%, 38\.5%\] \|$/);
    expect(rowOf(markdown, 'Withdrawn due to an adverse event')).to.contain('| 1/40 | 2.5% |');
    // 0/40: Wilson and exact upper bounds 8.8% (R: binom.test(0, 40) gives 0.0880973).
    expect(rowOf(markdown, 'Keloid')).to.equal('| Keloid | 0 | 0/40 | 0.0% | [0.0%, 8.8%] | [0.0%, 8.8%] |');
    expect(rowOf(markdown, 'MRI interference')).to.contain('0/40');
    expect(rowOf(markdown, '1 (mild)')).to.contain('| 8 | 6/40 | 15.0% |');
    expect(rowOf(markdown, 'Solicited events (n)')).to.equal('| Solicited events (n) | 7 |');
    expect(rowOf(markdown, 'Spontaneously reported events (n)')).to.equal('| Spontaneously reported events (n) | 5 |');
    expect(rowOf(markdown, 'Events per 100 sessions')).to.equal('| Events per 100 sessions | 9.9 |');
  });

  it('reports fading, the trend and the Kaplan–Meier steps and median', () => {
    const markdown = renderMarkdown(makeSummary());
    expect(rowOf(markdown, 'Minimal or no fading')).to.contain('| 22/36 | 61.1% |');
    expect(rowOf(markdown, 'Slope (grade per month)')).to.equal('| Slope (grade per month) | +0.085 |');
    expect(rowOf(markdown, 'Spearman p (two-sided)')).to.equal('| Spearman p (two-sided) | <0.001 |');
    expect(rowOf(markdown, '18.4')).to.equal('| 18.4 | 14 | 6 | 43.7% |');
    expect(markdown).to.contain(
      "14 touch-ups needed among 37 participants; median 18.4 months (95% CI 12.0 to not reached) (95% interval by the log-log method, as R's survfit gives it).",
    );
    expect(rowOf(markdown, 'Minimal or no fading within the 6–18-month window (primary outcome)')).to.contain('| 18/30 | 60.0% |');
    expect(rowOf(markdown, 'Intercept (fitted grade at 0 months)')).to.equal('| Intercept (fitted grade at 0 months) | 0.620 |');
    const notReached = renderMarkdown(
      summaryWith((summary) => {
        summary.fading.touchUpFree = { n: 10, events: 0, median: null, steps: [], lastMonths: 12 };
        summary.fading.touchUpFreeMedian = { months: null, lower: null, upper: null, atRisk: null, unstable: false };
      }),
    );
    expect(notReached).to.contain('median not reached');
    // The demo's median: 31.4 months resting on 2 at risk; an intercept below the scale is not called a grade.
    const unstable = renderMarkdown(
      summaryWith((summary) => {
        summary.fading.touchUpFreeMedian = { months: 31.408624229979466, lower: 30.915811088295687, upper: null, atRisk: 2, unstable: true };
        summary.fading.gradeTrend.intercept = -0.365;
      }),
    );
    expect(unstable).to.contain('median 31.4 months (95% CI 30.9 to not reached), unstable: 2 at risk at the median');
    expect(rowOf(unstable, 'Intercept (fitted grade at 0 months)')).to.contain('-0.365 (outside the 0–4 scale: not a grade)');
  });

  it('reports participants by indication and satisfaction', () => {
    const markdown = renderMarkdown(makeSummary());
    expect(rowOf(markdown, 'Androgenetic alopecia')).to.equal('| Androgenetic alopecia | 28 | 70.0% |');
    expect(rowOf(markdown, 'Very satisfied (score 5)')).to.contain('| 15/32 | 46.9% |');
    expect(rowOf(markdown, '5')).to.equal('| 5 | Very satisfied | 15 | 46.9% |');
  });

  it('repeats the key figures per subgroup', () => {
    const markdown = renderMarkdown(makeSummaryWithSubgroups());
    expect(markdown).to.contain('## Subgroups by site');
    expect(markdown).to.contain('| Measure | All participants | North clinic | South clinic |');
    expect(rowOf(markdown, 'Enrolled (n)')).to.equal('| Enrolled (n) | 40 | 24 | 16 |');
    expect(rowOf(markdown, 'Very satisfied')).to.match(/\| — \|$/);
    expect(markdown).to.contain('### North clinic');
    expect(markdown).to.contain('### South clinic');
    expect(markdown).to.contain('**Adverse events by category: South clinic**');
  });

  it('escapes user text so it cannot add markup, links or table cells', () => {
    const markdown = renderMarkdown(
      summaryWith((summary) => (summary.study.title = `<script>alert("x")</script> & 'q' | *bold* [link](http://x.test)`)),
    );
    expect(markdown).to.not.match(/(^|[^\\])<script>/m);
    expect(markdown).to.not.match(/[^\\]\]\(http/);
    expect(rowOf(markdown, 'Title')).to.equal(
      "| Title | \\<script>alert(\"x\")\\</script> & 'q' \\| \\*bold\\* [link\\](http://x.test) |",
    );
    for (const line of markdown.split('\n').filter((text) => text.startsWith('| Title'))) {
      expect(line.replace(/\\\|/g, '').split('|')).to.have.length(4);
    }
    expect(escapeMarkdown('1. first\nsecond')).to.equal('1. first second');
    expect(escapeMarkdown('a_b `c` ~d~ &amp;')).to.equal('a\\_b \\`c\\` \\~d\\~ \\&amp;');
  });

  it('renders a study with no data as dashes, without NaN or undefined', () => {
    const markdown = renderMarkdown(makeEmptyStudy().summary);
    expect(markdown).to.not.match(/NaN|undefined|null|Infinity/);
    expect(rowOf(markdown, 'Any adverse event')).to.equal('| Any adverse event | — | — | — | — |');
    expect(rowOf(markdown, 'Events per 100 sessions')).to.equal('| Events per 100 sessions | — |');
    expect(markdown).to.contain('**Adverse events by category (participants with ≥1 event of the category)**\n\nNone.');
  });
});
