// Participant flow: how many of those enrolled completed the protocol, were followed up, answered a
// survey, or withdrew.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries, ParticipantFlow } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { NO_DATA, formatPercent } from './format.ts';
import { OKABE_ITO } from './palette.ts';
import type { DataTable } from './types.ts';

export const PARTICIPANT_FLOW_CHART_TITLE = 'Participant flow';

export const FLOW_STAGES: ReadonlyArray<{ key: keyof ParticipantFlow; label: string }> = [
  { key: 'enrolled', label: 'Enrolled' },
  { key: 'completedProtocol', label: 'Completed protocol' },
  { key: 'followedUp', label: 'Followed up' },
  { key: 'surveyed', label: 'Surveyed' },
  { key: 'withdrawn', label: 'Withdrawn' },
];

const shareOfEnrolled = (flow: ParticipantFlow, count: number) =>
  flow.enrolled === 0 ? NO_DATA : formatPercent(count / flow.enrolled);

export function participantFlowChart(_summary: AnalysisSummary, series: ChartSeries): ChartConfiguration<'bar'> {
  const { flow } = series;
  const counts = FLOW_STAGES.map((stage) => flow[stage.key]);
  return {
    type: 'bar',
    data: {
      labels: FLOW_STAGES.map((stage) => stage.label),
      datasets: [
        {
          label: 'Participants',
          data: counts,
          backgroundColor: FLOW_STAGES.map((stage) =>
            stage.key === 'withdrawn' ? OKABE_ITO.vermillion : OKABE_ITO.blue,
          ),
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
        title: chartTitle(PARTICIPANT_FLOW_CHART_TITLE),
        subtitle: chartSubtitle('Participants reaching each stage (percentage of enrolled)'),
        legend: legend(false),
        valueLabels: {
          labels: [
            {
              datasetIndex: 0,
              texts: counts.map((count) =>
                flow.enrolled === 0 ? String(count) : `${count} (${shareOfEnrolled(flow, count)})`,
              ),
            },
          ],
          font: font(12, 'bold'),
        },
      },
      scales: {
        x: { ...axis('Participants (n)'), beginAtZero: true, grace: '25%', ticks: { ...axis('').ticks, precision: 0 } },
        y: { ...axis('Stage'), grid: { display: false } },
      },
    },
  };
}

export function participantFlowTable(_summary: AnalysisSummary, series: ChartSeries): DataTable {
  const { flow } = series;
  return {
    caption: 'Participant flow: participants reaching each stage, with the percentage of those enrolled.',
    columns: ['Stage', 'Participants (n)', '% of enrolled'],
    rows: FLOW_STAGES.map((stage) => [stage.label, flow[stage.key], shareOfEnrolled(flow, flow[stage.key])]),
  };
}
