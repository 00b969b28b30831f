// Investigator e-signatures of a participant's casebook (21 CFR Part 11 §11.50, §11.70, §11.200):
// a user with the signing right signs with their password asked again; the signature keeps their
// full name, the time (UTC), the meaning and the SHA-256 of the participant's signed data
// (signed-content.ts). A later change of the participant or their records marks every valid
// signature invalid, audited; no signature is ever deleted (a trigger refuses it).
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  insertSignature,
  invalidateParticipantSignatures,
  lockParticipantSignOff,
  selectCurrentLock,
  selectLocks,
  selectSignatures,
  type SignatureRow,
} from '../../db/repositories/signature-repository.ts';
import { findUserById } from '../../db/repositories/user-repository.ts';
import { AppError } from '../errors.ts';
import { SIGNATURE_MEANINGS, type SignatureCreate, type SignatureRecord, type SignOff } from '../schemas/sign-off.ts';
import type { Actor, ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import type { SignInClient } from './auth-service.ts';
import { lockedError, lockRecordOf } from './participant-lock-service.ts';
import { verifyPassword } from './password.ts';
import { recordFailure, sourceOf, type GuardConfig } from './sign-in-guard.ts';
import { participantSignedData, requireSignOffParticipant, type SignedData } from './signed-content.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export const signatureRecordOf = (row: SignatureRow): SignatureRecord => ({
  id: row.signature_id,
  username: row.username,
  fullName: row.full_name,
  meaning: row.meaning,
  meaningText: SIGNATURE_MEANINGS[row.meaning],
  signedAt: row.signed_at,
  dataSha256: hex(row.data_sha256),
  valid: row.invalidated_at === null,
  invalidatedAt: row.invalidated_at,
  invalidatedBy: row.invalidated_by,
});

/** A participant's signatures and locks, for a caller who reads the participant identified. */
export async function getSignOff(db: Db, actor: Actor, studyCode: string, participantCode: string): Promise<SignOff> {
  return db.readSnapshot(async (kysely) => {
    await requireSignOffParticipant(kysely, actor, studyCode, participantCode);
    const signatures = await selectSignatures(kysely, studyCode, participantCode);
    const locks = await selectLocks(kysely, studyCode, participantCode);
    const current = locks.find((l) => l.unlocked_at === null);
    return {
      participant: participantCode,
      signatures: signatures.map(signatureRecordOf),
      lock: current ? lockRecordOf(current) : null,
      locks: locks.map(lockRecordOf),
    };
  });
}

/** The exact bytes a signature of the participant would sign now, and their hash. */
export async function getSignedData(db: Db, actor: Actor, studyCode: string, participantCode: string): Promise<SignedData> {
  return db.readSnapshot(async (kysely) => {
    await requireSignOffParticipant(kysely, actor, studyCode, participantCode);
    return participantSignedData(kysely, studyCode, participantCode, false);
  });
}

/**
 * Ask for the signer's password again. A wrong one is refused and counts as a failed sign-in from
 * this browser, as at the sign-in page (sign-in-guard.ts); an account locked after failures
 * cannot sign until the lock ends.
 */
async function reauthenticate(db: Db, config: GuardConfig, userId: number, password: string, client: SignInClient) {
  const user = await findUserById(db.kysely, userId);
  if (!user || user.disabled_at !== null) throw new AppError('unauthorized', 'this user no longer exists or is disabled');
  const guard = await sourceOf(db, config, user, client.deviceCookie(user.username), client.now);
  const locked = !guard.source.trusted && guard.untrustedLockedUntil !== null;
  const right = await verifyPassword(password, locked ? null : user.password_hash);
  if (!right) {
    if (!locked) await recordFailure(db, config, user.user_id, guard.source, client.now);
    const message = locked ? `your account is locked after failed sign-ins until ${guard.untrustedLockedUntil}` : 'is not your password';
    throw new AppError('validation', `invalid request body: password: ${message}`, [{ path: 'password', message }]);
  }
  return user;
}

