// Satisfaction at each respondent's latest survey, 1 very dissatisfied … 5 very satisfied.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries, SatisfactionKey } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { formatFraction, formatPercent } from './format.ts';
import { SATISFACTION_LABELS } from './labels.ts';
import { OKABE_ITO } from './palette.ts';
import type { DataTable } from './types.ts';

export const SATISFACTION_CHART_TITLE = 'Satisfaction with the result';

const SCORES: readonly SatisfactionKey[] = ['1', '2', '3', '4', '5'];

/** Diverging from dissatisfied (vermillion) to very satisfied (blue). */
export const SATISFACTION_COLOURS = [
  OKABE_ITO.vermillion,
  OKABE_ITO.orange,
  OKABE_ITO.yellow,
  OKABE_ITO.skyBlue,
  OKABE_ITO.blue,
] as const;

function satisfactionSubtitle(summary: AnalysisSummary): string {
  const { verySatisfied, wouldRecommend } = summary.satisfaction;
  const part = (label: string, p: AnalysisSummary['satisfaction']['verySatisfied']) =>
    `${label}: ${formatPercent(p.proportion)}${p.N > 0 ? ` (${formatFraction(p)})` : ''}`;
  return [part('Very satisfied', verySatisfied), part('Would recommend', wouldRecommend)].join('   ·   ');
}

export function satisfactionChart(summary: AnalysisSummary, _series?: ChartSeries): ChartConfiguration<'bar'> {
  const counts = SCORES.map((score) => summary.satisfaction.distribution[score]);
  return {
    type: 'bar',
    data: {
      labels: SCORES.map((score, index) => [score, SATISFACTION_LABELS[index] ?? '']),
      datasets: [
        {
          label: 'Respondents',
          data: counts,
          backgroundColor: [...SATISFACTION_COLOURS],
          borderColor: OKABE_ITO.black,
          borderWidth: 1,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      layout: LAYOUT,
      plugins: {
        title: chartTitle(SATISFACTION_CHART_TITLE),
        subtitle: chartSubtitle(satisfactionSubtitle(summary)),
        legend: legend(false),
        valueLabels: { labels: [{ datasetIndex: 0, texts: counts.map(String) }], font: font(12, 'bold') },
      },
      scales: {
        x: { ...axis('Satisfaction at latest survey (score 1–5)'), grid: { display: false } },
        y: { ...axis('Respondents (n)'), beginAtZero: true, grace: '10%', ticks: { ...axis('').ticks, precision: 0 } },
      },
    },
  };
}

export function satisfactionTable(summary: AnalysisSummary, _series?: ChartSeries): DataTable {
  const { distribution, respondents } = summary.satisfaction;
  const total = SCORES.reduce((sum, score) => sum + distribution[score], 0);
  return {
    caption: `Satisfaction at each respondent's latest survey (${respondents} respondents). ${satisfactionSubtitle(summary).replaceAll('   ·   ', '; ')}.`,
    columns: ['Score', 'Rating', 'Respondents (n)', 'Respondents (%)'],
    rows: SCORES.map((score, index) => [
      Number(score),
      SATISFACTION_LABELS[index] ?? '',
      distribution[score],
      total === 0 ? '—' : formatPercent(distribution[score] / total),
    ]),
  };
}
