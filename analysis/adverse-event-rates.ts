// Adverse-event rates for review: for every level of one dimension (category, CTCAE grade,
// seriousness, relatedness or site), the events and the participants with at least one, as a
// proportion of the cohort with its 95% exact interval. Every level of the vocabulary appears,
// zero-event ones too: "0 of 22, at most 15.4%" is what a reviewer looks for.
import { ADVERSE_EVENT_CATEGORIES, CTCAE_GRADES, ctcaeGradeKey, RELATEDNESS_JUDGEMENTS } from './constants.ts';
import { proportion } from './proportion.ts';
import type { AdverseEventCategory, Proportion, Relatedness } from './types.ts';

export type AdverseEventDimension = 'category' | 'grade' | 'serious' | 'relatedness' | 'site';

/** Serious first, as `true` and `false` (the values of the adverse-event listing's `serious` filter). */
const SERIOUSNESS_LEVELS: readonly string[] = ['true', 'false'];

/** One adverse event: its participant (any identifier unique in the study), site and coded values. */
export interface AdverseEventFact {
  participant: number;
  site: string;
  category: AdverseEventCategory;
  grade: number;
  serious: boolean;
  relatedness: Relatedness;
}

export interface AdverseEventRateInput {
  /** The cohort: each site whose participants count, with how many it has; `by: 'site'` keeps this order. */
  sites: ReadonlyArray<{ site: string; participants: number }>;
  /** Adverse events; those at sites not listed are outside the cohort and not counted. */
  events: readonly AdverseEventFact[];
}

export interface AdverseEventRate {
  /** The level: a category, grade "1"–"5", "true"/"false", a relatedness or a site code. */
  key: string;
  /** Events at this level. */
  events: number;
  /** Participants with at least one event at this level, of the cohort (of the site's participants for `by: 'site'`). */
  participants: Proportion;
}

export interface AdverseEventRates {
  /** Participants in the cohort (every listed site's). */
  participants: number;
  /** Adverse events in the cohort. */
  events: number;
  rates: AdverseEventRate[];
}

/**
 * Counts adverse events by one dimension. For each level: the number of events, and the number
 * of participants with at least one such event out of N, with its 95% Wilson and Clopper–Pearson
 * exact intervals (see `proportion`; null intervals when N = 0). N is the cohort's participants,
 * except for `by: 'site'`, where it is the site's own participants: a site's rate is of its own
 * people. The levels are the whole vocabulary in its order, zero-event levels included: the
 * eight categories of the protocol list, grades 1–5, serious ("true") then not ("false"), the
 * five relatedness judgements from not related to definite, or the listed sites in their order.
 * A participant with several events at one level counts once there, and once at each level met.
 *
 * Reference: Ioannidis J. P. A. et al. (2004), "Better reporting of harms in randomized trials:
 * an extension of the CONSORT statement", Annals of Internal Medicine 141(10):781–788 (report
 * participants with events, per type and severity, with their denominators).
 *
 * Cost: O(e + L) time for e events and L levels, O(number of participants with events) space.
 *
 * @param input the cohort's sites with their participant counts, and the adverse events
 * @param by the dimension to count by
 * @returns the cohort's participants and events, and one rate per level
 * @throws {Error} if, counting by that dimension, an event's grade is not an integer from 1 to 5
 *   or its category or relatedness is not in the vocabulary; if a site is listed twice or with a
 *   count that is not a non-negative integer; or if more participants have events than N
 * @example
 * adverseEventRates({ sites: [{ site: 'LON', participants: 22 }], events: [
 *   { participant: 7, site: 'LON', category: 'allergic_reaction', grade: 1, serious: false, relatedness: 'probable' },
 * ] }, 'serious').rates;
 * // => [{ key: 'true', events: 0, participants: { n: 0, N: 22, exact: [0, 0.15437...], ... } },
 * //     { key: 'false', events: 1, participants: { n: 1, N: 22, exact: [0.0011501..., 0.2284443...], ... } }]
 */
export function adverseEventRates(input: AdverseEventRateInput, by: AdverseEventDimension): AdverseEventRates {
  const siteParticipants = new Map<string, number>();
  for (const { site, participants } of input.sites) {
    if (siteParticipants.has(site)) throw new Error(`adverseEventRates: site ${site} is listed twice`);
    if (!Number.isInteger(participants) || participants < 0) {
      throw new Error(`adverseEventRates: site ${site} must have a whole number of participants, got ${participants}`);
    }
    siteParticipants.set(site, participants);
  }
  const levels = levelsOf(by, input.sites);
  const tallies = new Map<string, { events: number; participants: Set<number> }>(
    levels.map((level) => [level, { events: 0, participants: new Set<number>() }]),
  );
  let cohortEvents = 0;
  for (const event of input.events) {
    if (!siteParticipants.has(event.site)) continue;
    cohortEvents++;
    const key = levelOf(event, by);
    const tally = tallies.get(key);
    if (tally === undefined) throw new Error(`adverseEventRates: unknown ${by} ${JSON.stringify(key)}`);
    tally.events++;
    tally.participants.add(event.participant);
  }
  const cohort = input.sites.reduce((sum, site) => sum + site.participants, 0);
  return {
    participants: cohort,
    events: cohortEvents,
    rates: levels.map((key) => {
      const tally = tallies.get(key)!;
      const N = by === 'site' ? siteParticipants.get(key)! : cohort;
      if (tally.participants.size > N) {
        throw new Error(`adverseEventRates: ${tally.participants.size} participants have events at ${by} ${key}, of ${N}`);
      }
      return { key, events: tally.events, participants: proportion(tally.participants.size, N) };
    }),
  };
}

function levelsOf(by: AdverseEventDimension, sites: AdverseEventRateInput['sites']): readonly string[] {
  switch (by) {
    case 'category':
      return ADVERSE_EVENT_CATEGORIES;
    case 'grade':
      return CTCAE_GRADES;
    case 'serious':
      return SERIOUSNESS_LEVELS;
    case 'relatedness':
      return RELATEDNESS_JUDGEMENTS;
    case 'site':
      return sites.map(({ site }) => site);
    default: {
      const unknown: never = by;
      throw new Error(`unknown adverse-event dimension ${String(unknown)}`);
    }
  }
}

function levelOf(event: AdverseEventFact, by: AdverseEventDimension): string {
  switch (by) {
    case 'category':
      return event.category;
    case 'grade':
      return ctcaeGradeKey(event.grade);
    case 'serious':
      return String(event.serious);
    case 'relatedness':
      return event.relatedness;
    case 'site':
      return event.site;
    default: {
      const unknown: never = by;
      throw new Error(`unknown adverse-event dimension ${String(unknown)}`);
    }
  }
}
