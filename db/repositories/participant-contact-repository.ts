// Participants' contact details, kept in their own table and only ever as sealed bytes: this
// module never sees an address in clear. SQL only; the sealing lives in
// api/services/contact-crypto.ts and the rules in api/services/participant-contact-service.ts.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../types.ts';

export type ParticipantContactRow = Selectable<Database['participant_contact']>;

export async function selectParticipantContact(db: Kysely<Database>, studyId: number, participantNo: number): Promise<ParticipantContactRow | undefined> {
  return db.selectFrom('participant_contact').selectAll().where('study_id', '=', studyId).where('participant_no', '=', participantNo).executeTakeFirst();
}

/** Any one stored contact (the first by key), to check that a key opens what is stored. */
export async function selectAnyParticipantContact(db: Kysely<Database>): Promise<ParticipantContactRow | undefined> {
  return db.selectFrom('participant_contact').selectAll().orderBy('study_id').orderBy('participant_no').limit(1).executeTakeFirst();
}

export async function upsertParticipantContact(
  db: Kysely<Database>,
  row: { studyId: number; participantNo: number; emailSealed: Buffer; phoneSealed: Buffer | null; now: Date },
): Promise<void> {
  const values = { email_sealed: row.emailSealed, phone_sealed: row.phoneSealed, updated_at: row.now.toISOString() };
  await db
    .insertInto('participant_contact')
    .values({ study_id: row.studyId, participant_no: row.participantNo, ...values })
    .onConflict((oc) => oc.columns(['study_id', 'participant_no']).doUpdateSet(values))
    .execute();
}

/** Whether a contact was there to delete. */
export async function deleteParticipantContact(db: Kysely<Database>, studyId: number, participantNo: number): Promise<boolean> {
  const result = await db.deleteFrom('participant_contact').where('study_id', '=', studyId).where('participant_no', '=', participantNo).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
