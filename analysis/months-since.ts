// Follow-up time in months, with the month the protocol and the bundle define.
import { MONTH_DAYS } from './constants.ts';
import type { DayNumber } from './types.ts';

/**
 * Months from `fromDay` to `day`, a month being 30.4375 days (365.25 / 12).
 *
 * Cost: O(1).
 *
 * @param fromDay the start, usually the final session's day
 * @param day the later day
 * @returns (day − fromDay) / 30.4375
 * @example
 * monthsSince(17000, 17487); // => 16
 */
export function monthsSince(fromDay: DayNumber, day: DayNumber): number {
  return (day - fromDay) / MONTH_DAYS;
}
