// Hand-made analysis summaries and chart series for chart and report tests: a 40-participant
// cohort with every section filled, zero-event adverse-event categories, and a subgroup variant.
// Proportions get real Wilson and Clopper–Pearson intervals so formatted figures are plausible.
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { PRIMARY_OUTCOME } from '../../../analysis/in-window-outcomes.ts';
import type {
  AdverseEventCategory,
  AnalysisSummary,
  ChartSeries,
  CohortFigures,
  Describe,
  EventCount,
  Proportion,
} from '../../../analysis/types.ts';

const Z = 1.959963984540054;

/** n of N with the 95% Wilson score and Clopper–Pearson exact intervals. */
export function proportion(n: number, N: number): Proportion {
  if (N === 0) return { n, N, proportion: null, wilson: null, exact: null };
  const p = n / N;
  const centre = (p + (Z * Z) / (2 * N)) / (1 + (Z * Z) / N);
  const half = ((Z / (1 + (Z * Z) / N)) * Math.sqrt((p * (1 - p)) / N + (Z * Z) / (4 * N * N)));
  const lower = n === 0 ? 0 : betaQuantile(0.025, n, N - n + 1);
  const upper = n === N ? 1 : betaQuantile(0.975, n + 1, N - n);
  return { n, N, proportion: p, wilson: [Math.max(0, centre - half), Math.min(1, centre + half)], exact: [lower, upper] };
}

const quantile7 = (sorted: number[], q: number): number => {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] ?? 0;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
};

/** Descriptive statistics of the values (R type 7 quartiles, sample SD). */
export function describe(values: number[]): Describe {
  if (values.length === 0) return { n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / n;
  const sd = n < 2 ? null : Math.sqrt(sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1));
  return {
    n,
    mean,
    sd,
    median: quantile7(sorted, 0.5),
    q1: quantile7(sorted, 0.25),
    q3: quantile7(sorted, 0.75),
    min: sorted[0] ?? 0,
    max: sorted[n - 1] ?? 0,
  };
}

const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);

/** Adverse events per category: [events, participants]; keloid, granuloma and MRI have none. */
export const CATEGORY_EVENTS: Record<AdverseEventCategory, [number, number]> = {
  infection: [2, 2],
  allergic_reaction: [1, 1],
  keloid: [0, 0],
  granuloma: [0, 0],
  mri_interference: [0, 0],
  pigment_migration: [4, 3],
  discoloration: [3, 3],
  other: [1, 1],
};

const ENROLLED = 40;

function byCategory(enrolled: number): Record<AdverseEventCategory, EventCount> {
  const entries = Object.entries(CATEGORY_EVENTS).map(([category, [events, participants]]) => [
    category,
    { events, participants: proportion(participants, enrolled) },
  ]);
  return Object.fromEntries(entries) as Record<AdverseEventCategory, EventCount>;
}

