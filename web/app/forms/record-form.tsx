// A data-entry form built from a zod schema. What is typed is checked in the browser with the
// schema the server uses, and shown at each field in the page's words (plain-words.ts); the
// server's own refusal (problem+json) is mapped back onto the fields the same way, and problems
// elsewhere (another record of the participant, say) are listed above the fields, each once.
// Editing asks for the reason for the change, which the audit trail keeps.
import type { z } from 'zod';
import { useMemo, useState } from 'preact/hooks';
import { ApiError, type Problem } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { check, fieldsOf, inputText, optionLabel, valuesOf, type FieldSpec } from './fields.ts';
import { plainMessage } from './plain-words.ts';

export interface Choice {
  value: string;
  label: string;
}

export interface RecordFormProps {
  /** Unique on the page: prefixes the inputs' ids. */
  id: string;
  schema: z.ZodObject;
  /** Fields not shown (keys set elsewhere). */
  omit?: readonly string[];
  /** Fields shown but not editable (a record's key). */
  readOnly?: readonly string[];
  /** The values the form starts with: a stored record, or defaults for a new one. */
  initial: Record<string, unknown>;
  /** Choices for code fields (site, practitioner), shown as a list instead of free text. */
  choices?: Record<string, readonly Choice[]>;
  /** Ask for a reason for the change (required when editing). */
  reason?: 'required' | 'optional' | 'none';
  /** The id of the heading that names the form (its accessible name). */
  labelledBy?: string;
  /** The reason the form starts with (one typed before, when a change is re-applied). */
  initialReason?: string;
  submitLabel: string;
  /** Saves; an ApiError it throws is shown at the fields. */
  onSubmit: (value: Record<string, unknown>, reason: string) => Promise<void>;
  onCancel?: () => void;
  /** Checks the value beyond the schema (the schema runs first). */
  extraCheck?: (value: Record<string, unknown>) => Problem[];
}

