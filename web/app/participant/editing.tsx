// Changing one versioned record from a participant's page (deleting one is in
// components/delete-record.tsx). A change is sent as a merge patch with If-Match (the version the
// user opened) and a reason. When someone else changed the record in the meantime (412), the
// current record is fetched and the other change explained field by field (the value the user
// opened, theirs, and who changed it and why, from the audit trail), and the user can re-apply
// their own change on top of the current version.
import type { z } from 'zod';
import { useMemo, useState } from 'preact/hooks';
import type { AuditEntry } from '../../../api/schemas/audit.ts';
import { api, ApiError, changeHeaders } from '../api.ts';
import { useFocusOnMount } from '../components/focus.ts';
import { fieldsOf, mergePatchOf, optionLabel, type FieldSpec } from '../forms/fields.ts';
import { RecordForm, type Choice } from '../forms/record-form.tsx';

// Shared with the set-up page; the participant's pages import them from here.
export { DeleteRecord } from '../components/delete-record.tsx';
export { useFocusOnMount };

type Row = Record<string, unknown> & { version: number };

/**
 * A stored value as text for people: empty, yes/no, or the value itself; a choice of an enum
 * field (`field` of kind `enum`) with underscores as spaces. Codes, lots and terms stay as typed.
 */
export function displayValue(value: unknown, field?: Pick<FieldSpec, 'kind'>): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (typeof value === 'string' && field?.kind === 'enum') return optionLabel(value);
  return String(value);
}

/** The latest audit entry of the record `key` (e.g. `P01/sessions/3`), if the user may read the trail. */
export async function latestChangeOf(studyCode: string, participant: string, key: string): Promise<AuditEntry | null> {
  try {
    const query = new URLSearchParams({ participant, limit: '100' });
    const response = await api.get<{ items: AuditEntry[] }>(`/api/studies/${encodeURIComponent(studyCode)}/audit?${query}`);
    return response.data.items.find((entry) => entry.key === key) ?? null;
  } catch {
    return null;
  }
}

interface Conflict {
  /** The record as the user opened it. */
  base: Row;
  /** What the user tried to save. */
  mine: Record<string, unknown>;
  /** The reason the user gave, kept for a re-applied change. */
  reason: string;
  /** The record as it is now; null when it has been deleted. */
  theirs: Row | null;
  change: AuditEntry | null;
}

