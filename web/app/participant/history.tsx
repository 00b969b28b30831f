// A participant's history from the audit trail, newest first: when, who, what they did to which
// record, the reason they gave, and each changed field before → after. Read a page at a time; for
// the printed casebook it reads every page and then says so.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditEntry } from '../../../api/schemas/audit.ts';
import { AdverseEvent, FadingAssessment, Participant, SatisfactionSurvey, TreatmentSession } from '../../../api/schemas/bundle.ts';
import { api, ApiError } from '../api.ts';
import { ACTION_WORDS, changedFields as changedPaths } from '../components/audit-changes.ts';
import { When } from '../components/audit-table.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { fieldsOf, labelOf, type FieldSpec } from '../forms/fields.ts';
import { displayValue } from './editing.tsx';

const ENTITY_NOUNS: Record<string, string> = {
  participant: 'participant',
  session: 'session',
  adverse_event: 'adverse event',
  fading_assessment: 'fading assessment',
  survey: 'survey',
  signature: 'signature',
  participant_lock: 'lock',
  data_query: 'query',
  verification: 'verification',
};

/** "session 3" from `P01/sessions/3`; "participant P01" from `P01`. */
export function recordName(entry: Pick<AuditEntry, 'entity' | 'key'>): string {
  if (entry.entity === 'verification') {
    const parts = entry.key.split('/');
    return parts.length >= 4 ? `verification of ${ENTITY_NOUNS[LIST_ENTITIES[parts[1]!] ?? ''] ?? parts[1]} ${parts[2]}` : 'verification of every record';
  }
  const noun = ENTITY_NOUNS[entry.entity] ?? entry.entity.replaceAll('_', ' ');
  const parts = entry.key.split('/');
  return parts.length >= 3 ? `${noun} ${parts.at(-1)}` : `${noun} ${entry.key}`;
}

const LIST_ENTITIES: Record<string, string> = { sessions: 'session', 'adverse-events': 'adverse_event', 'fading-assessments': 'fading_assessment', surveys: 'survey' };

/** Fields in the order the forms show them (the schemas' order), whatever order the trail stored. */
const FIELD_ORDER = [
  ...new Set([Participant, TreatmentSession, AdverseEvent, FadingAssessment, SatisfactionSurvey].flatMap((schema) => Object.keys(schema.shape))),
];
const rank = (name: string) => (FIELD_ORDER.indexOf(name) + FIELD_ORDER.length + 1) % (FIELD_ORDER.length + 1);

/** Each kind of record's fields by name, so a choice (enum) reads in words and a code stays as typed. */
const FIELDS_OF_ENTITY: Record<string, Map<string, FieldSpec>> = Object.fromEntries(
  Object.entries({
    participant: Participant,
    session: TreatmentSession,
    adverse_event: AdverseEvent,
    fading_assessment: FadingAssessment,
    survey: SatisfactionSurvey,
  }).map(([entity, schema]) => [entity, new Map(fieldsOf(schema).map((f) => [f.name, f]))]),
);

/** The fields that differ between before and after, in the forms' order, without the record's number and version. */
function changedFields(entry: Pick<AuditEntry, 'entity' | 'before' | 'after'>) {
  // A query's or a verification's entry: its message in words, never its paths or rule ids.
  if (entry.entity === 'data_query' || entry.entity === 'verification') {
    const after = (entry.after ?? {}) as { message?: string; cleared?: string; records?: unknown[] };
    const words = after.message ?? after.cleared ?? (after.records ? `${after.records.length} records` : undefined);
    return words === undefined ? [] : [{ path: 'message', before: undefined, after: words }];
  }
  return changedPaths(entry.before, entry.after)
    .filter((change) => change.path !== 'no' && change.path !== 'version')
    .sort((a, b) => rank(a.path) - rank(b.path));
}

/** A record is "added" here, as the participant page says when one is saved. */
const ACTIONS: Record<AuditEntry['action'], string> = { ...ACTION_WORDS, create: 'added' };

