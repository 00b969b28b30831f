// Touch-up-free survival: the summary's Kaplan–Meier estimate of staying free of a touch-up need,
// drawn as a step function from 100% at the final session to the longest follow-up observed.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries, KaplanMeier, KaplanMeierMedian } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { formatMedianTime, formatNumber, formatPercent } from './format.ts';
import { OKABE_ITO, TEXT_COLOUR } from './palette.ts';
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

/** Survival at `months` from the steps: that of the last step at or before it. */
function survivalAt(km: KaplanMeier, months: number): number {
  let survival = 1;
  for (const step of km.steps) if (step.months <= months) survival = step.survival;
  return survival;
}

/** One mark (+) per censored time, on the curve: a participant followed up that long without needing a touch-up. */
export function touchUpFreeCensorMarks(km: KaplanMeier, series: ChartSeries): Array<{ x: number; y: number; count: number }> {
  return series.touchUpFreeCensored.map(({ months, count }) => ({ x: months, y: survivalAt(km, months) * 100, count }));
}

function curveDescription(km: KaplanMeier, median: KaplanMeierMedian): string {
  if (km.n === 0) return 'No participant followed up yet';
  return `${km.events} touch-ups needed among ${km.n} participants followed up; median ${formatMedianTime(median)}`;
}

export function touchUpFreeChart(summary: AnalysisSummary, series: ChartSeries): ChartConfiguration<'line'> {
  const km = summary.fading.touchUpFree;
  const marks = touchUpFreeCensorMarks(km, series);
  const atRisk = series.touchUpFreeAtRisk;
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
        {
          label: 'Censored: no touch-up needed yet',
          data: marks.map(({ x, y }) => ({ x, y })),
          showLine: false,
          pointStyle: 'cross',
          pointRadius: 6,
          pointBorderWidth: 2,
          borderColor: OKABE_ITO.blue,
          backgroundColor: OKABE_ITO.blue,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      // Room under the axis for the number-at-risk row.
      layout: { padding: { ...LAYOUT.padding, bottom: LAYOUT.padding.bottom + (atRisk.length > 0 ? 22 : 0) } },
      plugins: {
        title: chartTitle(TOUCH_UP_FREE_CHART_TITLE),
        subtitle: chartSubtitle(curveDescription(km, summary.fading.touchUpFreeMedian)),
        // At the top: the number-at-risk row takes the space under the axis.
        legend: { ...legend(marks.length > 0), position: 'top' as const },
        ...(atRisk.length > 0
          ? {
              atRiskRow: {
                label: 'At risk',
                times: atRisk.map((row) => row.months),
                counts: atRisk.map((row) => row.atRisk),
                color: TEXT_COLOUR,
                font: font(12),
              },
            }
          : {}),
      },
      scales: {
        // Ticks at whole years, where the number-at-risk row counts.
        x: { ...axis('Months since final session'), type: 'linear', beginAtZero: true, ticks: { ...axis('').ticks, stepSize: 12 } },
        y: { ...axis('Touch-up-free (%)'), type: 'linear', min: 0, max: 100 },
      },
    },
  };
}

export function touchUpFreeTable(summary: AnalysisSummary, series: ChartSeries): DataTable {
  const km = summary.fading.touchUpFree;
  // The start (everyone at risk, 100%) unless an event already falls at 0 months.
  const start = km.n > 0 && (km.steps.length === 0 || km.steps[0]!.months > 0) ? [[formatNumber(0, 1), km.n, 0, formatPercent(1)]] : [];
  const followed = km.lastMonths === null ? '' : ` The curve runs to ${formatNumber(km.lastMonths, 1)} months, the longest time observed.`;
  return {
    caption:
      `Kaplan–Meier estimate of staying free of a touch-up need, by months since the final session: at risk, ` +
      `touch-ups needed and the estimate at each time a touch-up was first needed. ${curveDescription(km, summary.fading.touchUpFreeMedian)}.${followed}` +
      atRiskText(series),
    columns: ['Months since final session', 'At risk (n)', 'Events (n)', 'Touch-up-free (%)'],
    rows: [
      ...start,
      ...km.steps.map((step) => [formatNumber(step.months, 1), step.atRisk, step.events, formatPercent(step.survival)]),
    ],
  };
}

/** The number-at-risk row as text, for the table's caption. */
function atRiskText(series: ChartSeries): string {
  if (series.touchUpFreeAtRisk.length === 0) return '';
  return ` At risk at whole years: ${series.touchUpFreeAtRisk.map((row) => `${row.months} months ${row.atRisk}`).join(', ')}.`;
}
