// The sites a user may pick: a clinic its own sites of the study (the API refuses the others'
// figures and records), everyone else every site.
import type { SiteRecord } from '../../../api/schemas/records.ts';
import type { Me } from '../session.ts';

/** The codes of the sites a clinic is limited to in the study, in grant order; null: every site. */
export function grantedSites(me: Me, code: string): string[] | null {
  if (me.role !== 'clinic') return null;
  const grants = me.grants.filter((grant) => grant.study === code);
  const own = new Set<string>();
  for (const grant of grants) {
    if (grant.site === null) return null;
    own.add(grant.site);
  }
  return [...own];
}

export function reachableSites(me: Me, code: string, sites: readonly SiteRecord[]): SiteRecord[] {
  const own = grantedSites(me, code);
  return own === null ? [...sites] : sites.filter((site) => own.includes(site.code));
}
