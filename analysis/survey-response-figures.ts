// Survey response by scheduled visit: of the participants invited by email to a visit's survey,
// how many answered it (a survey in the visit's window), with its exact interval; and who entered
// the cohort's surveys, staff or the participant through a link.
import { finalSessionDay } from './final-session-day.ts';
import { proportion } from './proportion.ts';
import { visitsInOrder, visitWindowDays } from './schedule.ts';
import type { ParticipantFacts, ProtocolFacts, SurveyResponseFigures } from './types.ts';

/**
 * For each visit that expects a survey (in target order): the participants invited to it (their
 * invitation was sent), and the proportion of them with a survey in the visit's window (days
 * after the final session, inclusive), with 95% Wilson and Clopper–Pearson exact intervals. And
 * every survey of the cohort counted by who entered it: the participant through a link, or staff.
 * Undefined when no participant was invited and no survey came through a link (the study does
 * not use them), so that the summary of such a study is unchanged.
 *
 * Cost: O(p × v + s) for p participants, v visits and s surveys.
 *
 * @param protocol the study's protocol, with its visits
 * @param participants the participants, with `invitedVisits` and `surveysByLink` where known
 * @returns the figures, or undefined
 * @example
 * // three invited to FU12, two of them answered in its window; 5 surveys, 2 through links
 * surveyResponseFigures(protocol, participants);
 * // => { byVisit: [{ visit: 'FU12', label: '12-month review', invited: 3, answered: { n: 2, N: 3, proportion: 0.667, wilson: […], exact: [0.0943, 0.9916] } }],
 * //      enteredBy: { staff: 3, participant: 2 } }
 */
export function surveyResponseFigures(protocol: ProtocolFacts, participants: readonly ParticipantFacts[]): SurveyResponseFigures | undefined {
  const used = participants.some((p) => (p.invitedVisits?.length ?? 0) > 0 || (p.surveysByLink ?? 0) > 0);
  if (!used) return undefined;
  const visits = visitsInOrder(protocol).filter((v) => v.expects.includes('survey'));
  const byVisit = visits.map((visit) => {
    const window = visitWindowDays(visit);
    let invited = 0;
    let answered = 0;
    for (const p of participants) {
      if (!p.invitedVisits?.includes(visit.code)) continue;
      invited++;
      const anchor = finalSessionDay(p.sessions);
      if (anchor !== null && p.surveys.some((s) => s.day >= anchor + window.start && s.day <= anchor + window.end)) answered++;
    }
    return { visit: visit.code, label: visit.label, invited, answered: proportion(answered, invited) };
  });
  let surveys = 0;
  let byLink = 0;
  for (const p of participants) {
    surveys += p.surveys.length;
    byLink += Math.min(p.surveysByLink ?? 0, p.surveys.length);
  }
  return { byVisit, enteredBy: { staff: surveys - byLink, participant: byLink } };
}
