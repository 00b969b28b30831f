// Which subgroup a participant falls in, for the `--by` breakdowns of the summary.
import { INDICATION_LABELS } from './constants.ts';
import type { ParticipantFacts, SubgroupDimension } from './types.ts';

/** A subgroup's key and its readable label. */
export interface SubgroupKey {
  key: string;
  label: string;
}

/**
 * The subgroup a participant belongs to along one dimension:
 * - `site`: key and label are the site code;
 * - `indication`: key is the indication, label its readable name ("Androgenetic alopecia");
 * - `practitioner-experience`: by the years of experience of the practitioner of the first
 *   session: under 1 year (`under_1_year`), 1 year or more (`1_year_or_more`), or no sessions
 *   (`no_sessions`, when the years are null).
 *
 * Cost: O(1).
 *
 * @param participant the participant
 * @param by the dimension
 * @returns `{ key, label }`
 * @example
 * subgroupOf({ ...participant, practitionerYears: 0.5 }, 'practitioner-experience');
 * // => { key: 'under_1_year', label: 'Practitioner under 1 year' }
 */
export function subgroupOf(participant: ParticipantFacts, by: SubgroupDimension): SubgroupKey {
  switch (by) {
    case 'site':
      return { key: participant.site, label: participant.site };
    case 'indication':
      return { key: participant.indication, label: INDICATION_LABELS[participant.indication] };
    case 'practitioner-experience': {
      const years = participant.practitionerYears;
      if (years === null) return { key: 'no_sessions', label: 'No sessions' };
      return years < 1
        ? { key: 'under_1_year', label: 'Practitioner under 1 year' }
        : { key: '1_year_or_more', label: 'Practitioner 1 year or more' };
    }
    default: {
      const unknown: never = by;
      throw new Error(`unknown subgroup dimension ${String(unknown)}`);
    }
  }
}