export function History({
  studyCode,
  participant,
  refresh,
  complete = 0,
  onComplete,
}: {
  studyCode: string;
  participant: string;
  refresh: number;
  /** Grows when the whole history is wanted (the casebook): every older page is read. */
  complete?: number;
  /** Called once the whole history is on screen after `complete` grew. */
  onComplete?: () => void;
}) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Older changes on their way: the button waits, so one click appends one page.
  const [loadingMore, setLoadingMore] = useState(false);
  const inFlight = useRef(false);
  const base = `/api/studies/${encodeURIComponent(studyCode)}/audit`;

  const load = (cursor: string | null) => {
    const query = new URLSearchParams({ participant, limit: '50' });
    if (cursor) query.set('cursor', cursor);
    return api.get<{ items: AuditEntry[]; nextCursor: string | null }>(`${base}?${query}`).then(
      (response) => {
        setEntries((previous) => (cursor ? [...(previous ?? []), ...response.data.items] : response.data.items));
        setNext(response.data.nextCursor);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, String(e), [])),
    );
  };

  const loadOlder = (cursor: string) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setLoadingMore(true);
    void load(cursor).finally(() => {
      inFlight.current = false;
      setLoadingMore(false);
    });
  };

  useEffect(() => {
    void load(null);
  }, [studyCode, participant, refresh]);

  // Read the older pages one after another until none is left, then report the history whole
  // (once for each request).
  const completed = useRef(0);
  useEffect(() => {
    if (complete === completed.current || entries === null || inFlight.current || error) return;
    if (next) {
      loadOlder(next);
      return;
    }
    completed.current = complete;
    onComplete?.();
  }, [complete, entries, next, error, loadingMore]);

  return (
    <section aria-labelledby="history-heading" id="history">
      <h2 id="history-heading">History</h2>
      <ErrorBox error={error} title="The history could not be read." />
      {entries === null && !error ? <Loading what="Reading the audit trail" /> : null}
      {entries && entries.length === 0 ? <p>No changes recorded for this participant (records imported with the study have no history of their own).</p> : null}
      {entries && entries.length > 0 ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="History of the participant's records">
          <table id="history-table">
            <caption>Changes to participant {participant}'s records, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Reason</th>
                <th scope="col">Changes (before → after)</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const changes = changedFields(entry);
                const fields = FIELDS_OF_ENTITY[entry.entity];
                return (
                  <tr key={entry.id}>
                    <td>
                      <When at={entry.at} />
                    </td>
                    <td>
                      {entry.user.username} <span class="hint">({entry.user.role})</span>
                    </td>
                    <th scope="row">
                      {recordName(entry)} {ACTIONS[entry.action]}
                    </th>
                    <td>{entry.reason ?? <span class="hint">(none given)</span>}</td>
                    <td>
                      {changes.length === 0 ? null : (
                        <ul class="changes">
                          {changes.map(({ path: name, before, after }) => (
                            <li key={name}>
                              {labelOf(name)}:{' '}
                              {entry.action === 'create' || entry.entity === 'data_query' || entry.entity === 'verification' ? (
                                displayValue(after, fields?.get(name))
                              ) : entry.action === 'delete' ? (
                                <del>{displayValue(before, fields?.get(name))}</del>
                              ) : (
                                <>
                                  {displayValue(before, fields?.get(name))} → {displayValue(after, fields?.get(name))}
                                </>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {next ? (
        <p class="print-only">Older changes are not shown here: print with “Print the casebook” for the whole history.</p>
      ) : null}
      {next ? (
        <p>
          <button type="button" disabled={loadingMore} aria-busy={loadingMore ? 'true' : undefined} onClick={() => loadOlder(next)}>
            Show older changes
          </button>
          {loadingMore ? <span role="status"> Reading older changes…</span> : null}
        </p>
      ) : null}
    </section>
  );
}
