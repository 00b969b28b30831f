// The table of audit entries shared by the audit log and the users page: when, who, the action,
// the record, the reason and the change itself (an update's changed fields before → after; a
// created or deleted record's fields; an import's summary), with the small cells it is built from.
import type { AuditEntry } from '../../../api/schemas/audit.ts';
import type { Page } from '../api.ts';
import { optionLabel } from '../forms/fields.ts';
import { fieldPathLabel } from '../forms/plain-words.ts';
import { Link, pathOf } from '../router.tsx';
import { isAdmin, useMe } from '../session.ts';
import { formatMoment } from './moment.ts';
import { ACTION_WORDS, changedFields, flatten, isPlainObject } from './audit-changes.ts';

export type AuditPageData = Page<AuditEntry>;

/** A moment in the one format of the web application, in full in its title. */
export function When({ at }: { at: string }) {
  return (
    <time dateTime={at} title={`${at.replace('T', ' ').replace(/Z$/, '')} UTC`}>
      {formatMoment(at)}
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
          {fieldPathLabel(path)}: <Value value={value} />
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
              {fieldPathLabel(change.path)}: <span class="before">
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
