// Fading grade against months since the final session, bubbles sized by the number of assessments,
// with the least-squares trend line of the summary's grade trend over the observed month range.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries } from '../types.ts';
import { MAX_BUBBLE_RADIUS, MAX_LABELLED_BUBBLES, bubbleFillAlpha, bubbleRadius } from './bubble-size.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { NO_DATA, formatNumber, formatPValue, formatSigned } from './format.ts';
import { FADING_GRADE_LABELS } from './labels.ts';
import { OKABE_ITO, withAlpha } from './palette.ts';
import type { DataTable } from './types.ts';

export const FADING_CHART_TITLE = 'Fading grade by time since the final session';

/** Tick names for grades 0–4: "0 none" … "4 marked". */
export const FADING_GRADE_TICKS = FADING_GRADE_LABELS.map((label, grade) => `${grade} ${label}`);

/** The trend line's two ends over the observed month range, or null when it cannot be drawn. */
export function fadingTrendLine(
  summary: AnalysisSummary,
  series: ChartSeries,
): [{ x: number; y: number }, { x: number; y: number }] | null {
  const { slopePerMonth, intercept } = summary.fading.gradeTrend;
  if (slopePerMonth === null || intercept === null || series.fadingPoints.length === 0) return null;
  const months = series.fadingPoints.map((point) => point.months);
  const first = Math.min(...months);
  const last = Math.max(...months);
  return [
    { x: first, y: intercept + slopePerMonth * first },
    { x: last, y: intercept + slopePerMonth * last },
  ];
}

function trendDescription(summary: AnalysisSummary): string {
  const trend = summary.fading.gradeTrend;
  if (trend.slopePerMonth === null) return `Trend not estimable (${trend.n} follow-up assessments)`;
  const spearman =
    trend.spearmanRho === null ? '' : `; Spearman ρ = ${formatNumber(trend.spearmanRho, 2)}, p ${pText(trend.spearmanP)}`;
  return (
    `Least-squares trend ${formatSigned(trend.slopePerMonth, 3)} grade per month ` +
    `(n = ${trend.n}, R² = ${formatNumber(trend.r2, 2)})${spearman}`
  );
}

const pText = (p: number | null) => {
  const text = formatPValue(p);
  return text.startsWith('<') ? `< ${text.slice(1)}` : `= ${text}`;
};

export function fadingChart(summary: AnalysisSummary, series: ChartSeries): ChartConfiguration<'bubble' | 'line'> {
  const points = series.fadingPoints;
  const maxCount = Math.max(0, ...points.map((point) => point.count));
  const line = fadingTrendLine(summary, series);
  const trend = summary.fading.gradeTrend;
  const datasets: ChartConfiguration<'bubble' | 'line'>['data']['datasets'] = [
    {
      type: 'bubble',
      label: 'Assessments (bubble area ∝ count)',
      data: points.map((point) => ({ x: point.months, y: point.grade, r: bubbleRadius(point.count, maxCount, points.length) })),
      backgroundColor: withAlpha(OKABE_ITO.skyBlue, bubbleFillAlpha(points.length)),
      borderColor: OKABE_ITO.blue,
      borderWidth: 1,
      clip: MAX_BUBBLE_RADIUS,
    },
  ];
  if (line) {
    datasets.push({
      type: 'line',
      label: `Least-squares trend (${formatSigned(trend.slopePerMonth, 3)} grade/month)`,
      data: line,
      borderColor: OKABE_ITO.vermillion,
      backgroundColor: OKABE_ITO.vermillion,
      borderWidth: 2.5,
      pointRadius: 0,
      pointStyle: 'line',
      fill: false,
    });
  }
  return {
    type: 'bubble',
    data: { datasets },
    options: {
      ...STATIC_CHART,
      layout: LAYOUT,
      plugins: {
        title: chartTitle(FADING_CHART_TITLE),
        subtitle: chartSubtitle(trendDescription(summary)),
        legend: legend(true),
        tickLabels: { y: [...FADING_GRADE_TICKS] },
        ...(points.length > 0 && points.length <= MAX_LABELLED_BUBBLES
          ? {
              valueLabels: {
                labels: [{ datasetIndex: 0, texts: points.map((point) => String(point.count)) }],
                font: font(11, 'bold'),
              },
            }
          : {}),
      },
      scales: {
        x: { ...axis('Months since final session'), type: 'linear', beginAtZero: true },
        // Half a grade of margin keeps grade-0 and grade-4 bubbles off the frame. Ticks every half
        // grade; the tickLabels plugin names the whole grades and hides the half-grade ticks.
        y: {
          ...axis('Fading grade (0–4)'),
          type: 'linear',
          min: -0.5,
          max: 4.5,
          ticks: { ...axis('').ticks, stepSize: 0.5 },
        },
      },
    },
  };
}

export function fadingTable(summary: AnalysisSummary, series: ChartSeries): DataTable {
  const rows = [...series.fadingPoints].sort((a, b) => a.months - b.months || a.grade - b.grade);
  const trend = summary.fading.gradeTrend;
  const equation =
    trend.slopePerMonth === null || trend.intercept === null
      ? ''
      : ` Trend line: grade = ${formatNumber(trend.intercept, 3)} ${trend.slopePerMonth < 0 ? '−' : '+'} ` +
        `${formatNumber(Math.abs(trend.slopePerMonth), 3)} × months.`;
  return {
    caption: `Follow-up assessments by months since the final session and fading grade. ${trendDescription(summary)}.${equation}`,
    columns: ['Months since final session', 'Grade', 'Grade name', 'Assessments (n)'],
    rows: rows.map((point) => [
      formatNumber(point.months, 1),
      point.grade,
      FADING_GRADE_LABELS[point.grade] ?? NO_DATA,
      point.count,
    ]),
  };
}
