// A study's set-up: its title and protocol, its sites and its practitioners, each editable by the
// roles that may change the study's structure (administrators and researchers); everyone else
// reads them (a reviewer sees practitioners by pseudonym). Every change of a stored record sends
// the version it was made from (If-Match) and a reason; a 412 shows the other person's change.
// Administrators can delete the whole study at the bottom, after typing its code.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Practitioner, Protocol, Site, Study } from '../../../api/schemas/bundle.ts';
import type { PractitionerRecord, SiteRecord, StudyRecord } from '../../../api/schemas/records.ts';
import { api, ApiError, changeHeaders, useResource, type Resource } from '../api.ts';
import { usePageTitle } from '../app.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { check, fieldsOf, mergePatchOf } from '../forms/fields.ts';
import { RecordForm } from '../forms/record-form.tsx';
import { navigate } from '../router.tsx';
import { isAdmin, useMe, type Me } from '../session.ts';
import { changedFields, Value } from './audit.tsx';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Administrators and researchers change a study's structure (access.ts: writeStudy). */
export function canWriteStudy(me: Me, code: string): boolean {
  return me.role === 'admin' || (me.role === 'researcher' && me.grants.some((g) => g.study === code));
}

const studyPath = (code: string) => `/api/studies/${encodeURIComponent(code)}`;

/** Moves the keyboard focus to the first input of a form once it is shown. */
function useFocusFirstField(formId: string | null): void {
  useEffect(() => {
    if (formId === null) return;
    const first = document.querySelector<HTMLElement>(`#${formId} input:not([disabled]), #${formId} select:not([disabled]), #${formId} textarea`);
    first?.focus();
  }, [formId]);
}

/** The other person's change after a 412: what differs between the version edited and the current one. */
interface Conflict {
  what: string;
  seen: Record<string, unknown>;
  current: Record<string, unknown>;
}

/** The stored record a 412 answer carries (`current`), or null for another error. */
function conflictOf(error: unknown, what: string, seen: Record<string, unknown>): Conflict | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const current = (error.body as { current?: Record<string, unknown> } | null)?.current;
  return current ? { what, seen, current } : null;
}

function ConflictNotice({ conflict, onKeepMine, onTakeTheirs }: { conflict: Conflict; onKeepMine: () => void; onTakeTheirs: () => void }) {
  const changes = changedFields(
    Object.fromEntries(Object.entries(conflict.seen).filter(([k]) => k !== 'version' && k !== 'importedAt')),
    Object.fromEntries(Object.entries(conflict.current).filter(([k]) => k !== 'version' && k !== 'importedAt')),
  );
  return (
    <div class="notice conflict" role="alert">
      <p>
        <strong>Someone else changed {conflict.what} while you were editing it</strong> (you started from version {String(conflict.seen.version)}; it is
        now version {String(conflict.current.version)}). Nothing of yours was saved. Their change:
      </p>
      {changes.length === 0 ? (
        <p>No field differs (only its version changed).</p>
      ) : (
        <ul class="change-list">
          {changes.map((change) => (
            <li key={change.path}>
              <code>{change.path}</code>: <Value value={change.before} /> <span aria-hidden="true">→</span>
              <span class="visually-hidden"> changed to </span> <Value value={change.after} />
            </li>
          ))}
        </ul>
      )}
      <p>
        To keep your changes, apply them on top of theirs and save again: the fields you did not change keep their new values. Or discard yours and
        start again from theirs.
      </p>
      <p class="actions">
        <button type="button" onClick={onKeepMine}>
          Apply my changes on top of theirs
        </button>
        <button type="button" onClick={onTakeTheirs}>
          Discard mine and show theirs
        </button>
      </p>
    </div>
  );
}

// ---- The study's title and protocol ----

/** The form's flat fields: title and each protocol field, the follow-up window as from and to. */
const StudyFields = Study.pick({ code: true, title: true })
  .extend(Protocol.omit({ followUpMonths: true }).shape)
  .extend(Protocol.shape.followUpMonths.shape);

function flatStudy(study: StudyRecord): Record<string, unknown> {
  const { followUpMonths, ...protocol } = study.protocol;
  return { code: study.code, title: study.title, ...protocol, from: followUpMonths.from, to: followUpMonths.to };
}

