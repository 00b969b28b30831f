// The summary's follow-up figures: how long after the final session participants were last seen,
// and where that falls against the protocol's follow-up window.
import { describe } from './describe.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { CohortFigures, FollowUpCoverage, ProtocolFacts } from './types.ts';

/**
 * Follow-up figures:
 * - `months`: over participants with at least one follow-up assessment, the months from the
 *   final session to their latest follow-up assessment;
 * - `inWindow`: the proportion of those participants whose latest falls within the protocol's
 *   follow-up window [from, to] months, bounds included;
 * - `window`: that window, as the protocol gives it;
 * - `coverage`: every enrolled participant counted once, by where the latest follow-up
 *   assessment falls: none, before `from`, within the window, after `to`.
 *
 * Cost: O(p) time for p participants, plus the sort inside `describe`.
 *
 * @param protocol the protocol, for its follow-up window
 * @param outcomes the participants' derived outcomes
 * @returns `{ months, inWindow, window, coverage }`
 * @example
 * followUpFigures(protocol, outcomes).coverage;
 * // => { noFollowUp: 1, beforeWindow: 1, inWindow: 3, afterWindow: 0 } (inWindow: { n: 3, N: 4, ... })
 */
export function followUpFigures(
  protocol: ProtocolFacts,
  outcomes: readonly ParticipantOutcome[],
): CohortFigures['followUp'] {
  const { from, to } = protocol.followUpMonths;
  const months: number[] = [];
  const coverage: FollowUpCoverage = { noFollowUp: 0, beforeWindow: 0, inWindow: 0, afterWindow: 0 };
  for (const { latestFollowUpMonths } of outcomes) {
    if (latestFollowUpMonths === null) {
      coverage.noFollowUp++;
      continue;
    }
    months.push(latestFollowUpMonths);
    if (latestFollowUpMonths < from) coverage.beforeWindow++;
    else if (latestFollowUpMonths > to) coverage.afterWindow++;
    else coverage.inWindow++;
  }
  return {
    months: describe(months),
    inWindow: proportion(coverage.inWindow, months.length),
    window: { from, to },
    coverage,
  };
}