function FieldInput({
  field,
  id,
  text,
  choices,
  readOnly,
  error,
  onInput,
}: {
  field: FieldSpec;
  id: string;
  text: string;
  choices: readonly Choice[] | undefined;
  readOnly: boolean;
  error: string | undefined;
  onInput: (text: string) => void;
}) {
  const describedBy = [error ? `${id}-error` : '', field.description ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: field.name,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    disabled: readOnly,
  };
  if (field.kind === 'boolean') {
    return (
      <input
        {...common}
        type="checkbox"
        checked={text === 'true'}
        onChange={(event) => onInput((event.currentTarget as HTMLInputElement).checked ? 'true' : '')}
      />
    );
  }
  const options: readonly Choice[] | undefined =
    choices ??
    (field.kind === 'enum' ? field.options!.map((o) => ({ value: o, label: optionLabel(o) })) : undefined) ??
    (field.kind === 'optional-boolean'
      ? [
          { value: 'true', label: 'yes' },
          { value: 'false', label: 'no' },
        ]
      : undefined);
  if (options) {
    const known = text === '' || options.some((o) => o.value === text);
    return (
      <select {...common} value={text} onChange={(event) => onInput((event.currentTarget as HTMLSelectElement).value)}>
        <option value="">{field.nullable ? '(none)' : 'Choose…'}</option>
        {known ? null : <option value={text}>{text}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  }
  if (field.kind === 'longtext') {
    return <textarea {...common} rows={3} value={text} onInput={(event) => onInput((event.currentTarget as HTMLTextAreaElement).value)} />;
  }
  if (field.kind === 'date') {
    return <input {...common} type="date" value={text} onInput={(event) => onInput((event.currentTarget as HTMLInputElement).value)} />;
  }
  return (
    <input
      {...common}
      type="text"
      inputMode={field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : undefined}
      value={text}
      onInput={(event) => onInput((event.currentTarget as HTMLInputElement).value)}
    />
  );
}

/** Splits problems into those of a shown field (by the path's first name) and the rest. */
export function problemsByField(problems: readonly Problem[], fields: readonly FieldSpec[]): { byField: Record<string, string>; other: Problem[] } {
  const names = new Set(fields.map((f) => f.name));
  const byField: Record<string, string> = {};
  const other: Problem[] = [];
  for (const problem of problems) {
    // The server locates a body field as `body.name`; the form's own check as `name`.
    const name = problem.path.replace(/^body\./, '').split(/[.[]/)[0]!;
    if (names.has(name)) byField[name] = byField[name] ? `${byField[name]}; ${problem.message}` : problem.message;
    else other.push(problem);
  }
  return { byField, other };
}

export function RecordForm(props: RecordFormProps) {
  const fields = useMemo(() => fieldsOf(props.schema, props.omit ?? []), [props.schema, props.omit]);
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, inputText(f, props.initial[f.name])])),
  );
  const [reason, setReason] = useState(props.initialReason ?? '');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const askReason = props.reason ?? 'none';
  const { byField, other } = problemsByField(problems, fields);
  const reasonProblem = other.find((p) => p.path.includes('X-Change-Reason'));
  // Each problem is said once: at its field, or in the box above the buttons when it has none.
  const shownOther = other.filter((p) => p !== reasonProblem);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    const value = { ...Object.fromEntries(Object.entries(props.initial).filter(([k]) => (props.readOnly ?? []).includes(k))), ...valuesOf(fields, texts) };
    const found = check(props.schema, value);
    if (found.length === 0 && props.extraCheck) found.push(...props.extraCheck(value));
    if (askReason === 'required' && reason.trim() === '') found.push({ path: '(header) X-Change-Reason', message: 'give a reason for the change' });
    setProblems(found);
    if (found.length > 0) {
      // Focus the first field with a problem, so keyboard and screen-reader users land on it.
      queueMicrotask(() => (document.querySelector(`#${props.id} [aria-invalid="true"]`) as HTMLElement | null)?.focus());
      return;
    }
    setBusy(true);
    try {
      await props.onSubmit(value, reason);
      setProblems([]);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setProblems(error.problems);
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form id={props.id} class="record-form" aria-labelledby={props.labelledBy} noValidate onSubmit={(event) => void submit(event)}>
      {failure && failure.problems.length === 0 ? (
        <ErrorBox error={failure} />
      ) : shownOther.length > 0 ? (
        <ErrorBox error={new ApiError(400, 'Not saved. Check these:', shownOther)} />
      ) : null}
      <div class="fields">
        {fields.map((field) => {
          const id = `${props.id}-${field.name}`;
          const error = byField[field.name];
          const readOnly = (props.readOnly ?? []).includes(field.name);
          return (
            <div key={field.name} class={`field field-${field.kind}${error ? ' has-error' : ''}`}>
              <label for={id}>
                {field.label}
                {field.required && field.kind !== 'boolean' ? <span class="required" aria-hidden="true"> *</span> : null}
              </label>
              <FieldInput
                field={field}
                id={id}
                text={texts[field.name] ?? ''}
                choices={props.choices?.[field.name]}
                readOnly={readOnly}
                error={error}
                onInput={(text) => setTexts((t) => ({ ...t, [field.name]: text }))}
              />
              {field.description ? (
                <small id={`${id}-hint`} class="hint">
                  {field.description}
                </small>
              ) : null}
              {error ? (
                <small id={`${id}-error`} class="field-error">
                  {plainMessage(error)}
                </small>
              ) : null}
            </div>
          );
        })}
      </div>
      {askReason !== 'none' ? (
        <div class={`field field-reason${reasonProblem ? ' has-error' : ''}`}>
          <label for={`${props.id}-reason`}>
            Reason for the change{askReason === 'required' ? <span class="required" aria-hidden="true"> *</span> : ' (optional)'}
          </label>
          <input
            id={`${props.id}-reason`}
            name="reason"
            value={reason}
            aria-invalid={reasonProblem ? 'true' : undefined}
            aria-describedby={reasonProblem ? `${props.id}-reason-error` : undefined}
            onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
          />
          {reasonProblem ? (
            <small id={`${props.id}-reason-error`} class="field-error">
              {plainMessage(reasonProblem.message)}
            </small>
          ) : null}
        </div>
      ) : null}
      <p class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {props.submitLabel}
        </button>
        {props.onCancel ? (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
        {busy ? <span role="status">Saving…</span> : null}
      </p>
    </form>
  );
}
