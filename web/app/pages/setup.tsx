// A study's set-up: its title and protocol, its sites and its practitioners, each editable by the
// roles that may change the study's structure (administrators and researchers); everyone else
// reads them (a reviewer sees practitioners by pseudonym). Every change of a stored record sends
// the version it was made from (If-Match) and a reason; a 412 shows the other person's change.
// Administrators can delete the whole study at the bottom, after typing its code.
import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { z } from 'zod';
import { Practitioner, Protocol, Site, Study } from '../../../api/schemas/bundle.ts';
import { ScheduledVisit, visitsOutsideFollowUp, type VisitRecordKind } from '../../../api/schemas/visit-schedule.ts';
import { visitWindowDays } from '../../../analysis/schedule.ts';
import type { PractitionerRecord, SiteRecord, StudyRecord } from '../../../api/schemas/records.ts';
import { api, ApiError, changeHeaders, useResource, type Page, type Problem, type Resource } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { DeleteRecord } from '../components/delete-record.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { COUNTRY_CHOICES, COUNTRY_NAMES } from '../forms/country-choices.ts';
import { check, fieldsOf, mergePatchOf } from '../forms/fields.ts';
import { RecordForm, type Choice } from '../forms/record-form.tsx';
import { navigate } from '../router.tsx';
import { isAdmin, useMe, type Me } from '../session.ts';
import { changedFields } from '../components/audit-changes.ts';
import { Value } from '../components/audit-table.tsx';

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
  .extend(Protocol.omit({ followUpMonths: true, visits: true }).shape)
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

