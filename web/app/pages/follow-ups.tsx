// Follow-ups: the study's worklist (GET …/worklist) as of a day: overdue steps first, then due,
// then those upcoming within a chosen horizon, each linked to its participant; the counts per
// step and site; the list as CSV or iCalendar; and the user's calendar feeds. Filters live in
// the address. A clinic sees its own sites, a reviewer pseudonyms and shifted dates. A due visit
// survey offers staff a link to hand out (with its QR code), as the outbox would email it.
import { useState } from 'preact/hooks';
import type { SiteRecord } from '../../../api/schemas/records.ts';
import type { WorklistRow } from '../../../api/schemas/worklist.ts';
import { api, useResource, useStale, type Page } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { Pager, usePaging } from '../components/paging.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { reachableSites } from '../components/reachable-sites.ts';
import { Link, navigate, pathOf, queryOf } from '../router.tsx';
import { HandOutLink } from '../participant/hand-out-link.tsx';
import { canEdit, useMe } from '../session.ts';

const PAGE_SIZE = 50;
const HORIZONS = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: 'a year' },
  { value: 'all', label: 'any time' },
] as const;

const STATUS_LABELS: Record<WorklistRow['status'], string> = {
  overdue: 'Overdue',
  due: 'Due',
  upcoming: 'Upcoming',
  withdrawn: 'Withdrawn',
  done: 'Done',
};
const MISSING_LABELS: Record<WorklistRow['missing'][number], string> = {
  session: 'session',
  fadingAssessment: 'fading assessment',
  survey: 'survey',
};

interface WorklistBody {
  asOf: string;
  items: WorklistRow[];
  nextCursor: string | null;
  counts: Array<{ step: string; site: string; overdue: number; due: number; upcoming: number; withdrawn: number; done: number }>;
}

