// Studies: find, list with counts, create and delete. SQL only; the rules live in api/services.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../types.ts';

export type StudyRow = Selectable<Database['study']>;
type NewStudy = Omit<StudyRow, 'study_id' | 'imported_at'>;

/** Tables holding a study's records, children before parents (the order deletes must take). */
export const STUDY_CHILD_TABLES = [
  'satisfaction_survey',
  'fading_assessment',
  'adverse_event',
  'treatment_session',
  'participant',
  'practitioner',
  'site',
] as const satisfies ReadonlyArray<keyof Database>;

export async function findStudyByCode(db: Kysely<Database>, code: string): Promise<StudyRow | undefined> {
  return db.selectFrom('study').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Serialise writers of one study code until the transaction ends (imports and replaces). */
export async function lockStudyCode(trx: Kysely<Database>, code: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`smp-study:${code}`}))`.execute(trx);
}

export async function insertStudy(trx: Kysely<Database>, study: NewStudy): Promise<number> {
  const { study_id } = await trx.insertInto('study').values(study).returning('study_id').executeTakeFirstOrThrow();
  return study_id;
}

/** Delete a study and everything recorded under it. */
export async function deleteStudy(trx: Kysely<Database>, studyId: number): Promise<void> {
  for (const table of STUDY_CHILD_TABLES) {
    await trx.deleteFrom(table).where('study_id', '=', studyId).execute();
  }
  await trx.deleteFrom('study').where('study_id', '=', studyId).execute();
}

/** Every study with the number of records in each of its tables, by code. */
export async function listStudiesWithCounts(db: Kysely<Database>) {
  const count = (table: (typeof STUDY_CHILD_TABLES)[number]) =>
    sql<string>`(select count(*) from ${sql.table(table)} c where c.study_id = s.study_id)`;
  return db
    .selectFrom('study as s')
    .select([
      's.code',
      's.title',
      sql<string>`to_char(s.imported_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`.as('imported_at'),
      count('site').as('sites'),
      count('practitioner').as('practitioners'),
      count('participant').as('participants'),
      count('treatment_session').as('sessions'),
      count('adverse_event').as('adverse_events'),
      count('fading_assessment').as('fading_assessments'),
      count('satisfaction_survey').as('surveys'),
    ])
    .orderBy('s.code')
    .execute();
}
