// Adverse-event review: the rates per category, grade, seriousness, relatedness or site with their
// exact intervals (GET /adverse-events/rates, zero-event levels included), then the listing of
// events, serious and unresolved ones first (the API's sort=priority), flagged in words, a page at
// a time, with a CSV download of every event the filters match. Filters live in the address.
import { CTCAE_GRADE_LABELS } from '../../../analysis/charts/labels.ts';
import {
  ADVERSE_EVENT_CATEGORY_LABELS,
  AE_CATEGORIES,
  AE_OUTCOME_LABELS,
  INDICATION_LABELS,
  RELATEDNESS,
  RELATEDNESS_LABELS,
  type AdverseEventCategory,
  type AdverseEventOutcome,
  type Indication,
  type Relatedness,
} from '../../../analysis/vocabulary.ts';
import type { AdverseEventListItem, SiteRecord } from '../../../api/schemas/records.ts';
import { useResource, useStale, type Page } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { Pager, usePaging } from '../components/paging.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { reachableSites } from '../components/reachable-sites.ts';
import {
  CountCell,
  formatCount,
  formatInterval,
  formatPercent,
  NO_DATA,
  Suppressed,
  SuppressionFootnote,
  type MaybeProportion,
} from '../components/figure-cells.tsx';
import { Link, navigate, pathOf, queryOf } from '../router.tsx';
import { useMe } from '../session.ts';

const DIMENSIONS = [
  { value: 'category', label: 'Category' },
  { value: 'grade', label: 'Grade' },
  { value: 'serious', label: 'Seriousness' },
  { value: 'relatedness', label: 'Relatedness' },
  { value: 'site', label: 'Site' },
] as const;
type Dimension = (typeof DIMENSIONS)[number]['value'];

const ORDERS = [
  { value: 'priority', label: 'Serious and unresolved first', dated: false },
  { value: 'participant', label: 'Participant', dated: false },
  { value: '-onsetDate', label: 'Onset, newest first', dated: true },
  { value: 'onsetDate', label: 'Onset, oldest first', dated: true },
] as const;

/** The listing's filters, as the address and the API name them. */
const LISTING_FILTERS = ['site', 'category', 'grade', 'serious', 'relatedness', 'unresolved', 'onsetFrom', 'onsetTo'] as const;
/** Everything the page keeps in the address. */
const ADDRESS_FIELDS = [...LISTING_FILTERS, 'sort', 'by', 'indication'] as const;
type AddressField = (typeof ADDRESS_FIELDS)[number];
type Filters = Record<AddressField, string>;

const PAGE_SIZE = 50;

interface RatesBody {
  by: Dimension;
  participants: number;
  events: number;
  suppressBelow: number;
  rates: Array<{ key: string; label: string; events: number | null; participants: MaybeProportion; suppressed?: true }>;
}

