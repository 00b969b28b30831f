// Studies: find, lock, list with counts, create, change and delete, and each study's
// de-identification key. SQL only; the rules live in api/services.
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../types.ts';

export type StudyRow = Selectable<Database['study']>;
type NewStudy = Omit<Insertable<Database['study']>, 'study_id' | 'imported_at'>;
export type StudyChanges = Omit<Updateable<Database['study']>, 'study_id' | 'code'>;

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

/**
 * Find a study and lock its row until the transaction ends:
 * - `key share` for a write to one participant's records (many may run at once);
 * - `no key update` to add participants, sites or practitioners, or to change the study's own
 *   fields (one at a time, alongside record writes);
 * - `update` to replace or delete the study (alone: waits for every other writer).
 */
export async function lockStudy(
  trx: Kysely<Database>,
  code: string,
  strength: 'key share' | 'no key update' | 'update',
): Promise<StudyRow | undefined> {
  let query = trx.selectFrom('study').selectAll().where('code', '=', code);
  query = strength === 'key share' ? query.forKeyShare() : strength === 'no key update' ? query.forNoKeyUpdate() : query.forUpdate();
  return query.executeTakeFirst();
}

/** Serialise writers of one study code until the transaction ends (imports and replaces). */
export async function lockStudyCode(trx: Kysely<Database>, code: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`smp-study:${code}`}))`.execute(trx);
}

/** A new version number: every change of a record takes one. */
export async function nextVersion(trx: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ version: string }>`select nextval('record_version_seq')::text as version`.execute(trx);
  return rows[0]!.version;
}

export async function insertStudy(trx: Kysely<Database>, study: NewStudy): Promise<number> {
  const { study_id } = await trx.insertInto('study').values(study).returning('study_id').executeTakeFirstOrThrow();
  return study_id;
}

export async function updateStudy(trx: Kysely<Database>, studyId: number, changes: StudyChanges): Promise<StudyRow> {
  return trx.updateTable('study').set(changes).where('study_id', '=', studyId).returningAll().executeTakeFirstOrThrow();
}

export async function insertStudySecret(trx: Kysely<Database>, studyId: number, key: Uint8Array): Promise<void> {
  await trx.insertInto('study_secret').values({ study_id: studyId, deid_key: key }).execute();
}

export async function selectStudySecret(db: Kysely<Database>, studyId: number): Promise<Uint8Array> {
  const row = await db.selectFrom('study_secret').select('deid_key').where('study_id', '=', studyId).executeTakeFirstOrThrow();
  return row.deid_key;
}

/** Delete everything recorded under a study, keeping the study row (a replace). */
export async function deleteStudyRecords(trx: Kysely<Database>, studyId: number): Promise<void> {
  for (const table of STUDY_CHILD_TABLES) {
    await trx.deleteFrom(table).where('study_id', '=', studyId).execute();
  }
}

/** Delete a study and everything recorded under it. */
export async function deleteStudy(trx: Kysely<Database>, studyId: number): Promise<void> {
  await deleteStudyRecords(trx, studyId);
  await trx.deleteFrom('study_secret').where('study_id', '=', studyId).execute();
  await trx.deleteFrom('study').where('study_id', '=', studyId).execute();
}

/** Studies with the number of records in each of their tables, by code; `codes` limits the list. */
export async function listStudiesWithCounts(db: Kysely<Database>, codes: 'all' | readonly string[] = 'all') {
  const count = (table: (typeof STUDY_CHILD_TABLES)[number]) =>
    sql<string>`(select count(*) from ${sql.table(table)} c where c.study_id = s.study_id)`;
  let query = db
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
    .orderBy('s.code');
  if (codes !== 'all') {
    if (codes.length === 0) return [];
    query = query.where('s.code', 'in', codes);
  }
  return query.execute();
}
