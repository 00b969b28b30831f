// What a signature signs: the participant's canonical data, the participant's entry of the study's
// canonical bundle (its fields, then its sessions, adverse events, fading assessments and
// surveys in the bundle's canonical order, api/schemas/bundle-order.ts), written as compact JSON
// in UTF-8. Its SHA-256 is what a signature keeps; GET …/signed-data answers these exact bytes,
// so anyone with access can check a signature with `sha256sum`.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/kysely.ts';
import { findParticipant, loadParticipant, lockAndLoadParticipant } from '../../db/repositories/participant-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { BUNDLE_FORMAT } from '../schemas/bundle.ts';
import { canonicalOrder } from '../schemas/bundle-order.ts';
import { participantNotFound, reachesSite, requireStudyScope, studyNotFound, type Actor } from './access.ts';
import { asBundleParticipant, loadedOf } from './participant-views.ts';
import { protocolOf } from './record-mapping.ts';

/**
 * The participant a sign-off action names, in the caller's identified scope: a reviewer is refused
 * (403), a study or participant outside the scope is not found (404).
 */
export async function requireSignOffParticipant(kysely: Kysely<Database>, actor: Actor, studyCode: string, participantCode: string) {
  const scope = requireStudyScope(actor, studyCode);
  if (!scope.identified) throw new AppError('forbidden', `signatures and locks are not part of the de-identified view of study ${studyCode}`);
  const study = await findStudyByCode(kysely, studyCode);
  if (!study) throw studyNotFound(studyCode);
  const participant = await findParticipant(kysely, study.study_id, participantCode);
  if (!participant || !reachesSite(scope, participant.site_code)) throw participantNotFound(participantCode);
  return { study, siteCode: participant.site_code };
}

export interface SignedData {
  /** The exact bytes signed: compact JSON, UTF-8. */
  json: string;
  /** Their SHA-256, hex. */
  sha256: string;
}

export const sha256Hex = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The participant's signed data as stored now. With `lock`, the participant's row is held until
 * the transaction ends, so no write comes between reading it and signing it.
 */
export async function participantSignedData(kysely: Kysely<Database>, studyCode: string, participantCode: string, lock: boolean): Promise<SignedData> {
  const rows = lock
    ? await lockAndLoadParticipant(kysely, studyCode, participantCode)
    : await loadParticipant(kysely, studyCode, participantCode, { by: 'code', withKey: false });
  if (!rows) throw participantNotFound(participantCode);
  const { study } = rows;
  const participant = asBundleParticipant(loadedOf(rows));
  const ordered = canonicalOrder({
    format: BUNDLE_FORMAT,
    study: { code: study.code, title: study.title, protocol: protocolOf(study) },
    sites: [],
    practitioners: [],
    participants: [participant],
  }).participants[0]!;
  const json = JSON.stringify(ordered);
  return { json, sha256: sha256Hex(json) };
}
