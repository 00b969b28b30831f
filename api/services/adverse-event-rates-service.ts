// Adverse-event rates of a stored study for review: the coded events and each site's participant
// count, read in one snapshot, counted by analysis/adverse-event-rates.ts, in the caller's scope
// and with the cohort filters of the analysis (cohort-filter.ts).
import { adverseEventRates, type AdverseEventDimension, type AdverseEventRate } from '../../analysis/adverse-event-rates.ts';
import {
  ADVERSE_EVENT_CATEGORY_LABELS,
  CTCAE_GRADE_LABELS,
  RELATEDNESS_LABELS,
  SERIOUSNESS_LABELS,
} from '../../analysis/charts/labels.ts';
import type { AdverseEventCategory, Indication, Relatedness } from '../../analysis/types.ts';
import type { Db } from '../../db/kysely.ts';
import { selectAdverseEventRateFacts, selectSiteParticipantCounts } from '../../db/repositories/analysis-facts-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { reachesSite, requireStudyScope, studyNotFound, type Actor } from './access.ts';
import { filtersOf, requireFilterInScope, requireKnownSite, suppressionThreshold, type CohortFilter } from './cohort-filter.ts';
import { suppressEventCount, type SuppressedEventCount } from './small-cell-suppression.ts';

export interface AdverseEventRatesOptions extends CohortFilter {
  by: AdverseEventDimension;
  /** Whose view (default: the whole study). A clinic's rates are its own sites'. */
  actor?: Actor | undefined;
  /** Another site's counts below this are suppressed in a clinic's `by: 'site'` view. */
  suppressBelow?: number | undefined;
}

export interface AdverseEventRatesReport {
  study: { code: string; title: string };
  by: AdverseEventDimension;
  filters: { site: string | null; indication: Indication | null };
  participants: number;
  events: number;
  rates: Array<{ key: string; label: string } & (Omit<AdverseEventRate, 'key'> | SuppressedEventCount)>;
}

const byCode = (a: { site: string }, b: { site: string }) => (a.site < b.site ? -1 : a.site > b.site ? 1 : 0);

/**
 * Events and participants with at least one event per level of `by`, every level included, each
 * with its 95% exact interval. The cohort is the participants the actor reaches, narrowed by the
 * site and indication filters. A clinic sees its own sites; with `by: 'site'` every site of the
 * cohort is listed, other sites' small counts suppressed as in the analysis.
 */
export async function studyAdverseEventRates(db: Db, code: string, options: AdverseEventRatesOptions): Promise<AdverseEventRatesReport> {
  const scope = options.actor ? requireStudyScope(options.actor, code) : undefined;
  if (scope) requireFilterInScope(scope, options);
  const { study, siteRows, eventRows } = await db.readSnapshot(async (kysely) => {
    const study = await findStudyByCode(kysely, code);
    if (!study) throw studyNotFound(code);
    const [siteRows, eventRows] = await Promise.all([
      selectSiteParticipantCounts(kysely, study.study_id, options.indication),
      selectAdverseEventRateFacts(kysely, study.study_id, options.indication),
    ]);
    return { study, siteRows, eventRows };
  });
  requireKnownSite(code, siteRows.map((row) => row.site), options);

  const names = new Map(siteRows.map((row) => [row.site, row.name]));
  const cohortSites = siteRows
    .filter((row) => options.site === undefined || row.site === options.site)
    .map((row) => ({ site: row.site, participants: Number(row.participants) }))
    .sort(byCode);
  const visibleSites = scope ? cohortSites.filter((site) => reachesSite(scope, site.site)) : cohortSites;
  const events = eventRows.map((row) => ({
    participant: row.participant_no,
    site: row.site,
    category: row.category as AdverseEventCategory,
    grade: row.grade,
    serious: row.serious,
    relatedness: row.relatedness as Relatedness,
  }));

  const visible = adverseEventRates({ sites: visibleSites, events }, options.by);
  let rates: Array<AdverseEventRate | (SuppressedEventCount & { key: string })> = visible.rates;
  if (options.by === 'site' && visibleSites.length < cohortSites.length) {
    const threshold = suppressionThreshold(options, options.suppressBelow);
    rates = adverseEventRates({ sites: cohortSites, events }, 'site').rates.map((rate) =>
      reachesSite(scope!, rate.key) ? rate : { key: rate.key, ...suppressEventCount(rate, threshold) },
    );
  }
  return {
    study: { code: study.code, title: study.title },
    by: options.by,
    filters: filtersOf(options),
    participants: visible.participants,
    events: visible.events,
    rates: rates.map(({ key, ...figures }) => ({ key, label: labelOf(options.by, key, names), ...figures })),
  };
}

function labelOf(by: AdverseEventDimension, key: string, siteNames: ReadonlyMap<string, string>): string {
  switch (by) {
    case 'category':
      return ADVERSE_EVENT_CATEGORY_LABELS[key as AdverseEventCategory];
    case 'grade':
      return CTCAE_GRADE_LABELS[key as keyof typeof CTCAE_GRADE_LABELS];
    case 'serious':
      return SERIOUSNESS_LABELS[key as keyof typeof SERIOUSNESS_LABELS];
    case 'relatedness':
      return RELATEDNESS_LABELS[key as Relatedness];
    case 'site':
      return siteNames.get(key) ?? key;
    default: {
      const unknown: never = by;
      throw new Error(`unknown adverse-event dimension ${String(unknown)}`);
    }
  }
}
