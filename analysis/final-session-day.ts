// The day follow-up is measured from: a participant's final session of any kind.
import type { DayNumber, ParticipantFacts } from './types.ts';

/**
 * The day of a participant's final session, initial or touch-up: the latest session day.
 *
 * Cost: O(n) time, O(1) space.
 *
 * @param sessions the participant's sessions, in any order
 * @returns the latest session day, or null without sessions
 * @example
 * finalSessionDay([{ day: 100, kind: 'initial', durationMinutes: 90 }, { day: 190, kind: 'touch_up', durationMinutes: 60 }]);
 * // => 190
 */
export function finalSessionDay(sessions: ParticipantFacts['sessions']): DayNumber | null {
  let final: DayNumber | null = null;
  for (const session of sessions) {
    if (final === null || session.day > final) final = session.day;
  }
  return final;
}