/** The demo cohort's figures; a smaller `enrolled` scales the counts (for subgroups). */
export function makeCohortFigures(enrolled = ENROLLED): CohortFigures {
  const k = (count: number) => Math.round((count * enrolled) / ENROLLED);
  return {
    participants: {
      enrolled,
      withdrawn: k(3),
      byIndication: {
        androgenetic_alopecia: enrolled - k(5) - k(4) - k(3),
        alopecia_areata: k(5),
        scar: k(4),
        chemotherapy_alopecia: k(3),
      },
    },
    sessions: {
      total: 121,
      perParticipant: describe([...repeat(1, 2), ...repeat(2, 4), ...repeat(3, 22), ...repeat(4, 10), ...repeat(5, 2)]),
      durationMinutes: describe([150, 165, 180, 180, 195, 200, 210, 240, 120, 185]),
      protocolAdherence: proportion(k(34), enrolled),
    },
    followUp: {
      months: describe([3, 6, 6.5, 9, 12, 12.2, 14, 18, 24]),
      inWindow: proportion(k(30), k(37)),
      window: { from: 6, to: 18 },
      coverage: { noFollowUp: enrolled - k(37), beforeWindow: k(5), inWindow: k(30), afterWindow: k(37) - k(30) - k(5) },
    },
    fading: {
      latestGrade: { '0': 10, '1': 12, '2': 8, '3': 4, '4': 2 },
      minimalOrNone: proportion(k(22), k(36)),
      densityScore: {
        first: describe([8, 8.5, 9, 7.5, 8, 9.5, 7]),
        latest: describe([7, 8, 8.5, 7.5, 6.5, 9, 6]),
        change: describe([-1, -0.5, -0.5, 0, -1.5, -0.5, -1]),
      },
      gradeTrend: { n: 120, slopePerMonth: 0.085, intercept: 0.62, r2: 0.31, spearmanRho: 0.52, spearmanP: 1.2e-9 },
      touchUpFree: {
        n: 37,
        events: 14,
        median: 18.4,
        steps: [
          { months: 6.1, atRisk: 37, events: 2, survival: 0.945946 },
          { months: 9.3, atRisk: 33, events: 3, survival: 0.859951 },
          { months: 12.0, atRisk: 27, events: 3, survival: 0.764401 },
          { months: 18.4, atRisk: 14, events: 6, survival: 0.436801 },
        ],
        lastMonths: 24,
      },
      touchUpFreeMedian: { months: 18.4, lower: 12.0, upper: null, atRisk: 14, unstable: false },
      minimalOrNoneInWindow: proportion(k(18), k(30)),
    },
    safety: {
      anyEvent: proportion(k(9), enrolled),
      seriousEvent: proportion(k(1), enrolled),
      relatedEvent: proportion(k(7), enrolled),
      withdrawnDueToEvent: proportion(k(1), enrolled),
      byCategory: byCategory(enrolled),
      byGrade: {
        '1': { events: 8, participants: proportion(6, enrolled) },
        '2': { events: 3, participants: proportion(3, enrolled) },
        '3': { events: 1, participants: proportion(1, enrolled) },
      },
      solicitedEvents: 7,
      spontaneousEvents: 5,
      eventsPer100Sessions: (12 / 121) * 100,
    },
    satisfaction: {
      respondents: 32,
      responseRate: proportion(k(32), enrolled),
      distribution: { '1': 1, '2': 2, '3': 4, '4': 10, '5': 15 },
      verySatisfied: proportion(15, 32),
      wouldRecommend: proportion(28, 31),
      verySatisfiedInWindow: proportion(k(12), k(26)),
    },
    costUsd: describe([2500, 3000, 3200, 3500, 4000, 2800, 4500]),
  };
}

export function makeSummary(overrides: Partial<AnalysisSummary> = {}): AnalysisSummary {
  return {
    format: 'smp-analysis/1',
    study: { code: 'SMP-DEMO-01', title: 'Scalp micropigmentation outcomes: demo cohort' },
    primaryOutcome: { ...PRIMARY_OUTCOME },
    ...makeCohortFigures(),
    ...overrides,
  };
}

/** The summary with `--by site`: two sites, the second with no survey respondents. */
export function makeSummaryWithSubgroups(): AnalysisSummary {
  const north = makeCohortFigures(24);
  const south = makeCohortFigures(16);
  south.satisfaction = {
    respondents: 0,
    responseRate: proportion(0, 16),
    distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    verySatisfied: proportion(0, 0),
    wouldRecommend: proportion(0, 0),
    verySatisfiedInWindow: proportion(0, 0),
  };
  south.costUsd = { n: 0 };
  return makeSummary({
    subgroups: {
      by: 'site',
      groups: [
        { key: 'NORTH', label: 'North clinic', figures: north },
        { key: 'SOUTH', label: 'South clinic', figures: south },
      ],
    },
  });
}

