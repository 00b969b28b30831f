// Participants one at a time: enrol, change with a JSON merge patch, delete. Every change locks
// the participant (or, to enrol, the study), checks the participant as it will be with the
// importer's rules (participant-check.ts), and commits with its audit record.
import type { Db } from '../../db/kysely.ts';
import { deleteParticipant, findParticipant, insertParticipant, updateParticipant } from '../../db/repositories/participant-repository.ts';
import { nextLocalNo } from '../../db/repositories/structure-repository.ts';
import { lockStudy, selectStudySecret } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import type { Participant } from '../schemas/bundle.ts';
import type { ParticipantFields, ParticipantRecord } from '../schemas/records.ts';
import { requirePermission, requireSite, requireStudyScope, studyNotFound, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { pseudonym } from './deidentify.ts';
import { mergePatch } from './merge-patch.ts';
import { checkParticipant, contextOf, keyChange, writeParticipant, type CheckContext } from './participant-check.ts';
import { asBundleParticipant, countsOf, LISTS, participantResponse, type RecordList } from './participant-views.ts';
import { participantColumns } from './record-mapping.ts';
import { requireVersion } from './versions.ts';

/** Enrol a participant (no records yet: they are added one by one). */
export async function createParticipant(db: Db, change: ChangeContext, studyCode: string, fields: ParticipantFields): Promise<ParticipantRecord> {
  const scope = requireStudyScope(change.actor, studyCode);
  requirePermission(scope, 'writeParticipants', 'enrol participants');
  requireSite(scope, fields.site);
  return db.transaction(async ({ kysely: trx }) => {
    // Serialises enrolments in the study, so participant numbers and codes stay unique.
    const study = await lockStudy(trx, studyCode, 'no key update');
    if (!study) throw studyNotFound(studyCode);
    if (await findParticipant(trx, study.study_id, fields.code)) {
      throw new AppError('conflict', `participant ${fields.code} already exists in study ${studyCode}`, [
        { path: 'code', message: `participant code "${fields.code}" is already used` },
      ]);
    }
    const participant: Participant = { ...fields, sessions: [], adverseEvents: [], fadingAssessments: [], surveys: [] };
    const context: CheckContext = { study, practitioners: new Map(), sites: new Map() };
    const { siteNo } = await checkParticipant(trx, context, participant, { kind: 'participant' }, 'participant');
    const key = await selectStudySecret(trx, study.study_id);
    const version = await insertParticipant(trx, {
      study_id: study.study_id,
      participant_no: await nextLocalNo(trx, 'participant', 'participant_no', study.study_id),
      ...participantColumns(fields, siteNo(fields.site)),
      pseudonym: pseudonym(key, 'participant', fields.code),
    });
    await recordChange(trx, change, {
      action: 'create',
      entity: 'participant',
      key: fields.code,
      studyCode,
      siteCodes: [fields.site],
      participantCode: fields.code,
      before: null,
      after: fields,
    });
    return participantResponse(fields, version, { sessions: 0, adverseEvents: 0, fadingAssessments: 0, surveys: 0 });
  });
}

/** Change a participant's fields with a JSON merge patch. */
export async function patchParticipant(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  code: string,
  patch: Record<string, unknown>,
  ifMatch: string,
): Promise<ParticipantRecord> {
  return writeParticipant(db, change, studyCode, code, async ({ trx, scope, loaded }) => {
    requireVersion(ifMatch, loaded.row.version, `participant ${code}`, participantResponse(loaded.fields, loaded.row.version, countsOf(loaded)));
    const merged = mergePatch(loaded.fields, patch) as ParticipantFields;
    if (merged.code !== code) throw keyChange('code', code);
    if (typeof merged.site === 'string' && merged.site !== loaded.fields.site) requireSite(scope, merged.site);
    const { sessions, adverseEvents, fadingAssessments, surveys } = asBundleParticipant(loaded);
    const checked = await checkParticipant(
      trx,
      contextOf(loaded),
      { ...merged, sessions, adverseEvents, fadingAssessments, surveys },
      { kind: 'participant' },
      'participant',
    );
    const fields = fieldsOf(checked.participant);
    const version = await updateParticipant(trx, loaded.study.study_id, loaded.row.participant_no, participantColumns(fields, checked.siteNo(fields.site)));
    await recordChange(trx, change, {
      action: 'update',
      entity: 'participant',
      key: code,
      studyCode,
      siteCodes: [loaded.fields.site, fields.site],
      participantCode: code,
      before: loaded.fields,
      after: fields,
    });
    return participantResponse(fields, version, countsOf(loaded));
  });
}

/** The participant's own fields, in the bundle's order, from a participant with defaults applied. */
function fieldsOf(p: Participant): ParticipantFields {
  return {
    code: p.code,
    site: p.site,
    sex: p.sex,
    birthYear: p.birthYear,
    indication: p.indication,
    fitzpatrick: p.fitzpatrick ?? null,
    keloidHistory: p.keloidHistory,
    enrolledOn: p.enrolledOn,
    withdrawnOn: p.withdrawnOn ?? null,
    withdrawalCause: p.withdrawalCause ?? null,
    withdrawalReason: p.withdrawalReason ?? null,
    costUsd: p.costUsd ?? null,
  };
}

/** Delete a participant that has no records (delete or keep its records first: nothing is cascaded). */
export async function deleteParticipantRecord(db: Db, change: ChangeContext, studyCode: string, code: string, ifMatch: string): Promise<void> {
  await writeParticipant(db, change, studyCode, code, async ({ trx, loaded }) => {
    requireVersion(ifMatch, loaded.row.version, `participant ${code}`, participantResponse(loaded.fields, loaded.row.version, countsOf(loaded)));
    const counts = countsOf(loaded);
    const held = (Object.keys(counts) as RecordList[]).filter((list) => counts[list] > 0);
    if (held.length > 0) {
      throw new AppError(
        'conflict',
        `participant ${code} still has records (${held.map((list) => `${counts[list]} ${LISTS[list].noun}${counts[list] === 1 ? '' : 's'}`).join(', ')}); ` +
          'delete them first, or record a withdrawal instead',
        held.map((list) => ({ path: `participant.${list}`, message: `holds ${counts[list]} record${counts[list] === 1 ? '' : 's'}` })),
      );
    }
    await deleteParticipant(trx, loaded.study.study_id, loaded.row.participant_no);
    await recordChange(trx, change, {
      action: 'delete',
      entity: 'participant',
      key: code,
      studyCode,
      siteCodes: [loaded.fields.site],
      participantCode: code,
      before: loaded.fields,
      after: null,
    });
  });
}

