// Touch-up-free survival: the summary's Kaplan–Meier estimate of staying free of a touch-up need,
// drawn as a step function from 100% at the final session to the longest follow-up observed.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries, KaplanMeier } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, legend } from './chart-options.ts';
import { formatNumber, formatPercent } from './format.ts';
import { OKABE_ITO } from './palette.ts';
import type { DataTable } from './types.ts';

export const TOUCH_UP_FREE_CHART_TITLE = 'Touch-up-free survival (Kaplan–Meier)';

/**
 * The curve's corners in (months, survival %): 100% at 0 months, one point per event time, and a
 * last point at the longest time observed so the final plateau is drawn; empty when n = 0. Drawn
 * with `stepped: 'before'`, each segment holds the previous survival until the next event time
 * and drops there, as a survival curve does.
 */
export function touchUpFreeCurve(km: KaplanMeier): Array<{ x: number; y: number }> {
  if (km.n === 0) return [];
  const points = [{ x: 0, y: 100 }, ...km.steps.map((step) => ({ x: step.months, y: step.survival * 100 }))];
  const last = points[points.length - 1]!;
  if (km.lastMonths !== null && km.lastMonths > last.x) points.push({ x: km.lastMonths, y: last.y });
  return points;
}

function curveDescription(km: KaplanMeier): string {
  if (km.n === 0) return 'No participant followed up yet';
  const median = km.median === null ? 'not reached' : `${formatNumber(km.median, 1)} months`;
  return `${km.events} touch-ups needed among ${km.n} participants followed up; median ${median}`;
}

export function touchUpFreeChart(summary: AnalysisSummary, _series: ChartSeries): ChartConfiguration<'line'> {
  const km = summary.fading.touchUpFree;
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Touch-up-free (%)',
          data: touchUpFreeCurve(km),
          stepped: 'before',
          borderColor: OKABE_ITO.blue,
          backgroundColor: OKABE_ITO.blue,
          borderWidth: 2.5,
          pointRadius: 0,
          fill: false,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      layout: LAYOUT,
      plugins: {
        title: chartTitle(TOUCH_UP_FREE_CHART_TITLE),
        subtitle: chartSubtitle(curveDescription(km)),
        legend: legend(false),
      },
      scales: {
        x: { ...axis('Months since final session'), type: 'linear', beginAtZero: true },
        y: { ...axis('Touch-up-free (%)'), type: 'linear', min: 0, max: 100 },
      },
    },
  };
}

export function touchUpFreeTable(summary: AnalysisSummary, _series: ChartSeries): DataTable {
  const km = summary.fading.touchUpFree;
  // The start (everyone at risk, 100%) unless an event already falls at 0 months.
  const start = km.n > 0 && (km.steps.length === 0 || km.steps[0]!.months > 0) ? [[formatNumber(0, 1), km.n, 0, formatPercent(1)]] : [];
  const followed = km.lastMonths === null ? '' : ` The curve runs to ${formatNumber(km.lastMonths, 1)} months, the longest time observed.`;
  return {
    caption:
      `Kaplan–Meier estimate of staying free of a touch-up need, by months since the final session: at risk, ` +
      `touch-ups needed and the estimate at each time a touch-up was first needed. ${curveDescription(km)}.${followed}`,
    columns: ['Months since final session', 'At risk (n)', 'Events (n)', 'Touch-up-free (%)'],
    rows: [
      ...start,
      ...km.steps.map((step) => [formatNumber(step.months, 1), step.atRisk, step.events, formatPercent(step.survival)]),
    ],
  };
}
