// Survey links: insert, find by the hash of their secret (locked, for the one answer), mark used,
// revoke, and list a participant's. SQL only.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../kysely.ts';

export type SurveyLinkRow = Selectable<Database['survey_link']>;

/** A link with what its page and its answer need: the study and the participant it belongs to. */
export type SurveyLinkWithOwner = SurveyLinkRow & {
  study_code: string;
  study_title: string;
  participant_code: string;
  site_code: string;
  withdrawn_on: string | null;
};

export async function insertSurveyLink(
  trx: Kysely<Database>,
  values: { studyId: number; participantNo: number; visitCode: string | null; linkHash: Uint8Array; createdBy: number | null; createdAt: Date; expiresAt: Date },
): Promise<SurveyLinkRow> {
  return trx
    .insertInto('survey_link')
    .values({
      study_id: values.studyId,
      participant_no: values.participantNo,
      visit_code: values.visitCode,
      link_hash: values.linkHash,
      created_by: values.createdBy,
      created_at: values.createdAt.toISOString(),
      expires_at: values.expiresAt.toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The link with this secret's hash and its owner; `lock` holds its row until the transaction ends. */
export async function findSurveyLinkByHash(db: Kysely<Database>, linkHash: Uint8Array, lock = false): Promise<SurveyLinkWithOwner | undefined> {
  let query = db
    .selectFrom('survey_link as l')
    .innerJoin('study as st', 'st.study_id', 'l.study_id')
    .innerJoin('participant as p', (join) => join.onRef('p.study_id', '=', 'l.study_id').onRef('p.participant_no', '=', 'l.participant_no'))
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .selectAll('l')
    .select(['st.code as study_code', 'st.title as study_title', 'p.code as participant_code', 's.code as site_code', 'p.withdrawn_on'])
    .where('l.link_hash', '=', linkHash);
  if (lock) query = query.forUpdate('l');
  return query.executeTakeFirst();
}

export async function markSurveyLinkUsed(trx: Kysely<Database>, linkId: number, surveyNo: number, language: string, at: Date): Promise<void> {
  await trx
    .updateTable('survey_link')
    .set({ used_at: at.toISOString(), survey_no: surveyNo, language })
    .where('link_id', '=', linkId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
}

/**
 * Revoke a participant's link; undefined when the participant has no such link. Revoking twice
 * keeps the first time: `changed` says whether this call revoked it.
 */
export async function revokeSurveyLink(trx: Kysely<Database>, studyId: number, participantNo: number, linkId: number, at: Date) {
  const row = await trx
    .selectFrom('survey_link')
    .selectAll()
    .where('study_id', '=', studyId)
    .where('participant_no', '=', participantNo)
    .where('link_id', '=', linkId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.revoked_at !== null) return { row, changed: false };
  const revoked = await trx
    .updateTable('survey_link')
    .set({ revoked_at: at.toISOString() })
    .where('link_id', '=', linkId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row: revoked, changed: true };
}

export async function listSurveyLinks(db: Kysely<Database>, studyId: number, participantNo: number): Promise<SurveyLinkRow[]> {
  return db.selectFrom('survey_link').selectAll().where('study_id', '=', studyId).where('participant_no', '=', participantNo).orderBy('link_id').execute();
}

/**
 * Revoke a participant's other live links for the same visit once one is answered: the outbox
 * sends a fresh link with each reminder, and only one answer per visit is wanted. How many.
 */
export async function revokeSiblingLinks(trx: Kysely<Database>, link: { studyId: number; participantNo: number; visitCode: string; linkId: number }, at: Date) {
  const result = await trx
    .updateTable('survey_link')
    .set({ revoked_at: at.toISOString() })
    .where('study_id', '=', link.studyId)
    .where('participant_no', '=', link.participantNo)
    .where('visit_code', '=', link.visitCode)
    .where('link_id', '<>', link.linkId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Per participant of a study, how many surveys they entered through a link. */
export async function selectLinkAnsweredCounts(db: Kysely<Database>, studyId: number): Promise<Array<{ participant_no: number; n: number | string }>> {
  return db
    .selectFrom('survey_link')
    .select(['participant_no', (eb) => eb.fn.count<number | string>('link_id').as('n')])
    .where('study_id', '=', studyId)
    .where('used_at', 'is not', null)
    .groupBy('participant_no')
    .execute();
}
