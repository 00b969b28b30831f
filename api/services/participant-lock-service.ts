// Participant locks: after sign-off an administrator or researcher locks a signed participant,
// and every write to it is refused (423, the problem naming the lock) until an administrator
// unlocks it with a reason. The write path asks `assertParticipantWritable` before a change;
// a study is not replaced or deleted while any of its participants is locked.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  endLock,
  insertLock,
  lockParticipantSignOff,
  selectAnyStudyLock,
  selectCurrentLock,
  selectSignatures,
  type LockRow,
} from '../../db/repositories/signature-repository.ts';
import { AppError } from '../errors.ts';
import type { LockRecord } from '../schemas/sign-off.ts';
import { requireAdmin, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { requireSignOffParticipant } from './signed-content.ts';

export const lockRecordOf = (row: LockRow): LockRecord => ({
  id: row.lock_id,
  lockedBy: row.locked_by,
  lockedAt: row.locked_at,
  unlockedBy: row.unlocked_by,
  unlockedAt: row.unlocked_at,
  unlockReason: row.unlock_reason,
});

/** The refusal of a write to a locked participant: 423, with the lock in the problem. */
export function lockedError(lock: LockRow, path = 'participantCode'): AppError {
  const message = `participant ${lock.participant_code} is locked (lock ${lock.lock_id}, by ${lock.locked_by} at ${lock.locked_at}); an administrator unlocks it with a reason`;
  return new AppError('locked', message, [{ path, message: `is locked (lock ${lock.lock_id})` }], {
    extra: { lock: { id: lock.lock_id, participant: lock.participant_code, lockedBy: lock.locked_by, lockedAt: lock.locked_at } },
  });
}

/** Refuse (423) a write to a locked participant; called in the write's transaction, before it changes anything. */
export async function assertParticipantWritable(trx: Kysely<Database>, studyCode: string, participantCode: string): Promise<void> {
  const lock = await selectCurrentLock(trx, studyCode, participantCode);
  if (lock) throw lockedError(lock);
}

/** Refuse (423) to replace or delete a study while any of its participants is locked. */
export async function assertStudyUnlocked(trx: Kysely<Database>, studyCode: string): Promise<void> {
  const lock = await selectAnyStudyLock(trx, studyCode);
  if (lock) throw lockedError(lock, 'study.code');
}

/** Lock a participant that has a valid signature (administrators and researchers). */
export async function lockParticipant(db: Db, change: ChangeContext, studyCode: string, participantCode: string): Promise<LockRecord> {
  const { actor } = change;
  return db.transaction(async ({ kysely: trx }) => {
    const participant = await requireSignOffParticipant(trx, actor, studyCode, participantCode);
    if (actor.role !== 'admin' && actor.role !== 'researcher') {
      throw new AppError('forbidden', 'only an administrator or a researcher may lock a participant');
    }
    await lockParticipantSignOff(trx, studyCode, participantCode);
    const current = await selectCurrentLock(trx, studyCode, participantCode);
    if (current) {
      throw new AppError('conflict', `participant ${participantCode} is locked already (lock ${current.lock_id})`, [
        { path: 'participantCode', message: `is locked already (lock ${current.lock_id})` },
      ]);
    }
    const signatures = await selectSignatures(trx, studyCode, participantCode);
    if (!signatures.some((s) => s.invalidated_at === null)) {
      throw new AppError('conflict', `participant ${participantCode} has no valid signature: an investigator signs before the participant is locked`, [
        { path: 'participantCode', message: 'has no valid signature' },
      ]);
    }
    const lock = await insertLock(trx, studyCode, participantCode, actor.username);
    await recordChange(trx, change, {
      action: 'create',
      entity: 'participant_lock',
      key: `${participantCode}/locks/${lock.lock_id}`,
      studyCode,
      siteCodes: [participant.siteCode],
      participantCode,
      before: null,
      after: lockRecordOf(lock),
    });
    return lockRecordOf(lock);
  });
}

/** End a participant's lock (administrators), with a reason kept in the lock and the audit trail. */
export async function unlockParticipant(db: Db, change: ChangeContext, studyCode: string, participantCode: string, reason: string): Promise<LockRecord> {
  requireAdmin(change.actor, 'unlock a participant');
  return db.transaction(async ({ kysely: trx }) => {
    const participant = await requireSignOffParticipant(trx, change.actor, studyCode, participantCode);
    await lockParticipantSignOff(trx, studyCode, participantCode);
    const current = await selectCurrentLock(trx, studyCode, participantCode);
    if (!current) {
      throw new AppError('conflict', `participant ${participantCode} is not locked`, [{ path: 'participantCode', message: 'is not locked' }]);
    }
    const ended = await endLock(trx, current.lock_id, change.actor.username, reason);
    await recordChange(trx, change, {
      action: 'update',
      entity: 'participant_lock',
      key: `${participantCode}/locks/${ended.lock_id}`,
      studyCode,
      siteCodes: [participant.siteCode],
      participantCode,
      before: lockRecordOf(current),
      after: lockRecordOf(ended),
    });
    return lockRecordOf(ended);
  });
}
