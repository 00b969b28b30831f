// Source-data verification: a researcher or administrator marks a record, or every record of a
// participant at once, as checked against the source. A verification holds the record's version:
// a later change clears it (edit-check-service.ts). The dashboard reads the share verified per site.
import { loadParticipant } from '../../db/repositories/participant-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { selectVerifications, selectVerifiedShares, upsertVerifications } from '../../db/repositories/verification-repository.ts';
import type { Db } from '../../db/kysely.ts';
import type { QueryList as ReviewedList } from '../schemas/data-queries.ts';
import { AppError } from '../errors.ts';
import { QUERY_LISTS } from '../schemas/data-queries.ts';
import { participantNotFound, reachesSite, requireStudyScope, studyNotFound, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { writeParticipant } from './participant-check.ts';
import { loadedOf, notFound, type Loaded } from './participant-views.ts';
import { resolvePath } from './record-paths.ts';

export interface VerificationView {
  list: ReviewedList;
  no: number;
  path: string;
  verifiedBy: string | null;
  verifiedAt: string | null;
}

function requireVerifier(actor: Actor, studyCode: string): void {
  if (actor.role !== 'admin' && actor.role !== 'researcher') {
    throw new AppError('forbidden', `your role may not verify records against the source in study ${studyCode}: researchers and administrators do`);
  }
}

const countOf = (loaded: Loaded) => QUERY_LISTS.reduce((n, list) => n + loaded[list].length, 0);

/** The participant's verified records (at their current version), each with its path now. */
function viewsOf(loaded: Loaded, rows: Awaited<ReturnType<typeof selectVerifications>>, identified: boolean): VerificationView[] {
  return rows.flatMap((v) => {
    const index = loaded[v.record_list].findIndex((r) => r.key === v.record_no);
    if (index < 0 || loaded[v.record_list][index]!.version !== String(v.record_version)) return [];
    return [
      {
        list: v.record_list,
        no: v.record_no,
        path: `${v.record_list}[${index}]`,
        verifiedBy: identified ? v.verified_by_name : null,
        verifiedAt: identified ? new Date(v.verified_at).toISOString() : null,
      },
    ];
  });
}

/** Mark one record (`adverseEvents[2]`) or every record of the participant ('') verified. */
export async function verifyRecords(db: Db, change: ChangeContext, now: Date, studyCode: string, participantCode: string, path: string) {
  requireStudyScope(change.actor, studyCode);
  requireVerifier(change.actor, studyCode);
  return writeParticipant(db, change, studyCode, participantCode, async ({ trx, loaded }) => {
    const target = resolvePath(loaded, path);
    if (target.field !== null) {
      throw new AppError('validation', 'a verification marks whole records', [
        { path: 'path', message: `names a field; name a record (such as adverseEvents[0]) or leave it empty for every record` },
      ]);
    }
    const records =
      target.list === null
        ? QUERY_LISTS.flatMap((list) => loaded[list].map((r, i) => ({ list, no: r.key, version: r.version, path: `${list}[${i}]` })))
        : [{ list: target.list, no: target.no!, version: loaded[target.list].find((r) => r.key === target.no)!.version, path: target.path }];
    const at = now.toISOString();
    await upsertVerifications(
      trx,
      records.map((r) => ({
        study_id: loaded.study.study_id,
        participant_no: loaded.row.participant_no,
        record_list: r.list,
        record_no: r.no,
        record_version: r.version,
        verified_by: change.actor.userId,
        verified_by_name: change.actor.username,
        verified_at: at,
      })),
    );
    await recordChange(trx, change, {
      action: 'create',
      entity: 'verification',
      key: `${participantCode}/verification`,
      studyCode,
      siteCodes: [loaded.fields.site],
      participantCode,
      before: null,
      after: { records: records.map((r) => r.path) },
    });
    return { records: countOf(loaded), verified: viewsOf(loaded, await selectVerifications(trx, loaded.study.study_id, loaded.row.participant_no), true) };
  });
}

/** Which of a participant's records are verified (a reviewer names the participant by pseudonym, and reads no names or times). */
export async function participantVerification(db: Db, actor: Actor, studyCode: string, name: string) {
  const scope = requireStudyScope(actor, studyCode);
  const rows = await loadParticipant(db.kysely, studyCode, name, { by: scope.identified ? 'code' : 'pseudonym', withKey: false });
  if (!rows || !reachesSite(scope, rows.participant.site_code)) throw rows ? participantNotFound(name) : await notFound(db.kysely, studyCode, name);
  const loaded = loadedOf(rows);
  const verified = await selectVerifications(db.kysely, loaded.study.study_id, loaded.row.participant_no);
  return { records: countOf(loaded), verified: viewsOf(loaded, verified, scope.identified) };
}

/** Per site: records, records verified at their current version, and the share. A clinic reads its own sites. */
export async function verificationShares(db: Db, actor: Actor, studyCode: string) {
  const scope = requireStudyScope(actor, studyCode);
  const study = await findStudyByCode(db.kysely, studyCode);
  if (!study) throw studyNotFound(studyCode);
  const sites = (await selectVerifiedShares(db.kysely, study.study_id)).filter((s) => reachesSite(scope, s.site));
  return { sites: sites.map((s) => ({ ...s, share: s.records === 0 ? null : s.verified / s.records })) };
}
