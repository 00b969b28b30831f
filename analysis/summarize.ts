// The `smp-analysis/1` summary: every figure for the cohort, and again per subgroup when asked.
import { chartSeriesOfOutcomes } from './chart-series.ts';
import { cohortFigures } from './cohort-figures.ts';
import { PRIMARY_OUTCOME } from './in-window-outcomes.ts';
import { participantOutcome, type ParticipantOutcome } from './participant-outcome.ts';
import { subgroupOf } from './subgroup-of.ts';
import { surveyResponseFigures } from './survey-response-figures.ts';
import type { AnalysisSummary, ChartSeries, ParticipantFacts, ProtocolFacts, Subgroup, SubgroupDimension } from './types.ts';

/** The order of the practitioner-experience groups; other dimensions sort by key. */
const EXPERIENCE_ORDER: readonly string[] = ['under_1_year', '1_year_or_more', 'no_sessions'];

export interface AnalyzeCohortInput {
  study: { code: string; title: string };
  protocol: ProtocolFacts;
  participants: ParticipantFacts[];
  by?: SubgroupDimension;
}

/**
 * Analyses a study's cohort into the `smp-analysis/1` summary (see `cohortFigures` for every
 * figure's definition). With `by`, every figure is computed again on each subgroup's
 * participants; groups are sorted by key (code-unit order), except practitioner experience,
 * which runs under 1 year, 1 year or more, no sessions. Empty groups do not appear.
 *
 * Cost: O(p + s + a + e) for p participants, s sessions, a assessments and e events, plus the
 * O(n log n) sorts of the statistics; each participant's facts are derived once and shared by
 * the cohort and its subgroup.
 *
 * @param input the study, its protocol, its participants and an optional subgroup dimension
 * @returns the summary
 * @example
 * analyzeCohort({ study: { code: 'SMP-1', title: 'Pilot' }, protocol, participants, by: 'site' }).subgroups?.groups.map((g) => g.key);
 * // => ['S1', 'S2']
 */
export function analyzeCohort(input: AnalyzeCohortInput): AnalysisSummary {
  const outcomes = input.participants.map((participant) => participantOutcome(participant, input.protocol));
  return toEnd(summaryOfOutcomes(input, outcomes));
}

/**
 * The summary and the chart series together, deriving each participant's outcome once for both
 * (see `analyzeCohort` and `chartSeries`).
 *
 * @param input the study, its protocol, its participants and an optional subgroup dimension
 * @returns the summary and the series its charts draw
 */
export function analyzeCohortWithCharts(input: AnalyzeCohortInput): { summary: AnalysisSummary; series: ChartSeries } {
  return toEnd(analyzeCohortWithChartsInSteps(input));
}

/**
 * `analyzeCohortWithCharts` in steps: the generator pauses (yields nothing) after each part of
 * the work (the participants' outcomes, the cohort's figures, each subgroup's, the series) and
 * returns the same result at its end. A server runs it with pauses between the steps, so that
 * other requests are answered while a large study is analysed.
 *
 * @param input the study, its protocol, its participants and an optional subgroup dimension
 * @returns a generator whose return value is the summary and the series its charts draw
 */
export function* analyzeCohortWithChartsInSteps(input: AnalyzeCohortInput): Generator<void, { summary: AnalysisSummary; series: ChartSeries }> {
  const outcomes = input.participants.map((participant) => participantOutcome(participant, input.protocol));
  yield;
  const summary = yield* summaryOfOutcomes(input, outcomes);
  yield;
  return { summary, series: chartSeriesOfOutcomes(outcomes) };
}

/** The value a generator returns, run to its end at once. */
function toEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function* summaryOfOutcomes(input: AnalyzeCohortInput, outcomes: readonly ParticipantOutcome[]): Generator<void, AnalysisSummary> {
  const { protocol, by } = input;
  const summary: AnalysisSummary = {
    format: 'smp-analysis/1',
    study: { code: input.study.code, title: input.study.title },
    primaryOutcome: { ...PRIMARY_OUTCOME },
    ...cohortFigures(protocol, outcomes),
  };
  if (by !== undefined) {
    const groups: Subgroup[] = [];
    for (const group of subgroupsOf(outcomes, by)) {
      yield;
      groups.push({ key: group.key, label: group.label, figures: cohortFigures(protocol, group.outcomes) });
    }
    summary.subgroups = { by, groups };
  }
  const surveyResponse = surveyResponseFigures(protocol, input.participants);
  if (surveyResponse !== undefined) summary.surveyResponse = surveyResponse;
  return summary;
}

/** The outcomes of each subgroup of `by`, in the groups' order. */
function subgroupsOf(outcomes: readonly ParticipantOutcome[], by: SubgroupDimension): Array<{ key: string; label: string; outcomes: ParticipantOutcome[] }> {
  const members = new Map<string, { label: string; outcomes: ParticipantOutcome[] }>();
  for (const outcome of outcomes) {
    const { key, label } = subgroupOf(outcome.participant, by);
    let group = members.get(key);
    if (group === undefined) {
      group = { label, outcomes: [] };
      members.set(key, group);
    }
    group.outcomes.push(outcome);
  }
  const keys = [...members.keys()];
  if (by === 'practitioner-experience') keys.sort((a, b) => EXPERIENCE_ORDER.indexOf(a) - EXPERIENCE_ORDER.indexOf(b));
  else keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((key) => ({ key, ...members.get(key)! }));
}
