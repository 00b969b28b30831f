// The choice of a study, and for a clinic user one of its sites, shared by the invite and grant
// forms, with the problems the browser or the server found shown at their fields.
import type { StudyListing } from '../../../api/schemas/responses.ts';
import type { SiteRecord } from '../../../api/schemas/records.ts';
import type { Role } from '../../../api/schemas/roles.ts';
import { useResource, type Problem } from '../api.ts';

/** Problems at the invite and grant forms' fields: `grants[0].site` belongs to the site field. */
export function byField(problems: readonly Problem[]): { fields: Record<string, string>; other: Problem[] } {
  const fields: Record<string, string> = {};
  const other: Problem[] = [];
  for (const problem of problems) {
    const name = problem.path.replace(/^grants\[\d+\]\./, '');
    if (['username', 'role', 'study', 'site'].includes(name)) fields[name] = fields[name] ? `${fields[name]}; ${problem.message}` : problem.message;
    else other.push(problem);
  }
  return { fields, other };
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <small id={id} class="field-error">
      {message}
    </small>
  ) : null;
}

/** A study, and for a clinic user one of its sites: the choice lists of the invite and grant forms. */
export function GrantChoice({
  idPrefix,
  role,
  studies,
  study,
  site,
  errors,
  onStudy,
  onSite,
}: {
  idPrefix: string;
  role: Role;
  studies: StudyListing[];
  study: string;
  site: string;
  errors: Record<string, string>;
  onStudy: (study: string) => void;
  onSite: (site: string) => void;
}) {
  const sites = useResource<{ items: SiteRecord[] }>(study !== '' && role === 'clinic' ? `/api/studies/${encodeURIComponent(study)}/sites?limit=1000` : null);
  return (
    <>
      <p>
        <label for={`${idPrefix}-study`}>Study</label>
        <select
          id={`${idPrefix}-study`}
          name="study"
          value={study}
          aria-invalid={errors.study ? 'true' : undefined}
          aria-describedby={errors.study ? `${idPrefix}-study-error` : undefined}
          onChange={(event) => onStudy((event.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{idPrefix === 'invite' ? '(none for now)' : 'Choose…'}</option>
          {studies.map((s) => (
            <option key={s.code} value={s.code}>
              {s.code}: {s.title.length > 60 ? `${s.title.slice(0, 60)}…` : s.title}
            </option>
          ))}
        </select>
        <FieldError id={`${idPrefix}-study-error`} message={errors.study} />
      </p>
      {role === 'clinic' ? (
        <p>
          <label for={`${idPrefix}-site`}>Site</label>
          <select
            id={`${idPrefix}-site`}
            name="site"
            value={site}
            disabled={study === ''}
            aria-invalid={errors.site ? 'true' : undefined}
            aria-describedby={`${idPrefix}-site-hint${errors.site ? ` ${idPrefix}-site-error` : ''}`}
            onChange={(event) => onSite((event.currentTarget as HTMLSelectElement).value)}
          >
            <option value="">Every site of the study</option>
            {(sites.data?.items ?? []).map((s) => (
              <option key={s.code} value={s.code}>
                {s.code}: {s.name}
              </option>
            ))}
          </select>
          <small id={`${idPrefix}-site-hint`} class="hint">
            A clinic user sees and enters the participants of this site only.
          </small>
          <FieldError id={`${idPrefix}-site-error`} message={errors.site} />
        </p>
      ) : null}
    </>
  );
}
