// Participants with at least one adverse event of each category, with 95% exact (Clopper–Pearson)
// intervals drawn as whiskers. Zero-event categories stay in: their upper bound is the figure a
// reviewer needs ("0/40, at most 8.8%").
import type { ChartConfiguration } from 'chart.js';
import type { AnalysisSummary, ChartSeries } from '../types.ts';
import { LAYOUT, STATIC_CHART, axis, chartSubtitle, chartTitle, legend } from './chart-options.ts';
import { NO_DATA, formatFraction, formatInterval, formatPercent } from './format.ts';
import { ADVERSE_EVENT_CATEGORY_LABELS } from './labels.ts';
import { OKABE_ITO } from './palette.ts';
import type { DataTable } from './types.ts';

export const ADVERSE_EVENTS_CHART_TITLE = 'Participants with each adverse-event category';

/** The exact interval's bounds in percent, per category in series order; null when N = 0. */
export function adverseEventErrorBars(series: ChartSeries): Array<[number, number] | null> {
  return series.adverseEventCategories.map(({ participants }) =>
    participants.exact ? [participants.exact[0] * 100, participants.exact[1] * 100] : null,
  );
}

/** A round axis maximum just above the highest upper bound, so no whisker is cut off. */
function percentAxisMax(upperBounds: number[]): number {
  const highest = Math.max(0, ...upperBounds);
  const step = highest <= 30 ? 5 : 10;
  return Math.min(100, Math.max(step, Math.ceil((highest + 0.5) / step) * step));
}

export function adverseEventsChart(_summary: AnalysisSummary, series: ChartSeries): ChartConfiguration<'bar'> {
  const categories = series.adverseEventCategories;
  const bounds = adverseEventErrorBars(series);
  return {
    type: 'bar',
    data: {
      labels: categories.map(
        ({ category, participants }) =>
          `${ADVERSE_EVENT_CATEGORY_LABELS[category]} (${formatFraction(participants)})`,
      ),
      datasets: [
        {
          label: 'Participants with ≥1 event (%)',
          data: categories.map(({ participants }) =>
            participants.proportion === null ? null : participants.proportion * 100,
          ),
          backgroundColor: OKABE_ITO.vermillion,
          borderColor: OKABE_ITO.black,
          borderWidth: 1,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      ...STATIC_CHART,
      indexAxis: 'y',
      layout: LAYOUT,
      plugins: {
        title: chartTitle(ADVERSE_EVENTS_CHART_TITLE),
        subtitle: chartSubtitle(
          'Bars: participants with ≥1 event (% of enrolled); whiskers: 95% exact (Clopper–Pearson) interval',
        ),
        legend: legend(false),
        errorBars: { intervals: [{ datasetIndex: 0, bounds }], color: OKABE_ITO.black, lineWidth: 1.5, capWidth: 10 },
      },
      scales: {
        x: {
          ...axis('Participants (%)'),
          min: 0,
          max: percentAxisMax(bounds.map((bound) => bound?.[1] ?? 0)),
        },
        y: { ...axis('Adverse-event category'), grid: { display: false } },
      },
    },
  };
}

export function adverseEventsTable(_summary: AnalysisSummary, series: ChartSeries): DataTable {
  return {
    caption:
      'Participants with at least one adverse event of each category, as a percentage of those enrolled, ' +
      'with 95% exact (Clopper–Pearson) intervals; categories without events included.',
    columns: ['Category', 'Events (n)', 'Participants (n/N)', 'Participants (%)', '95% exact CI'],
    rows: series.adverseEventCategories.map(({ category, events, participants }) => [
      ADVERSE_EVENT_CATEGORY_LABELS[category],
      events,
      formatFraction(participants),
      participants.N === 0 ? NO_DATA : formatPercent(participants.proportion),
      participants.N === 0 ? NO_DATA : formatInterval(participants.exact),
    ]),
  };
}
