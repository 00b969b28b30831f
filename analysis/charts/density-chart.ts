// Dot density score at the first and the latest follow-up assessment, one bubble per (first,
// latest) pair sized by participants, against the line of no change y = x.
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries } from '../types.ts';
import { MAX_BUBBLE_RADIUS, MAX_LABELLED_BUBBLES, bubbleFillAlpha, bubbleRadius } from './bubble-size.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, font, legend } from './chart-options.ts';
import { formatDescribe, formatNumber, formatSigned } from './format.ts';
import { OKABE_ITO, withAlpha } from './palette.ts';
import type { DataTable } from './types.ts';

export const DENSITY_CHART_TITLE = 'Density score: first against latest assessment';

/** The density score's scale (bundle schema: 0–10, one decimal). */
export const DENSITY_SCALE = { min: 0, max: 10 } as const;

// Axes run half a point beyond the scale so edge bubbles stay inside; ticks every half point, of
// which the tickLabels plugin names the whole ones and hides the rest.
const SCALE_TICKS = Array.from({ length: DENSITY_SCALE.max + 1 }, (_, score) => String(score));

/**
 * The axes' range: the scores present, widened to whole points and half a point beyond so edge
 * bubbles stay inside, within the scale; the whole scale when there is nothing to plot. Both axes
 * get the same range, so the line of no change runs corner to corner.
 */
export function densityAxisRange(series: ChartSeries): { min: number; max: number } {
  const scores = series.densityPairs.flatMap((pair) => [pair.first, pair.latest]);
  if (scores.length === 0) return { min: DENSITY_SCALE.min - 0.5, max: DENSITY_SCALE.max + 0.5 };
  return {
    min: Math.max(DENSITY_SCALE.min, Math.floor(Math.min(...scores))) - 0.5,
    max: Math.min(DENSITY_SCALE.max, Math.ceil(Math.max(...scores))) + 0.5,
  };
}

/** Who is plotted and why: participants with a density score on two different follow-up days. */
export function densityDescription(summary: AnalysisSummary, series: ChartSeries): string {
  const plotted = series.densityPairs.reduce((sum, pair) => sum + pair.count, 0);
  const followedUp = summary.fading.minimalOrNone.N;
  return `${plotted} of ${followedUp} participants followed up, those scored on two different days; below the line = density fell`;
}

/** One (first, latest) pair of the chart's data. */
type DensityPair = ChartSeries['densityPairs'][number];

/**
 * A bubble's words, which the page shows as its tooltip: every count stays readable where the
 * labels on the bubbles would overlap (and one is then left off), as in the table beside the chart.
 */
export function densityPointLabel(pair: DensityPair): string {
  return (
    `${pair.count} participant${pair.count === 1 ? '' : 's'}: first ${formatNumber(pair.first, 1)}, ` +
    `latest ${formatNumber(pair.latest, 1)} (change ${formatSigned(pair.latest - pair.first, 1)})`
  );
}

export function densityChart(summary: AnalysisSummary, series: ChartSeries): ChartConfiguration<'bubble' | 'line'> {
  // Largest first, so a smaller bubble is drawn over a larger one it overlaps, never hidden under it.
  const pairs = [...series.densityPairs].sort((a, b) => b.count - a.count || a.first - b.first || a.latest - b.latest);
  const maxCount = Math.max(0, ...pairs.map((pair) => pair.count));
  const range = densityAxisRange(series);
  return {
    type: 'bubble',
    data: {
      datasets: [
        {
          type: 'bubble',
          label: 'Participants (bubble area ∝ count)',
          // `r` is a radius: the count and the bubble's words go with each point, for the tooltip.
          data: pairs.map((pair) => ({
            x: pair.first,
            y: pair.latest,
            r: bubbleRadius(pair.count, maxCount, pairs.length),
            count: pair.count,
            label: densityPointLabel(pair),
          })),
          backgroundColor: withAlpha(OKABE_ITO.bluishGreen, bubbleFillAlpha(pairs.length)),
          borderColor: OKABE_ITO.bluishGreen,
          borderWidth: 1,
          clip: MAX_BUBBLE_RADIUS,
          order: 0,
        },
        {
          type: 'line',
          // A higher order is drawn first: the reference line stays behind the bubbles.
          order: 1,
          label: 'No change (latest = first)',
          data: [
            { x: DENSITY_SCALE.min, y: DENSITY_SCALE.min },
            { x: DENSITY_SCALE.max, y: DENSITY_SCALE.max },
          ],
          borderColor: OKABE_ITO.black,
          backgroundColor: OKABE_ITO.black,
          borderWidth: 1.5,
          borderDash: [6, 4],
          pointRadius: 0,
          pointStyle: 'line',
          fill: false,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      layout: LAYOUT,
      plugins: {
        title: chartTitle(DENSITY_CHART_TITLE),
        subtitle: chartSubtitle(densityDescription(summary, series)),
        legend: legend(true),
        tickLabels: { x: SCALE_TICKS, y: SCALE_TICKS },
        ...(pairs.length > 0 && pairs.length <= MAX_LABELLED_BUBBLES
          ? {
              valueLabels: {
                labels: [{ datasetIndex: 0, texts: pairs.map((pair) => String(pair.count)) }],
                font: font(11, 'bold'),
              },
            }
          : {}),
      },
      scales: {
        x: {
          ...axis('Density score at first follow-up assessment (0–10)'),
          type: 'linear',
          ...range,
          ticks: { ...axis('').ticks, stepSize: 0.5, maxTicksLimit: 2 * (DENSITY_SCALE.max - DENSITY_SCALE.min) + 3 },
        },
        y: {
          ...axis('Density score at latest assessment (0–10)'),
          type: 'linear',
          ...range,
          ticks: { ...axis('').ticks, stepSize: 0.5, maxTicksLimit: 2 * (DENSITY_SCALE.max - DENSITY_SCALE.min) + 3 },
        },
      },
    },
  };
}

export function densityTable(summary: AnalysisSummary, series: ChartSeries): DataTable {
  const rows = [...series.densityPairs].sort((a, b) => a.first - b.first || a.latest - b.latest);
  const { first, latest, change } = summary.fading.densityScore;
  return {
    caption:
      `Participants by density score (0–10) at their first and latest follow-up assessment: ${densityDescription(summary, series)}. ` +
      `First: ${formatDescribe(first)}. Latest: ${formatDescribe(latest)}. Change (latest − first): ${formatDescribe(change)}.`,
    columns: ['First score', 'Latest score', 'Change', 'Participants (n)'],
    rows: rows.map((pair) => [
      formatNumber(pair.first, 1),
      formatNumber(pair.latest, 1),
      formatSigned(pair.latest - pair.first, 1),
      pair.count,
    ]),
  };
}
