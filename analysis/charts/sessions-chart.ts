// How many sessions each participant received (initial sessions plus touch-ups).
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { NO_DATA, formatDescribe, formatPercent } from './format.ts';
import { OKABE_ITO } from './palette.ts';
import type { DataTable } from './types.ts';

export const SESSIONS_CHART_TITLE = 'Sessions per participant';

export function sessionsChart(summary: AnalysisSummary, series: ChartSeries): ChartConfiguration<'bar'> {
  const rows = series.sessionsPerParticipant;
  return {
    type: 'bar',
    data: {
      labels: rows.map((row) => String(row.sessions)),
      datasets: [
        {
          label: 'Participants',
          data: rows.map((row) => row.participants),
          backgroundColor: OKABE_ITO.bluishGreen,
          borderColor: OKABE_ITO.black,
          borderWidth: 1,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      layout: LAYOUT,
      plugins: {
        title: chartTitle(SESSIONS_CHART_TITLE),
        subtitle: chartSubtitle(
          `${summary.sessions.total} sessions in all; per participant ${formatDescribe(summary.sessions.perParticipant)}`,
        ),
        legend: legend(false),
        valueLabels: {
          labels: [{ datasetIndex: 0, texts: rows.map((row) => String(row.participants)) }],
          font: font(12, 'bold'),
        },
      },
      scales: {
        x: { ...axis('Sessions received (n)'), grid: { display: false } },
        y: { ...axis('Participants (n)'), beginAtZero: true, grace: '10%', ticks: { ...axis('').ticks, precision: 0 } },
      },
    },
  };
}

export function sessionsTable(summary: AnalysisSummary, series: ChartSeries): DataTable {
  const total = series.sessionsPerParticipant.reduce((sum, row) => sum + row.participants, 0);
  return {
    caption: `Participants by number of sessions received (${total} participants, ${summary.sessions.total} sessions).`,
    columns: ['Sessions (n)', 'Participants (n)', 'Participants (%)'],
    rows: series.sessionsPerParticipant.map((row) => [
      row.sessions,
      row.participants,
      total === 0 ? NO_DATA : formatPercent(row.participants / total),
    ]),
  };
}