export function makeSeries(overrides: Partial<ChartSeries> = {}): ChartSeries {
  const fadingPoints: ChartSeries['fadingPoints'] = [];
  const months = [0.5, 3, 6, 6.2, 9, 12, 15, 18, 24];
  months.forEach((month, index) => {
    const typical = Math.min(4, Math.round(0.62 + 0.085 * month));
    fadingPoints.push({ months: month, grade: typical, count: 6 + (index % 4) * 3 });
    if (typical > 0) fadingPoints.push({ months: month, grade: typical - 1, count: 2 + (index % 3) });
    if (typical < 4) fadingPoints.push({ months: month, grade: typical + 1, count: 1 + (index % 2) });
  });
  return {
    // Consistent with the summary's Kaplan–Meier steps: 2, 3, 10 and 8 censored between them.
    touchUpFreeCensored: [
      { months: 7.5, count: 2 },
      { months: 10.4, count: 3 },
      { months: 15, count: 10 },
      { months: 24, count: 8 },
    ],
    touchUpFreeAtRisk: [
      { months: 0, atRisk: 37 },
      { months: 12, atRisk: 27 },
      { months: 24, atRisk: 8 },
    ],
    fadingPoints,
    densityPairs: [
      { first: 8, latest: 7, count: 4 },
      { first: 8.5, latest: 8, count: 2 },
      { first: 9, latest: 8.5, count: 3 },
      { first: 7.5, latest: 7.5, count: 5 },
      { first: 8, latest: 6.5, count: 1 },
      { first: 9.5, latest: 9, count: 2 },
      { first: 7, latest: 6, count: 1 },
      { first: 6, latest: 6.5, count: 1 },
    ],
    sessionsPerParticipant: [
      { sessions: 0, participants: 0 },
      { sessions: 1, participants: 2 },
      { sessions: 2, participants: 4 },
      { sessions: 3, participants: 22 },
      { sessions: 4, participants: 10 },
      { sessions: 5, participants: 2 },
    ],
    adverseEventCategories: Object.entries(CATEGORY_EVENTS).map(([category, [events, participants]]) => ({
      category: category as AdverseEventCategory,
      events,
      participants: proportion(participants, ENROLLED),
    })),
    flow: { enrolled: ENROLLED, completedProtocol: 34, followedUp: 37, surveyed: 32, withdrawn: 3 },
    ...overrides,
  };
}

/** A study with nobody enrolled yet: every proportion 0/0, every Describe n = 0, empty series. */
export function makeEmptyStudy(): { summary: AnalysisSummary; series: ChartSeries } {
  const none = proportion(0, 0);
  const empty: Describe = { n: 0 };
  const summary = makeSummary({
    participants: { enrolled: 0, withdrawn: 0, byIndication: {} },
    sessions: { total: 0, perParticipant: empty, durationMinutes: empty, protocolAdherence: none },
    followUp: {
      months: empty,
      inWindow: none,
      window: { from: 6, to: 18 },
      coverage: { noFollowUp: 0, beforeWindow: 0, inWindow: 0, afterWindow: 0 },
    },
    fading: {
      latestGrade: { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0 },
      minimalOrNone: none,
      densityScore: { first: empty, latest: empty, change: empty },
      gradeTrend: { n: 0, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null },
      touchUpFree: { n: 0, events: 0, median: null, steps: [], lastMonths: null },
      touchUpFreeMedian: { months: null, lower: null, upper: null, atRisk: null, unstable: false },
      minimalOrNoneInWindow: none,
    },
    safety: {
      anyEvent: none,
      seriousEvent: none,
      relatedEvent: none,
      withdrawnDueToEvent: none,
      byCategory: {},
      byGrade: {},
      solicitedEvents: 0,
      spontaneousEvents: 0,
      eventsPer100Sessions: null,
    },
    satisfaction: {
      respondents: 0,
      responseRate: none,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
      verySatisfied: none,
      wouldRecommend: none,
      verySatisfiedInWindow: none,
    },
    costUsd: empty,
  });
  const series: ChartSeries = {
    fadingPoints: [],
    densityPairs: [],
    sessionsPerParticipant: [{ sessions: 0, participants: 0 }],
    adverseEventCategories: Object.keys(CATEGORY_EVENTS).map((category) => ({
      category: category as AdverseEventCategory,
      events: 0,
      participants: none,
    })),
    flow: { enrolled: 0, completedProtocol: 0, followedUp: 0, surveyed: 0, withdrawn: 0 },
    touchUpFreeCensored: [],
    touchUpFreeAtRisk: [],
  };
  return { summary, series };
}
