// Study-wide listings a page at a time: participants and adverse events, filtered, in a stable
// order, resumed after the last row of the previous page (keyset pagination). Codes sort in
// byte order (collation "C") so that both databases give the same order.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

export interface ParticipantListFilter {
  studyId: number;
  /** Sites the caller reaches; undefined for every site. */
  siteCodes?: readonly string[] | undefined;
  site?: string | undefined;
  indication?: string | undefined;
  withdrawn?: boolean | undefined;
  enrolledFrom?: string | undefined;
  enrolledTo?: string | undefined;
  /** Text to find, case-insensitively: in the code (or pseudonym), and with `searchRecords` in the records too. */
  search?: string | undefined;
  /** Also match a session's pigment lot or practitioner code and an adverse event's term. */
  searchRecords: boolean;
  /** Which column names the participant: the code, or the pseudonym in a de-identified view. */
  name: 'code' | 'pseudonym';
  sort: 'name' | 'enrolledOn';
  descending: boolean;
  /** The sort key of the previous page's last row: [name] or [enrolledOn, name]. */
  after?: readonly (string | number | null)[] | undefined;
  limit: number;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function selectParticipantPage(db: Kysely<Database>, filter: ParticipantListFilter) {
  const name = sql.ref(`p.${filter.name}`);
  const nameC = sql`${name} collate "C"`;
  const direction = filter.descending ? sql`desc` : sql`asc`;
  const beyond = filter.descending ? sql`<` : sql`>`;
  let query = db
    .selectFrom('participant as p')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .selectAll('p')
    .select('s.code as site_code')
    .where('p.study_id', '=', filter.studyId);
  if (filter.siteCodes !== undefined) query = query.where('s.code', 'in', filter.siteCodes.length > 0 ? filter.siteCodes : ['']);
  if (filter.site !== undefined) query = query.where('s.code', '=', filter.site);
  if (filter.indication !== undefined) query = query.where('p.indication', '=', filter.indication);
  if (filter.withdrawn !== undefined) query = query.where('p.withdrawn_on', filter.withdrawn ? 'is not' : 'is', null);
  if (filter.enrolledFrom !== undefined) query = query.where('p.enrolled_on', '>=', filter.enrolledFrom);
  if (filter.enrolledTo !== undefined) query = query.where('p.enrolled_on', '<=', filter.enrolledTo);
  if (filter.search !== undefined) {
    const pattern = `%${escapeLike(filter.search)}%`;
    // One uncorrelated set of matching participants, hashed once: each child table is read once
    // (about 40 ms at 20,000 participants on PostgreSQL 15), where correlated EXISTS tests made the
    // planner's estimate large enough to switch on JIT compilation (about 300 ms).
    query = filter.searchRecords
      ? query.where(sql<boolean>`(${name} ilike ${pattern} or p.participant_no in (
          select ts.participant_no from treatment_session ts
            where ts.study_id = ${filter.studyId} and ts.pigment_lot ilike ${pattern}
          union all
          select ts.participant_no from treatment_session ts
            join practitioner pr on pr.study_id = ts.study_id and pr.practitioner_no = ts.practitioner_no
            where ts.study_id = ${filter.studyId} and pr.code ilike ${pattern}
          union all
          select ae.participant_no from adverse_event ae
            where ae.study_id = ${filter.studyId} and ae.term ilike ${pattern}))`)
      : query.where(sql<boolean>`${name} ilike ${pattern}`);
  }
  if (filter.sort === 'name') {
    if (filter.after) query = query.where(sql<boolean>`${nameC} ${beyond} ${filter.after[0]}`);
    query = query.orderBy(sql`${nameC} ${direction}`);
  } else {
    if (filter.after) query = query.where(sql<boolean>`(p.enrolled_on, ${nameC}) ${beyond} (${filter.after[0]}::date, ${filter.after[1]})`);
    query = query.orderBy(sql`p.enrolled_on ${direction}`).orderBy(sql`${nameC} ${direction}`);
  }
  return query.limit(filter.limit).execute();
}

export interface AdverseEventListFilter {
  studyId: number;
  siteCodes?: readonly string[] | undefined;
  site?: string | undefined;
  category?: string | undefined;
  grade?: number | undefined;
  serious?: boolean | undefined;
  relatedness?: string | undefined;
  unresolved?: boolean | undefined;
  onsetFrom?: string | undefined;
  onsetTo?: string | undefined;
  name: 'code' | 'pseudonym';
  /** priority: serious unresolved (0), serious resolved (1), unresolved (2), the rest (3); then participant and number. */
  sort: 'participant' | 'onsetDate' | 'priority';
  /** Reverses the participant and onset-date orders (priority is always most urgent first). */
  descending: boolean;
  /** [name, no], [onsetDate, name, no] or [priority, name, no] of the previous page's last row. */
  after?: readonly (string | number | null)[] | undefined;
  limit: number;
}

/** An event's review priority: 0 serious and unresolved, 1 serious, 2 unresolved, 3 the rest. */
const PRIORITY = sql<number>`((case when e.serious then 0 else 2 end) + (case when e.resolved_date is null then 0 else 1 end))`;

export async function selectAdverseEventPage(db: Kysely<Database>, filter: AdverseEventListFilter) {
  const nameC = sql`${sql.ref(`p.${filter.name}`)} collate "C"`;
  const descending = filter.descending && filter.sort !== 'priority';
  const direction = descending ? sql`desc` : sql`asc`;
  const beyond = descending ? sql`<` : sql`>`;
  let query = db
    .selectFrom('adverse_event as e')
    .innerJoin('participant as p', (join) => join.onRef('p.study_id', '=', 'e.study_id').onRef('p.participant_no', '=', 'e.participant_no'))
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .selectAll('e')
    .select(['p.code as participant_code', 'p.pseudonym as participant_pseudonym', 'p.enrolled_on', 's.code as site_code'])
    .select(PRIORITY.as('priority'))
    .where('e.study_id', '=', filter.studyId);
  if (filter.siteCodes !== undefined) query = query.where('s.code', 'in', filter.siteCodes.length > 0 ? filter.siteCodes : ['']);
  if (filter.site !== undefined) query = query.where('s.code', '=', filter.site);
  if (filter.category !== undefined) query = query.where('e.category', '=', filter.category);
  if (filter.grade !== undefined) query = query.where('e.grade', '=', filter.grade);
  if (filter.serious !== undefined) query = query.where('e.serious', '=', filter.serious);
  if (filter.relatedness !== undefined) query = query.where('e.relatedness', '=', filter.relatedness);
  if (filter.unresolved !== undefined) query = query.where('e.resolved_date', filter.unresolved ? 'is' : 'is not', null);
  if (filter.onsetFrom !== undefined) query = query.where('e.onset_date', '>=', filter.onsetFrom);
  if (filter.onsetTo !== undefined) query = query.where('e.onset_date', '<=', filter.onsetTo);
  if (filter.sort === 'participant') {
    if (filter.after) query = query.where(sql<boolean>`(${nameC}, e.event_no) ${beyond} (${filter.after[0]}, ${filter.after[1]}::int)`);
    query = query.orderBy(sql`${nameC} ${direction}`).orderBy(sql`e.event_no ${direction}`);
  } else if (filter.sort === 'priority') {
    if (filter.after) {
      query = query.where(sql<boolean>`(${PRIORITY}, ${nameC}, e.event_no) > (${filter.after[0]}::int, ${filter.after[1]}, ${filter.after[2]}::int)`);
    }
    query = query.orderBy(PRIORITY).orderBy(sql`${nameC}`).orderBy('e.event_no');
  } else {
    if (filter.after) {
      query = query.where(
        sql<boolean>`(e.onset_date, ${nameC}, e.event_no) ${beyond} (${filter.after[0]}::date, ${filter.after[1]}, ${filter.after[2]}::int)`,
      );
    }
    query = query.orderBy(sql`e.onset_date ${direction}`).orderBy(sql`${nameC} ${direction}`).orderBy(sql`e.event_no ${direction}`);
  }
  return query.limit(filter.limit).execute();
}

/** Every site of a study, by code. */
export async function selectSites(db: Kysely<Database>, studyId: number) {
  return db.selectFrom('site').selectAll().where('study_id', '=', studyId).orderBy(sql`code collate "C"`).execute();
}

/** Every practitioner of a study with the site's code, by code (or pseudonym). */
export async function selectPractitioners(db: Kysely<Database>, studyId: number, name: 'code' | 'pseudonym') {
  return db
    .selectFrom('practitioner as pr')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'pr.study_id').onRef('s.site_no', '=', 'pr.site_no'))
    .selectAll('pr')
    .select('s.code as site_code')
    .where('pr.study_id', '=', studyId)
    .orderBy(sql`${sql.ref(`pr.${name}`)} collate "C"`)
    .execute();
}
