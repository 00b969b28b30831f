// Follow-up coverage of the protocol window: every enrolled participant once, by where the latest
// follow-up assessment falls against the window (none, before, within, after), from the summary's
// `followUp.coverage`.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries, CohortFigures, FollowUpCoverage } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { NO_DATA, formatPercent, formatProportion } from './format.ts';
import { OKABE_ITO, type OkabeItoColour } from './palette.ts';
import type { DataTable } from './types.ts';

export const FOLLOW_UP_COVERAGE_CHART_TITLE = 'Follow-up coverage of the protocol window';

interface CoverageStage {
  key: keyof FollowUpCoverage;
  label: string;
  colour: OkabeItoColour;
  /** The months since the final session the stage covers, for a window [from, to]. */
  months(from: string, to: string): string;
}

/** The stages in time order: never followed up, then before, within and after the window. */
export const COVERAGE_STAGES: readonly CoverageStage[] = [
  { key: 'noFollowUp', label: 'No follow-up', colour: OKABE_ITO.vermillion, months: () => NO_DATA },
  { key: 'beforeWindow', label: 'Before the window', colour: OKABE_ITO.orange, months: (from) => `< ${from}` },
  { key: 'inWindow', label: 'In the window', colour: OKABE_ITO.bluishGreen, months: (from, to) => `${from}–${to}` },
  { key: 'afterWindow', label: 'After the window', colour: OKABE_ITO.blue, months: (_from, to) => `> ${to}` },
];

/** Window bounds as the protocol states them: 7 → "7", 7.25 → "7.25" (at most two decimals). */
export function formatWindowMonths(months: number): string {
  return String(Number(months.toFixed(2)));
}

function windowText(summary: CohortFigures): { from: string; to: string } {
  return { from: formatWindowMonths(summary.followUp.window.from), to: formatWindowMonths(summary.followUp.window.to) };
}

const shareOfEnrolled = (summary: CohortFigures, count: number) =>
  summary.participants.enrolled === 0 ? NO_DATA : formatPercent(count / summary.participants.enrolled);

export function followUpCoverageChart(summary: AnalysisSummary, _series: ChartSeries): ChartConfiguration<'bar'> {
  const { coverage, inWindow } = summary.followUp;
  const { from, to } = windowText(summary);
  const counts = COVERAGE_STAGES.map((stage) => coverage[stage.key]);
  return {
    type: 'bar',
    data: {
      labels: COVERAGE_STAGES.map((stage) =>
        stage.key === 'noFollowUp' ? stage.label : `${stage.label} (${stage.months(from, to)} months)`,
      ),
      datasets: [
        {
          label: 'Participants',
          data: counts,
          backgroundColor: COVERAGE_STAGES.map((stage) => stage.colour),
          borderColor: OKABE_ITO.black,
          borderWidth: 1,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      indexAxis: 'y',
      layout: LAYOUT,
      plugins: {
        title: chartTitle(FOLLOW_UP_COVERAGE_CHART_TITLE),
        subtitle: chartSubtitle(
          `Protocol window ${from}–${to} months after the final session; ` +
            `in it: ${inWindow.N === 0 ? NO_DATA : formatProportion(inWindow)} of those followed up`,
        ),
        legend: legend(false),
        valueLabels: {
          labels: [
            {
              datasetIndex: 0,
              texts: counts.map((count) =>
                summary.participants.enrolled === 0 ? String(count) : `${count} (${shareOfEnrolled(summary, count)})`,
              ),
            },
          ],
          font: font(12, 'bold'),
        },
      },
      scales: {
        x: { ...axis('Participants (n)'), beginAtZero: true, grace: '25%', ticks: { ...axis('').ticks, precision: 0 } },
        y: { ...axis('Latest follow-up assessment'), grid: { display: false } },
      },
    },
  };
}

/** The chart's table; it needs only the figures, so the report's follow-up section shows it for any cohort. */
export function followUpCoverageTable(summary: CohortFigures, _series?: ChartSeries): DataTable {
  const { coverage, inWindow } = summary.followUp;
  const { from, to } = windowText(summary);
  return {
    caption:
      `Enrolled participants by where their latest follow-up assessment falls against the protocol's follow-up ` +
      `window of ${from}–${to} months after the final session (both bounds in the window). In the window: ` +
      `${inWindow.N === 0 ? NO_DATA : formatProportion(inWindow)} of the participants followed up, with the 95% exact interval.`,
    columns: ['Latest follow-up assessment', 'Months since final session', 'Participants (n)', '% of enrolled'],
    rows: COVERAGE_STAGES.map((stage) => [
      stage.label,
      stage.months(from, to),
      coverage[stage.key],
      shareOfEnrolled(summary, coverage[stage.key]),
    ]),
  };
}
