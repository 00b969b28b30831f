// The Kysely `Database` interface. It follows db/migrations: change a migration, change this.
// Dates come back as `YYYY-MM-DD` strings and int8/numeric as strings from both drivers (db/kysely.ts).
import type { Generated } from 'kysely';

export interface Database {
  study: StudyTable;
  site: SiteTable;
  practitioner: PractitionerTable;
  participant: ParticipantTable;
  treatment_session: TreatmentSessionTable;
  adverse_event: AdverseEventTable;
  fading_assessment: FadingAssessmentTable;
  satisfaction_survey: SatisfactionSurveyTable;
}

interface StudyTable {
  study_id: Generated<number>;
  code: string;
  title: string;
  initial_sessions: number;
  session_interval_days: number;
  interval_tolerance_days: number;
  touch_up_after_days: number | null;
  touch_up_tolerance_days: number;
  follow_up_from_months: number;
  follow_up_to_months: number;
  imported_at: Generated<string>;
}

interface SiteTable {
  study_id: number;
  site_no: number;
  code: string;
  name: string;
}

interface PractitionerTable {
  study_id: number;
  practitioner_no: number;
  code: string;
  site_no: number;
  years_experience: number;
}

interface ParticipantTable {
  study_id: number;
  participant_no: number;
  code: string;
  site_no: number;
  sex: string;
  birth_year: number;
  indication: string;
  fitzpatrick: number | null;
  keloid_history: boolean;
  enrolled_on: string;
  withdrawn_on: string | null;
  withdrawal_cause: string | null;
  withdrawal_reason: string | null;
  /** numeric(12,2), returned as a string */
  cost_usd: string | null;
}

interface TreatmentSessionTable {
  study_id: number;
  participant_no: number;
  session_number: number;
  kind: string;
  session_date: string;
  duration_minutes: number;
  practitioner_no: number;
  pigment_lot: string;
  anesthesia: string;
}

interface AdverseEventTable {
  study_id: number;
  participant_no: number;
  event_no: number;
  category: string;
  term: string;
  onset_date: string;
  resolved_date: string | null;
  grade: number;
  serious: boolean;
  relatedness: string;
  outcome: string;
  session_number: number | null;
  solicited: boolean;
}

interface FadingAssessmentTable {
  study_id: number;
  participant_no: number;
  assessment_no: number;
  assessed_on: string;
  grade: number;
  /** numeric(3,1), returned as a string */
  density_score: string | null;
  needs_touch_up: boolean | null;
  assessor: string;
}

interface SatisfactionSurveyTable {
  study_id: number;
  participant_no: number;
  survey_no: number;
  surveyed_on: string;
  satisfaction: number;
  would_recommend: boolean | null;
}
