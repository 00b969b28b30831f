// Database rows to bundle records and back: the one place that knows which column holds which
// field. Import, export and the record-level API all map through here, so a record reads the
// same whichever way it was written.
import type { Insertable, Selectable } from 'kysely';
import type { StudyRow } from '../../db/repositories/study-repository.ts';
import type { Database } from '../../db/kysely.ts';
import type {
  AdverseEvent,
  FadingAssessment,
  Participant,
  Protocol,
  Practitioner,
  SatisfactionSurvey,
  Site,
  TreatmentSession,
} from '../schemas/bundle.ts';
import type { ParticipantFields } from '../schemas/records.ts';

type Row<T extends keyof Database> = Selectable<Database[T]>;
type NewRow<T extends keyof Database> = Insertable<Database[T]>;

/** The protocol of a stored study, as the bundle writes it. */
export function protocolOf(study: StudyRow): Protocol {
  return {
    initialSessions: study.initial_sessions,
    sessionIntervalDays: study.session_interval_days,
    intervalToleranceDays: study.interval_tolerance_days,
    touchUpAfterDays: study.touch_up_after_days,
    touchUpToleranceDays: study.touch_up_tolerance_days,
    followUpMonths: { from: study.follow_up_from_months, to: study.follow_up_to_months },
    // Present only when the study schedules visits; keys in the bundle's order (jsonb keeps its own).
    ...(study.visits === null
      ? {}
      : {
          visits: study.visits.map((v) => ({
            code: v.code,
            label: v.label,
            monthsAfterFinalSession: v.monthsAfterFinalSession,
            windowBeforeDays: v.windowBeforeDays,
            windowAfterDays: v.windowAfterDays,
            expects: v.expects,
          })),
        }),
  };
}

/** The study table's columns of a protocol. */
export function protocolColumns(protocol: Protocol) {
  return {
    initial_sessions: protocol.initialSessions,
    session_interval_days: protocol.sessionIntervalDays,
    interval_tolerance_days: protocol.intervalToleranceDays,
    touch_up_after_days: protocol.touchUpAfterDays,
    touch_up_tolerance_days: protocol.touchUpToleranceDays,
    follow_up_from_months: protocol.followUpMonths.from,
    follow_up_to_months: protocol.followUpMonths.to,
    visits: protocol.visits ? JSON.stringify(protocol.visits) : null,
  };
}

/** The columns every study record row carries: its study and its version. */
interface Keyed {
  studyId: number;
  version: string;
}

export const siteFromRow = (row: Pick<Row<'site'>, 'code' | 'name' | 'country'>): Site => ({ code: row.code, name: row.name, country: row.country });

export const siteRow = (site: Site, key: Keyed & { siteNo: number }): NewRow<'site'> => ({
  study_id: key.studyId,
  site_no: key.siteNo,
  code: site.code,
  name: site.name,
  country: site.country,
  version: key.version,
});

export const practitionerFromRow = (row: Pick<Row<'practitioner'>, 'code' | 'years_experience'>, siteCode: string): Practitioner => ({
  code: row.code,
  site: siteCode,
  yearsExperience: row.years_experience,
});

export const practitionerRow = (
  practitioner: Practitioner,
  key: Keyed & { practitionerNo: number; siteNo: number; pseudonym: string },
): NewRow<'practitioner'> => ({
  study_id: key.studyId,
  practitioner_no: key.practitionerNo,
  code: practitioner.code,
  site_no: key.siteNo,
  years_experience: practitioner.yearsExperience,
  pseudonym: key.pseudonym,
  version: key.version,
});

export const participantFromRow = (row: Row<'participant'>, siteCode: string): ParticipantFields => ({
  code: row.code,
  site: siteCode,
  sex: row.sex as Participant['sex'],
  birthYear: row.birth_year,
  indication: row.indication as Participant['indication'],
  fitzpatrick: row.fitzpatrick,
  keloidHistory: row.keloid_history,
  enrolledOn: row.enrolled_on,
  withdrawnOn: row.withdrawn_on,
  withdrawalCause: row.withdrawal_cause as Participant['withdrawalCause'],
  withdrawalReason: row.withdrawal_reason,
  costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
});

/** The participant's own columns (not its keys, counters or pseudonym). */
export const participantColumns = (participant: ParticipantFields, siteNo: number) => ({
  code: participant.code,
  site_no: siteNo,
  sex: participant.sex,
  birth_year: participant.birthYear,
  indication: participant.indication,
  fitzpatrick: participant.fitzpatrick,
  keloid_history: participant.keloidHistory,
  enrolled_on: participant.enrolledOn,
  withdrawn_on: participant.withdrawnOn,
  withdrawal_cause: participant.withdrawalCause,
  withdrawal_reason: participant.withdrawalReason,
  cost_usd: participant.costUsd === null ? null : participant.costUsd.toFixed(2),
});

