// A study's audit log: who changed what and when, with the reason, and the change itself (an
// update's changed fields before → after; a created or deleted record's fields; an import's
// summary). Filters and the page live in the address, so a filtered view can be bookmarked.
// The entry table is also used by the users page for the audit trail of user management.
import { useState } from 'preact/hooks';
import { AUDIT_ENTITIES, type AuditEntry } from '../../../api/schemas/audit.ts';
import { useResource, useStale, type Page } from '../api.ts';
import { usePageTitle } from '../app.tsx';
import { ACTION_WORDS, changedFields, flatten, isPlainObject } from '../components/audit-changes.ts';
import { Pager, usePaging } from '../components/paging.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { optionLabel } from '../forms/fields.ts';
import { Link, navigate, pathOf, queryOf } from '../router.tsx';
import { isAdmin, useMe } from '../session.ts';

export type AuditPageData = Page<AuditEntry>;

const LOCAL_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A moment as local time, with UTC in its title. */
export function When({ at }: { at: string }) {
  return (
    <time dateTime={at} title={`${at.replace('T', ' ').replace(/Z$/, '')} UTC`}>
      {LOCAL_TIME.format(new Date(at))}
    </time>
  );
}

/** A stored value as text: empty values say so, so that "" and null are not invisible. */
export function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="empty-value">(empty)</span>;
  if (value === '') return <span class="empty-value">(empty text)</span>;
  if (typeof value === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  if (typeof value === 'string' || typeof value === 'number') return <>{String(value)}</>;
  return <code>{JSON.stringify(value)}</code>;
}

function FieldList({ record }: { record: unknown }) {
  const fields = flatten(record);
  if (fields.length === 0) return null;
  return (
    <ul class="change-list">
      {fields.map(([path, value]) => (
        <li key={path}>
          <code>{path}</code>: <Value value={value} />
        </li>
      ))}
    </ul>
  );
}

const COUNT_WORDS: Record<string, string> = {
  sites: 'sites',
  practitioners: 'practitioners',
  participants: 'participants',
  sessions: 'sessions',
  adverseEvents: 'adverse events',
  fadingAssessments: 'fading assessments',
  surveys: 'surveys',
};

const countList = (counts: Record<string, unknown>) =>
  Object.entries(counts)
    .map(([key, n]) => `${String(n)} ${COUNT_WORDS[key] ?? key}`)
    .join(', ');

/** The whole study's counts; for a clinic, which is shown its own sites' only, those by site. */
function countsText(record: unknown): string | null {
  if (!isPlainObject(record)) return null;
  if (isPlainObject(record.counts)) return countList(record.counts);
  if (!isPlainObject(record.countsBySite)) return null;
  const sites = Object.entries(record.countsBySite).filter((entry): entry is [string, Record<string, unknown>] => isPlainObject(entry[1]));
  return sites.length === 0 ? null : `at ${sites.map(([site, counts]) => `${site}, ${countList(counts)}`).join('; at ')}`;
}

/** What an entry changed, in words and values. */
export function Change({ entry, code }: { entry: AuditEntry; code: string | null }) {
  const me = useMe();
  const bundleLink =
    entry.bundleAvailable && code !== null && isAdmin(me) ? (
      <p>
        <a href={`/api/studies/${encodeURIComponent(code)}/audit/${encodeURIComponent(entry.id)}/bundle`} download={`${code}-before-audit-${entry.id}.json`}>
          Download the study as it was before<span class="visually-hidden"> (audit entry {entry.id})</span>
        </a>
      </p>
    ) : null;
  switch (entry.action) {
    case 'update': {
      const changes = changedFields(entry.before, entry.after);
      if (changes.length === 0) return <span class="empty-value">(no field changed)</span>;
      return (
        <ul class="change-list">
          {changes.map((change) => (
            <li key={change.path}>
              <code>{change.path}</code>: <span class="before">
                <Value value={change.before} />
              </span>{' '}
              <span aria-hidden="true">→</span>
              <span class="visually-hidden"> changed to </span>{' '}
              <span class="after">
                <Value value={change.after} />
              </span>
            </li>
          ))}
        </ul>
      );
    }
    case 'create':
      return (
        <details>
          <summary>Created with {flatten(entry.after).length} fields</summary>
          <FieldList record={entry.after} />
        </details>
      );
    case 'delete':
      return (
        <>
          <details>
            <summary>Deleted; it had {flatten(entry.before).length} fields</summary>
            <FieldList record={entry.before} />
          </details>
          {bundleLink}
        </>
      );
    case 'import':
    case 'replace': {
      const before = countsText(entry.before);
      const after = countsText(entry.after);
      const title = isPlainObject(entry.after) && typeof entry.after.title === 'string' ? entry.after.title : null;
      return (
        <>
          <p class="change-summary">
            {entry.action === 'import' ? 'Imported' : 'Replaced'} the whole study{after ? `: ${after}` : ''}
            {before ? ` (before: ${before})` : ''}.
          </p>
          {title ? <p class="change-summary">Title: {title}</p> : null}
          {bundleLink}
        </>
      );
    }
    default:
      return null;
  }
}

/** The record an entry is about: its kind and key, and its participant linked to their page. */
function RecordCell({ entry, code }: { entry: AuditEntry; code: string | null }) {
  return (
    <>
      {optionLabel(entry.entity)} <code>{entry.key}</code>
      {entry.participant && code !== null ? (
        <>
          {' '}
          (<Link href={pathOf('studies', code, 'participants', entry.participant)}>participant {entry.participant}</Link>)
        </>
      ) : null}
    </>
  );
}

/** A table of audit entries, newest first. `code`: the study, for participant and bundle links. */
export function AuditTable({ id, entries, caption, code, busy }: { id: string; entries: AuditEntry[]; caption: string; code: string | null; busy?: boolean }) {
  if (entries.length === 0)
    return (
      <p id={id} aria-busy={busy ? 'true' : undefined}>
        No changes match.
      </p>
    );
  return (
    <div class="table-scroll">
      <table id={id} class="audit-table" aria-busy={busy ? 'true' : undefined}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Record</th>
            <th scope="col">Reason</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-audit-id={entry.id}>
              <th scope="row" class="when">
                <When at={entry.at} />
              </th>
              <td>
                {entry.user.username} <span class="role">({entry.user.role})</span>
              </td>
              <td>{ACTION_WORDS[entry.action]}</td>
              <td>
                <RecordCell entry={entry} code={code} />
              </td>
              <td class="reason">{entry.reason ?? <span class="empty-value">(none given)</span>}</td>
              <td class="change">
                <Change entry={entry} code={code} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
