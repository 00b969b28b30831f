// The protocol's scheduled follow-up visits: a table, and for those who change the study, add,
// change and remove; each a change of the study, checked first with the server's own rules.
import { useState } from 'preact/hooks';
import { Protocol } from '../../../api/schemas/bundle.ts';
import { ScheduledVisit, visitsOutsideFollowUp } from '../../../api/schemas/visit-schedule.ts';
import type { StudyRecord } from '../../../api/schemas/records.ts';
import { api, ApiError, changeHeaders, type Problem, type Resource } from '../api.ts';
import { check } from '../forms/fields.ts';
import { RecordForm } from '../forms/record-form.tsx';
import { studyPath, useFocusFirstField } from './editing.ts';
import { RemoveVisit } from './remove-visit.tsx';
import { atVisitField, flatVisit, VISIT_COLUMNS, VisitFields, visitOfForm } from './visit-fields.ts';

type VisitEditing = { kind: 'new' } | { kind: 'edit'; index: number; session: number } | { kind: 'remove'; index: number } | null;

/**
 * The protocol's scheduled follow-up visits: a table, and for those who change the study, add,
 * change and remove. Each is a change of the study (PATCH with the whole list, If-Match and a
 * reason), checked first with the server's own rules over the whole list.
 */
export function VisitsSection({ code, writable, study }: { code: string; writable: boolean; study: Resource<StudyRecord> }) {
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
    let changed: StudyRecord;
    try {
      changed = (await api.patch<StudyRecord>(studyPath(code), { protocol: { visits: list.length === 0 ? null : list } }, { headers: changeHeaders(record.version, reason) })).data;
    } catch (error) {
      if (error instanceof ApiError) throw new ApiError(error.status, error.detail, error.problems.map(atVisitField), error.body);
      throw error;
    }
    setEditing(null);
    setSaved(message);
    study.replace(changed);
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