export const participantRow = (
  participant: ParticipantFields,
  key: Keyed & {
    participantNo: number;
    siteNo: number;
    pseudonym: string;
    lastEventNo: number;
    lastAssessmentNo: number;
    lastSurveyNo: number;
  },
): NewRow<'participant'> => ({
  study_id: key.studyId,
  participant_no: key.participantNo,
  ...participantColumns(participant, key.siteNo),
  pseudonym: key.pseudonym,
  last_event_no: key.lastEventNo,
  last_assessment_no: key.lastAssessmentNo,
  last_survey_no: key.lastSurveyNo,
  version: key.version,
});

export const sessionFromRow = (row: Row<'treatment_session'>, practitionerCode: string): TreatmentSession => ({
  number: row.session_number,
  kind: row.kind as TreatmentSession['kind'],
  date: row.session_date,
  durationMinutes: row.duration_minutes,
  practitioner: practitionerCode,
  pigmentLot: row.pigment_lot,
  anesthesia: row.anesthesia as TreatmentSession['anesthesia'],
});

export const sessionColumns = (session: TreatmentSession, practitionerNo: number) => ({
  session_number: session.number,
  kind: session.kind,
  session_date: session.date,
  duration_minutes: session.durationMinutes,
  practitioner_no: practitionerNo,
  pigment_lot: session.pigmentLot,
  anesthesia: session.anesthesia,
});

export const sessionRow = (
  session: TreatmentSession,
  key: Keyed & { participantNo: number; practitionerNo: number },
): NewRow<'treatment_session'> => ({
  study_id: key.studyId,
  participant_no: key.participantNo,
  ...sessionColumns(session, key.practitionerNo),
  version: key.version,
});

export const adverseEventFromRow = (row: Row<'adverse_event'>): AdverseEvent => ({
  category: row.category as AdverseEvent['category'],
  term: row.term,
  onsetDate: row.onset_date,
  resolvedDate: row.resolved_date,
  grade: row.grade,
  serious: row.serious,
  relatedness: row.relatedness as AdverseEvent['relatedness'],
  outcome: row.outcome as AdverseEvent['outcome'],
  sessionNumber: row.session_number,
  solicited: row.solicited,
});

export const adverseEventColumns = (event: AdverseEvent) => ({
  category: event.category,
  term: event.term,
  onset_date: event.onsetDate,
  resolved_date: event.resolvedDate,
  grade: event.grade,
  serious: event.serious,
  relatedness: event.relatedness,
  outcome: event.outcome,
  session_number: event.sessionNumber,
  solicited: event.solicited,
});

export const adverseEventRow = (event: AdverseEvent, key: Keyed & { participantNo: number; no: number }): NewRow<'adverse_event'> => ({
  study_id: key.studyId,
  participant_no: key.participantNo,
  event_no: key.no,
  ...adverseEventColumns(event),
  version: key.version,
});

export const assessmentFromRow = (row: Row<'fading_assessment'>): FadingAssessment => ({
  date: row.assessed_on,
  grade: row.grade,
  densityScore: row.density_score === null ? null : Number(row.density_score),
  needsTouchUp: row.needs_touch_up,
  assessor: row.assessor as FadingAssessment['assessor'],
});

export const assessmentColumns = (assessment: FadingAssessment) => ({
  assessed_on: assessment.date,
  grade: assessment.grade,
  density_score: assessment.densityScore === null ? null : assessment.densityScore.toFixed(1),
  needs_touch_up: assessment.needsTouchUp,
  assessor: assessment.assessor,
});

export const assessmentRow = (
  assessment: FadingAssessment,
  key: Keyed & { participantNo: number; no: number },
): NewRow<'fading_assessment'> => ({
  study_id: key.studyId,
  participant_no: key.participantNo,
  assessment_no: key.no,
  ...assessmentColumns(assessment),
  version: key.version,
});

export const surveyFromRow = (row: Row<'satisfaction_survey'>): SatisfactionSurvey => ({
  date: row.surveyed_on,
  satisfaction: row.satisfaction,
  wouldRecommend: row.would_recommend,
});

export const surveyColumns = (survey: SatisfactionSurvey) => ({
  surveyed_on: survey.date,
  satisfaction: survey.satisfaction,
  would_recommend: survey.wouldRecommend,
});

export const surveyRow = (survey: SatisfactionSurvey, key: Keyed & { participantNo: number; no: number }): NewRow<'satisfaction_survey'> => ({
  study_id: key.studyId,
  participant_no: key.participantNo,
  survey_no: key.no,
  ...surveyColumns(survey),
  version: key.version,
});
