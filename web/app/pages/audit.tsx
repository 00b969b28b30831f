// A study's audit log: who changed what and when, with the reason, and the change itself (an
// update's changed fields before → after; a created or deleted record's fields; an import's
// summary). Filters and the page live in the address, so a filtered view can be bookmarked.
import { useState } from 'preact/hooks';
import { AUDIT_ENTITIES } from '../../../api/schemas/audit.ts';
import { useResource, useStale } from '../api.ts';
import { AuditTable, type AuditPageData } from '../components/audit-table.tsx';
import { usePageTitle } from '../components/page-title.ts';
import { Pager, usePaging } from '../components/paging.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { optionLabel } from '../forms/fields.ts';
import { navigate, pathOf, queryOf } from '../router.tsx';
import { useMe } from '../session.ts';

const FILTERS = ['entity', 'participant', 'user', 'from', 'to', 'limit'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PAGE_SIZES = ['20', '50', '100'];

function filtersOf(url: URL): Filters {
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = url.searchParams.get(name);
    if (value !== null && value !== '') filters[name] = value;
  }
  return filters;
}

function FilterForm({ filters, onApply }: { filters: Filters; onApply: (filters: Filters) => void }) {
  // What is typed, until the form is sent; the form is re-made (key) when the address changes.
  const [draft, setDraft] = useState<Filters>(filters);
  const bind = (name: keyof Filters) => ({
    id: `audit-${name}`,
    name,
    value: draft[name] ?? '',
    onInput: (event: Event) => setDraft((d) => ({ ...d, [name]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value })),
  });
  return (
    <form
      id="audit-filters"
      class="toolbar"
      role="search"
      aria-label="Filter the audit log"
      onSubmit={(event) => {
        event.preventDefault();
        const next: Filters = {};
        for (const name of FILTERS) {
          const value = (draft[name] ?? '').trim();
          if (value !== '') next[name] = value;
        }
        onApply(next);
      }}
    >
      <div class="field">
        <label for="audit-entity">Kind of record</label>
        <select {...bind('entity')} onChange={bind('entity').onInput}>
          <option value="">Every kind</option>
          {AUDIT_ENTITIES.map((entity) => (
            <option key={entity} value={entity}>
              {optionLabel(entity)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="audit-participant">Participant</label>
        <input {...bind('participant')} autocomplete="off" spellcheck={false} />
      </div>
      <div class="field">
        <label for="audit-user">Changed by (username)</label>
        <input {...bind('user')} autocomplete="off" autocapitalize="none" spellcheck={false} />
      </div>
      <div class="field">
        <label for="audit-from">From (UTC day)</label>
        <input {...bind('from')} type="date" />
      </div>
      <div class="field">
        <label for="audit-to">To (UTC day)</label>
        <input {...bind('to')} type="date" />
      </div>
      <div class="field">
        <label for="audit-limit">Per page</label>
        <select {...bind('limit')} value={draft.limit ?? '50'} onChange={bind('limit').onInput}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      <p class="actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => onApply({})}>
          Clear
        </button>
      </p>
    </form>
  );
}

export function AuditPage({ code, url }: { code: string; url: URL }) {
  usePageTitle(`Audit log · ${code}`);
  const me = useMe();
  const filters = filtersOf(url);
  const cursor = url.searchParams.get('cursor');
  const pages = usePaging({ at: cursor });
  // Reviewers see de-identified data only; the trail names participants and users, so the API
  // refuses them: say so without asking.
  const reviewer = me.role === 'reviewer';
  const path = reviewer ? null : `/api/studies/${encodeURIComponent(code)}/audit${queryOf({ ...filters, cursor })}`;
  const audit = useResource<AuditPageData>(path);
  const stale = useStale(path, audit);
  const go = (next: Filters, nextCursor: string | null) => navigate(pathOf('studies', code, 'audit') + queryOf({ ...next, cursor: nextCursor }), { replace: true });
  const refused = reviewer || audit.error?.status === 403;
  const clinicSites = me.role === 'clinic' ? me.grants.filter((g) => g.study === code).map((g) => g.site ?? 'every site') : [];
  const filtered = Object.keys(filters).some((k) => k !== 'limit');

  return (
    <main id="main">
      <h1>Audit log</h1>
      <p class="hint">
        Who changed what in study {code}, when and why, newest first. Times are local; hover over one for UTC.
        {clinicSites.length > 0 ? ` You see the changes that touch your sites: ${clinicSites.join(', ')}.` : ''}
      </p>
      {refused ? null : (
        <FilterForm
          key={JSON.stringify(filters)}
          filters={filters}
          onApply={(next) => {
            pages.reset();
            go(next, null);
          }}
        />
      )}
      {reviewer ? (
        <p class="notice" role="status">
          The audit log is not available to reviewers: it names participants and the people who changed their records, and reviewers see
          de-identified data only.
        </p>
      ) : null}
      <ErrorBox error={audit.error} title={refused ? 'The audit log is not available to you.' : 'The audit log could not be read.'} />
      {audit.loading && !audit.data ? <Loading what="Reading the audit log" /> : null}
      {audit.data && !audit.error ? (
        <>
          <AuditTable
            id="audit-entries"
            entries={audit.data.items}
            code={code}
            busy={stale}
            caption={`Changes in ${code}${filtered ? ' matching the filters' : ''}, newest first`}
          />
          <Pager
            of="the audit log"
            short
            busy={stale}
            hasPrevious={cursor !== null}
            hasNext={audit.data.nextCursor !== null}
            pageNumber={cursor === null ? 1 : pages.depth > 0 ? pages.depth + 1 : null}
            onPrevious={() => go(filters, pages.previous())}
            onNext={() => {
              pages.next(audit.data!.nextCursor!);
              go(filters, audit.data!.nextCursor);
            }}
          />
        </>
      ) : null}
    </main>
  );
}
