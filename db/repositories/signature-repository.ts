// Signatures and locks of participants (participant_signature, participant_lock). SQL only: the
// rules (who may sign or lock, re-authentication, what a change invalidates) live in
// api/services/signature-service.ts and participant-lock-service.ts. Times come back as ISO 8601 UTC.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';
import { iso, isoOrNull } from './utc-text.ts';

/**
 * Whether a participant has a signature not yet invalidated, as a column (`review_signed`) of a
 * statement that selects the participant as `p` and its study as `st`.
 */
export const validSignatureColumn = sql`exists (select 1 from participant_signature g
  where g.study_code = st.code and g.participant_code = p.code and g.invalidated_at is null) as review_signed`;

export interface SignatureRow {
  signature_id: number;
  study_code: string;
  participant_code: string;
  username: string;
  full_name: string;
  meaning: 'approve' | 'review';
  signed_at: string;
  data_sha256: Uint8Array;
  invalidated_at: string | null;
  invalidated_by: string | null;
}

function signatureQuery(db: Kysely<Database>) {
  return db
    .selectFrom('participant_signature')
    .select([
      'signature_id',
      'study_code',
      'participant_code',
      'username',
      'full_name',
      'meaning',
      iso('signed_at').as('signed_at'),
      'data_sha256',
      isoOrNull('invalidated_at').as('invalidated_at'),
      'invalidated_by',
    ]);
}

/** A participant's signatures, oldest first. */
export async function selectSignatures(db: Kysely<Database>, studyCode: string, participantCode: string): Promise<SignatureRow[]> {
  return signatureQuery(db).where('study_code', '=', studyCode).where('participant_code', '=', participantCode).orderBy('signature_id').execute();
}

export interface NewSignature {
  study_code: string;
  participant_code: string;
  user_id: number | null;
  username: string;
  full_name: string;
  meaning: 'approve' | 'review';
  data_sha256: Uint8Array;
}

export async function insertSignature(trx: Kysely<Database>, signature: NewSignature): Promise<SignatureRow> {
  const { signature_id } = await trx.insertInto('participant_signature').values(signature).returning('signature_id').executeTakeFirstOrThrow();
  return signatureQuery(trx).where('signature_id', '=', signature_id).executeTakeFirstOrThrow();
}

/** Mark every still valid signature of a participant invalid; returns those it marked. */
export async function invalidateParticipantSignatures(
  trx: Kysely<Database>,
  studyCode: string,
  participantCode: string | null,
  by: string,
): Promise<Array<{ signature_id: number; participant_code: string }>> {
  let query = trx
    .updateTable('participant_signature')
    .set({ invalidated_at: sql<string>`now()`, invalidated_by: by })
    .where('study_code', '=', studyCode)
    .where('invalidated_at', 'is', null);
  if (participantCode !== null) query = query.where('participant_code', '=', participantCode);
  return query.returning(['signature_id', 'participant_code']).execute();
}

export interface LockRow {
  lock_id: number;
  study_code: string;
  participant_code: string;
  locked_by: string;
  locked_at: string;
  unlocked_by: string | null;
  unlocked_at: string | null;
  unlock_reason: string | null;
}

function lockQuery(db: Kysely<Database>) {
  return db
    .selectFrom('participant_lock')
    .select([
      'lock_id',
      'study_code',
      'participant_code',
      'locked_by',
      iso('locked_at').as('locked_at'),
      'unlocked_by',
      isoOrNull('unlocked_at').as('unlocked_at'),
      'unlock_reason',
    ]);
}

/** The participant's current lock, if any. */
export async function selectCurrentLock(db: Kysely<Database>, studyCode: string, participantCode: string): Promise<LockRow | undefined> {
  return lockQuery(db)
    .where('study_code', '=', studyCode)
    .where('participant_code', '=', participantCode)
    .where('unlocked_at', 'is', null)
    .executeTakeFirst();
}

/** Some current lock of the study's participants (the first by code), if any. */
export async function selectAnyStudyLock(db: Kysely<Database>, studyCode: string): Promise<LockRow | undefined> {
  return lockQuery(db).where('study_code', '=', studyCode).where('unlocked_at', 'is', null).orderBy('participant_code').limit(1).executeTakeFirst();
}

/** Every lock of a participant, current or ended, oldest first. */
export async function selectLocks(db: Kysely<Database>, studyCode: string, participantCode: string): Promise<LockRow[]> {
  return lockQuery(db).where('study_code', '=', studyCode).where('participant_code', '=', participantCode).orderBy('lock_id').execute();
}

export async function insertLock(trx: Kysely<Database>, studyCode: string, participantCode: string, by: string): Promise<LockRow> {
  const { lock_id } = await trx
    .insertInto('participant_lock')
    .values({ study_code: studyCode, participant_code: participantCode, locked_by: by })
    .returning('lock_id')
    .executeTakeFirstOrThrow();
  return lockQuery(trx).where('lock_id', '=', lock_id).executeTakeFirstOrThrow();
}

export async function endLock(trx: Kysely<Database>, lockId: number, by: string, reason: string): Promise<LockRow> {
  await trx
    .updateTable('participant_lock')
    .set({ unlocked_at: sql<string>`now()`, unlocked_by: by, unlock_reason: reason })
    .where('lock_id', '=', lockId)
    .execute();
  return lockQuery(trx).where('lock_id', '=', lockId).executeTakeFirstOrThrow();
}

/** Serialise signing and locking of one participant with each other. */
export async function lockParticipantSignOff(trx: Kysely<Database>, studyCode: string, participantCode: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`smp-sign-off/${studyCode}/${participantCode}`}))`.execute(trx);
}
