// One kind of a participant's records (sessions, adverse events, fading assessments or surveys):
// a table of them, and for those who may change records an Add form and, on each row, Edit and
// Delete. Forms come from the same zod schemas the server checks with.
import type { ComponentChildren, JSX } from 'preact';
import type { z } from 'zod';
import { useState } from 'preact/hooks';
import { api, changeHeaders } from '../api.ts';
import { RecordForm, type Choice } from '../forms/record-form.tsx';
import { DeleteRecord, EditRecord, useFocusOnMount } from './editing.tsx';

type Row = Record<string, unknown> & { version: number };

export interface Column<R> {
  label: string;
  value: (record: R) => ComponentChildren;
  number?: boolean;
  /** A date: kept on one line. */
  date?: boolean;
}

export interface SectionSpec<R extends Row> {
  /** The list's segment in the API's paths and the audit trail's keys: sessions, adverse-events, … */
  segment: 'sessions' | 'adverse-events' | 'fading-assessments' | 'surveys';
  title: string;
  /** "session", "adverse event". */
  noun: string;
  createSchema: z.ZodObject;
  editSchema: z.ZodObject;
  /** Fields the edit form shows but does not change (the session number). */
  readOnlyOnEdit?: readonly string[];
  keyOf: (record: R) => number;
  columns: readonly Column<R>[];
  rowClass?: (record: R) => string | undefined;
  /** Rows before the last may be removed with the later ones renumbered (sessions). */
  renumbers?: boolean;
}

type Action<R> =
  | { kind: 'none' }
  | { kind: 'add' }
  | { kind: 'edit'; record: R }
  | { kind: 'delete'; record: R }
  | { kind: 'renumber'; record: R };

