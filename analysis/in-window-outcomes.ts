// The fading and satisfaction outcomes restricted to the protocol's follow-up window, and the
// name of the protocol's primary outcome among the summary's figures.
import { monthsSince } from './months-since.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { Proportion, ProtocolFacts } from './types.ts';

/**
 * The protocol's primary outcome: minimal or no fading (grade ≤ 1) at the latest assessment
 * within the follow-up window (the published study reports fading over 7–32 months after SMP).
 */
export const PRIMARY_OUTCOME = {
  figure: 'fading.minimalOrNoneInWindow',
  label: 'Minimal or no fading (grade 0–1) at the latest assessment within the follow-up window',
} as const;

/**
 * Outcomes within the protocol's follow-up window [from, to] months after the final session,
 * bounds included:
 * - `minimalOrNone`: latest fading grade ≤ 1 among the participants with a follow-up assessment
 *   in the window, taking their latest assessment in it (on a tied day the first in array order,
 *   i.e. the clinician's);
 * - `verySatisfied`: satisfaction 5 on the latest survey in the window, among the participants
 *   with a survey in it.
 *
 * Cost: O(p + a + s) time for p participants, a assessments and s surveys.
 *
 * @param protocol the protocol, for its follow-up window
 * @param outcomes the participants' derived outcomes
 * @returns `{ minimalOrNone, verySatisfied }`
 * @example
 * inWindowOutcomes({ ...protocol, followUpMonths: { from: 7, to: 32 } }, outcomes).minimalOrNone.N;
 * // => the participants with a follow-up assessment 7 to 32 months after their final session
 */
export function inWindowOutcomes(
  protocol: ProtocolFacts,
  outcomes: readonly ParticipantOutcome[],
): { minimalOrNone: Proportion; verySatisfied: Proportion } {
  const { from, to } = protocol.followUpMonths;
  const inWindow = (finalDay: number, day: number) => {
    const months = monthsSince(finalDay, day);
    return months >= from && months <= to;
  };
  let assessed = 0;
  let minimalOrNone = 0;
  let surveyed = 0;
  let verySatisfied = 0;
  for (const outcome of outcomes) {
    const finalDay = outcome.finalSessionDay;
    if (finalDay === null) continue;
    let latestGrade: { day: number; grade: number } | null = null;
    for (const assessment of outcome.followUp) {
      if (!inWindow(finalDay, assessment.day)) continue;
      if (latestGrade === null || assessment.day > latestGrade.day) latestGrade = assessment;
    }
    if (latestGrade !== null) {
      assessed++;
      if (latestGrade.grade <= 1) minimalOrNone++;
    }
    let latestSurvey: { day: number; satisfaction: number } | null = null;
    for (const survey of outcome.participant.surveys) {
      if (survey.day < finalDay || !inWindow(finalDay, survey.day)) continue;
      if (latestSurvey === null || survey.day >= latestSurvey.day) latestSurvey = survey;
    }
    if (latestSurvey !== null) {
      surveyed++;
      if (latestSurvey.satisfaction === 5) verySatisfied++;
    }
  }
  return { minimalOrNone: proportion(minimalOrNone, assessed), verySatisfied: proportion(verySatisfied, surveyed) };
}
