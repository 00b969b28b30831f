// What the follow-up schedule is computed from, for a whole study at once: each participant with
// its sessions and the days of its assessments and surveys, aggregated per participant in SQL
// (one row per participant, not one per record), and the worklist's calendar feeds. SQL only.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

export interface ScheduleFactRow {
  participant_no: number;
  code: string;
  pseudonym: string;
  site: string;
  enrolled_on: string;
  /** Days since 1970-01-01, or null. */
  withdrawn_day: number | null;
  /**
   * Sessions as `<number>:<day><i|t>` joined by commas, e.g. `1:17600i,2:17607i`, in no particular
   * order (an ordered aggregate sorts each participant's sessions again, which costs PostgreSQL 15
   * more than the rest of the query); null without sessions.
   */
  sessions: string | null;
  /** Days of the fading assessments, joined by commas; null without any. */
  assessments: string | null;
  /** Days of the surveys, joined by commas; null without any. */
  surveys: string | null;
}

const COLUMNS = ['participant_no', 'code', 'pseudonym', 'site', 'enrolled_on', 'withdrawn_day', 'sessions', 'assessments', 'surveys'] as const;

/**
 * The schedule facts of a study's participants (of some sites, or one participant), by
 * participant number. `form`: `json` reads the rows as one JSON value (PGlite hands each row
 * across from WebAssembly on its own, so there this is several times faster), `rows` row by row.
 */
export async function selectScheduleFacts(
  db: Kysely<Database>,
  studyId: number,
  options: {
    siteCodes?: readonly string[] | undefined;
    /** One participant, named by its code or its pseudonym. */
    participant?: { by: 'code' | 'pseudonym'; name: string } | undefined;
    form?: 'json' | 'rows';
  } = {},
): Promise<ScheduleFactRow[]> {
  const sites = options.siteCodes === undefined ? sql`` : sql`and s.code in (${sql.join(options.siteCodes)})`;
  const named = options.participant;
  const one = named === undefined ? sql`` : sql`and ${sql.ref(`p.${named.by}`)} = ${named.name}`;
  const only = (alias: string) =>
    named === undefined
      ? sql``
      : sql`and ${sql.ref(`${alias}.participant_no`)} = (select n.participant_no from participant n
          where n.study_id = ${studyId} and ${sql.ref(`n.${named.by}`)} = ${named.name})`;
  const query = sql`
    select p.participant_no, p.code, p.pseudonym, s.code as site, p.enrolled_on::text as enrolled_on,
      (p.withdrawn_on - date '1970-01-01') as withdrawn_day, ts.days as sessions, fa.days as assessments, sv.days as surveys
    from participant p
    join site s on s.study_id = p.study_id and s.site_no = p.site_no
    left join (
      select t.participant_no,
        string_agg(t.session_number::text || ':' || (t.session_date - date '1970-01-01')::text || case t.kind when 'initial' then 'i' else 't' end, ',') as days
      from treatment_session t where t.study_id = ${studyId} ${only('t')} group by t.participant_no
    ) ts on ts.participant_no = p.participant_no
    left join (
      select a.participant_no, string_agg((a.assessed_on - date '1970-01-01')::text, ',') as days
      from fading_assessment a where a.study_id = ${studyId} ${only('a')} group by a.participant_no
    ) fa on fa.participant_no = p.participant_no
    left join (
      select v.participant_no, string_agg((v.surveyed_on - date '1970-01-01')::text, ',') as days
      from satisfaction_survey v where v.study_id = ${studyId} ${only('v')} group by v.participant_no
    ) sv on sv.participant_no = p.participant_no
    where p.study_id = ${studyId} ${sites} ${one}`;
  if (options.form === 'json') {
    const tuple = sql.join(COLUMNS.map((column) => sql.ref(`r.${column}`)));
    const { rows } = await sql<{ rows: string }>`
      select coalesce(json_agg(json_build_array(${tuple}) order by r.participant_no), '[]')::text as rows from (${query}) as r`.execute(db);
    const tuples = JSON.parse(rows[0]!.rows) as unknown[][];
    return tuples.map((values) => Object.fromEntries(COLUMNS.map((column, i) => [column, values[i]])) as unknown as ScheduleFactRow);
  }
  const { rows } = await sql<ScheduleFactRow>`${query} order by p.participant_no`.execute(db);
  return rows.map((row) => ({ ...row, withdrawn_day: row.withdrawn_day === null ? null : Number(row.withdrawn_day) }));
}

const feedColumns = ['feed_id', 'study_code', 'created_at', 'last_used_at', 'revoked_at'] as const;

export async function insertFeed(trx: Kysely<Database>, userId: number, studyCode: string, tokenHash: Uint8Array) {
  return trx
    .insertInto('calendar_feed')
    .values({ user_id: userId, study_code: studyCode, token_hash: tokenHash })
    .returning([...feedColumns])
    .executeTakeFirstOrThrow();
}

export async function listFeeds(db: Kysely<Database>, userId: number, studyCode: string) {
  return db.selectFrom('calendar_feed').select([...feedColumns]).where('user_id', '=', userId).where('study_code', '=', studyCode).orderBy('feed_id').execute();
}

/** Revoke one of a user's feeds of a study; undefined when there is no such feed. Revoking twice keeps the first time. */
export async function revokeFeed(trx: Kysely<Database>, userId: number, studyCode: string, feedId: number) {
  return trx
    .updateTable('calendar_feed')
    .set({ revoked_at: sql<string>`coalesce(revoked_at, now())` })
    .where('user_id', '=', userId)
    .where('study_code', '=', studyCode)
    .where('feed_id', '=', feedId)
    .returning([...feedColumns])
    .executeTakeFirst();
}

/** The live feed with this secret's hash and its user, when the user is not disabled. */
export async function findLiveFeed(db: Kysely<Database>, tokenHash: Uint8Array) {
  return db
    .selectFrom('calendar_feed as f')
    .innerJoin('app_user as u', 'u.user_id', 'f.user_id')
    .select([
      'f.feed_id',
      'f.study_code',
      'u.user_id',
      'u.username',
      'u.role',
      sql<boolean>`f.last_used_at is null or f.last_used_at < now() - interval '1 minute'`.as('stale_last_use'),
    ])
    .where('f.token_hash', '=', tokenHash)
    .where('f.revoked_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchFeed(db: Kysely<Database>, feedId: number): Promise<void> {
  await db.updateTable('calendar_feed').set({ last_used_at: sql<string>`now()` }).where('feed_id', '=', feedId).execute();
}