/** A merge patch of the study from the form's flat value: only what changed. */
function studyPatchOf(study: StudyRecord, value: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (value.title !== study.title) patch.title = value.title;
  const { from, to, code: _code, title: _title, ...protocol } = value;
  const wanted: Record<string, unknown> = { ...protocol, followUpMonths: { from, to } };
  const protocolPatch: Record<string, unknown> = {};
  for (const [key, now] of Object.entries(wanted)) {
    if (JSON.stringify(now ?? null) !== JSON.stringify((study.protocol as Record<string, unknown>)[key] ?? null)) protocolPatch[key] = now ?? null;
  }
  if (Object.keys(protocolPatch).length > 0) patch.protocol = protocolPatch;
  return patch;
}

const PROTOCOL_WORDS: [string, (p: StudyRecord['protocol']) => string][] = [
  ['Initial sessions', (p) => String(p.initialSessions)],
  ['Days between initial sessions', (p) => `${p.sessionIntervalDays} (± ${p.intervalToleranceDays})`],
  ['Touch-up after (days)', (p) => (p.touchUpAfterDays === null ? 'no touch-up planned' : `${p.touchUpAfterDays} (± ${p.touchUpToleranceDays})`)],
  ['Follow-up window (months after the final session)', (p) => `${p.followUpMonths.from} to ${p.followUpMonths.to}`],
];

function StudySection({ code, writable, onStudy }: { code: string; writable: boolean; onStudy: (study: StudyRecord) => void }) {
  const study = useResource<StudyRecord>(studyPath(code));
  // `base`: the record as the form opened (changes are what differs from it); `version`: the
  // version the next save is made from (the newer one once the user chose to apply theirs on top).
  const [editing, setEditing] = useState<{ base: StudyRecord; version: number; session: number } | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useFocusFirstField(editing ? 'study-form' : null);
  useEffect(() => {
    if (study.data) onStudy(study.data);
  }, [study.data]);

  if (study.error) return <ErrorBox error={study.error} title="The study could not be read." />;
  if (!study.data) return <Loading what="Reading the study" />;
  const record = study.data;
  return (
    <section aria-labelledby="study-heading">
      <h2 id="study-heading">Title and protocol</h2>
      {editing ? (
        <div class="panel">
          {conflict ? (
            <ConflictNotice
              conflict={conflict}
              onKeepMine={() => {
                setEditing({ ...editing, version: Number(conflict.current.version) });
                setConflict(null);
              }}
              onTakeTheirs={() => {
                setConflict(null);
                setEditing(null);
                study.reload();
              }}
            />
          ) : null}
          <RecordForm
            key={editing.session}
            id="study-form"
            schema={StudyFields}
            readOnly={['code']}
            initial={flatStudy(editing.base)}
            reason="required"
            submitLabel="Save the study"
            onCancel={() => {
              setEditing(null);
              setConflict(null);
            }}
            extraCheck={(value) => check(Protocol.shape.followUpMonths, { from: value.from, to: value.to })}
            onSubmit={async (value, reason) => {
              const patch = studyPatchOf(editing.base, value);
              if (Object.keys(patch).length === 0) throw new ApiError(400, 'Nothing was changed: change a field first, or cancel.', []);
              try {
                await api.patch(studyPath(code), patch, { headers: changeHeaders(editing.version, reason) });
              } catch (error) {
                setConflict(conflictOf(error, `study ${code}`, { ...editing.base, version: editing.version }));
                throw error;
              }
              setEditing(null);
              setConflict(null);
              setSaved(`Saved study ${code}.`);
              study.reload();
            }}
          />
        </div>
      ) : (
        <>
          <dl class="study-facts">
            <dt>Code</dt>
            <dd>{record.code}</dd>
            <dt>Title</dt>
            <dd>{record.title}</dd>
            {PROTOCOL_WORDS.map(([label, text]) => (
              <Fragment key={label}>
                <dt>{label}</dt>
                <dd>{text(record.protocol)}</dd>
              </Fragment>
            ))}
          </dl>
          {writable ? (
            <p>
              <button
                type="button"
                onClick={() => {
                  setSaved(null);
                  setEditing({ base: record, version: record.version, session: Date.now() });
                }}
              >
                Edit the title and protocol
              </button>
            </p>
          ) : null}
        </>
      )}
      <p class="ok" role="status">
        {saved ?? ''}
      </p>
    </section>
  );
}

// ---- Sites and practitioners ----

type Editing<T> = { kind: 'new' } | { kind: 'edit'; base: T; version: number; session: number } | { kind: 'delete'; record: T } | null;

interface StructureProps<T> {
  code: string;
  writable: boolean;
  list: Resource<Page<T>>;
}

