// One participant and its records: lock it, read it whole, and change one record at a time.
// Also the study's sites and practitioners by code. SQL only; the rules live in api/services.
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../types.ts';

export type ParticipantRow = Selectable<Database['participant']> & { site_code: string };
export type SessionRow = Selectable<Database['treatment_session']> & { practitioner_code: string; practitioner_pseudonym: string };
export type AdverseEventRow = Selectable<Database['adverse_event']>;
export type AssessmentRow = Selectable<Database['fading_assessment']>;
export type SurveyRow = Selectable<Database['satisfaction_survey']>;
export type SiteRow = Selectable<Database['site']>;
export type PractitionerRow = Selectable<Database['practitioner']> & { site_code: string };

/** The tables of a participant's records, with the column that numbers them. */
export const CHILD_KEYS = {
  treatment_session: 'session_number',
  adverse_event: 'event_no',
  fading_assessment: 'assessment_no',
  satisfaction_survey: 'survey_no',
} as const;
export type ChildTable = keyof typeof CHILD_KEYS;

function participantQuery(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('participant as p')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .selectAll('p')
    .select('s.code as site_code')
    .where('p.study_id', '=', studyId);
}

/** A participant by code, or by pseudonym for a de-identified caller. */
export async function findParticipant(
  db: Kysely<Database>,
  studyId: number,
  code: string,
  by: 'code' | 'pseudonym' = 'code',
): Promise<ParticipantRow | undefined> {
  return participantQuery(db, studyId).where(`p.${by}`, '=', code).executeTakeFirst();
}

/** Find a participant and hold its row until the transaction ends: one writer per participant. */
export async function lockParticipant(trx: Kysely<Database>, studyId: number, code: string): Promise<ParticipantRow | undefined> {
  return participantQuery(trx, studyId).where('p.code', '=', code).forUpdate('p').executeTakeFirst();
}

/** Every record of a participant, each list in key order. */
export async function selectParticipantRecords(db: Kysely<Database>, studyId: number, participantNo: number) {
  // One after another: in a transaction they share one connection anyway.
  const sessions = await db
    .selectFrom('treatment_session as t')
    .innerJoin('practitioner as pr', (join) =>
      join.onRef('pr.study_id', '=', 't.study_id').onRef('pr.practitioner_no', '=', 't.practitioner_no'),
    )
    .selectAll('t')
    .select(['pr.code as practitioner_code', 'pr.pseudonym as practitioner_pseudonym'])
    .where('t.study_id', '=', studyId)
    .where('t.participant_no', '=', participantNo)
    .orderBy('t.session_number')
    .execute();
  const adverseEvents = await childRows(db, 'adverse_event', studyId, participantNo);
  const assessments = await childRows(db, 'fading_assessment', studyId, participantNo);
  const surveys = await childRows(db, 'satisfaction_survey', studyId, participantNo);
  return { sessions, adverseEvents, assessments, surveys };
}

function childRows<T extends Exclude<ChildTable, 'treatment_session'>>(db: Kysely<Database>, table: T, studyId: number, participantNo: number) {
  return db
    .selectFrom(table as Exclude<ChildTable, 'treatment_session'>)
    .selectAll()
    .where('study_id', '=', studyId)
    .where('participant_no', '=', participantNo)
    .orderBy(CHILD_KEYS[table] as never)
    .execute() as Promise<Selectable<Database[T]>[]>;
}

/** The number of each kind of record per participant. */
export async function selectRecordCounts(db: Kysely<Database>, studyId: number, participantNos: readonly number[]) {
  if (participantNos.length === 0) return [];
  const count = (table: ChildTable) =>
    sql<number>`(select count(*)::int from ${sql.table(table)} c where c.study_id = p.study_id and c.participant_no = p.participant_no)`;
  return db
    .selectFrom('participant as p')
    .select([
      'p.participant_no',
      count('treatment_session').as('sessions'),
      count('adverse_event').as('adverse_events'),
      count('fading_assessment').as('fading_assessments'),
      count('satisfaction_survey').as('surveys'),
    ])
    .where('p.study_id', '=', studyId)
    .where('p.participant_no', 'in', participantNos)
    .execute();
}

