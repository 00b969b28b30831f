// The series the dashboard charts draw beyond the summary's figures, aggregated to bounded size.
import { ADVERSE_EVENT_CATEGORIES } from './constants.ts';
import { monthsSince } from './months-since.ts';
import { participantOutcome, type ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { AdverseEventCategory, ChartSeries, ParticipantFacts, ProtocolFacts } from './types.ts';

/**
 * Builds the chart series:
 * - `fadingPoints`: follow-up assessments counted by (months rounded to 0.1 as
 *   `Math.round(months * 10) / 10`, grade), sorted by months, then grade;
 * - `densityPairs`: participants counted by (first, latest) non-null follow-up density score,
 *   when those fall on different days, sorted by first, then latest;
 * - `sessionsPerParticipant`: participants by number of sessions, every count from 0 to the
 *   maximum (empty without participants);
 * - `adverseEventCategories`: every category in the protocol list's order, with its events and
 *   the proportion of enrolled participants with one, zeros included;
 * - `flow`: enrolled, completed the protocol (planned initial sessions and, when planned, a
 *   touch-up), followed up (a follow-up assessment), surveyed (a survey), withdrawn.
 *
 * Cost: O(p + s + a + e) time for p participants, s sessions, a assessments and e events, plus
 * sorting the distinct points and pairs.
 *
 * @param protocol the study's protocol
 * @param participants every participant's facts
 * @returns the chart series
 * @example
 * chartSeries(protocol, participants).sessionsPerParticipant; // => [{ sessions: 0, participants: 1 }, ..., { sessions: 4, participants: 3 }]
 */
export function chartSeries(protocol: ProtocolFacts, participants: readonly ParticipantFacts[]): ChartSeries {
  return chartSeriesOfOutcomes(participants.map((participant) => participantOutcome(participant, protocol)));
}

/** `chartSeries` from outcomes already derived (see `participantOutcome`), so a caller that also builds the summary derives them once. */
export function chartSeriesOfOutcomes(outcomes: readonly ParticipantOutcome[]): ChartSeries {
  // Keyed by number, months then grade and first then latest, so no key strings are built per assessment.
  const fadingCounts = new Map<number, Map<number, number>>();
  const pairCounts = new Map<number, Map<number, number>>();
  const sessionCounts: number[] = [];
  const categoryEvents = new Map<AdverseEventCategory, { events: number; participants: number }>(
    ADVERSE_EVENT_CATEGORIES.map((category) => [category, { events: 0, participants: 0 }]),
  );
  const censored = new Map<number, number>();
  const survivalTimes: number[] = [];
  const flow = { enrolled: outcomes.length, completedProtocol: 0, followedUp: 0, surveyed: 0, withdrawn: 0 };

  for (const outcome of outcomes) {
    const { participant } = outcome;
    const finalDay = outcome.finalSessionDay;
    if (finalDay !== null) {
      for (const assessment of outcome.followUp) {
        increment(fadingCounts, Math.round(monthsSince(finalDay, assessment.day) * 10) / 10, assessment.grade);
      }
    }
    if (outcome.densityPair !== null) increment(pairCounts, outcome.densityPair.first, outcome.densityPair.latest);
    const sessions = participant.sessions.length;
    while (sessionCounts.length <= sessions) sessionCounts.push(0);
    sessionCounts[sessions]!++;
    let categoriesSeen: Set<AdverseEventCategory> | null = null;
    for (const event of participant.adverseEvents) {
      const tally = categoryEvents.get(event.category);
      if (tally === undefined) throw new Error(`unknown adverse-event category ${String(event.category)}`);
      tally.events++;
      categoriesSeen ??= new Set<AdverseEventCategory>();
      if (!categoriesSeen.has(event.category)) {
        categoriesSeen.add(event.category);
        tally.participants++;
      }
    }
    if (outcome.touchUpFree !== null) {
      survivalTimes.push(outcome.touchUpFree.time);
      if (!outcome.touchUpFree.event) {
        const months = Math.round(outcome.touchUpFree.time * 10) / 10;
        censored.set(months, (censored.get(months) ?? 0) + 1);
      }
    }
    if (outcome.completedProtocol) flow.completedProtocol++;
    if (outcome.latestFollowUp !== null) flow.followedUp++;
    if (participant.surveys.length > 0) flow.surveyed++;
    if (participant.withdrawn) flow.withdrawn++;
  }

  return {
    fadingPoints: flatten(fadingCounts).map(([months, grade, count]) => ({ months, grade, count })),
    densityPairs: flatten(pairCounts).map(([first, latest, count]) => ({ first, latest, count })),
    sessionsPerParticipant: sessionCounts.map((count, sessions) => ({ sessions, participants: count })),
    adverseEventCategories: ADVERSE_EVENT_CATEGORIES.map((category) => {
      const tally = categoryEvents.get(category)!;
      return { category, events: tally.events, participants: proportion(tally.participants, outcomes.length) };
    }),
    flow,
    touchUpFreeCensored: [...censored.keys()].sort((a, b) => a - b).map((months) => ({ months, count: censored.get(months)! })),
    touchUpFreeAtRisk: atRiskByYear(survivalTimes),
  };
}

/** Subjects with time ≥ t at t = 0, 12, 24, … months, up to the longest time. */
function atRiskByYear(times: number[]): Array<{ months: number; atRisk: number }> {
  if (times.length === 0) return [];
  const longest = Math.max(...times);
  const rows: Array<{ months: number; atRisk: number }> = [];
  for (let months = 0; months <= longest; months += 12) rows.push({ months, atRisk: times.filter((time) => time >= months).length });
  return rows;
}

function increment(counts: Map<number, Map<number, number>>, outer: number, inner: number): void {
  let row = counts.get(outer);
  if (row === undefined) {
    row = new Map<number, number>();
    counts.set(outer, row);
  }
  row.set(inner, (row.get(inner) ?? 0) + 1);
}

/** The counts as [outer, inner, count] triples, sorted by outer key, then inner key. */
function flatten(counts: Map<number, Map<number, number>>): Array<[number, number, number]> {
  const triples: Array<[number, number, number]> = [];
  for (const outer of [...counts.keys()].sort((a, b) => a - b)) {
    const row = counts.get(outer)!;
    for (const inner of [...row.keys()].sort((a, b) => a - b)) triples.push([outer, inner, row.get(inner)!]);
  }
  return triples;
}
