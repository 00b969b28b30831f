// Whether a participant's sessions followed the protocol's schedule, for the adherence rate.
import type { ParticipantFacts, ProtocolFacts } from './types.ts';

/**
 * True when a participant's sessions kept to the protocol: exactly `initialSessions` initial
 * sessions; every gap between consecutive initial sessions (in session order) within
 * `sessionIntervalDays ± intervalToleranceDays`; and, when a touch-up is planned
 * (`touchUpAfterDays` not null), a first touch-up dated `touchUpAfterDays ± touchUpToleranceDays`
 * after the last initial session. All bounds are inclusive. Without a touch-up when one is
 * planned the participant is not adherent; when none is planned, touch-ups neither count nor
 * disqualify.
 *
 * Cost: O(s) time for s sessions, O(1) space.
 *
 * @param sessions the participant's sessions, in session-number order
 * @param protocol the protocol's schedule
 * @returns whether the schedule was kept
 * @example
 * isProtocolAdherent(
 *   [{ day: 0, kind: 'initial', durationMinutes: 90 }, { day: 10, kind: 'initial', durationMinutes: 90 }],
 *   { initialSessions: 2, sessionIntervalDays: 7, intervalToleranceDays: 3, touchUpAfterDays: null,
 *     touchUpToleranceDays: 7, followUpMonths: { from: 6, to: 18 } },
 * ); // => true
 */
export function isProtocolAdherent(sessions: ParticipantFacts['sessions'], protocol: ProtocolFacts): boolean {
  let initialCount = 0;
  let lastInitialDay: number | null = null;
  let firstTouchUpDay: number | null = null;
  for (const session of sessions) {
    if (session.kind === 'initial') {
      if (lastInitialDay !== null) {
        const gap = session.day - lastInitialDay;
        if (Math.abs(gap - protocol.sessionIntervalDays) > protocol.intervalToleranceDays) return false;
      }
      initialCount++;
      lastInitialDay = session.day;
    } else if (firstTouchUpDay === null) {
      firstTouchUpDay = session.day;
    }
  }
  if (initialCount !== protocol.initialSessions) return false;
  if (protocol.touchUpAfterDays === null) return true;
  if (firstTouchUpDay === null || lastInitialDay === null) return false;
  const touchUpGap = firstTouchUpDay - lastInitialDay;
  return Math.abs(touchUpGap - protocol.touchUpAfterDays) <= protocol.touchUpToleranceDays;
}
