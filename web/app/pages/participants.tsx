// The study's participants: a table searched by code, pigment lot, adverse-event term and
// practitioner (a reviewer: by pseudonym only), filtered, sorted and read a page at a time
// from the API (filters and order live in the address, so a view can be bookmarked and the back
// button works), and, for those who may change records, a form to enrol a participant. A clinic
// sees its own sites only; a reviewer sees pseudonyms and no date filters (dates are shifted).
import { useEffect, useRef, useState } from 'preact/hooks';
import { INDICATIONS } from '../../../analysis/vocabulary.ts';
import { ParticipantFields, type ParticipantRecord, type SiteRecord } from '../../../api/schemas/records.ts';
import { useResource, useStale, type Page } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { Pager, usePaging } from '../components/paging.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { optionLabel } from '../forms/fields.ts';
import { AddPanel } from '../participant/record-section.tsx';
import { Link, navigate, pathOf, queryOf } from '../router.tsx';
import { canEdit, useMe } from '../session.ts';
import { siteChoices, todayIso } from '../participant/defaults.ts';

const PAGE_SIZE = 25;
const FILTERS = ['q', 'site', 'indication', 'withdrawn', 'enrolledFrom', 'enrolledTo', 'sort'] as const;
type Filter = (typeof FILTERS)[number];
type Sort = 'code' | '-code' | 'enrolledOn' | '-enrolledOn';

function SortHeader({ label, field, sort, onSort }: { label: string; field: 'code' | 'enrolledOn'; sort: Sort; onSort: (sort: Sort) => void }) {
  const state = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : 'none';
  return (
    <th scope="col" aria-sort={state}>
      <button type="button" class="sort" onClick={() => onSort(state === 'ascending' ? (`-${field}` as Sort) : field)}>
        {label}
        <span aria-hidden="true">{state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ' ↕'}</span>
        <span class="visually-hidden">
          {state === 'none' ? ', sort by this column' : state === 'ascending' ? ', sorted ascending; sort descending' : ', sorted descending; sort ascending'}
        </span>
      </button>
    </th>
  );
}