/** Asks for a reason, then deletes; the API's refusal (a site still named, say) is shown as it is. */
function DeleteConfirm({ id, what, onDelete, onCancel }: { id: string; what: string; onDelete: (reason: string) => Promise<void>; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  useFocusFirstField(id);
  return (
    <form
      id={id}
      class="panel stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (reason.trim() === '') {
          setMissing(true);
          return;
        }
        setBusy(true);
        setError(null);
        onDelete(reason).then(
          () => setBusy(false),
          (e: unknown) => {
            setBusy(false);
            setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
          },
        );
      }}
    >
      <h3>Delete {what}?</h3>
      <ErrorBox error={error} title={`${what} was not deleted.`} />
      <p>
        <label for={`${id}-reason`}>Reason for deleting it</label>
        <input
          id={`${id}-reason`}
          name="reason"
          value={reason}
          aria-invalid={missing ? 'true' : undefined}
          aria-describedby={missing ? `${id}-reason-error` : undefined}
          onInput={(event) => {
            setReason((event.currentTarget as HTMLInputElement).value);
            setMissing(false);
          }}
        />
        {missing ? (
          <small id={`${id}-reason-error`} class="field-error">
            give a reason for the deletion
          </small>
        ) : null}
      </p>
      <p class="actions">
        <button type="submit" class="danger" disabled={busy}>
          Delete {what}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </form>
  );
}

