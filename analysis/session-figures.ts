// The summary's session figures: how many, how long, and how many participants kept the schedule.
import { describe } from './describe.ts';
import type { ParticipantOutcome } from './participant-outcome.ts';
import { proportion } from './proportion.ts';
import type { CohortFigures } from './types.ts';

/**
 * Session figures: the total number of sessions; sessions per participant described over every
 * enrolled participant (those without sessions count as 0); the duration of every session in
 * minutes; and protocol adherence as a proportion of enrolled participants.
 *
 * Cost: O(p + s) time for p participants and s sessions, plus the sorts inside `describe`.
 *
 * @param outcomes the participants' derived outcomes
 * @returns `{ total, perParticipant, durationMinutes, protocolAdherence }`
 * @example
 * sessionFigures(outcomes).protocolAdherence; // => { n: 2, N: 4, proportion: 0.5, ... }
 */
export function sessionFigures(outcomes: readonly ParticipantOutcome[]): CohortFigures['sessions'] {
  const perParticipant = new Array<number>(outcomes.length);
  const durations: number[] = [];
  let total = 0;
  let adherent = 0;
  for (let index = 0; index < outcomes.length; index++) {
    const outcome = outcomes[index]!;
    const sessions = outcome.participant.sessions;
    perParticipant[index] = sessions.length;
    total += sessions.length;
    for (const session of sessions) durations.push(session.durationMinutes);
    if (outcome.adherent) adherent++;
  }
  return {
    total,
    perParticipant: describe(perParticipant),
    durationMinutes: describe(durations),
    protocolAdherence: proportion(adherent, outcomes.length),
  };
}