/** Sign a participant's casebook: the signing right, a full name, the password again, and an unlocked participant. */
export async function signParticipant(
  db: Db,
  config: GuardConfig,
  change: ChangeContext,
  studyCode: string,
  participantCode: string,
  body: SignatureCreate,
  client: SignInClient,
): Promise<SignatureRecord> {
  const { actor } = change;
  if (actor.userId === null) throw new AppError('forbidden', 'the command line cannot sign: a signature is made by a person with their password');
  await requireSignOffParticipant(db.kysely, actor, studyCode, participantCode);
  const signer = await findUserById(db.kysely, actor.userId);
  if (!signer?.may_sign) {
    throw new AppError('forbidden', `${actor.username} has no signing right: an administrator grants it on the Users page (or smp user grant --may-sign)`);
  }
  if (signer.full_name === null) {
    throw new AppError('conflict', 'a signature shows your full name: an administrator sets it on your user first', [
      { path: 'fullName', message: `is not set for ${actor.username}` },
    ]);
  }
  const lock = await selectCurrentLock(db.kysely, studyCode, participantCode);
  if (lock) throw lockedError(lock);
  const user = await reauthenticate(db, config, actor.userId, body.password, client);
  return db.transaction(async ({ kysely: trx }) => {
    const participant = await requireSignOffParticipant(trx, actor, studyCode, participantCode);
    await lockParticipantSignOff(trx, studyCode, participantCode);
    const current = await selectCurrentLock(trx, studyCode, participantCode);
    if (current) throw lockedError(current);
    const data = await participantSignedData(trx, studyCode, participantCode, true);
    const row = await insertSignature(trx, {
      study_code: studyCode,
      participant_code: participantCode,
      user_id: user.user_id,
      username: user.username,
      full_name: user.full_name!,
      meaning: body.meaning,
      data_sha256: Buffer.from(data.sha256, 'hex'),
    });
    const signature = signatureRecordOf(row);
    await recordChange(trx, change, {
      action: 'create',
      entity: 'signature',
      key: `${participantCode}/signatures/${signature.id}`,
      studyCode,
      siteCodes: [participant.siteCode],
      participantCode,
      before: null,
      after: { fullName: signature.fullName, meaning: signature.meaningText, signedAt: signature.signedAt, dataSha256: signature.dataSha256 },
    });
    return signature;
  });
}

/**
 * Mark the participant's valid signatures invalid after a change of the participant or its
 * records, in the change's transaction: one audit entry per signature.
 */
export async function invalidateSignatures(
  trx: Kysely<Database>,
  change: ChangeContext,
  studyCode: string,
  participantCode: string,
  siteCodes: readonly string[],
): Promise<void> {
  const marked = await invalidateParticipantSignatures(trx, studyCode, participantCode, change.actor.username);
  for (const { signature_id } of marked) {
    await recordChange(trx, change, {
      action: 'update',
      entity: 'signature',
      key: `${participantCode}/signatures/${signature_id}`,
      studyCode,
      siteCodes,
      participantCode,
      before: { valid: true },
      after: { valid: false, invalidatedBy: change.actor.username, why: 'the participant or their records changed after signing' },
    });
  }
}

/** Mark every valid signature of a study invalid when the study is replaced or deleted. */
export async function invalidateStudySignatures(trx: Kysely<Database>, change: ChangeContext, studyCode: string): Promise<void> {
  const marked = await invalidateParticipantSignatures(trx, studyCode, null, change.actor.username);
  for (const { signature_id, participant_code } of marked) {
    await recordChange(trx, change, {
      action: 'update',
      entity: 'signature',
      key: `${participant_code}/signatures/${signature_id}`,
      studyCode,
      participantCode: participant_code,
      before: { valid: true },
      after: { valid: false, invalidatedBy: change.actor.username, why: 'the study was replaced or deleted after signing' },
    });
  }
}