function SitesSection({ code, writable, list }: StructureProps<SiteRecord>) {
  const [editing, setEditing] = useState<Editing<SiteRecord>>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useFocusFirstField(editing?.kind === 'new' || editing?.kind === 'edit' ? 'site-form' : null);
  const done = (message: string) => {
    setEditing(null);
    setConflict(null);
    setSaved(message);
    list.reload();
  };
  const sites = list.data?.items ?? [];
  return (
    <section aria-labelledby="sites-heading">
      <h2 id="sites-heading">Sites</h2>
      <ErrorBox error={list.error} title="The sites could not be listed." />
      {list.loading && !list.data ? <Loading what="Listing the sites" /> : null}
      {list.data ? (
        <div class="table-scroll">
          <table id="sites">
            <caption>Sites of study {code}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Clinic name</th>
                {writable ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {sites.map((site) => (
                <tr key={site.code}>
                  <th scope="row">{site.code}</th>
                  <td>{site.name}</td>
                  {writable ? (
                    <td class="actions">
                      <button
                        type="button"
                        onClick={() => {
                          setSaved(null);
                          setConflict(null);
                          setEditing({ kind: 'edit', base: site, version: site.version, session: Date.now() });
                        }}
                      >
                        Edit<span class="visually-hidden"> site {site.code}</span>
                      </button>
                      <button type="button" class="danger" onClick={() => setEditing({ kind: 'delete', record: site })}>
                        Delete<span class="visually-hidden"> site {site.code}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.data?.nextCursor ? <p class="hint">Only the first {sites.length} sites are shown.</p> : null}
      {writable && editing === null ? (
        <p>
          <button
            type="button"
            onClick={() => {
              setSaved(null);
              setEditing({ kind: 'new' });
            }}
          >
            Add a site
          </button>
        </p>
      ) : null}
      {editing?.kind === 'new' ? (
        <div class="panel">
          <h3>New site</h3>
          <RecordForm
            id="site-form"
            schema={Site}
            initial={{}}
            reason="optional"
            submitLabel="Add the site"
            onCancel={() => setEditing(null)}
            onSubmit={async (value, reason) => {
              await api.post(`${studyPath(code)}/sites`, value, { headers: changeHeaders(null, reason) });
              done(`Added site ${String(value.code)}.`);
            }}
          />
        </div>
      ) : null}
      {editing?.kind === 'edit' ? (
        <div class="panel">
          <h3>Edit site {editing.base.code}</h3>
          {conflict ? (
            <ConflictNotice
              conflict={conflict}
              onKeepMine={() => {
                setEditing({ ...editing, version: Number(conflict.current.version) });
                setConflict(null);
              }}
              onTakeTheirs={() => done('')}
            />
          ) : null}
          <RecordForm
            key={editing.session}
            id="site-form"
            schema={Site}
            readOnly={['code']}
            initial={editing.base}
            reason="required"
            submitLabel="Save the site"
            onCancel={() => setEditing(null)}
            onSubmit={async (value, reason) => {
              const patch = mergePatchOf(editing.base, value, fieldsOf(Site));
              if (Object.keys(patch).length === 0) throw new ApiError(400, 'Nothing was changed: change a field first, or cancel.', []);
              try {
                await api.patch(`${studyPath(code)}/sites/${encodeURIComponent(editing.base.code)}`, patch, {
                  headers: changeHeaders(editing.version, reason),
                });
              } catch (error) {
                setConflict(conflictOf(error, `site ${editing.base.code}`, { ...editing.base, version: editing.version }));
                throw error;
              }
              done(`Saved site ${editing.base.code}.`);
            }}
          />
        </div>
      ) : null}
      {editing?.kind === 'delete' ? (
        <DeleteConfirm
          id="site-delete"
          what={`site ${editing.record.code}`}
          onCancel={() => setEditing(null)}
          onDelete={async (reason) => {
            await api.delete(`${studyPath(code)}/sites/${encodeURIComponent(editing.record.code)}`, { headers: changeHeaders(editing.record.version, reason) });
            done(`Deleted site ${editing.record.code}.`);
          }}
        />
      ) : null}
      <p class="ok" role="status">
        {saved ?? ''}
      </p>
    </section>
  );
}

function PractitionersSection({ code, writable, list, sites }: StructureProps<PractitionerRecord> & { sites: SiteRecord[] }) {
  const [editing, setEditing] = useState<Editing<PractitionerRecord>>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useFocusFirstField(editing?.kind === 'new' || editing?.kind === 'edit' ? 'practitioner-form' : null);
  const siteChoices = { site: sites.map((s) => ({ value: s.code, label: `${s.code}: ${s.name}` })) };
  const done = (message: string) => {
    setEditing(null);
    setConflict(null);
    setSaved(message);
    list.reload();
  };
  const practitioners = list.data?.items ?? [];
  return (
    <section aria-labelledby="practitioners-heading">
      <h2 id="practitioners-heading">Practitioners</h2>
      <ErrorBox error={list.error} title="The practitioners could not be listed." />
      {list.loading && !list.data ? <Loading what="Listing the practitioners" /> : null}
      {list.data ? (
        <div class="table-scroll">
          <table id="practitioners">
            <caption>Practitioners of study {code}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Site</th>
                <th scope="col" class="number">
                  Years of SMP experience
                </th>
                {writable ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {practitioners.map((practitioner) => (
                <tr key={practitioner.code}>
                  <th scope="row">{practitioner.code}</th>
                  <td>{practitioner.site}</td>
                  <td class="number">{practitioner.yearsExperience}</td>
                  {writable ? (
                    <td class="actions">
                      <button
                        type="button"
                        onClick={() => {
                          setSaved(null);
                          setConflict(null);
                          setEditing({ kind: 'edit', base: practitioner, version: practitioner.version, session: Date.now() });
                        }}
                      >
                        Edit<span class="visually-hidden"> practitioner {practitioner.code}</span>
                      </button>
                      <button type="button" class="danger" onClick={() => setEditing({ kind: 'delete', record: practitioner })}>
                        Delete<span class="visually-hidden"> practitioner {practitioner.code}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.data?.nextCursor ? <p class="hint">Only the first {practitioners.length} practitioners are shown.</p> : null}
      {writable && editing === null ? (
        <p>
          <button
            type="button"
            onClick={() => {
              setSaved(null);
              setEditing({ kind: 'new' });
            }}
          >
            Add a practitioner
          </button>
        </p>
      ) : null}
      {editing?.kind === 'new' ? (
        <div class="panel">
          <h3>New practitioner</h3>
          <RecordForm
            id="practitioner-form"
            schema={Practitioner}
            initial={sites.length === 1 ? { site: sites[0]!.code } : {}}
            choices={siteChoices}
            reason="optional"
            submitLabel="Add the practitioner"
            onCancel={() => setEditing(null)}
            onSubmit={async (value, reason) => {
              await api.post(`${studyPath(code)}/practitioners`, value, { headers: changeHeaders(null, reason) });
              done(`Added practitioner ${String(value.code)}.`);
            }}
          />
        </div>
      ) : null}
      {editing?.kind === 'edit' ? (
        <div class="panel">
          <h3>Edit practitioner {editing.base.code}</h3>
          {conflict ? (
            <ConflictNotice
              conflict={conflict}
              onKeepMine={() => {
                setEditing({ ...editing, version: Number(conflict.current.version) });
                setConflict(null);
              }}
              onTakeTheirs={() => done('')}
            />
          ) : null}
          <RecordForm
            key={editing.session}
            id="practitioner-form"
            schema={Practitioner}
            readOnly={['code']}
            initial={editing.base}
            choices={siteChoices}
            reason="required"
            submitLabel="Save the practitioner"
            onCancel={() => setEditing(null)}
            onSubmit={async (value, reason) => {
              const patch = mergePatchOf(editing.base, value, fieldsOf(Practitioner));
              if (Object.keys(patch).length === 0) throw new ApiError(400, 'Nothing was changed: change a field first, or cancel.', []);
              try {
                await api.patch(`${studyPath(code)}/practitioners/${encodeURIComponent(editing.base.code)}`, patch, {
                  headers: changeHeaders(editing.version, reason),
                });
              } catch (error) {
                setConflict(conflictOf(error, `practitioner ${editing.base.code}`, { ...editing.base, version: editing.version }));
                throw error;
              }
              done(`Saved practitioner ${editing.base.code}.`);
            }}
          />
        </div>
      ) : null}
      {editing?.kind === 'delete' ? (
        <DeleteConfirm
          id="practitioner-delete"
          what={`practitioner ${editing.record.code}`}
          onCancel={() => setEditing(null)}
          onDelete={async (reason) => {
            await api.delete(`${studyPath(code)}/practitioners/${encodeURIComponent(editing.record.code)}`, {
              headers: changeHeaders(editing.record.version, reason),
            });
            done(`Deleted practitioner ${editing.record.code}.`);
          }}
        />
      ) : null}
      <p class="ok" role="status">
        {saved ?? ''}
      </p>
    </section>
  );
}

// ---- Deleting the study ----

function DeleteStudy({ code, study }: { code: string; study: StudyRecord }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useFocusFirstField(open ? 'delete-study' : null);
  return (
    <section aria-labelledby="delete-study-heading" class="danger-zone">
      <h2 id="delete-study-heading">Delete the study</h2>
      <p>
        Deleting study {code} removes all its participants and their records at once. The audit trail keeps a copy, which an administrator can download
        from the audit log.
      </p>
      {open ? (
        <form
          id="delete-study"
          class="stack"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            const found: Record<string, string> = {};
            if (typed.trim() !== code) found.confirm = `type ${code} exactly to confirm`;
            if (reason.trim() === '') found.reason = 'give a reason for the deletion';
            setProblems(found);
            if (Object.keys(found).length > 0) return;
            setBusy(true);
            setError(null);
            api.delete(studyPath(code), { headers: changeHeaders(study.version, reason) }).then(
              () => navigate('/'),
              (e: ApiError) => {
                setBusy(false);
                setError(e);
              },
            );
          }}
        >
          <ErrorBox error={error} title="The study was not deleted." />
          <p>
            <label for="delete-study-confirm">Type the study code ({code}) to confirm</label>
            <input
              id="delete-study-confirm"
              name="confirm"
              autocomplete="off"
              autocapitalize="characters"
              spellcheck={false}
              value={typed}
              aria-invalid={problems.confirm ? 'true' : undefined}
              aria-describedby={problems.confirm ? 'delete-study-confirm-error' : undefined}
              onInput={(event) => setTyped((event.currentTarget as HTMLInputElement).value)}
            />
            {problems.confirm ? (
              <small id="delete-study-confirm-error" class="field-error">
                {problems.confirm}
              </small>
            ) : null}
          </p>
          <p>
            <label for="delete-study-reason">Reason for deleting it</label>
            <input
              id="delete-study-reason"
              name="reason"
              value={reason}
              aria-invalid={problems.reason ? 'true' : undefined}
              aria-describedby={problems.reason ? 'delete-study-reason-error' : undefined}
              onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
            />
            {problems.reason ? (
              <small id="delete-study-reason-error" class="field-error">
                {problems.reason}
              </small>
            ) : null}
          </p>
          <p class="actions">
            <button type="submit" class="danger" disabled={busy}>
              Delete study {code} for good
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </p>
        </form>
      ) : (
        <p>
          <button type="button" class="danger" onClick={() => setOpen(true)}>
            Delete study {code}…
          </button>
        </p>
      )}
    </section>
  );
}

export function SetupPage({ code }: { code: string; url?: URL }) {
  usePageTitle(`Sites and practitioners · ${code}`);
  const me = useMe();
  const writable = canWriteStudy(me, code);
  const [study, setStudy] = useState<StudyRecord | null>(null);
  const sites = useResource<Page<SiteRecord>>(`${studyPath(code)}/sites?limit=1000`);
  const practitioners = useResource<Page<PractitionerRecord>>(`${studyPath(code)}/practitioners?limit=1000`);
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
      <StudySection code={code} writable={writable} onStudy={setStudy} />
      <SitesSection code={code} writable={writable} list={sites} />
      <PractitionersSection code={code} writable={writable} list={practitioners} sites={sites.data?.items ?? []} />
      {isAdmin(me) && study ? <DeleteStudy code={code} study={study} /> : null}
    </main>
  );
}
