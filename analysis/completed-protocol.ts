// Whether a participant received the planned treatment, for the participant-flow chart.
import type { ParticipantFacts, ProtocolFacts } from './types.ts';

/**
 * True when a participant received at least the planned number of initial sessions and, when the
 * protocol plans a touch-up (`touchUpAfterDays` not null), at least one touch-up. Timing is not
 * judged here; `isProtocolAdherent` judges it.
 *
 * Cost: O(s) time for s sessions, O(1) space.
 *
 * @param sessions the participant's sessions
 * @param protocol the protocol's plan
 * @returns whether the planned sessions were all received
 * @example
 * hasCompletedProtocol(
 *   [{ day: 0, kind: 'initial', durationMinutes: 90 }, { day: 10, kind: 'initial', durationMinutes: 90 }],
 *   { initialSessions: 2, sessionIntervalDays: 7, intervalToleranceDays: 3, touchUpAfterDays: 90,
 *     touchUpToleranceDays: 7, followUpMonths: { from: 6, to: 18 } },
 * ); // => false (no touch-up)
 */
export function hasCompletedProtocol(sessions: ParticipantFacts['sessions'], protocol: ProtocolFacts): boolean {
  let initialCount = 0;
  let touchUps = 0;
  for (const session of sessions) {
    if (session.kind === 'initial') initialCount++;
    else touchUps++;
  }
  return initialCount >= protocol.initialSessions && (protocol.touchUpAfterDays === null || touchUps >= 1);
}
