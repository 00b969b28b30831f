// Values the participants pages start their forms with: today's date in the user's time zone,
// and the sites a user may choose (a clinic's own; everyone else's all).
import type { SiteRecord } from '../../../api/schemas/records.ts';
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
  const grants = me.grants.filter((g) => g.study === code);
  const own = me.role === 'clinic' && !grants.some((g) => g.site === null) ? new Set(grants.map((g) => g.site)) : null;
  const known = sites ?? [];
  const codes = own ? [...own].filter((c): c is string => c !== null) : known.map((s) => s.code);
  return codes.map((c) => {
    const name = known.find((s) => s.code === c)?.name;
    return { value: c, label: name ? `${c} — ${name}` : c };
  });
}
