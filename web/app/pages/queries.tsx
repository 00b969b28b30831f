// The query inbox: the open queries of the participants in reach (a clinic's own sites), or those
// raised by me, with how many are open, answered and closed; each thread with the steps the user
// may take. A reviewer reads it de-identified.
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { QueryInbox } from '../../../api/schemas/data-queries.ts';
import { useResource } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { QueryThread } from '../review/query-thread.tsx';
import { useMe } from '../session.ts';

type Inbox = z.output<typeof QueryInbox>;

export function QueriesPage(props: { code?: string; url?: URL }) {
  const code = props.code!;
  const me = useMe();
  usePageTitle(`Queries, study ${code}`);
  const [state, setState] = useState('active');
  const [mine, setMine] = useState(false);
  const inbox = useResource<Inbox>(`/api/studies/${encodeURIComponent(code)}/queries?state=${state}${mine ? '&mine=true' : ''}`);
  return (
    <main id="main">
      <h1>Queries</h1>
      <p>
        Questions about the data between reviewers, researchers and the clinics: {me.role === 'clinic' ? 'the queries of your sites’ participants' : 'every query you can reach'}.
      </p>
      {inbox.data ? (
        <p id="query-counts" role="status">
          {inbox.data.counts.open} open, {inbox.data.counts.answered} answered, {inbox.data.counts.closed} closed
        </p>
      ) : null}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="query-state">Show </label>
        <select id="query-state" value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value)}>
          <option value="active">open and answered</option>
          <option value="open">open</option>
          <option value="answered">answered</option>
          <option value="closed">closed</option>
          <option value="all">all</option>
        </select>{' '}
        <label>
          <input type="checkbox" checked={mine} onChange={(e) => setMine((e.currentTarget as HTMLInputElement).checked)} /> only those I raised
        </label>
      </form>
      <ErrorBox error={inbox.error} title="The queries could not be read." />
      {inbox.data === undefined && !inbox.error ? <Loading what="Reading the queries" /> : null}
      {inbox.data && inbox.data.items.length === 0 ? <p>No queries here.</p> : null}
      <div id="query-inbox">
        {inbox.data?.items.map((q) => <QueryThread key={q.id} query={q} me={me} studyCode={code} showParticipant onChanged={inbox.reload} />)}
      </div>
    </main>
  );
}