function ConflictPanel({
  what,
  fields,
  conflict,
  onReapply,
  onDiscard,
}: {
  what: string;
  fields: readonly FieldSpec[];
  conflict: Conflict;
  onReapply: () => void;
  onDiscard: () => void;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { base, mine, theirs, change } = conflict;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const rows = fields.filter((f) => !same(mine[f.name], base[f.name]) || (theirs && !same(theirs[f.name], base[f.name])));
  return (
    <div class="conflict" role="alert">
      <h3 ref={heading} tabIndex={-1}>
        Not saved: someone else changed {what}
      </h3>
      {theirs === null ? (
        <p>
          {what} has been deleted since you opened it (version {base.version}). Your change was not saved.
        </p>
      ) : (
        <p>
          You opened version {base.version}; it is now version {theirs.version}. Your change was not saved, so nothing of theirs was overwritten.
        </p>
      )}
      {change ? (
        <p class="conflict-who">
          {change.action === 'delete' ? 'Deleted' : 'Changed'} by <strong>{change.user.username}</strong> ({change.user.role}) at{' '}
          <time dateTime={change.at}>{change.at.replace('T', ' ').slice(0, 19)} UTC</time>
          {change.reason ? <>, giving the reason “{change.reason}”</> : null}.
        </p>
      ) : null}
      {theirs ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Your change and the current record">
          <table class="conflict-table">
            <caption>Your change against the record as it is now</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">When you opened it</th>
                <th scope="col">Your value</th>
                <th scope="col">Their current value</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => {
                const clash = !same(mine[f.name], base[f.name]) && !same(theirs[f.name], base[f.name]) && !same(theirs[f.name], mine[f.name]);
                return (
                  <tr key={f.name} class={clash ? 'clash' : undefined}>
                    <th scope="row">
                      {f.label}
                      {clash ? (
                        <>
                          {' '}
                          <span class="badge serious">both changed</span>
                        </>
                      ) : null}
                    </th>
                    <td>{displayValue(base[f.name], f)}</td>
                    <td>{displayValue(mine[f.name], f)}</td>
                    <td>{displayValue(theirs[f.name], f)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <p class="actions">
        {theirs ? (
          <button type="button" class="primary" onClick={onReapply}>
            Reload and re-apply my change
          </button>
        ) : null}
        <button type="button" onClick={onDiscard}>
          {theirs ? 'Reload and discard my change' : 'Reload'}
        </button>
      </p>
    </div>
  );
}

export interface EditRecordProps {
  /** Unique on the page: the form's id. */
  id: string;
  /** "session 3", "participant P01": how the record is named in headings. */
  what: string;
  schema: z.ZodObject;
  omit?: readonly string[];
  /** Key fields, shown but not editable. */
  readOnly?: readonly string[];
  record: Row;
  choices?: Record<string, readonly Choice[]>;
  /** The record's API path. */
  path: string;
  studyCode: string;
  participant: string;
  /** The record's key in the audit trail. */
  auditKey: string;
  onSaved: (saved: Row) => void;
  /** The record turned out to have changed: the page may fetch what it shows again. */
  onStale?: () => void;
  /** Closes the form; `reload` when the page should fetch everything again. */
  onClose: (reload: boolean) => void;
}

/** The edit form of one record, and the explanation of a conflicting change. */
export function EditRecord(props: EditRecordProps) {
  const fields = useMemo(() => fieldsOf(props.schema, props.omit ?? []), [props.schema, props.omit]);
  const [state, setState] = useState<{ base: Row; initial: Record<string, unknown>; reason: string; generation: number }>({
    base: props.record,
    initial: props.record,
    reason: '',
    generation: 0,
  });
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [nothing, setNothing] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();

  const save = async (value: Record<string, unknown>, reason: string) => {
    const patch = mergePatchOf(state.base, value, fields);
    for (const key of props.readOnly ?? []) delete patch[key];
    if (Object.keys(patch).length === 0) {
      setNothing(true);
      return;
    }
    setNothing(false);
    try {
      const response = await api.patch<Row>(props.path, patch, { headers: changeHeaders(state.base.version, reason) });
      props.onSaved(response.data);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 412) throw error;
      const theirs = await api.get<Row>(props.path).then(
        (r) => r.data,
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        },
      );
      const change = await latestChangeOf(props.studyCode, props.participant, props.auditKey);
      setConflict({ base: state.base, mine: value, reason, theirs, change });
      props.onStale?.();
    }
  };

  if (conflict) {
    return (
      <div class="panel edit-panel">
        <ConflictPanel
          what={props.what}
          fields={fields}
          conflict={conflict}
          onDiscard={() => props.onClose(true)}
          onReapply={() => {
            const theirs = conflict.theirs!;
            const mineChanged = mergePatchOf(conflict.base, conflict.mine, fields);
            setState((s) => ({ base: theirs, initial: { ...theirs, ...mineChanged }, reason: conflict.reason, generation: s.generation + 1 }));
            setConflict(null);
          }}
        />
      </div>
    );
  }
  return (
    <div class="panel edit-panel">
      <h3 ref={heading} id={`${props.id}-heading`} tabIndex={-1}>
        Edit {props.what}
      </h3>
      {state.generation > 0 ? (
        <p class="notice" role="status">
          Your change is filled in over the current version {state.base.version}. Check it, give the reason, and save again.
        </p>
      ) : null}
      {nothing ? (
        <p class="notice" role="status">
          Nothing has changed yet: change a field, or cancel.
        </p>
      ) : null}
      <RecordForm
        key={state.generation}
        id={props.id}
        labelledBy={`${props.id}-heading`}
        schema={props.schema}
        {...(props.omit ? { omit: props.omit } : {})}
        {...(props.readOnly ? { readOnly: props.readOnly } : {})}
        initial={state.initial}
        initialReason={state.reason}
        {...(props.choices ? { choices: props.choices } : {})}
        reason="required"
        submitLabel={`Save ${props.what}`}
        onSubmit={save}
        onCancel={() => props.onClose(false)}
      />
    </div>
  );
}
