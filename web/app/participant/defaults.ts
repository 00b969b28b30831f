// Values the participants pages start their forms with: today's date in the user's time zone,
// and the sites a user may choose (a clinic's own; everyone else's all).
import type { SiteRecord } from '../../../api/schemas/records.ts';
import { grantedSites } from '../components/reachable-sites.ts';
import type { Choice } from '../forms/record-form.tsx';
import type { Me } from '../session.ts';

/** Today in the user's own time zone, as an ISO date. */
export function todayIso(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The sites a user may enrol at or move participants to: a clinic's own, everyone else's all. */
export function siteChoices(me: Me, code: string, sites: readonly SiteRecord[] | undefined): Choice[] {
  const known = sites ?? [];
  // A clinic's granted sites even before (or without) the list of sites, named once it comes.
  const codes = grantedSites(me, code) ?? known.map((s) => s.code);
  return codes.map((c) => {
    const name = known.find((s) => s.code === c)?.name;
    return { value: c, label: name ? `${c} — ${name}` : c };
  });
}
