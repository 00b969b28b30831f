// A participant's data review on their page: the open-query badge, the participant's queries with
// their threads, a form to raise a query on the participant, a record or one field (researchers,
// reviewers, administrators), and source-data verification (researchers and administrators mark
// every record verified at once; each record shows whether it is).
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { QUERY_LISTS, RECORD_FIELDS, type DataQuery, type ParticipantVerification, type QueryInbox, type QueryList } from '../../../api/schemas/data-queries.ts';
import { api, ApiError, useResource, type Resource } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { labelOf } from '../forms/plain-words.ts';
import type { Me } from '../session.ts';
import { QueryThread } from './query-thread.tsx';

type Inbox = z.output<typeof QueryInbox>;
type Verification = z.output<typeof ParticipantVerification>;

const LIST_NOUNS: Record<QueryList, string> = { sessions: 'Session', adverseEvents: 'Adverse event', fadingAssessments: 'Fading assessment', surveys: 'Survey' };

/** The participant's queries and verification, read once for the page's badges and its review section. */
export function useReview(studyPath: string, participant: string, found: boolean) {
  const queries = useResource<Inbox>(found ? `${studyPath}/queries?participant=${encodeURIComponent(participant)}&state=all` : null);
  const verification = useResource<Verification>(found ? `${studyPath}/participants/${encodeURIComponent(participant)}/verification` : null);
  return { queries, verification };
}
export type Review = ReturnType<typeof useReview>;

/** A record's badges: its open queries (naming their fields) and whether it is verified. */
export function RecordBadges(props: { review: Review; list: QueryList; no: number }) {
  const open = (props.review.queries.data?.items ?? []).filter((q) => q.state !== 'closed' && q.record?.list === props.list && q.record.no === props.no);
  const verified = (props.review.verification.data?.verified ?? []).some((v) => v.list === props.list && v.no === props.no);
  const fields = [...new Set(open.map((q) => (q.field === null ? null : labelOf(q.field))).filter((f): f is string => f !== null))];
  return (
    <>
      {open.length > 0 ? (
        <span class="badge query-badge" title={fields.length ? `Open queries on: ${fields.join(', ')}` : 'Open queries on this record'}>
          {' '}
          {open.length} open {open.length === 1 ? 'query' : 'queries'}
          {fields.length ? ` (${fields.join(', ')})` : ''}
        </span>
      ) : null}
      {verified ? <span class="badge verified-badge"> verified</span> : null}
    </>
  );
}

/** The participant's badge beside the heading: open queries in all. */
export function ParticipantBadge(props: { review: Review }) {
  const open = (props.review.queries.data?.items ?? []).filter((q) => q.state !== 'closed').length;
  return open > 0 ? <span class="badge query-badge" id="participant-query-badge"> {open} open {open === 1 ? 'query' : 'queries'}</span> : null;
}

function RaiseQuery(props: { me: Me; studyPath: string; participant: string; counts: Record<QueryList, number>; onRaised: () => void }) {
  const [target, setTarget] = useState('');
  const [field, setField] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState('');
  const list = (QUERY_LISTS as readonly string[]).find((l) => target.startsWith(`${l}[`)) as QueryList | undefined;
  const fields = list ? RECORD_FIELDS[list] : RECORD_FIELDS.participant;
  const raise = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setDone('');
    const path = field === '' ? target : target === '' ? field : `${target}.${field}`;
    try {
      const reply = await api.post<DataQuery>(`${props.studyPath}/participants/${encodeURIComponent(props.participant)}/queries`, { path, message });
      setDone(`Query ${reply.data.id} raised.`);
      setMessage('');
      props.onRaised();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    }
  };
  return (
    <form id="raise-query" onSubmit={(e) => void raise(e)}>
      <h3>Raise a query</h3>
      <p>
        <label for="query-target">About </label>
        <select
          id="query-target"
          value={target}
          onChange={(e) => {
            setTarget((e.currentTarget as HTMLSelectElement).value);
            setField('');
          }}
        >
          <option value="">the participant</option>
          {QUERY_LISTS.flatMap((l) =>
            Array.from({ length: props.counts[l] }, (_, i) => (
              <option key={`${l}${i}`} value={`${l}[${i}]`}>
                {LIST_NOUNS[l]} {l === 'sessions' ? i + 1 : `(${i + 1} of ${props.counts[l]})`}
              </option>
            )),
          )}
        </select>{' '}
        <label for="query-field">Field </label>
        <select id="query-field" value={field} onChange={(e) => setField((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">{list ? 'the whole record' : 'none'}</option>
          {fields.map((f) => (
            <option key={f} value={f}>
              {labelOf(f)}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label for="query-message">Question</label>
        <br />
        <textarea id="query-message" rows={3} maxLength={2000} required value={message} onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
      </p>
      <button type="submit" disabled={message.trim() === ''}>
        Raise the query
      </button>
      {done ? <p role="status">{done}</p> : null}
      <ErrorBox error={error} title="The query was not raised." />
    </form>
  );
}

function Verify(props: { me: Me; studyPath: string; participant: string; verification: Resource<Verification>; onVerified: () => void }) {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const data = props.verification.data;
  const mayVerify = props.me.role === 'admin' || props.me.role === 'researcher';
  const verifyAll = async () => {
    setError(undefined);
    try {
      await api.post(`${props.studyPath}/participants/${encodeURIComponent(props.participant)}/verification`, {});
      props.onVerified();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    }
  };
  return (
    <div id="verification">
      <h3>Source-data verification</h3>
      {data ? (
        <p role="status">
          {data.verified.length} of {data.records} records verified against the source.
        </p>
      ) : null}
      {mayVerify ? (
        <button type="button" onClick={() => void verifyAll()}>
          Mark every record verified
        </button>
      ) : null}
      <ErrorBox error={error ?? props.verification.error} title="The verification could not be read or changed." />
    </div>
  );
}

export function ParticipantReview(props: { me: Me; studyCode: string; studyPath: string; participant: string; review: Review; counts: Record<QueryList, number>; onChanged: () => void }) {
  const { queries, verification } = props.review;
  const mayRaise = props.me.role !== 'clinic';
  const reload = () => {
    queries.reload();
    verification.reload();
    props.onChanged();
  };
  return (
    <section aria-labelledby="review-heading" id="review">
      <h2 id="review-heading">Queries and verification</h2>
      {queries.data ? (
        <p>
          {queries.data.counts.open} open, {queries.data.counts.answered} answered, {queries.data.counts.closed} closed.
        </p>
      ) : null}
      <ErrorBox error={queries.error} title="The queries could not be read." />
      {queries.data?.items.map((q) => <QueryThread key={q.id} query={q} me={props.me} studyCode={props.studyCode} showParticipant={false} onChanged={reload} />)}
      {mayRaise ? <RaiseQuery me={props.me} studyPath={props.studyPath} participant={props.participant} counts={props.counts} onRaised={reload} /> : null}
      <Verify me={props.me} studyPath={props.studyPath} participant={props.participant} verification={verification} onVerified={reload} />
    </section>
  );
}
