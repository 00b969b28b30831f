// Picks a participant's latest dated record under the same-day tie rule used throughout the summary.
/**
 * The entry with the latest `day` among those `accept` lets through; among several on that day,
 * the first of them in array order. Assessments arrive with same-day ones ordered clinician,
 * panel, participant, so the latest assessment of a day is the clinician's when there is one.
 *
 * Cost: O(n) time, O(1) space; one pass, so it does not rely on the array being sorted.
 *
 * @param entries dated records
 * @param accept optional filter; entries it rejects are skipped
 * @returns the chosen entry, or null when none is accepted
 * @example
 * latestEntry([{ day: 1, who: 'a' }, { day: 3, who: 'b' }, { day: 3, who: 'c' }]); // => { day: 3, who: 'b' }
 */
export function latestEntry<T extends { day: number }>(entries: readonly T[], accept?: (entry: T) => boolean): T | null {
  let latest: T | null = null;
  for (const entry of entries) {
    if (accept !== undefined && !accept(entry)) continue;
    if (latest === null || entry.day > latest.day) latest = entry;
  }
  return latest;
}
