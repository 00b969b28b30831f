// Study-wide listings for the people who work across participants: participants and adverse
// events, filtered and a page at a time, in the caller's scope and view. In the de-identified
// view participants are named and sorted by pseudonym, and date filters and date order are not
// offered: they would let true dates be found out. The participant search reaches pigment lots,
// adverse-event terms and practitioners too, except in the de-identified view (pseudonyms only).
import type { Db } from '../../db/kysely.ts';
import { selectAdverseEventPage, selectParticipantPage } from '../../db/repositories/listing-repository.ts';
import { AppError } from '../errors.ts';
import {
  adverseEventCursor,
  participantCursor,
  type AdverseEventListItem,
  type AdverseEventListQuery,
  type ParticipantListQuery,
  type ParticipantRecord,
} from '../schemas/records.ts';
import type { Actor } from './access.ts';
import { decodeCursor, encodeCursor, type CursorValue } from './cursor.ts';
import { participantDeidentifier } from './deidentify.ts';
import { participantResponses, readStudy } from './participant-views.ts';
import { adverseEventFromRow } from './record-mapping.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function refuseInDeidentifiedView(query: Record<string, unknown>, fields: string[]): void {
  const sent = fields.filter((field) => query[field] !== undefined);
  if (sent.length > 0) {
    throw new AppError(
      'validation',
      'date filters and date order are not offered in the de-identified view',
      sent.map((field) => ({ path: `query.${field}`, message: 'is not offered in the de-identified view (dates are shifted)' })),
    );
  }
}

export async function listParticipants(db: Db, actor: Actor, studyCode: string, query: ParticipantListQuery): Promise<Page<ParticipantRecord>> {
  return readStudy(db, actor, studyCode, async ({ kysely, study, scope, key }) => {
    const deidentified = key !== null;
    const byDate = query.sort.endsWith('enrolledOn');
    if (deidentified) {
      refuseInDeidentifiedView({ ...query, sort: byDate ? query.sort : undefined }, ['enrolledFrom', 'enrolledTo', 'sort']);
    }
    const rows = await selectParticipantPage(kysely, {
      studyId: study.study_id,
      siteCodes: scope.sites === 'all' ? undefined : [...scope.sites],
      site: query.site,
      indication: query.indication,
      withdrawn: query.withdrawn,
      enrolledFrom: query.enrolledFrom,
      enrolledTo: query.enrolledTo,
      search: query.q,
      // The de-identified view replaces terms and practitioner codes: searching them would reveal them.
      searchRecords: !deidentified,
      name: deidentified ? 'pseudonym' : 'code',
      sort: byDate ? 'enrolledOn' : 'name',
      descending: query.sort.startsWith('-'),
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor, participantCursor(query.sort)),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const items = await participantResponses(kysely, study, page, key);
    const last = page.at(-1);
    const name = (row: NonNullable<typeof last>) => (deidentified ? row.pseudonym : row.code);
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor(byDate ? [last.enrolled_on, name(last)] : [name(last)]) : null,
    };
  });
}

type ReadContext = Parameters<Parameters<typeof readStudy>[3]>[0];
type AdverseEventRow = Awaited<ReturnType<typeof selectAdverseEventPage>>[number];
type AdverseEventFilterQuery = Omit<AdverseEventListQuery, 'limit' | 'cursor'>;

/** The cursor's sort key of a listed event: [name, no], [onsetDate, name, no] or [priority, name, no]. */
function adverseEventSortKey(sort: AdverseEventListQuery['sort'], row: AdverseEventRow, deidentified: boolean): CursorValue[] {
  const name = deidentified ? row.participant_pseudonym : row.participant_code;
  if (sort === 'participant') return [name, row.event_no];
  if (sort === 'priority') return [Number(row.priority), name, row.event_no];
  return [row.onset_date, name, row.event_no];
}

/** One page of the listing in the caller's scope and view: the items and the last row's sort key. */
async function adverseEventPage(
  { kysely, study, scope, key }: ReadContext,
  query: AdverseEventFilterQuery,
  page: { limit: number; after: CursorValue[] | undefined },
): Promise<{ items: AdverseEventListItem[]; lastKey: CursorValue[] | null; more: boolean }> {
  const deidentified = key !== null;
  const byDate = query.sort === 'onsetDate' || query.sort === '-onsetDate';
  if (deidentified) refuseInDeidentifiedView({ ...query, sort: byDate ? query.sort : undefined }, ['onsetFrom', 'onsetTo', 'sort']);
  const rows = await selectAdverseEventPage(kysely, {
    studyId: study.study_id,
    siteCodes: scope.sites === 'all' ? undefined : [...scope.sites],
    site: query.site,
    category: query.category,
    grade: query.grade,
    serious: query.serious,
    relatedness: query.relatedness,
    unresolved: query.unresolved,
    onsetFrom: query.onsetFrom,
    onsetTo: query.onsetTo,
    name: deidentified ? 'pseudonym' : 'code',
    sort: byDate ? 'onsetDate' : query.sort === 'priority' ? 'priority' : 'participant',
    descending: query.sort.startsWith('-'),
    after: page.after,
    limit: page.limit + 1,
  });
  const kept = rows.slice(0, page.limit);
  const items = kept.map((row): AdverseEventListItem => {
    const event = adverseEventFromRow(row);
    // In the de-identified view, through its participant's pseudonym and date shift.
    const deidentifier = key === null ? null : participantDeidentifier(key, { code: row.participant_code, enrolledOn: row.enrolled_on });
    return {
      participant: deidentifier?.code ?? row.participant_code,
      site: row.site_code,
      no: row.event_no,
      ...(deidentifier ? deidentifier.adverseEvent(event) : event),
      version: Number(row.version),
    };
  });
  const last = kept.at(-1);
  return { items, lastKey: last ? adverseEventSortKey(query.sort, last, deidentified) : null, more: rows.length > page.limit };
}

export async function listAdverseEvents(
  db: Db,
  actor: Actor,
  studyCode: string,
  query: AdverseEventListQuery,
): Promise<Page<AdverseEventListItem>> {
  return readStudy(db, actor, studyCode, async (context) => {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, adverseEventCursor(query.sort));
    const { items, lastKey, more } = await adverseEventPage(context, query, { limit: query.limit, after });
    return { items, nextCursor: more && lastKey ? encodeCursor(lastKey) : null };
  });
}

/** Events read per query when every matching event is wanted. */
const BATCH = 1000;

/**
 * Every adverse event the listing's filters match, in its order, in the caller's scope and view,
 * handed to `onBatch` a batch at a time from one snapshot (at least once, with an empty batch
 * when nothing matches). `onBatch` is called only after the caller's access has been checked, so
 * a caller may start its response there.
 */
export async function forEachAdverseEvent(
  db: Db,
  actor: Actor,
  studyCode: string,
  query: AdverseEventFilterQuery,
  onBatch: (items: AdverseEventListItem[]) => Promise<void>,
): Promise<void> {
  await readStudy(db, actor, studyCode, async (context) => {
    let after: CursorValue[] | undefined;
    for (;;) {
      const { items, lastKey, more } = await adverseEventPage(context, query, { limit: BATCH, after });
      await onBatch(items);
      if (!more || lastKey === null) return;
      after = lastKey;
    }
  });
}