export function ParticipantsPage(props: { code?: string; participant?: string; url?: URL }) {
  usePageTitle('Participants');
  const code = props.code!;
  const url = props.url ?? new URL(location.href);
  const me = useMe();
  const editable = canEdit(me);
  const deidentified = me.role === 'reviewer';
  const study = `/api/studies/${encodeURIComponent(code)}`;

  const filters = Object.fromEntries(FILTERS.map((f) => [f, url.searchParams.get(f) ?? ''])) as Record<Filter, string>;
  const sort = (['code', '-code', 'enrolledOn', '-enrolledOn'].includes(filters.sort) ? filters.sort : 'code') as Sort;
  const filterKey = queryOf({ ...filters, sort: sort === 'code' ? '' : sort });

  // A new filter or order starts again at page 1.
  const pages = usePaging({ key: filterKey });
  const [adding, setAdding] = useState(false);
  const [search, setSearch] = useState(filters.q);
  useEffect(() => setSearch(filters.q), [filters.q]);

  const apiQuery = queryOf({
    ...filters,
    sort,
    ...(deidentified ? { enrolledFrom: '', enrolledTo: '', sort: sort.endsWith('enrolledOn') ? 'code' : sort } : {}),
    limit: PAGE_SIZE,
    cursor: pages.cursor,
  });
  // While a newer page is on its way the older one stays on screen, marked as not current, so no
  // page is ever labelled with another's number.
  const listPath = `${study}/participants${apiQuery}`;
  const list = useResource<Page<ParticipantRecord>>(listPath);
  const loading = useStale(listPath, list);
  const sites = useResource<Page<SiteRecord>>(`${study}/sites?limit=1000`);
  const choices = siteChoices(me, code, sites.data?.items);

  const setFilter = (changes: Partial<Record<Filter, string>>) => {
    const next = { ...filters, ...changes };
    if (next.sort === 'code') next.sort = '';
    navigate(url.pathname + queryOf(next), { replace: true });
  };

  // The search applies as one types, after a short pause.
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onSearch = (text: string) => {
    setSearch(text);
    if (typing.current) clearTimeout(typing.current);
    typing.current = setTimeout(() => setFilter({ q: text.trim() }), 300);
  };
  useEffect(() => () => (typing.current ? clearTimeout(typing.current) : undefined), []);

  const pageNumber = pages.depth + 1;
  const items = list.data?.items;
  const anyFilter = FILTERS.some((f) => f !== 'sort' && filters[f] !== '');

  return (
    <main id="main">
      <h1>Participants</h1>
      {deidentified ? (
        <p class="notice">De-identified view: participants are shown by pseudonym and their dates are shifted, so date filters and date order are not offered.</p>
      ) : null}
      {editable ? (
        adding ? (
          <AddPanel
            heading="h2"
            id="add-participant"
            noun="participant"
            schema={ParticipantFields}
            defaults={{ enrolledOn: todayIso(), keloidHistory: false, ...(choices.length === 1 ? { site: choices[0]!.value } : {}) }}
            choices={{ site: choices }}
            path={`${study}/participants`}
            onAdded={(created: ParticipantRecord) => navigate(pathOf('studies', code, 'participants', created.code))}
            onCancel={() => setAdding(false)}
          />
        ) : (
          <p>
            <button
              type="button"
              class="primary"
              disabled={sites.data === undefined && sites.error === undefined}
              aria-busy={sites.data === undefined && sites.error === undefined ? 'true' : undefined}
              onClick={() => setAdding(true)}
            >
              Add participant
            </button>
          </p>
        )
      ) : null}

      <div class="toolbar filters" role="search" aria-label="Filter the participants">
        <div class="field">
          <label for="filter-q">{deidentified ? 'Pseudonym contains' : 'Find by code, pigment lot, adverse event or practitioner'}</label>
          <input
            id="filter-q"
            type="search"
            value={search}
            onInput={(e) => onSearch((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                if (typing.current) clearTimeout(typing.current);
                setFilter({ q: search.trim() });
              }
            }}
          />
        </div>
        <div class="field">
          <label for="filter-site">Site</label>
          <select id="filter-site" value={filters.site} onChange={(e) => setFilter({ site: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{choices.length === 1 ? 'Your site' : 'All sites'}</option>
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-indication">Indication</label>
          <select id="filter-indication" value={filters.indication} onChange={(e) => setFilter({ indication: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">All indications</option>
            {INDICATIONS.map((i) => (
              <option key={i} value={i}>
                {optionLabel(i)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-withdrawn">Status</label>
          <select id="filter-withdrawn" value={filters.withdrawn} onChange={(e) => setFilter({ withdrawn: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">Everyone</option>
            <option value="false">Still in the study</option>
            <option value="true">Withdrawn</option>
          </select>
        </div>
        {deidentified ? null : (
          <>
            <div class="field">
              <label for="filter-from">Enrolled from</label>
              <input id="filter-from" type="date" value={filters.enrolledFrom} onChange={(e) => setFilter({ enrolledFrom: (e.currentTarget as HTMLInputElement).value })} />
            </div>
            <div class="field">
              <label for="filter-to">Enrolled to</label>
              <input id="filter-to" type="date" value={filters.enrolledTo} onChange={(e) => setFilter({ enrolledTo: (e.currentTarget as HTMLInputElement).value })} />
            </div>
          </>
        )}
        {anyFilter ? (
          <button type="button" onClick={() => navigate(url.pathname + queryOf({ sort: filters.sort }), { replace: true })}>
            Clear the filters
          </button>
        ) : null}
      </div>

      <ErrorBox error={loading ? undefined : list.error} title="The participants could not be read." />
      {loading && !items ? <Loading what="Reading the participants" /> : null}
      {items ? (
        <>
          <p role="status" class="hint" id="participants-status">
            {loading
              ? `Reading page ${pageNumber}…`
              : items.length === 0
                ? 'No participants match.'
                : `Page ${pageNumber}: participants ${(pageNumber - 1) * PAGE_SIZE + 1}–${(pageNumber - 1) * PAGE_SIZE + items.length}${list.data?.nextCursor ? ', more follow' : ''}.`}
          </p>
          {items.length > 0 ? (
            <div class="table-scroll">
              <table id="participants" aria-busy={loading ? 'true' : undefined}>
                <caption>Participants of study {code}{anyFilter ? ', filtered' : ''}</caption>
                <thead>
                  <tr>
                    <SortHeader label="Code" field="code" sort={sort} onSort={(s) => setFilter({ sort: s })} />
                    <th scope="col">Site</th>
                    <th scope="col">Indication</th>
                    <th scope="col">Sex</th>
                    <th scope="col" class="number">Birth year</th>
                    {deidentified ? <th scope="col">Enrolled on (shifted)</th> : <SortHeader label="Enrolled on" field="enrolledOn" sort={sort} onSort={(s) => setFilter({ sort: s })} />}
                    <th scope="col">Withdrawn on</th>
                    <th scope="col" class="number">Sessions</th>
                    <th scope="col" class="number">Adverse events</th>
                    <th scope="col" class="number">Fading assessments</th>
                    <th scope="col" class="number">Surveys</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.code}>
                      <th scope="row">
                        <Link href={pathOf('studies', code, 'participants', p.code)}>{p.code}</Link>
                      </th>
                      <td>{p.site}</td>
                      <td>{optionLabel(p.indication)}</td>
                      <td>{p.sex}</td>
                      <td class="number">{p.birthYear}</td>
                      <td>{p.enrolledOn}</td>
                      <td>{p.withdrawnOn ?? '—'}</td>
                      <td class="number">{p.counts.sessions}</td>
                      <td class="number">{p.counts.adverseEvents}</td>
                      <td class="number">{p.counts.fadingAssessments}</td>
                      <td class="number">{p.counts.surveys}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <Pager
            of="participants"
            always
            busy={loading}
            hasPrevious={pages.depth > 0}
            hasNext={!!list.data?.nextCursor}
            pageNumber={pageNumber}
            onPrevious={pages.previous}
            onNext={() => pages.next(list.data!.nextCursor!)}
          />
        </>
      ) : null}
    </main>
  );
}
