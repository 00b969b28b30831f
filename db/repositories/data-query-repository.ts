// Queries (discrepancies) and their messages: insert, change state, find one, list a study's
// with each query's current site and the current place of the record it names. SQL only.
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, ReviewedList } from '../types.ts';

export type DataQueryRow = Selectable<Database['data_query']>;
export type DataQueryMessageRow = Selectable<Database['data_query_message']>;

/** A query with what a reader needs beside it: the participant's current site and pseudonym, and where its record is now. */
export type DataQueryListed = DataQueryRow & {
  current_site: string;
  /** The participant's pseudonym; null once the participant is deleted. */
  participant_pseudonym: string | null;
  /** The record's index in its list now; null when the record (or participant) is gone or none is named. */
  record_index: number | null;
  message_count: number;
};

const TABLE_OF: Record<ReviewedList, { table: string; key: string }> = {
  sessions: { table: 'treatment_session', key: 'session_number' },
  adverseEvents: { table: 'adverse_event', key: 'event_no' },
  fadingAssessments: { table: 'fading_assessment', key: 'assessment_no' },
  surveys: { table: 'satisfaction_survey', key: 'survey_no' },
};

/** The record's current index: the number of its list's records with a smaller key, when it still exists. */
const recordIndex = sql<number | null>`case ${sql.join(
  (Object.keys(TABLE_OF) as ReviewedList[]).map((list) => {
    const { table, key } = TABLE_OF[list];
    const rows = sql`from ${sql.table(table)} c where c.study_id = q.study_id and c.participant_no = p.participant_no`;
    return sql`when q.record_list = ${list} and exists (select 1 ${rows} and c.${sql.ref(key)} = q.record_no)
      then (select count(*)::int ${rows} and c.${sql.ref(key)} < q.record_no)`;
  }),
  sql` `,
)} else null end`;

export interface QueryFilter {
  studyId: number;
  states: ReadonlyArray<DataQueryRow['state']>;
  participantCode?: string | undefined;
  /** Only queries of participants now at these sites. */
  siteCodes?: readonly string[] | undefined;
  /** Only queries raised by this user. */
  raisedBy?: number | undefined;
  queryId?: number | undefined;
  limit: number;
}

function listQuery(db: Kysely<Database>, filter: Omit<QueryFilter, 'limit' | 'states'>) {
  let query = db
    .selectFrom('data_query as q')
    .leftJoin('participant as p', (join) => join.onRef('p.study_id', '=', 'q.study_id').onRef('p.code', '=', 'q.participant_code'))
    .leftJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .where('q.study_id', '=', filter.studyId);
  if (filter.participantCode !== undefined) query = query.where('q.participant_code', '=', filter.participantCode);
  if (filter.siteCodes !== undefined) query = query.where(sql<string>`coalesce(s.code, q.site_code)`, 'in', filter.siteCodes.length ? [...filter.siteCodes] : ['']);
  if (filter.raisedBy !== undefined) query = query.where('q.raised_by', '=', filter.raisedBy);
  if (filter.queryId !== undefined) query = query.where('q.query_id', '=', filter.queryId);
  return query;
}

