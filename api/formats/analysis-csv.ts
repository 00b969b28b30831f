// The `smp-analysis/1` summary as one tidy CSV table, `smp analyze --format csv`: one row per
// figure, group and method, with columns figure, group, n, N, estimate, lower, upper, method.
// Figures are named by their path in the JSON summary, so the two can be read side by side.
// Every figure appears whatever the data (empty cells where a statistic is undefined), except
// the per-indication, per-category and per-grade ones, which list what the summary lists.
import type { AnalysisSummary, CohortFigures, Describe, Proportion } from '../../analysis/types.ts';
import { writeCsv, type Cell } from './csv-text.ts';

export const ANALYSIS_CSV_COLUMNS = ['figure', 'group', 'n', 'N', 'estimate', 'lower', 'upper', 'method'] as const;

export interface AnalysisRow {
  figure: string;
  group: string;
  n: number | null;
  N: number | null;
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  method: string;
}

type Row = Omit<AnalysisRow, 'group'>;

export const METHODS = {
  count: 'count',
  share: 'share: n / N',
  exact: 'proportion, Clopper-Pearson exact 95% interval',
  wilson: 'proportion, Wilson score 95% interval without continuity correction',
  mean: 'mean',
  sd: 'sample standard deviation (n - 1)',
  median: 'median; lower and upper are the quartiles (linear interpolation, R type 7)',
  range: 'minimum (lower) and maximum (upper)',
  slope: 'least-squares slope of grade on months since the final session, per month',
  intercept: 'least-squares intercept (fitted grade at 0 months; not a grade outside 0-4)',
  r2: 'coefficient of determination of the least-squares line',
  rho: "Spearman's rho with average ranks for ties",
  rhoP: "two-sided p of Spearman's rho, Student's t with n - 2 degrees of freedom",
  kmMedian: 'Kaplan-Meier median months to a touch-up need (first time survival <= 0.5); n events of N participants',
  kmMedianLogLog:
    'Kaplan-Meier median months to a touch-up need as R quantile(survfit(conf.type = "log-log")) gives it, 95% log-log interval (empty: not reached); n events of N participants',
  kmMedianAtRisk: 'participants at risk when the touch-up-free curve first falls to 50% (the median is unstable below 5)',
  primary: 'proportion, Clopper-Pearson exact 95% interval; the protocol primary outcome',
  rate: 'events per 100 sessions: 100 n / N',
} as const;

const count = (figure: string, n: number): Row => ({ figure, n, N: null, estimate: n, lower: null, upper: null, method: METHODS.count });
const share = (figure: string, n: number, N: number): Row => ({ figure, n, N, estimate: N === 0 ? null : n / N, lower: null, upper: null, method: METHODS.share });

function proportion(figure: string, p: Proportion): Row[] {
  return [
    { figure, n: p.n, N: p.N, estimate: p.proportion, lower: p.exact?.[0] ?? null, upper: p.exact?.[1] ?? null, method: METHODS.exact },
    { figure, n: p.n, N: p.N, estimate: p.proportion, lower: p.wilson?.[0] ?? null, upper: p.wilson?.[1] ?? null, method: METHODS.wilson },
  ];
}

function describe(figure: string, d: Describe): Row[] {
  const has = 'mean' in d;
  const empty = { N: null, lower: null, upper: null };
  return [
    { figure: `${figure}.mean`, n: d.n, ...empty, estimate: has ? d.mean : null, method: METHODS.mean },
    { figure: `${figure}.sd`, n: d.n, ...empty, estimate: has ? d.sd : null, method: METHODS.sd },
    { figure: `${figure}.median`, n: d.n, N: null, estimate: has ? d.median : null, lower: has ? d.q1 : null, upper: has ? d.q3 : null, method: METHODS.median },
    { figure: `${figure}.range`, n: d.n, N: null, estimate: null, lower: has ? d.min : null, upper: has ? d.max : null, method: METHODS.range },
  ];
}

