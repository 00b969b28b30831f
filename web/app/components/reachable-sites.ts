// The sites a user may pick in a filter: a clinic its own sites of the study (the API refuses the
// others' figures), everyone else every site.
import type { SiteRecord } from '../../../api/schemas/records.ts';
import type { Me } from '../session.ts';

export function reachableSites(me: Me, code: string, sites: readonly SiteRecord[]): SiteRecord[] {
  if (me.role !== 'clinic') return [...sites];
  const grants = me.grants.filter((grant) => grant.study === code);
  if (grants.some((grant) => grant.site === null)) return [...sites];
  const own = new Set(grants.map((grant) => grant.site));
  return sites.filter((site) => own.has(site.code));
}