interface Feed {
  id: number;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function todayHere(): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function WorklistTable({ code, items }: { code: string; items: WorklistRow[] }) {
  const editor = canEdit(useMe());
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Follow-ups (scrolls sideways)">
      <table id="worklist">
        <caption>Steps to act on, overdue first, then due, then upcoming; each with its window</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Participant</th>
            <th scope="col">Site</th>
            <th scope="col">Step</th>
            <th scope="col">Target</th>
            <th scope="col">Window</th>
            <th scope="col">Still to record</th>
          </tr>
        </thead>
        <tbody>
          {items.map((row) => (
            <tr key={`${row.participant}#${row.step}`} class={`status-${row.status}`} data-participant={row.participant} data-step={row.step}>
              <td>
                <span class={`badge ${row.status}`}>{STATUS_LABELS[row.status]}</span>
              </td>
              <th scope="row">
                <Link href={pathOf('studies', code, 'participants', row.participant)}>{row.participant}</Link>
              </th>
              <td>{row.site}</td>
              <td>
                {row.label} <span class="hint">({row.step})</span>
              </td>
              <td>{row.target}</td>
              <td>
                {row.windowStart} to {row.windowEnd}
              </td>
              <td>
                {row.missing.map((m) => MISSING_LABELS[m]).join(', ')}
                {editor && row.status === 'due' && row.kind === 'visit' && row.missing.includes('survey') ? (
                  <> <HandOutLink code={code} participant={row.participant} visit={row.step} /></>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CountsTable({ counts }: { counts: WorklistBody['counts'] }) {
  if (counts.length === 0) return null;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Counts per step and site (scrolls sideways)">
      <table id="worklist-counts">
        <caption>Steps per visit and site, by status</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Site</th>
            {(['overdue', 'due', 'upcoming', 'withdrawn', 'done'] as const).map((s) => (
              <th scope="col" class="number" key={s}>
                {STATUS_LABELS[s]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {counts.map((c) => (
            <tr key={`${c.step}#${c.site}`} data-step={c.step} data-site={c.site}>
              <th scope="row">{c.step}</th>
              <td>{c.site}</td>
              <td class="number">{c.overdue}</td>
              <td class="number">{c.due}</td>
              <td class="number">{c.upcoming}</td>
              <td class="number">{c.withdrawn}</td>
              <td class="number">{c.done}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Feeds({ base }: { base: string }) {
  const feeds = useResource<{ items: Feed[] }>(`${base}/worklist/feeds`);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const live = (feeds.data?.items ?? []).filter((f) => f.revokedAt === null);
  // Each catches its own failure and shows it, so a click never leaves a promise rejected.
  const createFeed = async () => {
    setError(null);
    try {
      const reply = await api.post<{ url: string }>(`${base}/worklist/feeds`, {});
      setCreated(reply.data.url);
      feeds.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const revokeFeed = async (id: number) => {
    setError(null);
    try {
      await api.delete(`${base}/worklist/feeds/${id}`);
      setCreated(null);
      feeds.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section aria-labelledby="feeds-heading">
      <h2 id="feeds-heading">Calendar feed</h2>
      <p class="hint">
        Subscribe to your upcoming and due follow-ups in a calendar application. The address holds a secret: keep it to
        yourself, and revoke it if it leaks.
      </p>
      <ErrorBox error={error} title="The feed could not be changed." />
      {created ? (
        <p class="notice" role="status">
          Your feed’s address (shown only now): <code id="feed-url">{created}</code>
        </p>
      ) : null}
      <p class="actions">
        <button
          type="button"
          id="feed-create"
          onClick={() => void createFeed()}
        >
          New calendar feed
        </button>
      </p>
      {live.length > 0 ? (
        <ul>
          {live.map((feed) => (
            <li key={feed.id}>
              Feed {feed.id}, made {feed.createdAt.slice(0, 10)}
              {feed.lastUsedAt ? `, last read ${feed.lastUsedAt.slice(0, 10)}` : ', not read yet'}{' '}
              <button
                type="button"
                onClick={() => void revokeFeed(feed.id)}
              >
                Revoke feed {feed.id}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function FollowUpsPage(props: { code?: string; url?: URL }) {
  const code = props.code!;
  const url = props.url ?? new URL(location.href);
  usePageTitle(`Follow-ups · ${code}`);
  const me = useMe();
  const base = `/api/studies/${encodeURIComponent(code)}`;
  const asOf = url.searchParams.get('asOf') ?? '';
  const site = url.searchParams.get('site') ?? '';
  const horizon = url.searchParams.get('horizon') ?? '90';
  const set = (changes: Record<string, string>) => {
    const next = { asOf, site, horizon, ...changes };
    navigate(pathOf('studies', code, 'follow-ups') + queryOf({ ...next, horizon: next.horizon === '90' ? '' : next.horizon }), { replace: true });
  };
  const sites = useResource<Page<SiteRecord>>(`${base}/sites?limit=1000`);
  const filters = {
    asOf: asOf || undefined,
    site: site || undefined,
    status: 'overdue,due,upcoming',
    horizonDays: horizon === 'all' ? undefined : horizon,
  };
  const filterQuery = queryOf(filters);
  const pages = usePaging({ key: filterQuery });
  const pagePath = `${base}/worklist${queryOf({ ...filters, limit: PAGE_SIZE, cursor: pages.cursor })}`;
  const page = useResource<WorklistBody>(pagePath);
  const pageStale = useStale(pagePath, page);
  const siteOptions = [
    { value: '', label: me.role === 'clinic' ? 'All my sites' : 'All sites' },
    ...reachableSites(me, code, sites.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.code} — ${s.name}` })),
  ];

  return (
    <main id="main">
      <h1>Follow-ups</h1>
      <p class="hint">
        Study {code}: each participant’s treatment steps and scheduled visits that need action, as of{' '}
        {page.data?.asOf ?? (asOf || 'today')}. Overdue first, then due, then upcoming.
        {me.role === 'reviewer' ? ' Participants are shown by pseudonym and dates are shifted (de-identified view).' : ''}
      </p>
      <form class="toolbar" aria-label="Filter the follow-ups" onSubmit={(event) => event.preventDefault()}>
        <p class="field">
          <label for="fu-as-of">As of</label>
          <input id="fu-as-of" type="date" value={asOf || page.data?.asOf || todayHere()} onChange={(e) => set({ asOf: e.currentTarget.value })} />
        </p>
        <p class="field">
          <label for="fu-site">Site</label>
          <select id="fu-site" value={site} onChange={(e) => set({ site: e.currentTarget.value })}>
            {siteOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </p>
        <p class="field">
          <label for="fu-horizon">Upcoming within</label>
          <select id="fu-horizon" value={horizon} onChange={(e) => set({ horizon: e.currentTarget.value })}>
            {HORIZONS.map((h) => (
              <option key={h.value} value={h.value}>
                {h.label}
              </option>
            ))}
          </select>
        </p>
      </form>
      <p class="actions">
        <a class="button" id="worklist-csv" href={`${base}/worklist.csv${filterQuery}`} download={`${code}-worklist.csv`}>
          Download CSV
        </a>{' '}
        <a class="button" id="worklist-ics" href={`${base}/worklist.ics${filterQuery}`} download={`${code}-worklist.ics`}>
          Download calendar (.ics)
        </a>
      </p>
      <ErrorBox error={page.error} title="The follow-ups could not be loaded." />
      {page.loading && !page.data ? <Loading what="Loading the follow-ups" /> : null}
      {page.data ? (
        page.data.items.length === 0 ? (
          <p>Nothing is overdue, due or upcoming within this horizon.</p>
        ) : (
          <WorklistTable code={code} items={page.data.items} />
        )
      ) : null}
      <Pager
        of="follow-ups"
        always
        announce
        busy={pageStale}
        hasPrevious={pages.depth > 0}
        hasNext={!!page.data?.nextCursor}
        pageNumber={pages.depth + 1}
        onPrevious={pages.previous}
        onNext={() => pages.next(page.data!.nextCursor!)}
      />
      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading">Per visit and site</h2>
        {page.data ? <CountsTable counts={page.data.counts} /> : null}
      </section>
      <Feeds base={base} />
    </main>
  );
}