function StudySection({ code, writable, study }: { code: string; writable: boolean; study: Resource<StudyRecord> }) {
  // `base`: the record as the form opened (changes are what differs from it); `version`: the
  // version the next save is made from (the newer one once the user chose to apply theirs on top).
  const [editing, setEditing] = useState<{ base: StudyRecord; version: number; session: number } | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useFocusFirstField(editing ? 'study-form' : null);

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

// ---- Scheduled follow-up visits ----

type Visit = z.output<typeof ScheduledVisit>;

/** A visit's form: its fields, with the kinds it expects as one checkbox each. */
const VisitFields = ScheduledVisit.omit({ expects: true }).extend({
  expectsFadingAssessment: z.boolean().default(false).describe('The visit collects a fading assessment'),
  expectsSurvey: z.boolean().default(false).describe('The visit collects a satisfaction survey'),
});

const flatVisit = (visit: Visit): Record<string, unknown> => {
  const { expects, ...fields } = visit;
  return { ...fields, expectsFadingAssessment: expects.includes('fadingAssessment'), expectsSurvey: expects.includes('survey') };
};

function visitOfForm(value: Record<string, unknown>): Record<string, unknown> {
  const { expectsFadingAssessment, expectsSurvey, ...fields } = value;
  const expects: VisitRecordKind[] = [];
  if (expectsFadingAssessment === true) expects.push('fadingAssessment');
  if (expectsSurvey === true) expects.push('survey');
  return { ...fields, expects };
}

/**
 * A problem of the protocol's visits (the browser's `visits[1].windowBeforeDays` or the server's
 * `protocol.visits[1].windowBeforeDays`) at the form's field: the stored list was valid, so the
 * edited visit caused it. A window that overlaps another is shown at the months.
 */
function atVisitField(problem: Problem): Problem {
  const match = /(?:^|\.)visits\[\d+\](?:\.(\w+))?/.exec(problem.path);
  if (!match) return problem;
  const field = match[1];
  if (field === undefined) return { ...problem, path: 'monthsAfterFinalSession' };
  if (field === 'expects') return { ...problem, path: 'expectsFadingAssessment' };
  return { ...problem, path: field };
}

const VISIT_COLUMNS: Array<[string, (visit: Visit) => string, boolean]> = [
  ['Label', (v) => v.label, false],
  ['Months after the final session', (v) => String(v.monthsAfterFinalSession), true],
  ['Window (days after the final session)', (v) => {
    const { start, end } = visitWindowDays(v);
    return `${start} to ${end} (−${v.windowBeforeDays}/+${v.windowAfterDays})`;
  }, false],
  ['Expects', (v) => v.expects.map((kind) => (kind === 'fadingAssessment' ? 'fading assessment' : 'survey')).join(' and '), false],
];

type VisitEditing = { kind: 'new' } | { kind: 'edit'; index: number; session: number } | { kind: 'remove'; index: number } | null;

/**
 * The protocol's scheduled follow-up visits: a table, and for those who change the study, add,
 * change and remove. Each is a change of the study (PATCH with the whole list, If-Match and a
 * reason), checked first with the server's own rules over the whole list.
 */
function VisitsSection({ code, writable, study }: { code: string; writable: boolean; study: Resource<StudyRecord> }) {
  const [editing, setEditing] = useState<VisitEditing>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useFocusFirstField(editing?.kind === 'new' || editing?.kind === 'edit' ? 'visit-form' : editing?.kind === 'remove' ? 'visit-remove' : null);
  const record = study.data;
  if (!record) return null;
  const visits = record.protocol.visits ?? [];

  /** The list with the form's visit in place (or added), checked as the server checks the protocol. */
  const listWith = (value: Record<string, unknown>, index: number | null) => {
    const visit = visitOfForm(value);
    return index === null ? [...visits, visit] : visits.map((v, i) => (i === index ? visit : v));
  };
  const checkList = (list: Array<Record<string, unknown>>, index: number | null): Problem[] => {
    const own = check(ScheduledVisit, list[index ?? list.length - 1]).map((p) => atVisitField({ ...p, path: `visits[0].${p.path}` }));
    if (own.length > 0) return own;
    const protocol = { ...record.protocol, visits: list };
    return [...check(Protocol, protocol), ...visitsOutsideFollowUp(protocol as Parameters<typeof visitsOutsideFollowUp>[0]).map((p) => ({ path: `visits[${String(p.path[1])}].${String(p.path[2])}`, message: p.message }))].map(atVisitField);
  };
  const save = async (list: unknown[], reason: string, message: string) => {
    try {
      await api.patch(studyPath(code), { protocol: { visits: list.length === 0 ? null : list } }, { headers: changeHeaders(record.version, reason) });
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.status, error.detail, error.problems.map(atVisitField), error.body);
      throw error;
    }
    setEditing(null);
    setSaved(message);
    study.reload();
  };
  const visitForm = (index: number | null, session: number) => (
    <RecordForm
      key={session}
      id="visit-form"
      schema={VisitFields}
      readOnly={index === null ? [] : ['code']}
      initial={index === null ? {} : flatVisit(visits[index]!)}
      reason="required"
      submitLabel={index === null ? 'Add the visit' : 'Save the visit'}
      onCancel={() => setEditing(null)}
      extraCheck={(value) => checkList(listWith(value, index), index)}
      onSubmit={async (value, reason) => {
        const visit = visitOfForm(value);
        await save(listWith(value, index), reason, index === null ? `Added visit ${String(visit.code)}.` : `Saved visit ${String(visit.code)}.`);
      }}
    />
  );
  return (
    <section aria-labelledby="visits-heading">
      <h2 id="visits-heading">Scheduled visits</h2>
      <p class="hint">
        Follow-up visits, each in a window around its target (months of 30.4375 days after the final session); windows must not overlap. A change
        of the visits is a change of the study, audited with its reason.
      </p>
      {visits.length === 0 ? (
        <p>The protocol schedules no visits.</p>
      ) : (
        <div class="table-scroll">
          <table id="visits">
            <caption>Scheduled visits of study {code}</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                {VISIT_COLUMNS.map(([label, , number]) => (
                  <th key={label} scope="col" class={number ? 'number' : undefined}>
                    {label}
                  </th>
                ))}
                {writable ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {visits.map((visit, index) => (
                <tr key={visit.code}>
                  <th scope="row">{visit.code}</th>
                  {VISIT_COLUMNS.map(([label, value, number]) => (
                    <td key={label} class={number ? 'number' : undefined}>
                      {value(visit)}
                    </td>
                  ))}
                  {writable ? (
                    <td class="actions">
                      <button
                        type="button"
                        onClick={() => {
                          setSaved(null);
                          setEditing({ kind: 'edit', index, session: Date.now() });
                        }}
                      >
                        Edit<span class="visually-hidden"> visit {visit.code}</span>
                      </button>
                      <button
                        type="button"
                        class="danger"
                        onClick={() => {
                          setSaved(null);
                          setEditing({ kind: 'remove', index });
                        }}
                      >
                        Remove<span class="visually-hidden"> visit {visit.code}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && editing === null ? (
        <p>
          <button
            type="button"
            onClick={() => {
              setSaved(null);
              setEditing({ kind: 'new' });
            }}
          >
            Add a visit
          </button>
        </p>
      ) : null}
      {editing?.kind === 'new' ? (
        <div class="panel">
          <h3>New visit</h3>
          {visitForm(null, 0)}
        </div>
      ) : null}
      {editing?.kind === 'edit' && visits[editing.index] ? (
        <div class="panel">
          <h3>Edit visit {visits[editing.index]!.code}</h3>
          {visitForm(editing.index, editing.session)}
        </div>
      ) : null}
      {editing?.kind === 'remove' && visits[editing.index] ? (
        <RemoveVisit
          code={visits[editing.index]!.code}
          onRemove={(reason) => save(visits.filter((_, i) => i !== editing.index), reason, `Removed visit ${visits[editing.index]!.code}.`)}
          onClose={() => setEditing(null)}
        />
      ) : null}
      <p class="ok" role="status">
        {saved ?? ''}
      </p>
    </section>
  );
}

/** Removing a visit: the reason for the change, then the study change. */
function RemoveVisit({ code, onRemove, onClose }: { code: string; onRemove: (reason: string) => Promise<void>; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      id="visit-remove"
      class="panel stack"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (reason.trim() === '') {
          setProblem('give a reason for the change');
          return;
        }
        setProblem(null);
        setBusy(true);
        setError(null);
        onRemove(reason).catch((e: ApiError) => {
          setBusy(false);
          setError(e);
        });
      }}
    >
      <h3>Remove visit {code}</h3>
      <ErrorBox error={error} title="The visit was not removed." />
      <p>
        <label for="visit-remove-reason">Reason for removing it</label>
        <input
          id="visit-remove-reason"
          name="reason"
          value={reason}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'visit-remove-reason-error' : undefined}
          onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
        />
        {problem ? (
          <small id="visit-remove-reason-error" class="field-error">
            {problem}
          </small>
        ) : null}
      </p>
      <p class="actions">
        <button type="submit" class="danger" disabled={busy}>
          Remove visit {code}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </p>
    </form>
  );
}

// ---- Sites and practitioners ----

type Editing<T> = { kind: 'new' } | { kind: 'edit'; base: T; version: number; session: number } | { kind: 'delete'; record: T } | null;

interface Column<T> {
  label: string;
  value: (record: T) => ComponentChildren;
  number?: boolean;
}

interface StructureProps<T> {
  code: string;
  writable: boolean;
  list: Resource<Page<T>>;
  /** "site": how one record is named in buttons, headings and messages. */
  noun: string;
  /** "sites": the list's segment in the API's paths, also its heading and the table's id. */
  segment: string;
  schema: z.ZodObject;
  /** The table's columns after the code. */
  columns: readonly Column<T>[];
  choices?: Record<string, readonly Choice[]>;
  /** A new record's values before anything is typed. */
  newInitial?: Record<string, unknown>;
}

/** The table of a study's sites or practitioners, with Add, Edit and Delete for those who may change them. */
function StructureSection<T extends Record<string, unknown> & { code: string; version: number }>(props: StructureProps<T>) {
  const { code, writable, list, noun, segment, schema, columns, choices } = props;
  const [editing, setEditing] = useState<Editing<T>>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const formId = `${noun}-form`;
  useFocusFirstField(editing?.kind === 'new' || editing?.kind === 'edit' ? formId : null);
  const listPath = `${studyPath(code)}/${segment}`;
  const recordPath = (record: T) => `${listPath}/${encodeURIComponent(record.code)}`;
  const done = (message: string) => {
    setEditing(null);
    setConflict(null);
    setSaved(message);
    list.reload();
  };
  const records = list.data?.items ?? [];
  const title = segment[0]!.toUpperCase() + segment.slice(1);
  return (
    <section aria-labelledby={`${segment}-heading`}>
      <h2 id={`${segment}-heading`}>{title}</h2>
      <ErrorBox error={list.error} title={`The ${segment} could not be listed.`} />
      {list.loading && !list.data ? <Loading what={`Listing the ${segment}`} /> : null}
      {list.data ? (
        <div class="table-scroll">
          <table id={segment}>
            <caption>
              {title} of study {code}
            </caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                {columns.map((column) => (
                  <th key={column.label} scope="col" class={column.number ? 'number' : undefined}>
                    {column.label}
                  </th>
                ))}
                {writable ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {records.map((record) => (
                <tr key={record.code}>
                  <th scope="row">{record.code}</th>
                  {columns.map((column) => (
                    <td key={column.label} class={column.number ? 'number' : undefined}>
                      {column.value(record)}
                    </td>
                  ))}
                  {writable ? (
                    <td class="actions">
                      <button
                        type="button"
                        onClick={() => {
                          setSaved(null);
                          setConflict(null);
                          setEditing({ kind: 'edit', base: record, version: record.version, session: Date.now() });
                        }}
                      >
                        Edit<span class="visually-hidden"> {noun} {record.code}</span>
                      </button>
                      <button type="button" class="danger" onClick={() => setEditing({ kind: 'delete', record })}>
                        Delete<span class="visually-hidden"> {noun} {record.code}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.data?.nextCursor ? (
        <p class="hint">
          Only the first {records.length} {segment} are shown.
        </p>
      ) : null}
      {writable && editing === null ? (
        <p>
          <button
            type="button"
            onClick={() => {
              setSaved(null);
              setEditing({ kind: 'new' });
            }}
          >
            Add a {noun}
          </button>
        </p>
      ) : null}
      {editing?.kind === 'new' ? (
        <div class="panel">
          <h3>New {noun}</h3>
          <RecordForm
            id={formId}
            schema={schema}
            initial={props.newInitial ?? {}}
            choices={choices}
            reason="optional"
            submitLabel={`Add the ${noun}`}
            onCancel={() => setEditing(null)}
            onSubmit={async (value, reason) => {
              await api.post(listPath, value, { headers: changeHeaders(null, reason) });
              done(`Added ${noun} ${String(value.code)}.`);
            }}
          />
        </div>
      ) : null}
      {editing?.kind === 'edit' ? (
        <div class="panel">
          <h3>
            Edit {noun} {editing.base.code}
          </h3>
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
            id={formId}
            schema={schema}
            readOnly={['code']}
            initial={editing.base}
            choices={choices}
            reason="required"
            submitLabel={`Save the ${noun}`}
            onCancel={() => setEditing(null)}
            onSubmit={async (value, reason) => {
              const patch = mergePatchOf(editing.base, value, fieldsOf(schema));
              if (Object.keys(patch).length === 0) throw new ApiError(400, 'Nothing was changed: change a field first, or cancel.', []);
              try {
                await api.patch(recordPath(editing.base), patch, { headers: changeHeaders(editing.version, reason) });
              } catch (error) {
                setConflict(conflictOf(error, `${noun} ${editing.base.code}`, { ...editing.base, version: editing.version }));
                throw error;
              }
              done(`Saved ${noun} ${editing.base.code}.`);
            }}
          />
        </div>
      ) : null}
      {editing?.kind === 'delete' ? (
        <DeleteRecord
          key={editing.record.code}
          id={`${noun}-delete`}
          what={`${noun} ${editing.record.code}`}
          path={recordPath(editing.record)}
          version={editing.record.version}
          reasonLabel="Reason for deleting it"
          submitLabel={`Delete ${noun} ${editing.record.code}`}
          onDeleted={() => done(`Deleted ${noun} ${editing.record.code}.`)}
          onClose={(reload) => {
            setEditing(null);
            if (reload) list.reload();
          }}
        />
      ) : null}
      <p class="ok" role="status">
        {saved ?? ''}
      </p>
    </section>
  );
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
