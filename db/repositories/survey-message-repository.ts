// The survey outbox: plan a message (once per participant, visit and step), claim the next due
// one with FOR UPDATE SKIP LOCKED, record its sending, failure or cancellation, and list the
// outbox for administrators. SQL only; the rules live in api/services/survey-outbox-service.ts.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../kysely.ts';

export type SurveyMessageRow = Selectable<Database['survey_message']>;
export type SurveyMessageStatus = SurveyMessageRow['status'];

/** A study the planner looks at: its protocol and the days of its reminders. */
export async function selectStudiesWithVisits(db: Kysely<Database>) {
  return db.selectFrom('study').selectAll().where('visits', 'is not', null).orderBy('study_id').execute();
}

/** The participants of a study with stored contact details (numbers only: the planner reads no address). */
export async function selectContactedParticipants(db: Kysely<Database>, studyId: number): Promise<Set<number>> {
  const rows = await db.selectFrom('participant_contact').select('participant_no').where('study_id', '=', studyId).execute();
  return new Set(rows.map((r) => r.participant_no));
}

/** Every message of a study, for the planner: which steps exist and when the invitations went out. */
export async function selectStudyMessages(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('survey_message')
    .select(['participant_no', 'visit_code', 'step', 'status', 'sent_at'])
    .where('study_id', '=', studyId)
    .execute();
}

/** Plan a message; nothing happens when the step is planned already (the unique key). Whether a row was added. */
export async function insertSurveyMessage(
  db: Kysely<Database>,
  values: { studyId: number; participantNo: number; visitCode: string; step: number; messageKey: string; now: Date },
): Promise<boolean> {
  const result = await db
    .insertInto('survey_message')
    .values({
      study_id: values.studyId,
      participant_no: values.participantNo,
      visit_code: values.visitCode,
      step: values.step,
      message_key: values.messageKey,
      created_at: values.now.toISOString(),
      next_attempt_at: values.now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['study_id', 'participant_no', 'visit_code', 'step']).doNothing())
    .returning('message_no')
    .executeTakeFirst();
  return result !== undefined;
}

/**
 * The next pending message whose time has come, locked until the transaction ends; rows another
 * process holds are skipped, so two processes never work on one message at once.
 */
export async function claimDueMessage(trx: Kysely<Database>, now: Date) {
  return trx
    .selectFrom('survey_message as m')
    .innerJoin('study as st', 'st.study_id', 'm.study_id')
    .innerJoin('participant as p', (join) => join.onRef('p.study_id', '=', 'm.study_id').onRef('p.participant_no', '=', 'm.participant_no'))
    .selectAll('m')
    .select(['st.code as study_code', 'st.title as study_title', 'st.survey_link_days', 'p.code as participant_code'])
    .where('m.status', '=', 'pending')
    .where('m.next_attempt_at', '<=', now.toISOString())
    .orderBy('m.next_attempt_at')
    .orderBy('m.message_no')
    .limit(1)
    .forUpdate('m')
    .skipLocked()
    .executeTakeFirst();
}

export async function markMessageSent(trx: Kysely<Database>, messageNo: number, linkId: number, now: Date): Promise<void> {
  await trx
    .updateTable('survey_message')
    .set((eb) => ({ status: 'sent', sent_at: now.toISOString(), link_id: linkId, attempts: eb('attempts', '+', 1), last_error: null }))
    .where('message_no', '=', messageNo)
    .executeTakeFirstOrThrow();
}

/** A failed attempt: tried again at `retryAt`, or given up (`failed`) when retryAt is null. */
export async function markMessageFailed(trx: Kysely<Database>, messageNo: number, error: string, retryAt: Date | null): Promise<void> {
  await trx
    .updateTable('survey_message')
    .set((eb) => ({
      status: retryAt === null ? 'failed' : 'pending',
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 500),
      ...(retryAt === null ? {} : { next_attempt_at: retryAt.toISOString() }),
    }))
    .where('message_no', '=', messageNo)
    .executeTakeFirstOrThrow();
}

/** A message no longer wanted (the survey is in, the window closed, the participant withdrew). */
export async function markMessageCancelled(trx: Kysely<Database>, messageNo: number, reason: string): Promise<void> {
  await trx.updateTable('survey_message').set({ status: 'cancelled', last_error: reason }).where('message_no', '=', messageNo).executeTakeFirstOrThrow();
}

/** The outbox as administrators see it, newest first: participant codes and steps, no address. */
export async function listSurveyMessages(db: Kysely<Database>, filter: { status?: SurveyMessageStatus | undefined; studyCode?: string | undefined; limit: number }) {
  let query = db
    .selectFrom('survey_message as m')
    .innerJoin('study as st', 'st.study_id', 'm.study_id')
    .innerJoin('participant as p', (join) => join.onRef('p.study_id', '=', 'm.study_id').onRef('p.participant_no', '=', 'm.participant_no'))
    .select([
      'm.message_no',
      'st.code as study_code',
      'p.code as participant_code',
      'm.visit_code',
      'm.step',
      'm.status',
      'm.attempts',
      'm.last_error',
      'm.created_at',
      'm.next_attempt_at',
      'm.sent_at',
    ]);
  if (filter.status !== undefined) query = query.where('m.status', '=', filter.status);
  if (filter.studyCode !== undefined) query = query.where('st.code', '=', filter.studyCode);
  return query.orderBy('m.message_no', 'desc').limit(filter.limit).execute();
}

/** How many messages are in each status (of one study, or all). */
export async function countSurveyMessages(db: Kysely<Database>, studyCode?: string): Promise<Record<SurveyMessageStatus, number>> {
  let query = db
    .selectFrom('survey_message as m')
    .innerJoin('study as st', 'st.study_id', 'm.study_id')
    .select(['m.status', sql<string>`count(*)`.as('n')])
    .groupBy('m.status');
  if (studyCode !== undefined) query = query.where('st.code', '=', studyCode);
  const counts: Record<SurveyMessageStatus, number> = { pending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const row of await query.execute()) counts[row.status] = Number(row.n);
  return counts;
}

/** Per scheduled visit of a study: participants invited (invitation sent) and, of those, who answered through a link. */
export async function selectInvitationFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('survey_message')
    .select(['participant_no', 'visit_code'])
    .where('study_id', '=', studyId)
    .where('step', '=', 0)
    .where('status', '=', 'sent')
    .execute();
}
