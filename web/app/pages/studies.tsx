// The studies the user can reach, with their counts and downloads; importing a bundle file
// (every problem shown with its path); and, for administrators, a new empty study.
import { useState } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import { Protocol, Site, Study } from '../../../api/schemas/bundle.ts';
import { api, ApiError, changeHeaders } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ErrorBox, Loading, ProblemList } from '../components/problems.tsx';
import { COUNTRY_CHOICES } from '../forms/country-choices.ts';
import { check } from '../forms/fields.ts';
import { RecordForm } from '../forms/record-form.tsx';
import { Link, navigate, pathOf } from '../router.tsx';
import { canEdit, isAdmin, useMe } from '../session.ts';
import { useResource } from '../api.ts';

const NUMBER = new Intl.NumberFormat('en');

function StudyTable({ studies }: { studies: StudyListing[] }) {
  if (studies.length === 0) return <p>No studies yet.</p>;
  return (
    <div class="table-scroll">
      <table id="studies">
        <caption>Studies you can reach, with their record counts</caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Title</th>
            <th scope="col" class="number">Sites</th>
            <th scope="col" class="number">Participants</th>
            <th scope="col" class="number">Sessions</th>
            <th scope="col" class="number">Adverse events</th>
            <th scope="col" class="number">Fading assessments</th>
            <th scope="col" class="number">Surveys</th>
            <th scope="col">Downloads</th>
          </tr>
        </thead>
        <tbody>
          {studies.map((study) => {
            const base = `/api/studies/${encodeURIComponent(study.code)}`;
            return (
              <tr key={study.code}>
                <th scope="row">
                  <Link href={pathOf('studies', study.code)}>{study.code}</Link>
                </th>
                <td>{study.title}</td>
                <td class="number">{NUMBER.format(study.sites)}</td>
                <td class="number">{NUMBER.format(study.participants)}</td>
                <td class="number">{NUMBER.format(study.sessions)}</td>
                <td class="number">{NUMBER.format(study.adverseEvents)}</td>
                <td class="number">{NUMBER.format(study.fadingAssessments)}</td>
                <td class="number">{NUMBER.format(study.surveys)}</td>
                <td class="downloads">
                  <a href={`${base}/report`} download={`${study.code}-report.html`}>
                    Report<span class="visually-hidden"> of {study.code}</span>
                  </a>{' '}
                  <a href={`${base}/bundle`} download={`${study.code}.json`}>
                    Bundle<span class="visually-hidden"> of {study.code}</span>
                  </a>{' '}
                  <a href={`${base}/analysis`}>
                    Analysis JSON<span class="visually-hidden"> of {study.code}</span>
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ImportForm({ onImported }: { onImported: () => void }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: ApiError } | null>(null);
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import a study bundle</h2>
      <form
        id="import-form"
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const file = (form.elements.namedItem('bundle') as HTMLInputElement).files?.[0];
          const replace = (form.elements.namedItem('replace') as HTMLInputElement).checked;
          if (!file) return;
          setBusy(true);
          setOutcome(null);
          file
            .text()
            .then((text) => {
              let body: unknown;
              try {
                body = JSON.parse(text);
              } catch (error) {
                throw new ApiError(400, 'The file is not valid JSON.', [{ path: '(file)', message: (error as Error).message }]);
              }
              return api.post<{ code: string; replaced: boolean }>(`/api/studies${replace ? '?replace=true' : ''}`, body);
            })
            .then(
              (response) => {
                setOutcome({ ok: true, text: `${response.data.replaced ? 'Replaced' : 'Imported'} study ${response.data.code}.` });
                form.reset();
                onImported();
              },
              (error: unknown) => setOutcome({ ok: false, error: error instanceof ApiError ? error : new ApiError(0, String(error), []) }),
            )
            .finally(() => setBusy(false));
        }}
      >
        <p>
          <label for="bundle-file">
            Bundle file (<code>smp-study-bundle/1</code> JSON)
          </label>
          <input id="bundle-file" name="bundle" type="file" accept="application/json,.json" required />
        </p>
        <p class="checkbox">
          <input id="replace" name="replace" type="checkbox" />
          <label for="replace">Replace the study if its code exists already</label>
        </p>
        <p class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Import
          </button>
          {busy ? (
            <span class="busy" role="status">
              <span class="spinner" aria-hidden="true" /> Importing…
            </span>
          ) : null}
        </p>
      </form>
      <div id="import-result" aria-live="polite">
        {outcome?.ok ? <p class="ok">{outcome.text}</p> : null}
        {outcome && !outcome.ok ? (
          <div class="error-box" role="alert">
            <p>
              Nothing was imported. {outcome.error.message}
              {outcome.error.problems.length > 0 ? ` (${outcome.error.problems.length} problem${outcome.error.problems.length === 1 ? '' : 's'})` : ''}
            </p>
            <ProblemList problems={outcome.error.problems} inFile />
          </div>
        ) : null}
      </div>
    </section>
  );
}

/** A new study: its code, title and protocol, and its first site (more can be added later). */
const NewStudyFields = Study.omit({ protocol: true })
  .extend(Protocol.omit({ followUpMonths: true, visits: true }).shape)
  .extend(Protocol.shape.followUpMonths.shape)
  .extend({ siteCode: Site.shape.code, siteName: Site.shape.name, siteCountry: Site.shape.country });

function NewStudy({ onCreated }: { onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          New empty study…
        </button>
      </p>
    );
  return (
    <section aria-labelledby="new-study-heading" class="panel">
      <h2 id="new-study-heading">New empty study</h2>
      <p class="hint">The study starts with one site and no participants; add practitioners and participants as they join.</p>
      <RecordForm
        id="new-study"
        schema={NewStudyFields}
        initial={{ initialSessions: 3, sessionIntervalDays: 7, intervalToleranceDays: 3, touchUpAfterDays: 30, touchUpToleranceDays: 7 }}
        choices={{ siteCountry: COUNTRY_CHOICES }}
        reason="optional"
        submitLabel="Create study"
        onCancel={() => setOpen(false)}
        extraCheck={(value) => check(Protocol.shape.followUpMonths, { from: value.from, to: value.to })}
        onSubmit={async (value, reason) => {
          const { code, title, siteCode, siteName, siteCountry, from, to, ...protocol } = value;
          const bundle = {
            format: 'smp-study-bundle/1',
            study: { code, title, protocol: { ...protocol, followUpMonths: { from, to } } },
            sites: [{ code: siteCode, name: siteName, country: siteCountry ?? null }],
          };
          try {
            await api.post('/api/studies', bundle, { headers: changeHeaders(null, reason) });
          } catch (error) {
            if (error instanceof ApiError) {
              // The bundle's paths, back in the form's terms.
              const renamed = error.problems.map((p) => ({
                ...p,
                path: p.path
                  .replace(/^study\.protocol\.followUpMonths\./, '')
                  .replace(/^study\.protocol\./, '')
                  .replace(/^study\./, '')
                  .replace(/^sites\[0\]\.code/, 'siteCode')
                  .replace(/^sites\[0\]\.name/, 'siteName')
                  .replace(/^sites\[0\]\.country/, 'siteCountry'),
              }));
              throw new ApiError(error.status, error.message, renamed, error.body);
            }
            throw error;
          }
          setOpen(false);
          onCreated();
          navigate(pathOf('studies', String(code)));
        }}
      />
    </section>
  );
}

export function StudiesPage() {
  usePageTitle('Studies');
  const me = useMe();
  const studies = useResource<{ studies: StudyListing[] }>('/api/studies');
  return (
    <main id="main">
      <h1>Studies</h1>
      <ErrorBox error={studies.error} title="The studies could not be listed." />
      {studies.loading && !studies.data ? <Loading what="Loading the studies" /> : null}
      {studies.data ? <StudyTable studies={studies.data.studies} /> : null}
      {isAdmin(me) ? <NewStudy onCreated={studies.reload} /> : null}
      {canEdit(me) && me.role !== 'clinic' ? <ImportForm onImported={studies.reload} /> : null}
    </main>
  );
}
