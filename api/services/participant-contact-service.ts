// Participants' contact details: kept apart from the study data, in their own table, sealed with
// AES-256-GCM under SMP_CONTACT_KEY before they are written. Only the participant's clinic and
// administrators read or change them; researchers and reviewers are refused. No other service
// reads the table but the survey outbox, which opens an address only to hand a message to the mail
// server; so contacts never reach a bundle, an export, the analysis or a reviewer. The
// audit trail records that a contact changed, never the values.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  deleteParticipantContact,
  selectAnyParticipantContact,
  selectParticipantContact,
  upsertParticipantContact,
} from '../../db/repositories/participant-contact-repository.ts';
import { findParticipant } from '../../db/repositories/participant-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import type { ParticipantContact } from '../schemas/participant-contacts.ts';
import { participantNotFound, reachesSite, requireStudyScope, studyNotFound, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { open, seal } from './contact-crypto.ts';

export const HOW_TO_SET_THE_CONTACT_KEY =
  'set SMP_CONTACT_KEY to 32 random bytes as base64 (e.g. `SMP_CONTACT_KEY=$(openssl rand -base64 32)`) or 64 hexadecimal characters, and restart the server';

/**
 * No key configured. 409: the request is sound, but the server's state (no key) conflicts with it;
 * a 503 would tell clients to retry later, which cannot help until an administrator sets the key.
 */
function noKey(): AppError {
  return new AppError('conflict', `contact details cannot be stored or read without a key: ${HOW_TO_SET_THE_CONTACT_KEY}`, [
    { path: 'SMP_CONTACT_KEY', message: 'is not set' },
  ]);
}

/**
 * The participant, if the actor is their clinic or an administrator; researchers and reviewers
 * get 403, a study or participant outside the actor's scope 404.
 */
async function reachableParticipant(kysely: Kysely<Database>, actor: Actor, studyCode: string, participantCode: string) {
  const scope = requireStudyScope(actor, studyCode);
  if (actor.role !== 'admin' && actor.role !== 'clinic') {
    throw new AppError('forbidden', `your role may not see or change participants' contact details in study ${studyCode}: only their clinic and administrators may`);
  }
  const study = await findStudyByCode(kysely, studyCode);
  if (!study) throw studyNotFound(studyCode);
  const participant = await findParticipant(kysely, study.study_id, participantCode);
  if (!participant || !reachesSite(scope, participant.site_code)) throw participantNotFound(participantCode);
  return { study, participant };
}

/** The participant's contact, or 404 when none is stored. */
export async function getParticipantContact(
  db: Db,
  key: Buffer | undefined,
  actor: Actor,
  studyCode: string,
  participantCode: string,
): Promise<ParticipantContact> {
  const { study, participant } = await reachableParticipant(db.kysely, actor, studyCode, participantCode);
  const row = await selectParticipantContact(db.kysely, study.study_id, participant.participant_no);
  if (!row) throw new AppError('not_found', `participant ${participantCode} has no contact details`);
  if (!key) throw noKey();
  const place = { studyId: study.study_id, participantNo: participant.participant_no };
  const email = open(key, { ...place, field: 'email' }, row.email_sealed);
  const phone = row.phone_sealed === null ? null : open(key, { ...place, field: 'phone' }, row.phone_sealed);
  if (email === null || (row.phone_sealed !== null && phone === null)) {
    throw new Error(`the contact details of participant ${participantCode} do not open under SMP_CONTACT_KEY`);
  }
  return phone === null ? { email } : { email, phone };
}

/** Store (or replace) the participant's contact; audited as a change without its values. */
export async function putParticipantContact(
  db: Db,
  key: Buffer | undefined,
  change: ChangeContext,
  studyCode: string,
  participantCode: string,
  contact: ParticipantContact,
  now: Date,
): Promise<ParticipantContact> {
  return db.transaction(async ({ kysely }) => {
    const { study, participant } = await reachableParticipant(kysely, change.actor, studyCode, participantCode);
    if (!key) throw noKey();
    const place = { studyId: study.study_id, participantNo: participant.participant_no };
    const existed = (await selectParticipantContact(kysely, place.studyId, place.participantNo)) !== undefined;
    await upsertParticipantContact(kysely, {
      ...place,
      emailSealed: seal(key, { ...place, field: 'email' }, contact.email),
      phoneSealed: contact.phone === undefined ? null : seal(key, { ...place, field: 'phone' }, contact.phone),
      now,
    });
    await recordContactChange(kysely, change, studyCode, participantCode, participant.site_code, existed ? 'update' : 'create');
    return contact;
  });
}

/** Delete the participant's contact; 404 when none is stored. Needs no key. */
export async function removeParticipantContact(db: Db, change: ChangeContext, studyCode: string, participantCode: string): Promise<void> {
  await db.transaction(async ({ kysely }) => {
    const { study, participant } = await reachableParticipant(kysely, change.actor, studyCode, participantCode);
    if (!(await deleteParticipantContact(kysely, study.study_id, participant.participant_no))) {
      throw new AppError('not_found', `participant ${participantCode} has no contact details`);
    }
    await recordContactChange(kysely, change, studyCode, participantCode, participant.site_code, 'delete');
  });
}

/** The audit entry of a contact change: who, whose and that it changed; never the values. */
async function recordContactChange(
  kysely: Kysely<Database>,
  change: ChangeContext,
  studyCode: string,
  participantCode: string,
  siteCode: string,
  action: 'create' | 'update' | 'delete',
) {
  const marker = { contact: 'changed' };
  await recordChange(kysely, change, {
    action,
    entity: 'participant_contact',
    key: `${participantCode}/contact`,
    studyCode,
    siteCodes: [siteCode],
    participantCode,
    before: action === 'create' ? null : marker,
    after: action === 'delete' ? null : marker,
  });
}

/**
 * Refuse a key that does not open the stored contacts (one is tried: a key opens all or none),
 * and, with `keyNeeded`, stored contacts without a key. `what` names the action refused, e.g.
 * "smp serve". A server may run without a key (it then refuses to store or show contacts); a
 * restore may not, so that an archive is never loaded where its contacts cannot be opened.
 */
export async function checkContactKey(kysely: Kysely<Database>, key: Buffer | undefined, what: string, keyNeeded: boolean): Promise<void> {
  const row = await selectAnyParticipantContact(kysely);
  if (!row) return;
  if (!key) {
    if (!keyNeeded) return;
    throw new AppError(
      'conflict',
      `${what}: the store holds participants' contact details, sealed under a key, and SMP_CONTACT_KEY is not set; ` +
        'set it to the key they were stored under',
      [{ path: 'SMP_CONTACT_KEY', message: 'is not set' }],
    );
  }
  if (open(key, { studyId: row.study_id, participantNo: row.participant_no, field: 'email' }, row.email_sealed) === null) {
    throw new AppError(
      'conflict',
      `${what}: SMP_CONTACT_KEY does not open the participants' contact details stored here; set it to the key they were ` +
        'stored under (nothing was changed)',
      [{ path: 'SMP_CONTACT_KEY', message: 'is not the key the stored contacts were sealed under' }],
    );
  }
}

/**
 * The email address the survey outbox writes to, opened in memory just before the message is
 * handed to the mail server: null when none is stored. Never returned by a route or logged.
 */
export async function emailForSending(kysely: Kysely<Database>, key: Buffer, studyId: number, participantNo: number): Promise<string | null> {
  const row = await selectParticipantContact(kysely, studyId, participantNo);
  if (!row) return null;
  const email = open(key, { studyId, participantNo, field: 'email' }, row.email_sealed);
  if (email === null) throw new Error('the stored contact details do not open under SMP_CONTACT_KEY');
  return email;
}
