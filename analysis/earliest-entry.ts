// Picks a participant's earliest dated record under the same-day tie rule used throughout the summary.
/**
 * The entry with the earliest `day` among those `accept` lets through; among several on that day,
 * the first of them in array order (for assessments: clinician, then panel, then participant).
 *
 * Cost: O(n) time, O(1) space; one pass, so it does not rely on the array being sorted.
 *
 * @param entries dated records
 * @param accept optional filter; entries it rejects are skipped
 * @returns the chosen entry, or null when none is accepted
 * @example
 * earliestEntry([{ day: 2, who: 'a' }, { day: 1, who: 'b' }, { day: 1, who: 'c' }]); // => { day: 1, who: 'b' }
 */
export function earliestEntry<T extends { day: number }>(entries: readonly T[], accept?: (entry: T) => boolean): T | null {
  let earliest: T | null = null;
  for (const entry of entries) {
    if (accept !== undefined && !accept(entry)) continue;
    if (earliest === null || entry.day < earliest.day) earliest = entry;
  }
  return earliest;
}
