// The summary's participant counts: enrolled, withdrawn and by indication.
import { INDICATION_LABELS } from './constants.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import type { CohortFigures, Indication } from './types.ts';

/**
 * Counts participants: all enrolled (every participant given), those withdrawn, and those of
 * each indication. Only indications that occur appear, in the bundle's order of indications.
 *
 * Cost: O(p) time for p participants.
 *
 * @param outcomes the participants' derived outcomes
 * @returns `{ enrolled, withdrawn, byIndication }`
 * @example
 * participantFigures(outcomes); // => { enrolled: 4, withdrawn: 1, byIndication: { androgenetic_alopecia: 3, scar: 1 } }
 */
export function participantFigures(outcomes: readonly ParticipantOutcome[]): CohortFigures['participants'] {
  let withdrawn = 0;
  const counts = new Map<Indication, number>();
  for (const { participant } of outcomes) {
    if (participant.withdrawn) withdrawn++;
    counts.set(participant.indication, (counts.get(participant.indication) ?? 0) + 1);
  }
  const byIndication: Partial<Record<Indication, number>> = {};
  for (const indication of Object.keys(INDICATION_LABELS) as Indication[]) {
    const count = counts.get(indication);
    if (count !== undefined) byIndication[indication] = count;
  }
  return { enrolled: outcomes.length, withdrawn, byIndication };
}
