// Source-data verification: which records were verified, at which version, and the share of
// records verified per site. SQL only.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ReviewedList } from '../types.ts';

export type VerificationRow = Selectable<Database['record_verification']>;

export async function selectVerifications(db: Kysely<Database>, studyId: number, participantNo: number): Promise<VerificationRow[]> {
  return db
    .selectFrom('record_verification')
    .selectAll()
    .where('study_id', '=', studyId)
    .where('participant_no', '=', participantNo)
    .orderBy('record_list')
    .orderBy('record_no')
    .execute();
}

/** Mark records verified (again, at their current version, if they were). */
export async function upsertVerifications(
  trx: Kysely<Database>,
  rows: ReadonlyArray<{ study_id: number; participant_no: number; record_list: ReviewedList; record_no: number; record_version: string; verified_by: number | null; verified_by_name: string; verified_at: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('record_verification')
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(['study_id', 'participant_no', 'record_list', 'record_no']).doUpdateSet((eb) => ({
        record_version: eb.ref('excluded.record_version'),
        verified_by: eb.ref('excluded.verified_by'),
        verified_by_name: eb.ref('excluded.verified_by_name'),
        verified_at: eb.ref('excluded.verified_at'),
      })),
    )
    .execute();
}

export async function deleteVerification(trx: Kysely<Database>, key: { studyId: number; participantNo: number; list: ReviewedList; no: number }): Promise<void> {
  await trx
    .deleteFrom('record_verification')
    .where('study_id', '=', key.studyId)
    .where('participant_no', '=', key.participantNo)
    .where('record_list', '=', key.list)
    .where('record_no', '=', key.no)
    .execute();
}

/** Per site of a study: how many records its participants hold, and how many are verified at their current version. */
export async function selectVerifiedShares(db: Kysely<Database>, studyId: number) {
  const { rows } = await sql<{ site: string; records: string; verified: string }>`
    with records as (
      select study_id, participant_no, 'sessions' as list, session_number as no, version from treatment_session where study_id = ${studyId}
      union all select study_id, participant_no, 'adverseEvents', event_no, version from adverse_event where study_id = ${studyId}
      union all select study_id, participant_no, 'fadingAssessments', assessment_no, version from fading_assessment where study_id = ${studyId}
      union all select study_id, participant_no, 'surveys', survey_no, version from satisfaction_survey where study_id = ${studyId}
    )
    select s.code as site, count(r.no) as records, count(v.record_no) as verified
    from site s
    left join participant p on p.study_id = s.study_id and p.site_no = s.site_no
    left join records r on r.study_id = p.study_id and r.participant_no = p.participant_no
    left join record_verification v on v.study_id = r.study_id and v.participant_no = r.participant_no
      and v.record_list = r.list and v.record_no = r.no and v.record_version = r.version
    where s.study_id = ${studyId}
    group by s.code
    order by s.code collate "C"`.execute(db);
  return rows.map((row) => ({ site: row.site, records: Number(row.records), verified: Number(row.verified) }));
}
