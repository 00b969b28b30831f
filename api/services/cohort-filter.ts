// The cohort a study-level figure covers: every participant the caller reaches, or only one site's
// or one indication's. A clinic may name only its own sites (403 otherwise: the study's sites are
// no secret to it, and an empty cohort would read as "no participants there"); a site the study
// does not have is a 404, like /sites/:siteCode. Another site's figures under an indication filter
// are withheld from a clinic altogether (suppressionThreshold).
import type { Indication } from '../../analysis/types.ts';
import { AppError } from '../errors.ts';
import { reachesSite, type StudyScope } from './access.ts';

export interface CohortFilter {
  /** Only this site's participants. */
  site?: string | undefined;
  /** Only the participants with this indication. */
  indication?: Indication | undefined;
}

/** Refuse (403) a filter on a site the scope does not reach. */
export function requireFilterInScope(scope: StudyScope, filter: CohortFilter): void {
  if (filter.site === undefined || reachesSite(scope, filter.site)) return;
  const own = scope.sites === 'all' ? '' : ` (${[...scope.sites].join(', ')})`;
  throw new AppError('forbidden', `you may see the figures of your own sites only${own}`, [
    { path: 'query.site', message: 'is not one of your sites' },
  ]);
}

/**
 * The threshold under which another site's counts are hidden from a clinic. With an indication
 * filter every count is: another site's figures for one indication, set against its figures for
 * all (asked for separately), would give back by subtraction the small groups each one hides.
 */
export function suppressionThreshold(filter: CohortFilter, suppressBelow: number | undefined): number {
  return filter.indication === undefined ? (suppressBelow ?? 5) : Number.POSITIVE_INFINITY;
}

/** Refuse (404) a filter on a site the study does not have. */
export function requireKnownSite(studyCode: string, siteCodes: readonly string[], filter: CohortFilter): void {
  if (filter.site === undefined || siteCodes.includes(filter.site)) return;
  throw new AppError('not_found', `site ${filter.site} does not exist in study ${studyCode}`, [
    { path: 'query.site', message: 'is not a site of the study' },
  ]);
}

/** Whether a participant belongs to the filtered cohort. */
export function inCohort(filter: CohortFilter, participant: { site: string; indication: string }): boolean {
  return (
    (filter.site === undefined || participant.site === filter.site) &&
    (filter.indication === undefined || participant.indication === filter.indication)
  );
}

/** The filter as a response states it: null for "every". */
export function filtersOf(filter: CohortFilter): { site: string | null; indication: Indication | null } {
  return { site: filter.site ?? null, indication: filter.indication ?? null };
}