/** Every row of one group's figures, in the order of the JSON summary. */
export function figureRows(f: CohortFigures): Row[] {
  const enrolled = f.participants.enrolled;
  const rows: Row[] = [count('participants.enrolled', enrolled), share('participants.withdrawn', f.participants.withdrawn, enrolled)];
  for (const [indication, n] of Object.entries(f.participants.byIndication)) rows.push(share(`participants.byIndication.${indication}`, n ?? 0, enrolled));

  rows.push(count('sessions.total', f.sessions.total));
  rows.push(...describe('sessions.perParticipant', f.sessions.perParticipant));
  rows.push(...describe('sessions.durationMinutes', f.sessions.durationMinutes));
  rows.push(...proportion('sessions.protocolAdherence', f.sessions.protocolAdherence));

  rows.push(...describe('followUp.months', f.followUp.months));
  rows.push(...proportion('followUp.inWindow', f.followUp.inWindow));
  for (const [where, n] of Object.entries(f.followUp.coverage)) rows.push(share(`followUp.coverage.${where}`, n, enrolled));

  const graded = Object.values(f.fading.latestGrade).reduce((a, b) => a + b, 0);
  for (const [grade, n] of Object.entries(f.fading.latestGrade)) rows.push(share(`fading.latestGrade.${grade}`, n, graded));
  rows.push(...proportion('fading.minimalOrNone', f.fading.minimalOrNone));
  const [primaryExact, primaryWilson] = proportion('fading.minimalOrNoneInWindow', f.fading.minimalOrNoneInWindow);
  rows.push({ ...primaryExact!, method: METHODS.primary }, primaryWilson!);
  rows.push(...describe('fading.densityScore.first', f.fading.densityScore.first));
  rows.push(...describe('fading.densityScore.latest', f.fading.densityScore.latest));
  rows.push(...describe('fading.densityScore.change', f.fading.densityScore.change));
  const trend = f.fading.gradeTrend;
  const single = (figure: string, estimate: number | null, method: string): Row => ({ figure, n: trend.n, N: null, estimate, lower: null, upper: null, method });
  rows.push(single('fading.gradeTrend.slopePerMonth', trend.slopePerMonth, METHODS.slope));
  rows.push(single('fading.gradeTrend.intercept', trend.intercept, METHODS.intercept));
  rows.push(single('fading.gradeTrend.r2', trend.r2, METHODS.r2));
  rows.push(single('fading.gradeTrend.spearmanRho', trend.spearmanRho, METHODS.rho));
  rows.push(single('fading.gradeTrend.spearmanP', trend.spearmanP, METHODS.rhoP));
  const km = f.fading.touchUpFree;
  rows.push({ figure: 'fading.touchUpFree.median', n: km.events, N: km.n, estimate: km.median, lower: null, upper: null, method: METHODS.kmMedian });
  const median = f.fading.touchUpFreeMedian;
  rows.push({ figure: 'fading.touchUpFreeMedian.months', n: km.events, N: km.n, estimate: median.months, lower: median.lower, upper: median.upper, method: METHODS.kmMedianLogLog });
  rows.push({ figure: 'fading.touchUpFreeMedian.atRisk', n: median.atRisk, N: null, estimate: null, lower: null, upper: null, method: METHODS.kmMedianAtRisk });

  const s = f.safety;
  rows.push(...proportion('safety.anyEvent', s.anyEvent));
  rows.push(...proportion('safety.seriousEvent', s.seriousEvent));
  rows.push(...proportion('safety.relatedEvent', s.relatedEvent));
  rows.push(...proportion('safety.withdrawnDueToEvent', s.withdrawnDueToEvent));
  for (const [category, c] of Object.entries(s.byCategory)) {
    rows.push(count(`safety.byCategory.${category}.events`, c!.events), ...proportion(`safety.byCategory.${category}.participants`, c!.participants));
  }
  for (const [grade, c] of Object.entries(s.byGrade)) {
    rows.push(count(`safety.byGrade.${grade}.events`, c!.events), ...proportion(`safety.byGrade.${grade}.participants`, c!.participants));
  }
  rows.push(count('safety.solicitedEvents', s.solicitedEvents), count('safety.spontaneousEvents', s.spontaneousEvents));
  const events = s.solicitedEvents + s.spontaneousEvents;
  rows.push({ figure: 'safety.eventsPer100Sessions', n: events, N: f.sessions.total, estimate: s.eventsPer100Sessions, lower: null, upper: null, method: METHODS.rate });

  const q = f.satisfaction;
  rows.push(count('satisfaction.respondents', q.respondents));
  rows.push(...proportion('satisfaction.responseRate', q.responseRate));
  for (const [score, n] of Object.entries(q.distribution)) rows.push(share(`satisfaction.distribution.${score}`, n, q.respondents));
  rows.push(...proportion('satisfaction.verySatisfied', q.verySatisfied));
  rows.push(...proportion('satisfaction.wouldRecommend', q.wouldRecommend));
  rows.push(...proportion('satisfaction.verySatisfiedInWindow', q.verySatisfiedInWindow));

  rows.push(...describe('costUsd', f.costUsd));
  // Retention by scheduled visit: present when the protocol schedules visits.
  f.retention?.forEach((visit, index) => {
    for (const outcome of ['done', 'notDone', 'withdrawn'] as const) rows.push(...proportion(`retention[${index}].${outcome}`, visit[outcome]));
  });
  return rows;
}

/** Every row of the summary: the whole cohort (group `all`), then each subgroup (`site=LON`, …). */
export function analysisRows(summary: AnalysisSummary): AnalysisRow[] {
  const rows = figureRows(summary).map((row) => ({ ...row, group: 'all' }));
  if (summary.subgroups !== undefined) {
    for (const group of summary.subgroups.groups) {
      // `smp analyze` writes this of a whole study; only the HTTP API suppresses another site's
      // figures for a clinic, and it answers in JSON, HTML and Markdown, which say so.
      if ('suppressed' in group.figures) throw new Error(`the analysis CSV holds whole figures, and group ${group.key} was suppressed`);
      rows.push(...figureRows(group.figures as CohortFigures).map((row) => ({ ...row, group: `${summary.subgroups!.by}=${group.key}` })));
    }
  }
  return rows;
}

/** The summary as CSV text (RFC 4180, numbers at full precision, empty cells for undefined values). */
export function analysisCsv(summary: AnalysisSummary): string {
  return writeCsv(
    ANALYSIS_CSV_COLUMNS,
    analysisRows(summary).map((row): Cell[] => ANALYSIS_CSV_COLUMNS.map((column) => row[column])),
  );
}
