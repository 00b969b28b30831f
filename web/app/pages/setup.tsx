// A study's set-up: its title and protocol, its sites and its practitioners, each editable by the
// roles that may change the study's structure (administrators and researchers); everyone else
// reads them (a reviewer sees practitioners by pseudonym). Every change of a stored record sends
// the version it was made from (If-Match) and a reason; a 412 shows the other person's change.
// Administrators can delete the whole study at the bottom, after typing its code. The page's
// parts are in web/app/setup/.
import { Practitioner, Site } from '../../../api/schemas/bundle.ts';
import type { PractitionerRecord, SiteRecord, StudyRecord } from '../../../api/schemas/records.ts';
import { useResource, type Page } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { COUNTRY_CHOICES, COUNTRY_NAMES } from '../forms/country-choices.ts';
import { isAdmin, useMe, type Me } from '../session.ts';
import { DeleteStudy } from '../setup/delete-study.tsx';
import { studyPath } from '../setup/editing.ts';
import { StructureSection, type Column } from '../setup/structure-section.tsx';
import { StudySection } from '../setup/study-section.tsx';
import { VisitsSection } from '../setup/visits-section.tsx';

/** Administrators and researchers change a study's structure (access.ts: writeStudy). */
export function canWriteStudy(me: Me, code: string): boolean {
  return me.role === 'admin' || (me.role === 'researcher' && me.grants.some((g) => g.study === code));
}

const SITE_COLUMNS: Column<SiteRecord>[] = [
  { label: 'Clinic name', value: (site) => site.name },
  { label: 'Country', value: (site) => (site.country === null ? '—' : `${site.country}: ${COUNTRY_NAMES.get(site.country) ?? ''}`) },
];
/** A site's country chosen by code and name. */
const SITE_CHOICES = { country: COUNTRY_CHOICES };
const PRACTITIONER_COLUMNS: Column<PractitionerRecord>[] = [
  { label: 'Site', value: (practitioner) => practitioner.site },
  { label: 'Years of SMP experience', value: (practitioner) => practitioner.yearsExperience, number: true },
];

export function SetupPage({ code }: { code: string; url?: URL }) {
  usePageTitle(`Sites and practitioners · ${code}`);
  const me = useMe();
  const writable = canWriteStudy(me, code);
  const study = useResource<StudyRecord>(studyPath(code));
  const sites = useResource<Page<SiteRecord>>(`${studyPath(code)}/sites?limit=1000`);
  const practitioners = useResource<Page<PractitionerRecord>>(`${studyPath(code)}/practitioners?limit=1000`);
  const siteList = sites.data?.items ?? [];
  return (
    <main id="main">
      <h1>Set-up: protocol, sites and practitioners</h1>
      {writable ? null : (
        <p class="hint">
          {me.role === 'reviewer'
            ? 'You see the study read-only, with practitioners by pseudonym.'
            : 'You see the study read-only: administrators and researchers change its protocol, sites and practitioners.'}
        </p>
      )}
      <StudySection code={code} writable={writable} study={study} />
      <VisitsSection code={code} writable={writable} study={study} />
      <StructureSection code={code} writable={writable} list={sites} noun="site" segment="sites" schema={Site} columns={SITE_COLUMNS} choices={SITE_CHOICES} />
      <StructureSection
        code={code}
        writable={writable}
        list={practitioners}
        noun="practitioner"
        segment="practitioners"
        schema={Practitioner}
        columns={PRACTITIONER_COLUMNS}
        choices={{ site: siteList.map((s) => ({ value: s.code, label: `${s.code}: ${s.name}` })) }}
        newInitial={siteList.length === 1 ? { site: siteList[0]!.code } : {}}
      />
      {isAdmin(me) && study.data ? <DeleteStudy code={code} study={study.data} /> : null}
    </main>
  );
}
