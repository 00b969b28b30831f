// Whether a participant's sessions followed the protocol's schedule, for the adherence rate. The
// windows are the schedule's own (analysis/schedule.ts), so the figure, the worklist and the
// participant timeline judge a session by the same window.
import { treatmentSteps } from './schedule.ts';
import type { ParticipantFacts, ProtocolFacts } from './types.ts';

/**
 * True when a participant's sessions kept to the protocol: exactly `initialSessions` initial
 * sessions; initial session K (K ≥ 2) within its window, session 1's day + (K − 1) ×
 * `sessionIntervalDays` ± `intervalToleranceDays`; and, when a touch-up is planned
 * (`touchUpAfterDays` not null), the first touch-up within its window, the last initial session's
 * day + `touchUpAfterDays` ± `touchUpToleranceDays`. All bounds are inclusive. Without a touch-up
 * when one is planned the participant is not adherent; when none is planned, touch-ups neither
 * count nor disqualify.
 *
 * Cost: O(s) time for s sessions.
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
  for (const session of sessions) if (session.kind === 'initial') initialCount++;
  if (initialCount !== protocol.initialSessions) return false;
  for (const step of treatmentSteps(protocol, sessions)) {
    const held = step.session;
    if (held === null || held.day < step.windowStart || held.day > step.windowEnd) return false;
  }
  return true;
}
