// A study's sites or practitioners: the table, with Add, Edit and Delete for those who may change
// them. An edit sends a merge patch with the version it was made from and a reason; a 412 shows
// the other person's change.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { api, ApiError, changeHeaders, type Page, type Resource } from '../api.ts';
import { DeleteRecord } from '../components/delete-record.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { fieldsOf, mergePatchOf } from '../forms/fields.ts';
import { RecordForm, type Choice } from '../forms/record-form.tsx';
import { conflictOf, ConflictNotice, type Conflict } from './conflict-notice.tsx';
import { studyPath, useFocusFirstField } from './editing.ts';

type Editing<T> = { kind: 'new' } | { kind: 'edit'; base: T; version: number; session: number } | { kind: 'delete'; record: T } | null;

export interface Column<T> {
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
export function StructureSection<T extends Record<string, unknown> & { code: string; version: number }>(props: StructureProps<T>) {
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
                      {/* While the list is read again after a change, its rows may be older than the change. */}
                      <button
                        type="button"
                        disabled={list.loading}
                        onClick={() => {
                          setSaved(null);
                          setConflict(null);
                          setEditing({ kind: 'edit', base: record, version: record.version, session: Date.now() });
                        }}
                      >
                        Edit<span class="visually-hidden"> {noun} {record.code}</span>
                      </button>
                      <button type="button" class="danger" disabled={list.loading} onClick={() => setEditing({ kind: 'delete', record })}>
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