const plural = (n: number, noun: string) => `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;

function filtersOf(url: URL): Filters {
  return Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, url.searchParams.get(field) ?? ''])) as Filters;
}

function SelectField(props: { id: string; label: string; value: string; onChange: (value: string) => void; options: Array<{ value: string; label: string }> }) {
  return (
    <p class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </p>
  );
}

function RatesTable({ data }: { data: RatesBody }) {
  const byLabel = DIMENSIONS.find((d) => d.value === data.by)?.label ?? data.by;
  const caption =
    `Adverse events by ${byLabel.toLowerCase()}: events, and participants with at least one as a share of N with the 95% exact ` +
    `(Clopper–Pearson) interval; levels without events included. ${plural(data.participants, 'participant')}, ` +
    `${plural(data.events, 'event')} in all.`;
  return (
    <>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Adverse-event rates (scrolls sideways)">
        <table id="ae-rates">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{byLabel}</th>
              <th scope="col" class="number">
                Events
              </th>
              <th scope="col" class="number">
                Participants with ≥1
              </th>
              <th scope="col" class="number">
                N
              </th>
              <th scope="col" class="number">
                Rate
              </th>
              <th scope="col" class="number">
                95% exact interval
              </th>
            </tr>
          </thead>
          <tbody>
            {data.rates.map((rate) => {
              const p = rate.participants;
              const hidden = p.n === null;
              return (
                <tr key={rate.key} data-key={rate.key}>
                  <th scope="row">{rate.label}</th>
                  <td class="number">
                    <CountCell value={rate.events} />
                  </td>
                  <td class="number">
                    <CountCell value={p.n} />
                  </td>
                  <td class="number">
                    <CountCell value={p.N} />
                  </td>
                  <td class="number">{hidden ? <Suppressed /> : p.N === 0 ? NO_DATA : formatPercent(p.proportion)}</td>
                  <td class="number">{hidden ? <Suppressed /> : p.N === 0 ? NO_DATA : formatInterval(p.exact)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {data.rates.some((rate) => rate.suppressed) ? <SuppressionFootnote below={data.suppressBelow} id="ae-rates-footnote" /> : null}
    </>
  );
}

function Flags({ event }: { event: AdverseEventListItem }) {
  return (
    <>
      {event.serious ? <span class="badge serious">Serious</span> : null}
      {event.serious && event.resolvedDate === null ? ' ' : null}
      {event.resolvedDate === null ? <span class="badge unresolved">Unresolved</span> : null}
    </>
  );
}

function EventTable({ code, items }: { code: string; items: AdverseEventListItem[] }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Adverse events (scrolls sideways)">
      <table id="ae-listing">
        <caption>Adverse events matching the filters, serious and unresolved ones marked in the Flags column</caption>
        <thead>
          <tr>
            <th scope="col">Flags</th>
            <th scope="col">Participant</th>
            <th scope="col">Site</th>
            <th scope="col" class="number">
              No.
            </th>
            <th scope="col">Category</th>
            <th scope="col">Term</th>
            <th scope="col" class="number">
              Grade
            </th>
            <th scope="col">Relatedness</th>
            <th scope="col">Onset</th>
            <th scope="col">Resolved</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {items.map((event) => (
            <tr
              key={`${event.participant}#${event.no}`}
              class={event.serious ? 'flag-serious' : event.resolvedDate === null ? 'flag-unresolved' : undefined}
              data-participant={event.participant}
              data-no={event.no}
            >
              <td>
                <Flags event={event} />
              </td>
              <th scope="row">
                <Link href={pathOf('studies', code, 'participants', event.participant)}>{event.participant}</Link>
              </th>
              <td>{event.site}</td>
              <td class="number">{event.no}</td>
              <td>{ADVERSE_EVENT_CATEGORY_LABELS[event.category as AdverseEventCategory] ?? event.category}</td>
              <td>{event.term}</td>
              <td class="number">{event.grade}</td>
              <td>{RELATEDNESS_LABELS[event.relatedness as Relatedness] ?? event.relatedness}</td>
              <td>{event.onsetDate}</td>
              <td>{event.resolvedDate ?? 'not resolved'}</td>
              <td>{AE_OUTCOME_LABELS[event.outcome as AdverseEventOutcome] ?? event.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AdverseEventsPage(props: { code?: string; participant?: string; url?: URL }) {
  const code = props.code!;
  const url = props.url ?? new URL(location.href);
  usePageTitle(`Adverse events · ${code}`);
  const me = useMe();
  const deidentified = me.role === 'reviewer';
  const f = filtersOf(url);
  const by = (DIMENSIONS.some((d) => d.value === f.by) ? f.by : 'category') as Dimension;
  const sort = f.sort || 'priority';
  const base = `/api/studies/${encodeURIComponent(code)}`;
  const set = (changes: Partial<Filters>) => {
    const next = { ...f, ...changes };
    if (next.by === 'category') next.by = '';
    if (next.sort === 'priority') next.sort = '';
    navigate(pathOf('studies', code, 'adverse-events') + queryOf(next), { replace: true });
  };

  const sites = useResource<Page<SiteRecord>>(`${base}/sites?limit=1000`);
  const rates = useResource<RatesBody>(`${base}/adverse-events/rates${queryOf({ by, site: f.site, indication: f.indication })}`);

  const listing = Object.fromEntries(LISTING_FILTERS.map((field) => [field, f[field]]));
  const listingQuery = queryOf({ ...listing, sort });
  // A change of filters starts again at page 1.
  const pages = usePaging({ key: listingQuery });
  const pagePath = `${base}/adverse-events${queryOf({ ...listing, sort, limit: PAGE_SIZE, cursor: pages.cursor })}`;
  const page = useResource<Page<AdverseEventListItem>>(pagePath);
  // True from the render that asks for another page (before the fetch starts) until it arrives:
  // the pager waits meanwhile, so a double click cannot push the same cursor twice.
  const pageStale = useStale(pagePath, page);

  const siteOptions = [
    { value: '', label: me.role === 'clinic' ? 'All my sites' : 'All sites' },
    ...reachableSites(me, code, sites.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.code} — ${s.name}` })),
  ];
  if (f.site && !siteOptions.some((o) => o.value === f.site)) siteOptions.push({ value: f.site, label: f.site });
  const anyListingFilter = LISTING_FILTERS.some((field) => field !== 'site' && f[field] !== '');

  return (
    <main id="main">
      <h1>Adverse events</h1>
      <p class="hint">
        Study {code}: rates with exact intervals, then every event, serious and unresolved ones first.
        {deidentified ? ' Participants are shown by pseudonym and dates are shifted (de-identified view).' : ''}
      </p>
      <form class="toolbar" aria-label="Site" onSubmit={(event) => event.preventDefault()}>
        <SelectField id="ae-site" label="Site" value={f.site} onChange={(site) => set({ site })} options={siteOptions} />
      </form>

      <section aria-labelledby="rates-heading">
        <h2 id="rates-heading">Rates</h2>
        <form class="toolbar" aria-label="Rates" onSubmit={(event) => event.preventDefault()}>
          <SelectField id="rates-by" label="Count by" value={by} onChange={(value) => set({ by: value })} options={DIMENSIONS.map((d) => ({ ...d }))} />
          <SelectField
            id="rates-indication"
            label="Indication"
            value={f.indication}
            onChange={(indication) => set({ indication })}
            options={[
              { value: '', label: 'All indications' },
              ...(Object.entries(INDICATION_LABELS) as Array<[Indication, string]>).map(([value, label]) => ({ value, label })),
            ]}
          />
        </form>
        <ErrorBox error={rates.error} title="The rates could not be loaded." />
        {rates.loading && !rates.data ? <Loading what="Loading the rates" /> : null}
        {rates.data ? <RatesTable data={rates.data} /> : null}
      </section>

      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
        <form class="toolbar" aria-label="Filter the events" onSubmit={(event) => event.preventDefault()}>
          <SelectField
            id="ae-category"
            label="Category"
            value={f.category}
            onChange={(category) => set({ category })}
            options={[{ value: '', label: 'Any category' }, ...AE_CATEGORIES.map((c) => ({ value: c, label: ADVERSE_EVENT_CATEGORY_LABELS[c] }))]}
          />
          <SelectField
            id="ae-grade"
            label="Grade"
            value={f.grade}
            onChange={(grade) => set({ grade })}
            options={[{ value: '', label: 'Any grade' }, ...Object.entries(CTCAE_GRADE_LABELS).map(([value, label]) => ({ value, label }))]}
          />
          <SelectField
            id="ae-serious"
            label="Seriousness"
            value={f.serious}
            onChange={(serious) => set({ serious })}
            options={[
              { value: '', label: 'Serious or not' },
              { value: 'true', label: 'Serious' },
              { value: 'false', label: 'Not serious' },
            ]}
          />
          <SelectField
            id="ae-relatedness"
            label="Relatedness"
            value={f.relatedness}
            onChange={(relatedness) => set({ relatedness })}
            options={[{ value: '', label: 'Any relatedness' }, ...RELATEDNESS.map((r) => ({ value: r, label: RELATEDNESS_LABELS[r] }))]}
          />
          <SelectField
            id="ae-unresolved"
            label="Status"
            value={f.unresolved}
            onChange={(unresolved) => set({ unresolved })}
            options={[
              { value: '', label: 'Resolved or not' },
              { value: 'true', label: 'Unresolved' },
              { value: 'false', label: 'Resolved' },
            ]}
          />
          {deidentified ? null : (
            <>
              <p class="field">
                <label for="ae-onset-from">Onset from</label>
                <input id="ae-onset-from" type="date" value={f.onsetFrom} onChange={(event) => set({ onsetFrom: event.currentTarget.value })} />
              </p>
              <p class="field">
                <label for="ae-onset-to">Onset to</label>
                <input id="ae-onset-to" type="date" value={f.onsetTo} onChange={(event) => set({ onsetTo: event.currentTarget.value })} />
              </p>
            </>
          )}
          <SelectField
            id="ae-sort"
            label="Order"
            value={sort}
            onChange={(value) => set({ sort: value })}
            options={ORDERS.filter((o) => !(deidentified && o.dated)).map((o) => ({ value: o.value, label: o.label }))}
          />
          {anyListingFilter ? (
            <p class="field">
              <button
                type="button"
                onClick={() => set({ category: '', grade: '', serious: '', relatedness: '', unresolved: '', onsetFrom: '', onsetTo: '' })}
              >
                Clear event filters
              </button>
            </p>
          ) : null}
        </form>
        <p class="actions">
          <a class="button" id="ae-csv" href={`${base}/adverse-events.csv${listingQuery}`} download={`${code}-adverse-events.csv`}>
            Download CSV
          </a>
          <span class="hint">every event these filters match, in this order</span>
        </p>
        <ErrorBox error={page.error} title="The events could not be loaded." />
        {page.loading && !page.data ? <Loading what="Loading the events" /> : null}
        {page.data ? (
          page.data.items.length === 0 ? (
            <p>No adverse events match these filters.</p>
          ) : (
            <EventTable code={code} items={page.data.items} />
          )
        ) : null}
        <Pager
          of="events"
          always
          announce
          busy={pageStale}
          hasPrevious={pages.depth > 0}
          hasNext={!!page.data?.nextCursor}
          pageNumber={pages.depth + 1}
          onPrevious={pages.previous}
          onNext={() => pages.next(page.data!.nextCursor!)}
        />
      </section>
    </main>
  );
}
