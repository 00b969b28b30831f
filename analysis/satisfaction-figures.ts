// The summary's satisfaction figures, from each participant's latest survey.
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { CohortFigures, SatisfactionKey } from './types.ts';

/**
 * Satisfaction figures from each participant's latest survey (the last of the array):
 * respondents (participants with a survey) and the response rate over enrolled; the
 * distribution of latest satisfaction with every score 1–5 present; the proportion very
 * satisfied (5) among respondents; and the proportion who would recommend the treatment among
 * respondents whose latest survey answered that question.
 *
 * Cost: O(p) time for p participants.
 *
 * @param outcomes the participants' derived outcomes
 * @returns the `satisfaction` block of the summary
 * @throws {Error} if a satisfaction score is not an integer from 1 to 5
 * @example
 * satisfactionFigures(outcomes).distribution; // => { '1': 0, '2': 0, '3': 1, '4': 1, '5': 2 }
 */
export function satisfactionFigures(outcomes: readonly ParticipantOutcome[]): Omit<CohortFigures['satisfaction'], 'verySatisfiedInWindow'> {
  const distribution: Record<SatisfactionKey, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let respondents = 0;
  let verySatisfied = 0;
  let answeredRecommend = 0;
  let wouldRecommend = 0;
  for (const { latestSurvey } of outcomes) {
    if (latestSurvey === null) continue;
    respondents++;
    distribution[satisfactionKey(latestSurvey.satisfaction)]++;
    if (latestSurvey.satisfaction === 5) verySatisfied++;
    if (latestSurvey.wouldRecommend !== null) {
      answeredRecommend++;
      if (latestSurvey.wouldRecommend) wouldRecommend++;
    }
  }
  return {
    respondents,
    responseRate: proportion(respondents, outcomes.length),
    distribution,
    verySatisfied: proportion(verySatisfied, respondents),
    wouldRecommend: proportion(wouldRecommend, answeredRecommend),
  };
}

function satisfactionKey(score: number): SatisfactionKey {
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    throw new Error(`satisfaction must be an integer from 1 to 5, got ${score}`);
  }
  return String(score) as SatisfactionKey;
}