/** A form to add one record, POSTed to `path`; its heading takes the focus when it opens. */
export function AddPanel<R extends Row>(props: {
  id: string;
  noun: string;
  /** The heading's level: h3 in a participant's section, h2 where it stands on its own. */
  heading?: 'h2' | 'h3';
  schema: z.ZodObject;
  defaults: Record<string, unknown>;
  choices: Record<string, readonly Choice[]>;
  path: string;
  onAdded: (created: R) => void;
  onCancel: () => void;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const Heading = props.heading ?? 'h3';
  return (
    <div class="panel add-panel">
      <Heading ref={heading} id={`${props.id}-heading`} tabIndex={-1}>
        Add {/^[aeiou]/.test(props.noun) ? 'an' : 'a'} {props.noun}
      </Heading>
      <RecordForm
        id={props.id}
        labelledBy={`${props.id}-heading`}
        schema={props.schema}
        initial={props.defaults}
        choices={props.choices}
        reason="optional"
        submitLabel={`Save the new ${props.noun}`}
        onSubmit={async (value, reason) => {
          const response = await api.post<R>(props.path, value, { headers: changeHeaders(null, reason) });
          props.onAdded(response.data);
        }}
        onCancel={props.onCancel}
      />
    </div>
  );
}

export function RecordSection<R extends Row>(props: {
  spec: SectionSpec<R>;
  items: readonly R[] | undefined;
  editable: boolean;
  studyCode: string;
  participant: string;
  /** The API path of the participant. */
  basePath: string;
  /** Values a new record starts with (today's date, the next session number, …). */
  defaults: Record<string, unknown>;
  /** Whether the records the defaults come from have loaded (and are not being read again): until then, nothing is added or changed. */
  ready: boolean;
  choices: Record<string, readonly Choice[]>;
  /** After any change: fetch the page's data again. */
  onChanged: () => void;
  /** Badges shown beside a record's key (its open queries, its verification). */
  badges?: (key: number) => JSX.Element | null;
}) {
  const { spec, items, editable } = props;
  const [action, setAction] = useState<Action<R>>({ kind: 'none' });
  const [done, setDone] = useState('');
  const listPath = `${props.basePath}/${spec.segment}`;
  const pathOf = (record: R) => `${listPath}/${spec.keyOf(record)}`;
  const whatOf = (record: R) => `${spec.noun} ${spec.keyOf(record)}`;
  const finish = (message: string) => {
    setAction({ kind: 'none' });
    setDone(message);
    props.onChanged();
  };
  const close = (reload: boolean) => {
    setAction({ kind: 'none' });
    if (reload) props.onChanged();
  };
  const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

  return (
    <section id={spec.segment} aria-labelledby={`${spec.segment}-heading`} class="record-section">
      <h2 id={`${spec.segment}-heading`}>
        {spec.title} <span class="count">({items?.length ?? '…'})</span>
      </h2>
      {items && items.length > 0 ? (
        <div class="table-scroll">
          <table id={`${spec.segment}-table`}>
            <caption>
              {spec.title} of participant {props.participant}
            </caption>
            <thead>
              <tr>
                {spec.columns.map((c) => (
                  <th key={c.label} scope="col" class={c.number ? 'number' : undefined}>
                    {c.label}
                  </th>
                ))}
                {editable ? (
                  <th scope="col" class="row-actions">
                    Actions
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((record) => (
                <tr key={spec.keyOf(record)} class={spec.rowClass?.(record)}>
                  {spec.columns.map((c, i) =>
                    i === 0 ? (
                      <th key={c.label} scope="row" class={c.number ? 'number' : undefined}>
                        {c.value(record)}
                        {props.badges?.(spec.keyOf(record))}
                      </th>
                    ) : (
                      <td key={c.label} class={c.number ? 'number' : c.date ? 'date' : undefined}>
                        {c.value(record)}
                      </td>
                    ),
                  )}
                  {editable ? (
                    <td class="row-actions">
                      {/* While the records are read again after a change, a row may be older than the change. */}
                      <button type="button" disabled={!props.ready} onClick={() => setAction({ kind: 'edit', record })}>
                        Edit<span class="visually-hidden"> {whatOf(record)}</span>
                      </button>{' '}
                      <button type="button" class="danger" disabled={!props.ready} onClick={() => setAction({ kind: 'delete', record })}>
                        Delete<span class="visually-hidden"> {whatOf(record)}</span>
                      </button>
                      {spec.renumbers && record !== items.at(-1) ? (
                        <>
                          {' '}
                          <button type="button" class="danger" disabled={!props.ready} onClick={() => setAction({ kind: 'renumber', record })}>
                            Remove and renumber<span class="visually-hidden"> {whatOf(record)}</span>
                          </button>
                        </>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : items ? (
        <p>No {spec.noun}s recorded.</p>
      ) : null}
      <div aria-live="polite" class="status-line">
        {done && action.kind === 'none' ? <p class="ok">{done}</p> : null}
      </div>
      {editable && action.kind === 'none' ? (
        <p>
          <button
            type="button"
            disabled={!props.ready}
            aria-busy={props.ready ? undefined : 'true'}
            onClick={() => {
              setDone('');
              setAction({ kind: 'add' });
            }}
          >
            Add {/^[aeiou]/.test(spec.noun) ? 'an' : 'a'} {spec.noun}
          </button>
        </p>
      ) : null}
      {editable && action.kind === 'add' ? (
        <AddPanel
          id={`add-${spec.segment}`}
          noun={spec.noun}
          schema={spec.createSchema}
          defaults={props.defaults}
          choices={props.choices}
          path={listPath}
          onAdded={(created) => finish(`${capital(spec.noun)} ${spec.keyOf(created as R)} added.`)}
          onCancel={() => close(false)}
        />
      ) : null}
      {editable && action.kind === 'edit' ? (
        <EditRecord
          key={`edit-${spec.keyOf(action.record)}`}
          id={`edit-${spec.segment}`}
          what={whatOf(action.record)}
          schema={spec.editSchema}
          {...(spec.readOnlyOnEdit ? { readOnly: spec.readOnlyOnEdit } : {})}
          record={action.record}
          choices={props.choices}
          path={pathOf(action.record)}
          studyCode={props.studyCode}
          participant={props.participant}
          auditKey={`${props.participant}/${spec.segment}/${spec.keyOf(action.record)}`}
          onSaved={() => finish(`${capital(whatOf(action.record))} saved.`)}
          onStale={props.onChanged}
          onClose={close}
        />
      ) : null}
      {editable && action.kind === 'delete' ? (
        <DeleteRecord
          key={`delete-${spec.keyOf(action.record)}`}
          id={`delete-${spec.segment}`}
          what={whatOf(action.record)}
          path={pathOf(action.record)}
          version={action.record.version}
          onDeleted={() => finish(`${capital(whatOf(action.record))} deleted.`)}
          onClose={close}
        />
      ) : null}
      {editable && action.kind === 'renumber' ? (
        <DeleteRecord
          key={`renumber-${spec.keyOf(action.record)}`}
          id={`renumber-${spec.segment}`}
          what={whatOf(action.record)}
          title={`Remove ${whatOf(action.record)} and renumber the later ${spec.noun}s?`}
          method="post"
          path={`${pathOf(action.record)}/remove-and-renumber`}
          version={action.record.version}
          submitLabel="Remove and renumber"
          onDeleted={() =>
            finish(`${capital(whatOf(action.record))} removed; the later ${spec.noun}s and the adverse events naming them were renumbered.`)
          }
          onClose={close}
        />
      ) : null}
    </section>
  );
}
