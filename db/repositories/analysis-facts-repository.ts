// The compact per-participant facts the analysis needs, one narrow query per table. Dates come
// as day numbers (days since 1970-01-01); rows are ordered by participant, then date.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

const dayNumber = (column: string) => sql<number>`(${sql.ref(column)} - date '1970-01-01')`;

export async function selectParticipantFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('participant as p')
    .innerJoin('site as s', (join) => join.onRef('s.study_id', '=', 'p.study_id').onRef('s.site_no', '=', 'p.site_no'))
    .leftJoin('treatment_session as first', (join) =>
      join.onRef('first.study_id', '=', 'p.study_id').onRef('first.participant_no', '=', 'p.participant_no').on('first.session_number', '=', 1),
    )
    .leftJoin('practitioner as pr', (join) =>
      join.onRef('pr.study_id', '=', 'first.study_id').onRef('pr.practitioner_no', '=', 'first.practitioner_no'),
    )
    .select([
      'p.participant_no',
      'p.code',
      's.code as site',
      'p.indication',
      'pr.years_experience as practitioner_years',
      'p.withdrawn_on',
      'p.withdrawal_cause',
      'p.cost_usd',
    ])
    .where('p.study_id', '=', studyId)
    .orderBy('p.participant_no')
    .execute();
}

export async function selectSessionFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('treatment_session')
    .select(['participant_no', dayNumber('session_date').as('day'), 'kind', 'duration_minutes'])
    .where('study_id', '=', studyId)
    .orderBy('participant_no')
    .orderBy('session_number')
    .execute();
}

export async function selectAdverseEventFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('adverse_event')
    .select(['participant_no', 'category', 'grade', 'serious', 'relatedness', 'solicited'])
    .where('study_id', '=', studyId)
    .orderBy('participant_no')
    .orderBy('event_no')
    .execute();
}

/** Same-day assessments come clinician, panel, participant: the order the analysis prefers. */
export async function selectAssessmentFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('fading_assessment')
    .select(['participant_no', dayNumber('assessed_on').as('day'), 'assessor', 'grade', 'density_score', 'needs_touch_up'])
    .where('study_id', '=', studyId)
    .orderBy('participant_no')
    .orderBy('assessed_on')
    .orderBy(sql`case assessor when 'clinician' then 1 when 'panel' then 2 else 3 end`)
    .orderBy('assessment_no')
    .execute();
}

export async function selectSurveyFacts(db: Kysely<Database>, studyId: number) {
  return db
    .selectFrom('satisfaction_survey')
    .select(['participant_no', dayNumber('surveyed_on').as('day'), 'satisfaction', 'would_recommend'])
    .where('study_id', '=', studyId)
    .orderBy('participant_no')
    .orderBy('surveyed_on')
    .orderBy('survey_no')
    .execute();
}
