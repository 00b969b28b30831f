// Every figure of the summary for one set of participants: the whole cohort or one subgroup.
import { describe } from './describe.ts';
import { fadingFigures } from './fading-figures.ts';
import { followUpFigures } from './follow-up-figures.ts';
import { inWindowOutcomes } from './in-window-outcomes.ts';
import { participantFigures } from './participant-figures.ts';
import { retentionFigures } from './retention-figures.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { safetyFigures } from './safety-figures.ts';
import { satisfactionFigures } from './satisfaction-figures.ts';
import { sessionFigures } from './session-figures.ts';
import type { CohortFigures, ProtocolFacts } from './types.ts';

/**
 * Computes every figure of the summary over the given participants: participants, sessions,
 * follow-up, fading, safety, satisfaction and cost (described over the costs that are known), and
 * retention by visit when the protocol schedules visits.
 *
 * Cost: O(p + s + a + e) time for p participants, s sessions, a assessments and e events, plus
 * the O(n log n) sorts of the descriptive statistics, ranks and survival times.
 *
 * @param protocol the study's protocol
 * @param outcomes the participants' derived outcomes (see `participantOutcome`)
 * @returns the cohort's figures
 * @example
 * cohortFigures(protocol, participants.map((p) => participantOutcome(p, protocol))).participants.enrolled; // => participants.length
 */
export function cohortFigures(protocol: ProtocolFacts, outcomes: readonly ParticipantOutcome[]): CohortFigures {
  const costs: number[] = [];
  for (const { participant } of outcomes) {
    if (participant.costUsd !== null) costs.push(participant.costUsd);
  }
  const inWindow = inWindowOutcomes(protocol, outcomes);
  const figures: CohortFigures = {
    participants: participantFigures(outcomes),
    sessions: sessionFigures(outcomes),
    followUp: followUpFigures(protocol, outcomes),
    fading: { ...fadingFigures(outcomes), minimalOrNoneInWindow: inWindow.minimalOrNone },
    safety: safetyFigures(outcomes),
    satisfaction: { ...satisfactionFigures(outcomes), verySatisfiedInWindow: inWindow.verySatisfied },
    costUsd: describe(costs),
  };
  // A new key only for a protocol with visits: a summary without them is unchanged.
  if (protocol.visits && protocol.visits.length > 0) figures.retention = retentionFigures(protocol, outcomes);
  return figures;
}
