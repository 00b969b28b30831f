// The study's title, protocol and survey settings: shown as facts, and edited as one flat form
// (the follow-up window as from and to) whose changes are sent as a merge patch with the version
// and a reason. The reminder days, a list, are changed through the API.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { Protocol, Study } from '../../../api/schemas/bundle.ts';
import { SurveySettings, type StudyRecord } from '../../../api/schemas/records.ts';
import { api, ApiError, changeHeaders, type Resource } from '../api.ts';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { check } from '../forms/fields.ts';
import { RecordForm } from '../forms/record-form.tsx';
import { conflictOf, ConflictNotice, type Conflict } from './conflict-notice.tsx';
import { studyPath, useFocusFirstField } from './editing.ts';

/** The form's flat fields: title and each protocol field, the follow-up window as from and to. */
const StudyFields = Study.pick({ code: true, title: true })
  .extend(Protocol.omit({ followUpMonths: true, visits: true }).shape)
  .extend(Protocol.shape.followUpMonths.shape)
  .extend({ surveyLinkDays: SurveySettings.shape.linkDays });

function flatStudy(study: StudyRecord): Record<string, unknown> {
  const { followUpMonths, ...protocol } = study.protocol;
  return { code: study.code, title: study.title, ...protocol, from: followUpMonths.from, to: followUpMonths.to, surveyLinkDays: study.surveys.linkDays };
}

/** A merge patch of the study from the form's flat value: only what changed. */
function studyPatchOf(study: StudyRecord, value: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (value.title !== study.title) patch.title = value.title;
  const { from, to, code: _code, title: _title, surveyLinkDays, ...protocol } = value;
  if (surveyLinkDays !== study.surveys.linkDays) patch.surveys = { linkDays: surveyLinkDays };
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

export function StudySection({ code, writable, study }: { code: string; writable: boolean; study: Resource<StudyRecord> }) {
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
              let changed: StudyRecord;
              try {
                changed = (await api.patch<StudyRecord>(studyPath(code), patch, { headers: changeHeaders(editing.version, reason) })).data;
              } catch (error) {
                setConflict(conflictOf(error, `study ${code}`, { ...editing.base, version: editing.version }));
                throw error;
              }
              setEditing(null);
              setConflict(null);
              setSaved(`Saved study ${code}.`);
              // The answer is the study as it now is: a next edit starts from its version at once.
              study.replace(changed);
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
            <dt>Survey links work for (days)</dt>
            <dd>{record.surveys.linkDays}</dd>
            <dt>Email reminders (days after the invitation)</dt>
            <dd>{record.surveys.reminderDays.length === 0 ? 'none' : record.surveys.reminderDays.join(' and ')}</dd>
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
