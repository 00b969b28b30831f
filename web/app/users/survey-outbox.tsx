// The survey outbox for administrators: invitations and reminders by email, the count in each
// state, and the newest messages of a state with their participant code, visit, step and last
// error. No address or link is ever sent to the page.
import { useState } from 'preact/hooks';
import { OUTBOX_STATUSES, type OutboxList } from '../../../api/schemas/survey-outbox.ts';
import { useResource } from '../api.ts';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { queryOf } from '../router.tsx';

const when = (iso: string | null) => (iso === null ? '' : iso.replace('T', ' ').slice(0, 16) + ' UTC');

export function SurveyOutbox() {
  const [status, setStatus] = useState<(typeof OUTBOX_STATUSES)[number]>('pending');
  const outbox = useResource<OutboxList>(`/api/outbox${queryOf({ status, limit: 50 })}`);
  const data = outbox.data;
  return (
    <section aria-labelledby="outbox-heading">
      <h2 id="outbox-heading">Survey invitations by email</h2>
      <ErrorBox error={outbox.error} title="The survey outbox could not be read." />
      {outbox.loading && !data ? <Loading what="Reading the survey outbox" /> : null}
      {data ? (
        <>
          <p>
            {data.sending
              ? 'This server sends survey invitations and reminders through its mail server (SMTP_URL).'
              : 'No mail server is configured (SMTP_URL): nothing is sent. Give participants their links from their page.'}{' '}
            Pending {data.counts.pending}, sent {data.counts.sent}, failed {data.counts.failed}, cancelled {data.counts.cancelled}.
          </p>
          <label>
            Show{' '}
            <select value={status} onChange={(event) => setStatus((event.target as HTMLSelectElement).value as typeof status)}>
              {OUTBOX_STATUSES.map((s) => (
                <option value={s} key={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          {data.items.length === 0 ? (
            <p>No {status} messages.</p>
          ) : (
            <table id="survey-outbox">
              <caption>The newest {status} messages</caption>
              <thead>
                <tr>
                  <th scope="col">Study</th>
                  <th scope="col">Participant</th>
                  <th scope="col">Visit</th>
                  <th scope="col">Message</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">{status === 'sent' ? 'Sent' : status === 'pending' ? 'Next attempt' : 'Planned'}</th>
                  <th scope="col">Last error or reason</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((m) => (
                  <tr key={m.id}>
                    <td>{m.study}</td>
                    <td>{m.participant}</td>
                    <td>{m.visit}</td>
                    <td>{m.step}</td>
                    <td>{m.attempts}</td>
                    <td>{when(m.status === 'sent' ? m.sentAt : m.status === 'pending' ? m.nextAttemptAt : m.createdAt)}</td>
                    <td>{m.lastError ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </section>
  );
}
