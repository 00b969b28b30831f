// Queries as the pages show them: what each names in words (never a JSON path), its state, its
// messages, and the steps the signed-in user may take (answer, close, re-open), each with a message.
import { useState } from 'preact/hooks';
import type { DataQuery } from '../../../api/schemas/data-queries.ts';
import { api, ApiError } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';
import { labelOf } from '../forms/plain-words.ts';
import { Link, pathOf } from '../router.tsx';
import type { Me } from '../session.ts';

const LIST_NOUNS: Record<string, string> = { sessions: 'Session', adverseEvents: 'Adverse event', fadingAssessments: 'Fading assessment', surveys: 'Survey' };
const STATE_WORDS: Record<DataQuery['state'], string> = { open: 'open', answered: 'answered', closed: 'closed' };
const KIND_WORDS: Record<DataQuery['messages'][number]['kind'], string> = {
  raise: 'raised',
  answer: 'answered',
  close: 'closed',
  reopen: 're-opened',
  system: 'closed automatically',
};

/** "Adverse event 2: Outcome", "Session 1", "Withdrawn on", "The participant". */
export function targetWords(q: Pick<DataQuery, 'record' | 'field'>): string {
  const field = q.field === null ? null : labelOf(q.field);
  if (q.record === null) return field ?? 'The participant';
  const record = `${LIST_NOUNS[q.record.list]} ${q.record.no}${q.record.exists ? '' : ' (deleted)'}`;
  return field === null ? record : `${record}: ${field}`;
}

/** "checks" for an edit check's query, "raised by x" for a person's. */
function raiserWords(q: DataQuery): string {
  return q.rule === null ? `raised by ${q.raisedBy}` : 'raised by an automatic check';
}

function mayStep(me: Me, q: DataQuery, step: 'answer' | 'close' | 'reopen'): boolean {
  if (step === 'answer') return (me.role === 'clinic' || me.role === 'admin') && q.state !== 'closed';
  const raiser = me.role === 'admin' || (q.rule === null ? q.raisedByMe : me.role === 'researcher');
  return raiser && (step === 'close' ? q.state !== 'closed' : q.state === 'closed');
}

const STEP_BUTTONS = { answer: 'Answer', close: 'Close', reopen: 'Re-open' } as const;

export function QueryThread(props: { query: DataQuery; me: Me; studyCode: string; showParticipant: boolean; onChanged: () => void }) {
  const { query: q, me } = props;
  const [message, setMessage] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const steps = (['answer', 'close', 'reopen'] as const).filter((step) => mayStep(me, q, step));
  const act = async (step: 'answer' | 'close' | 'reopen') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/studies/${encodeURIComponent(props.studyCode)}/queries/${q.id}/${step}`, { message });
      setMessage('');
      props.onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e), []));
    } finally {
      setBusy(false);
    }
  };
  const inputId = `query-${q.id}-message`;
  return (
    <article class={`query query-${q.state}`} id={`query-${q.id}`} aria-labelledby={`query-${q.id}-heading`}>
      <h3 id={`query-${q.id}-heading`}>
        Query {q.id}: {targetWords(q)} <span class={`badge query-state ${q.state}`}>{STATE_WORDS[q.state]}</span>
      </h3>
      <p class="hint">
        {props.showParticipant ? (
          <>
            Participant <Link href={pathOf('studies', props.studyCode, 'participants', q.participant)}>{q.participant}</Link> (site {q.site}),{' '}
          </>
        ) : null}
        {raiserWords(q)}
      </p>
      <ol class="query-messages">
        {q.messages.map((m) => (
          <li key={m.no}>
            <strong>{m.author}</strong> {KIND_WORDS[m.kind]}
            {m.at ? <span class="hint"> {m.at.slice(0, 16).replace('T', ' ')} UTC</span> : null}: {m.text ?? <em>(message not shown in the de-identified view)</em>}
          </li>
        ))}
      </ol>
      {steps.length > 0 ? (
        <form onSubmit={(e) => e.preventDefault()}>
          <p>
            <label for={inputId}>Message</label>
            <br />
            <textarea id={inputId} rows={2} maxLength={2000} value={message} onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
          </p>
          {steps.map((step) => (
            <button key={step} type="button" disabled={busy || message.trim() === ''} onClick={() => void act(step)}>
              {STEP_BUTTONS[step]}
              <span class="visually-hidden"> query {q.id}</span>
            </button>
          ))}
        </form>
      ) : null}
      <ErrorBox error={error} title="The query could not be changed." />
    </article>
  );
}