/** A study's queries, newest first, with their current site, pseudonym and record index. */
export async function selectQueries(db: Kysely<Database>, filter: QueryFilter): Promise<DataQueryListed[]> {
  const rows = await listQuery(db, filter)
    .where('q.state', 'in', [...filter.states])
    .selectAll('q')
    .select([
      sql<string>`coalesce(s.code, q.site_code)`.as('current_site'),
      'p.pseudonym as participant_pseudonym',
      recordIndex.as('record_index'),
      sql<number>`(select count(*)::int from data_query_message m where m.query_id = q.query_id)`.as('message_count'),
    ])
    .orderBy('q.query_id', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map((row) => ({ ...row, record_index: row.record_index === null ? null : Number(row.record_index), message_count: Number(row.message_count) }));
}

/** How many of a study's queries (in the same filter) are in each state. */
export async function countQueriesByState(db: Kysely<Database>, filter: Omit<QueryFilter, 'limit' | 'states'>) {
  const rows = await listQuery(db, filter)
    .select(['q.state', sql<string>`count(*)`.as('n')])
    .groupBy('q.state')
    .execute();
  return rows.map((row) => ({ state: row.state, count: Number(row.n) }));
}

/** One query, held until the transaction ends when `lock` is set. */
export async function findQuery(db: Kysely<Database>, studyId: number, queryId: number, lock = false): Promise<DataQueryRow | undefined> {
  let query = db.selectFrom('data_query').selectAll().where('study_id', '=', studyId).where('query_id', '=', queryId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function insertQuery(trx: Kysely<Database>, row: Insertable<Database['data_query']>): Promise<DataQueryRow> {
  return trx.insertInto('data_query').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function setQueryState(trx: Kysely<Database>, queryId: number, state: DataQueryRow['state'], at: string): Promise<void> {
  await trx.updateTable('data_query').set({ state, updated_at: at }).where('query_id', '=', queryId).executeTakeFirstOrThrow();
}

/** Open a query with its first message, in one statement. */
export async function insertQueryWithMessage(
  trx: Kysely<Database>,
  row: Insertable<Database['data_query']>,
  message: Omit<Insertable<Database['data_query_message']>, 'message_no' | 'query_id'>,
): Promise<number> {
  const { rows } = await sql<{ query_id: number }>`
    with q as (
      insert into data_query (study_id, participant_code, site_code, record_list, record_no, field, path, state, rule_id, rule_key,
        raised_by, raised_by_name, raised_role, raised_at, updated_at)
      values (${row.study_id}, ${row.participant_code}, ${row.site_code}, ${row.record_list ?? null}, ${row.record_no ?? null}, ${row.field ?? null},
        ${row.path}, ${row.state}, ${row.rule_id ?? null}, ${row.rule_key ?? null}, ${row.raised_by ?? null}, ${row.raised_by_name},
        ${row.raised_role}, ${row.raised_at}, ${row.updated_at})
      returning query_id
    )
    insert into data_query_message (query_id, message_no, kind, body, author_id, author_name, author_role, written_at)
    select q.query_id, 1, ${message.kind}, ${message.body}, ${message.author_id ?? null}, ${message.author_name}, ${message.author_role}, ${message.written_at}
    from q
    returning query_id`.execute(trx);
  return rows[0]!.query_id;
}

/** Add a message as the query's next one; returns its number. */
export async function insertMessage(trx: Kysely<Database>, row: Omit<Insertable<Database['data_query_message']>, 'message_no'>): Promise<number> {
  const inserted = await trx
    .insertInto('data_query_message')
    .values({
      ...row,
      message_no: sql<number>`(select coalesce(max(message_no), 0) + 1 from data_query_message where query_id = ${row.query_id})`,
    })
    .returning('message_no')
    .executeTakeFirstOrThrow();
  return inserted.message_no;
}

/** The messages of these queries, each query's in order. */
export async function selectMessages(db: Kysely<Database>, queryIds: readonly number[]): Promise<DataQueryMessageRow[]> {
  if (queryIds.length === 0) return [];
  return db.selectFrom('data_query_message').selectAll().where('query_id', 'in', [...queryIds]).orderBy('query_id').orderBy('message_no').execute();
}

/**
 * What the edit checks and the verification upkeep read after a write, in one statement: the
 * participant's automatic queries that are not closed, and its verified records.
 */
/** What the edit checks and verifications of a participant stand at: its automatic queries not closed, its verified records. */
export interface ReviewState {
  queries: Array<{ query_id: number; rule_id: string; rule_key: string; state: DataQueryRow['state'] }>;
  verified: Array<{ record_list: ReviewedList; record_no: number; record_version: number | string; verified_by_name: string; verified_at: string }>;
}

/**
 * A participant's review state as two JSON columns (`review_queries`, `review_verified`), for a
 * statement that selects the participant as `p` (participant-repository.ts loadWrittenParticipant).
 */
export const reviewStateColumns = sql`
  (select coalesce(json_agg(json_build_object('query_id', q.query_id, 'rule_id', q.rule_id, 'rule_key', q.rule_key, 'state', q.state)), '[]')
     from data_query q
     where q.study_id = p.study_id and q.participant_code = p.code and q.rule_id is not null and q.state <> 'closed') as review_queries,
  (select coalesce(json_agg(json_build_object('record_list', v.record_list, 'record_no', v.record_no, 'record_version', v.record_version,
       'verified_by_name', v.verified_by_name, 'verified_at', v.verified_at)), '[]')
     from record_verification v
     where v.study_id = p.study_id and v.participant_no = p.participant_no) as review_verified`;

/** A participant's automatic queries that are not closed: what the edit checks found last time. */
export async function selectOpenRuleQueries(trx: Kysely<Database>, studyId: number, participantCode: string) {
  return trx
    .selectFrom('data_query')
    .select(['query_id', 'rule_id', 'rule_key', 'state', 'path'])
    .where('study_id', '=', studyId)
    .where('participant_code', '=', participantCode)
    .where('rule_id', 'is not', null)
    .where('state', '<>', 'closed')
    .execute();
}
