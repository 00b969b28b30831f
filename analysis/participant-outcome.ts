// Everything the summary counts about one participant, derived once so that the cohort and every
// subgroup aggregate the same facts without re-reading sessions and assessments.
import { hasCompletedProtocol } from './completed-protocol.ts';
import { earliestEntry } from './earliest-entry.ts';
import { finalSessionDay } from './final-session-day.ts';
import { followUpAssessments, type Assessment } from './follow-up-assessments.ts';
import type { SurvivalObservation } from './kaplan-meier.ts';
import { latestEntry } from './latest-entry.ts';
import { monthsSince } from './months-since.ts';
import { isProtocolAdherent } from './protocol-adherence.ts';
import { participantSchedule } from './schedule.ts';
import type { DayNumber, ParticipantFacts, ProtocolFacts } from './types.ts';

/** One participant's facts with the derived figures the summary and the charts count. */
export interface ParticipantOutcome {
  participant: ParticipantFacts;
  /** Kept the protocol's schedule (see `isProtocolAdherent`). */
  adherent: boolean;
  /** Received the planned sessions (see `hasCompletedProtocol`). */
  completedProtocol: boolean;
  /** Day of the latest session of any kind; null without sessions. */
  finalSessionDay: DayNumber | null;
  /** Assessments on or after the final session, in input order (months: `monthsSince(finalSessionDay, day)`). */
  followUp: readonly Assessment[];
  /** The latest follow-up assessment (latest day; on a tied day the first in array order). */
  latestFollowUp: Assessment | null;
  /** Months from the final session to the latest follow-up assessment. */
  latestFollowUpMonths: number | null;
  /** The earliest follow-up assessment with a density score (earliest day; ties: first in array). */
  firstDensity: Assessment | null;
  /** The latest follow-up assessment with a density score (latest day; ties: first of that day). */
  latestDensity: Assessment | null;
  /** First and latest density scores when they were taken on different days, else null. */
  densityPair: { first: number; latest: number } | null;
  /** Months to the first follow-up assessment needing a touch-up, or censored at the latest one; null without follow-up. */
  touchUpFree: SurvivalObservation | null;
  /** The last survey of the array, or null without surveys. */
  latestSurvey: ParticipantFacts['surveys'][number] | null;
  /**
   * Each scheduled visit (in target order) done, withdrawn or not done; null without sessions
   * (no schedule) and empty when the protocol schedules no visit.
   */
  visitOutcomes: ReadonlyArray<'done' | 'withdrawn' | 'notDone'> | null;
}

const hasDensity = (assessment: Assessment): boolean => assessment.densityScore !== null;
const needsTouchUp = (assessment: Assessment): boolean => assessment.needsTouchUp === true;

/**
 * Derives what the summary counts about one participant. Same-day rule: of several assessments on
 * the latest (or earliest) day, the first in array order is taken, which is the clinician's when
 * there is one because assessments arrive ordered clinician, panel, participant within a day.
 * The density pair (and so the density change) needs the first and latest non-null density scores
 * to fall on different days: two scores on one day are one occasion, not a change over time.
 * Touch-up-free time is the months of the first follow-up assessment with `needsTouchUp === true`
 * (an event), otherwise the months of the latest follow-up assessment (censored).
 *
 * Cost: O(s + a) time for s sessions and a assessments; O(1) extra space unless some
 * assessments precede the final session.
 *
 * @param participant the participant's facts, arrays in date order
 * @param protocol the protocol's plan
 * @returns the participant's derived outcome
 * @example
 * participantOutcome(participant, protocol).latestFollowUp?.grade; // => the grade of the latest follow-up assessment
 */
export function participantOutcome(participant: ParticipantFacts, protocol: ProtocolFacts): ParticipantOutcome {
  const finalDay = finalSessionDay(participant.sessions);
  const followUp = followUpAssessments(participant.assessments, finalDay);
  const latestFollowUp = latestEntry(followUp);
  const firstDensity = earliestEntry(followUp, hasDensity);
  const latestDensity = latestEntry(followUp, hasDensity);
  const densityPair =
    firstDensity !== null && latestDensity !== null && latestDensity.day !== firstDensity.day
      ? { first: firstDensity.densityScore!, latest: latestDensity.densityScore! }
      : null;
  let latestFollowUpMonths: number | null = null;
  let touchUpFree: SurvivalObservation | null = null;
  if (latestFollowUp !== null && finalDay !== null) {
    latestFollowUpMonths = monthsSince(finalDay, latestFollowUp.day);
    const firstNeed = earliestEntry(followUp, needsTouchUp);
    touchUpFree =
      firstNeed !== null
        ? { time: monthsSince(finalDay, firstNeed.day), event: true }
        : { time: latestFollowUpMonths, event: false };
  }
  const surveys = participant.surveys;
  let visitOutcomes: ParticipantOutcome['visitOutcomes'] = null;
  if (finalDay !== null) {
    visitOutcomes = [];
    if (protocol.visits && protocol.visits.length > 0) {
      // "Done" and "withdrawn" do not depend on the day the schedule is judged on.
      const schedule = participantSchedule(
        protocol,
        {
          sessions: participant.sessions,
          assessmentDays: participant.assessments.map((a) => a.day),
          surveyDays: surveys.map((s) => s.day),
          withdrawnDay: participant.withdrawnDay ?? null,
        },
        finalDay,
      );
      visitOutcomes = schedule.steps
        .filter((step) => step.kind === 'visit')
        .map((step) => (step.status === 'done' || step.status === 'withdrawn' ? step.status : 'notDone'));
    }
  }
  return {
    participant,
    adherent: isProtocolAdherent(participant.sessions, protocol),
    completedProtocol: hasCompletedProtocol(participant.sessions, protocol),
    finalSessionDay: finalDay,
    followUp,
    latestFollowUp,
    latestFollowUpMonths,
    firstDensity,
    latestDensity,
    densityPair,
    touchUpFree,
    latestSurvey: surveys.length > 0 ? surveys[surveys.length - 1]! : null,
    visitOutcomes,
  };
}