export async function nextParticipantNo(trx: Kysely<Database>, studyId: number): Promise<number> {
  const row = await trx
    .selectFrom('participant')
    .select(sql<number>`coalesce(max(participant_no), 0)::int + 1`.as('next'))
    .where('study_id', '=', studyId)
    .executeTakeFirstOrThrow();
  return row.next;
}

export async function insertParticipant(trx: Kysely<Database>, row: Insertable<Database['participant']>): Promise<void> {
  await trx.insertInto('participant').values(row).execute();
}

export async function updateParticipant(
  trx: Kysely<Database>,
  studyId: number,
  participantNo: number,
  changes: Updateable<Database['participant']>,
): Promise<void> {
  await trx.updateTable('participant').set(changes).where('study_id', '=', studyId).where('participant_no', '=', participantNo).execute();
}

/** Take the next record number of a kind for a participant; numbers are never given twice. */
export async function takeRecordNo(
  trx: Kysely<Database>,
  studyId: number,
  participantNo: number,
  counter: 'last_event_no' | 'last_assessment_no' | 'last_survey_no',
): Promise<number> {
  const row = await trx
    .updateTable('participant')
    .set({ [counter]: sql`${sql.ref(counter)} + 1` })
    .where('study_id', '=', studyId)
    .where('participant_no', '=', participantNo)
    .returning(sql<number>`${sql.ref(counter)}`.as('no'))
    .executeTakeFirstOrThrow();
  return row.no;
}

export async function deleteParticipant(trx: Kysely<Database>, studyId: number, participantNo: number): Promise<void> {
  await trx.deleteFrom('participant').where('study_id', '=', studyId).where('participant_no', '=', participantNo).execute();
}

export async function insertChild<T extends ChildTable>(trx: Kysely<Database>, table: T, row: Insertable<Database[T]>): Promise<void> {
  await trx.insertInto(table as ChildTable).values(row as never).execute();
}

export async function updateChild<T extends ChildTable>(
  trx: Kysely<Database>,
  table: T,
  key: { studyId: number; participantNo: number; no: number },
  changes: Updateable<Database[T]>,
): Promise<void> {
  await trx
    .updateTable(table as ChildTable)
    .set(changes as never)
    .where('study_id', '=', key.studyId)
    .where('participant_no', '=', key.participantNo)
    .where(CHILD_KEYS[table] as never, '=', key.no as never)
    .execute();
}

export async function deleteChild(trx: Kysely<Database>, table: ChildTable, key: { studyId: number; participantNo: number; no: number }) {
  await trx
    .deleteFrom(table)
    .where('study_id', '=', key.studyId)
    .where('participant_no', '=', key.participantNo)
    .where(CHILD_KEYS[table] as never, '=', key.no as never)
    .execute();
}

/** The study's sites with these codes. */
export async function sitesByCode(db: Kysely<Database>, studyId: number, codes: readonly string[]): Promise<SiteRow[]> {
  if (codes.length === 0) return [];
  return db.selectFrom('site').selectAll().where('study_id', '=', studyId).where('code', 'in', codes).orderBy('site_no').execute();
}

/** The study's practitioners with these codes (or pseudonyms), with their site's code. */
export async function practitionersByCode(
  db: Kysely<Database>,
  studyId: number,
  codes: readonly string[],
  by: 'code' | 'pseudonym' = 'code',
): Promise<PractitionerRow[]> {
  if (codes.length === 0) return [];
  return db
    .selectFrom('practitioner as pr')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'pr.study_id').onRef('s.site_no', '=', 'pr.site_no'))
    .selectAll('pr')
    .select('s.code as site_code')
    .where('pr.study_id', '=', studyId)
    .where(`pr.${by}`, 'in', codes)
    .orderBy('pr.practitioner_no')
    .execute();
}
