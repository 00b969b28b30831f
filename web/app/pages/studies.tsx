// The studies the user can reach, with their counts and downloads (the report, and an export in
// every format, plain or de-identified); importing a study in any importable format, detected
// from the file or chosen, under its own code or a new one (every problem shown with its
// location); and, for administrators, a new empty study.
import { useState } from 'preact/hooks';
import type { StudyListing } from '../../../api/schemas/responses.ts';
import { Protocol, Site, Study } from '../../../api/schemas/bundle.ts';
import { api, ApiError, changeHeaders } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ErrorBox, Loading, ProblemList } from '../components/problems.tsx';
import { ExportStudy } from '../components/export-study.tsx';
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
                  <a href={`${base}/analysis`}>
                    Analysis JSON<span class="visually-hidden"> of {study.code}</span>
                  </a>{' '}
                  <ExportStudy code={study.code} idPrefix={`export-${study.code}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const IMPORT_FORMATS = [
  { value: 'auto', label: 'Detect from the file' },
  { value: 'json', label: 'Study bundle (JSON)' },
  { value: 'csv', label: 'csv tables (a zip, or the .csv files)' },
  { value: 'redcap', label: 'REDCap project (a zip, or its files)' },
] as const;

/** A code that is taken, in the words of this form (the API's message names its query options). */
function importError(error: ApiError): ApiError {
  const taken = error.status === 409 ? error.problems.find((problem) => problem.path === 'study.code') : undefined;
  if (taken === undefined) return error;
  const code = /study (\S+) already exists/.exec(taken.message)?.[1] ?? '';
  return new ApiError(
    error.status,
    `Study ${code} already exists: tick “Replace the existing study” to replace it, or give another code under “Import as a new study with the code”.`,
    [],
    error.body,
  );
}

function ImportForm({ onImported }: { onImported: () => void }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; text: string } | { ok: false; error: ApiError } | null>(null);
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import a study</h2>
      <p class="hint">
        A study bundle (JSON), or the csv or REDCap export: its zip, or its files chosen together. The format is detected from the file
        unless you choose it.
      </p>
      <form
        id="import-form"
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const files = [...((form.elements.namedItem('files') as HTMLInputElement).files ?? [])];
          const format = (form.elements.namedItem('format') as HTMLSelectElement).value;
          const code = (form.elements.namedItem('code') as HTMLInputElement).value.trim();
          const replace = (form.elements.namedItem('replace') as HTMLInputElement).checked;
          if (files.length === 0) return;
          const body = new FormData();
          for (const file of files) body.append('files', file, file.name);
          const query = new URLSearchParams({ format });
          if (replace) query.set('replace', 'true');
          if (code !== '') query.set('code', code);
          setBusy(true);
          setOutcome(null);
          api
            .post<{ code: string; replaced: boolean }>(`/api/studies?${query.toString()}`, body)
            .then(
              (response) => {
                setOutcome({ ok: true, text: `${response.data.replaced ? 'Replaced' : 'Imported'} study ${response.data.code}.` });
                form.reset();
                onImported();
              },
              (error: unknown) => setOutcome({ ok: false, error: error instanceof ApiError ? importError(error) : new ApiError(0, String(error), []) }),
            )
            .finally(() => setBusy(false));
        }}
      >
        <p>
          <label for="import-files">File or files</label>
          <input id="import-files" name="files" type="file" accept=".json,.zip,.csv,application/json,application/zip,text/csv" multiple required />
        </p>
        <p>
          <label for="import-format">Format</label>
          <select id="import-format" name="format">
            {IMPORT_FORMATS.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="import-code">Import as a new study with the code (optional)</label>
          <input id="import-code" name="code" type="text" autocomplete="off" spellcheck={false} aria-describedby="import-code-hint" />
          <span id="import-code-hint" class="hint">
            Leave empty to keep the study&apos;s own code.
          </span>
        </p>
        <p class="checkbox">
          <input id="replace" name="replace" type="checkbox" />
          <label for="replace">Replace the existing study</label>
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
              {outcome.error.problems.length > 1 ? ` (${outcome.error.problems.length} problems)` : ''}
            </p>
            {outcome.error.problems.length === 1 && outcome.error.problems[0]!.message === outcome.error.message ? null : (
              <ProblemList problems={outcome.error.problems} inFile />
            )}
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
