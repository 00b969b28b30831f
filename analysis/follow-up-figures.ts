// The summary's follow-up figures: how long after the final session participants were last seen.
import { describe } from './describe.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { CohortFigures, ProtocolFacts } from './types.ts';

/**
 * Follow-up figures over participants with at least one follow-up assessment: the months from
 * the final session to their latest follow-up assessment, and the proportion of them whose
 * latest falls within the protocol's follow-up window [from, to] months, bounds included.
 *
 * Cost: O(p) time for p participants, plus the sort inside `describe`.
 *
 * @param protocol the protocol, for its follow-up window
 * @param outcomes the participants' derived outcomes
 * @returns `{ months, inWindow }`
 * @example
 * followUpFigures(protocol, outcomes).inWindow; // => { n: 3, N: 4, proportion: 0.75, ... }
 */
export function followUpFigures(
  protocol: ProtocolFacts,
  outcomes: readonly ParticipantOutcome[],
): CohortFigures['followUp'] {
  const { from, to } = protocol.followUpMonths;
  const months: number[] = [];
  let inWindow = 0;
  for (const { latestFollowUpMonths } of outcomes) {
    if (latestFollowUpMonths === null) continue;
    months.push(latestFollowUpMonths);
    if (latestFollowUpMonths >= from && latestFollowUpMonths <= to) inWindow++;
  }
  return { months: describe(months), inWindow: proportion(inWindow, months.length) };
}
