// The analysis module's public surface: pure statistics, the cohort summary and the chart series.
export * from './types.ts';
export {
  MONTH_DAYS,
  ADVERSE_EVENT_CATEGORIES,
  INDICATION_LABELS,
  RELATEDNESS_JUDGEMENTS,
  RELATED_JUDGEMENTS,
} from './constants.ts';
export { describe } from './describe.ts';
export { wilsonInterval } from './wilson-interval.ts';
export { clopperPearsonInterval } from './clopper-pearson-interval.ts';
export { proportion } from './proportion.ts';
export { surveyResponseFigures } from './survey-response-figures.ts';
export { linearRegression, type LinearFit } from './linear-regression.ts';
export { averageRanks } from './average-ranks.ts';
export { spearman, type SpearmanCorrelation } from './spearman.ts';
export { kaplanMeier, type SurvivalObservation } from './kaplan-meier.ts';
export { UNSTABLE_MEDIAN_AT_RISK, kaplanMeierMedian } from './kaplan-meier-median.ts';
export { PRIMARY_OUTCOME, inWindowOutcomes } from './in-window-outcomes.ts';
export { latestEntry } from './latest-entry.ts';
export { earliestEntry } from './earliest-entry.ts';
export { finalSessionDay } from './final-session-day.ts';
export { followUpAssessments, type Assessment } from './follow-up-assessments.ts';
export { monthsSince } from './months-since.ts';
export { isProtocolAdherent } from './protocol-adherence.ts';
export { hasCompletedProtocol } from './completed-protocol.ts';
export { participantOutcome, type ParticipantOutcome } from './participant-outcome.ts';
export { participantFigures } from './participant-figures.ts';
export { sessionFigures } from './session-figures.ts';
export { followUpFigures } from './follow-up-figures.ts';
export { fadingFigures } from './fading-figures.ts';
export { safetyFigures } from './safety-figures.ts';
export { satisfactionFigures } from './satisfaction-figures.ts';
export { cohortFigures } from './cohort-figures.ts';
export { subgroupOf, type SubgroupKey } from './subgroup-of.ts';
export { analyzeCohort, analyzeCohortWithCharts, analyzeCohortWithChartsInSteps, type AnalyzeCohortInput } from './summarize.ts';
export { chartSeries, chartSeriesOfOutcomes } from './chart-series.ts';
export {
  adverseEventRates,
  type AdverseEventDimension,
  type AdverseEventFact,
  type AdverseEventRate,
  type AdverseEventRateInput,
  type AdverseEventRates,
} from './adverse-event-rates.ts';
