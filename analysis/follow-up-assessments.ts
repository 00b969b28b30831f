// Which fading assessments count as follow-up: those on or after the final session.
import type { DayNumber, ParticipantFacts } from './types.ts';

/** One fading assessment of a participant. */
export type Assessment = ParticipantFacts['assessments'][number];

/**
 * A participant's follow-up assessments: those dated on or after the final session
 * (day ≥ final session day; see `finalSessionDay`), in their input order. Assessments before the
 * final session rate unfinished work and are left out; without sessions there is no follow-up.
 * When every assessment qualifies the input array itself is returned, so the common case
 * allocates nothing; the result is read-only either way.
 *
 * Cost: O(a) time for a assessments; O(a) space only when some are left out.
 *
 * @param assessments the participant's assessments
 * @param finalDay the day of the participant's final session, or null without sessions
 * @returns the follow-up assessments
 * @example
 * followUpAssessments(
 *   [{ day: 95, assessor: 'clinician', grade: 0, densityScore: null, needsTouchUp: null },
 *    { day: 465, assessor: 'clinician', grade: 1, densityScore: 8, needsTouchUp: false }],
 *   100,
 * ); // => [{ day: 465, assessor: 'clinician', grade: 1, densityScore: 8, needsTouchUp: false }]
 */
export function followUpAssessments(assessments: readonly Assessment[], finalDay: DayNumber | null): readonly Assessment[] {
  if (finalDay === null) return [];
  if (assessments.every((assessment) => assessment.day >= finalDay)) return assessments;
  return assessments.filter((assessment) => assessment.day >= finalDay);
}
