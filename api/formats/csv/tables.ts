// The `csv` format's tables, column by column: one definition drives the export, the import and
// the codebook. A column either holds a bundle field (`field`), links a row to its study or
// participant (`key`), or is derived for statisticians (`derived`: written on export, ignored on
// import, where the values it derives from are the truth).
import {
  AE_CATEGORIES,
  AE_OUTCOMES,
  ANESTHESIA,
  ASSESSORS,
  INDICATIONS,
  RELATEDNESS,
  SESSION_KINDS,
  SEXES,
  WITHDRAWAL_CAUSES,
  type AdverseEvent,
  type FadingAssessment,
  type Participant,
  type Practitioner,
  type SatisfactionSurvey,
  type Site,
  type StudyBundle,
  type TreatmentSession,
} from '../../schemas/bundle.ts';
import type { Cell } from '../csv-text.ts';
import { ageAtEnrolment, daysBetween, finalSessionDate, firstSessionDate, monthsFromDays, studyDay } from '../derived.ts';
import {
  AE_CATEGORY_LABELS,
  AE_OUTCOME_LABELS,
  ANESTHESIA_LABELS,
  ASSESSOR_LABELS,
  CTCAE_GRADE_LABELS,
  FADING_GRADE_VALUE_LABELS,
  FITZPATRICK_LABELS,
  INDICATION_VALUE_LABELS,
  RELATEDNESS_LABELS,
  SATISFACTION_VALUE_LABELS,
  SESSION_KIND_LABELS,
  SEX_LABELS,
  WITHDRAWAL_CAUSE_LABELS,
} from '../vocabulary.ts';

/** How a column's cells are written and read: text as is, numbers in plain decimal, booleans 0/1, dates YYYY-MM-DD. */
export type ColumnType = 'text' | 'category' | 'integer' | 'number' | 'boolean' | 'date';

export interface ColumnSpec<R> {
  name: string;
  type: ColumnType;
  definition: string;
  unit?: string;
  /** Allowed values and their labels, for categories and coded numbers. */
  labels?: Readonly<Record<string, string>>;
  /** Allowed values in words, for columns without a list (ranges, code patterns). */
  allowed?: string;
  /** The bundle field this column holds, as a path inside the record (`protocol.followUpMonths.to`). */
  field?: string;
  /** A link column: the study's code, or the code of the participant a row belongs to. */
  key?: 'study' | 'participant';
  /** An empty cell means null (otherwise a value is required). */
  nullable?: boolean;
  /** Derived from other columns on export; not read on import. */
  derived?: boolean;
  /** Added after the format's first version: a file written before lacks it, and its rows read as empty cells. */
  addedLater?: boolean;
  value: (row: R) => Cell;
}

export interface TableSpec<R> {
  /** File name without `.csv`; the codebook's `table` column. */
  name: string;
  columns: ReadonlyArray<ColumnSpec<R>>;
  rows: (bundle: StudyBundle) => Iterable<R>;
}

interface StudyRow {
  bundle: StudyBundle;
}
interface ParticipantRow<T> {
  bundle: StudyBundle;
  participant: Participant;
  /** The participant's first session date: study day 1. */
  reference: string | null;
  /** The participant's final session date: month 0 of follow-up. */
  final: string | null;
  record: T;
}

const ENTITY_CODE = '1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit';
const DATE_RANGE = 'a calendar date from 1900-01-01 to 2100-12-31';
const BOOLEAN_LABELS = { '0': 'no', '1': 'yes' } as const;

const enumLabels = <T extends string>(values: readonly T[], labels: Readonly<Record<T, string>>) =>
  Object.fromEntries(values.map((value) => [value, labels[value]]));

const STUDY_DAY =
  "Study day of the date, SDTM's convention: day 1 is the participant's reference start date (their first session's date), " +
  'the day before it is day -1, and there is no day 0. Empty for participants without sessions.';
const DAYS_SINCE_FINAL = "Days from the participant's final session (their latest session of any kind) to this date; negative before it.";
const MONTHS_SINCE_FINAL =
  "Months from the participant's final session to this date, the analysis's follow-up months: days_since_final_session / 30.4375 " +
  '(365.25 / 12), rounded to 4 decimals; negative before the final session, which the analysis does not count as follow-up.';

function studyCodeKey<R extends StudyRow>(): ColumnSpec<R> {
  return { name: 'study_code', type: 'text', key: 'study', allowed: '2 to 32 capital letters, digits or "-"', definition: 'Code of the study (the same on every row).', value: (row) => row.bundle.study.code };
}
function participantKey<R extends ParticipantRow<unknown>>(): ColumnSpec<R> {
  return { name: 'participant_code', type: 'text', key: 'participant', allowed: ENTITY_CODE, definition: 'Code of the participant (participants.csv) the row belongs to.', value: (row) => row.participant.code };
}

function* participantRows<T>(bundle: StudyBundle, pick: (p: Participant) => readonly T[]): Iterable<ParticipantRow<T>> {
  for (const participant of bundle.participants) {
    const reference = firstSessionDate(participant);
    const final = finalSessionDate(participant);
    for (const record of pick(participant)) yield { bundle, participant, reference, final, record };
  }
}

export const studyTable: TableSpec<StudyRow> = {
  name: 'study',
  rows: (bundle) => [{ bundle }],
  columns: [
    { name: 'study_code', type: 'text', field: 'code', allowed: '2 to 32 capital letters, digits or "-"', definition: 'Unique code of the study.', value: (r) => r.bundle.study.code },
    { name: 'title', type: 'text', field: 'title', allowed: '1 to 500 characters', definition: 'Title of the study.', value: (r) => r.bundle.study.title },
    { name: 'initial_sessions', type: 'integer', field: 'protocol.initialSessions', allowed: '1 to 50', definition: 'Number of initial sessions the protocol plans.', value: (r) => r.bundle.study.protocol.initialSessions },
    { name: 'session_interval_days', type: 'integer', unit: 'days', field: 'protocol.sessionIntervalDays', allowed: '1 to 365', definition: 'Planned days between consecutive initial sessions.', value: (r) => r.bundle.study.protocol.sessionIntervalDays },
    { name: 'interval_tolerance_days', type: 'integer', unit: 'days', field: 'protocol.intervalToleranceDays', allowed: '0 to 365', definition: 'Allowed deviation from session_interval_days.', value: (r) => r.bundle.study.protocol.intervalToleranceDays },
    { name: 'touch_up_after_days', type: 'integer', unit: 'days', field: 'protocol.touchUpAfterDays', nullable: true, allowed: '1 to 3650', definition: 'Planned days from the last initial session to the touch-up; empty when no touch-up is planned.', value: (r) => r.bundle.study.protocol.touchUpAfterDays },
    { name: 'touch_up_tolerance_days', type: 'integer', unit: 'days', field: 'protocol.touchUpToleranceDays', allowed: '0 to 365', definition: 'Allowed deviation from touch_up_after_days.', value: (r) => r.bundle.study.protocol.touchUpToleranceDays },
    { name: 'follow_up_from_months', type: 'number', unit: 'months', field: 'protocol.followUpMonths.from', allowed: '0 to 600', definition: 'Start of the follow-up window, in months (30.4375 days) after the final session.', value: (r) => r.bundle.study.protocol.followUpMonths.from },
    { name: 'follow_up_to_months', type: 'number', unit: 'months', field: 'protocol.followUpMonths.to', allowed: '0 to 600, not below follow_up_from_months', definition: 'End of the follow-up window, in months after the final session.', value: (r) => r.bundle.study.protocol.followUpMonths.to },
  ],
};

export const sitesTable: TableSpec<StudyRow & { site: Site }> = {
  name: 'sites',
  rows: (bundle) => bundle.sites.map((site) => ({ bundle, site })),
  columns: [
    studyCodeKey(),
    { name: 'site_code', type: 'text', field: 'code', allowed: ENTITY_CODE, definition: 'Code of the site (clinic), unique in the study.', value: (r) => r.site.code },
    { name: 'site_name', type: 'text', field: 'name', allowed: '1 to 200 characters', definition: 'Name of the clinic.', value: (r) => r.site.name },
    {
      name: 'country', type: 'category', field: 'country', nullable: true, addedLater: true, allowed: 'an ISO 3166-1 alpha-3 country code: three capital letters, e.g. GBR',
      definition: 'Country the site is in (ISO 3166-1 alpha-3); empty if not recorded. Files written before sites had a country lack the column: their sites have none.', value: (r) => r.site.country,
    },
  ],
};

export const practitionersTable: TableSpec<StudyRow & { practitioner: Practitioner }> = {
  name: 'practitioners',
  rows: (bundle) => bundle.practitioners.map((practitioner) => ({ bundle, practitioner })),
  columns: [
    studyCodeKey(),
    { name: 'practitioner_code', type: 'text', field: 'code', allowed: ENTITY_CODE, definition: 'Code of the practitioner, unique in the study.', value: (r) => r.practitioner.code },
    { name: 'site_code', type: 'text', field: 'site', allowed: 'a site_code of sites.csv', definition: 'Site the practitioner works at.', value: (r) => r.practitioner.site },
    { name: 'years_experience', type: 'number', unit: 'years', field: 'yearsExperience', allowed: '0 to 80', definition: 'Years of SMP experience at the start of the study.', value: (r) => r.practitioner.yearsExperience },
  ],
};

type PRow = ParticipantRow<Participant>;
export const participantsTable: TableSpec<PRow> = {
  name: 'participants',
  rows: (bundle) => participantRows(bundle, (p) => [p]),
  columns: [
    studyCodeKey(),
    { name: 'participant_code', type: 'text', field: 'code', allowed: ENTITY_CODE, definition: 'Code of the participant, unique in the study.', value: (r) => r.participant.code },
    { name: 'site_code', type: 'text', field: 'site', allowed: 'a site_code of sites.csv', definition: 'Site that enrolled the participant.', value: (r) => r.participant.site },
    { name: 'sex', type: 'category', field: 'sex', labels: enumLabels(SEXES, SEX_LABELS), definition: 'Sex of the participant.', value: (r) => r.participant.sex },
    { name: 'birth_year', type: 'integer', unit: 'calendar year', field: 'birthYear', allowed: '1900 to 2100, not after the year of enrolment', definition: 'Year of birth (the only part of the birth date the study records).', value: (r) => r.participant.birthYear },
    {
      name: 'age_at_enrolment', type: 'integer', unit: 'years', derived: true,
      definition: 'Year of enrolment minus birth_year: the age the participant reaches during the year of enrolment. Only the birth year is recorded, so on the enrolment date the participant was this age or one year younger.',
      value: (r) => ageAtEnrolment(r.participant),
    },
    { name: 'indication', type: 'category', field: 'indication', labels: enumLabels(INDICATIONS, INDICATION_VALUE_LABELS), definition: 'Condition the SMP treats.', value: (r) => r.participant.indication },
    { name: 'fitzpatrick', type: 'integer', field: 'fitzpatrick', nullable: true, labels: FITZPATRICK_LABELS, definition: 'Fitzpatrick skin type; empty if not recorded.', value: (r) => r.participant.fitzpatrick },
    { name: 'keloid_history', type: 'boolean', field: 'keloidHistory', labels: BOOLEAN_LABELS, definition: 'History of keloid scarring.', value: (r) => r.participant.keloidHistory },
    { name: 'enrolled_on', type: 'date', field: 'enrolledOn', allowed: DATE_RANGE, definition: 'Date of enrolment.', value: (r) => r.participant.enrolledOn },
    { name: 'enrolled_study_day', type: 'integer', unit: 'study day', derived: true, definition: `${STUDY_DAY} Enrolment precedes the first session, so this is usually negative.`, value: (r) => studyDay(r.participant.enrolledOn, r.reference) },
    { name: 'reference_start_date', type: 'date', derived: true, definition: "Date of the participant's first session: study day 1 (SDTM RFSTDTC). Empty without sessions.", value: (r) => r.reference },
    { name: 'final_session_date', type: 'date', derived: true, definition: "Date of the participant's final (latest) session of any kind, from which follow-up months count. Empty without sessions.", value: (r) => r.final },
    { name: 'withdrawn_on', type: 'date', field: 'withdrawnOn', nullable: true, allowed: DATE_RANGE, definition: 'Date of withdrawal; empty if the participant did not withdraw.', value: (r) => r.participant.withdrawnOn },
    { name: 'withdrawn_study_day', type: 'integer', unit: 'study day', derived: true, definition: STUDY_DAY, value: (r) => studyDay(r.participant.withdrawnOn, r.reference) },
    { name: 'withdrawal_cause', type: 'category', field: 'withdrawalCause', nullable: true, labels: enumLabels(WITHDRAWAL_CAUSES, WITHDRAWAL_CAUSE_LABELS), definition: 'Cause of withdrawal; required with withdrawn_on, empty otherwise.', value: (r) => r.participant.withdrawalCause },
    { name: 'withdrawal_reason', type: 'text', field: 'withdrawalReason', nullable: true, allowed: 'up to 2000 characters', definition: 'Reason for withdrawal in free text; only with withdrawn_on.', value: (r) => r.participant.withdrawalReason },
    { name: 'cost_usd', type: 'number', unit: 'US dollars', field: 'costUsd', nullable: true, allowed: '0 to 10000000, at most 2 decimals', definition: 'Cost of the treatment; empty if not recorded.', value: (r) => r.participant.costUsd },
  ],
};

export const sessionsTable: TableSpec<ParticipantRow<TreatmentSession>> = {
  name: 'sessions',
  rows: (bundle) => participantRows(bundle, (p) => p.sessions),
  columns: [
    studyCodeKey(),
    participantKey(),
    { name: 'session_number', type: 'integer', field: 'number', allowed: "1, 2, 3 … consecutive within the participant, ascending with session_date", definition: 'Number of the session.', value: (r) => r.record.number },
    { name: 'kind', type: 'category', field: 'kind', labels: enumLabels(SESSION_KINDS, SESSION_KIND_LABELS), definition: 'Initial session or touch-up; touch-ups follow the last initial session.', value: (r) => r.record.kind },
    { name: 'session_date', type: 'date', field: 'date', allowed: `${DATE_RANGE}, on or after enrolled_on`, definition: 'Date of the session.', value: (r) => r.record.date },
    { name: 'study_day', type: 'integer', unit: 'study day', derived: true, definition: STUDY_DAY, value: (r) => studyDay(r.record.date, r.reference) },
    { name: 'duration_minutes', type: 'integer', unit: 'minutes', field: 'durationMinutes', allowed: '1 to 1440', definition: 'Length of the session.', value: (r) => r.record.durationMinutes },
    { name: 'practitioner_code', type: 'text', field: 'practitioner', allowed: 'a practitioner_code of practitioners.csv', definition: 'Practitioner who treated.', value: (r) => r.record.practitioner },
    { name: 'pigment_lot', type: 'text', field: 'pigmentLot', allowed: '1 to 100 characters', definition: 'Lot number of the pigment used.', value: (r) => r.record.pigmentLot },
    { name: 'anesthesia', type: 'category', field: 'anesthesia', labels: enumLabels(ANESTHESIA, ANESTHESIA_LABELS), definition: 'Anaesthesia used.', value: (r) => r.record.anesthesia },
  ],
};

export const adverseEventsTable: TableSpec<ParticipantRow<AdverseEvent>> = {
  name: 'adverse_events',
  rows: (bundle) => participantRows(bundle, (p) => p.adverseEvents),
  columns: [
    studyCodeKey(),
    participantKey(),
    { name: 'category', type: 'category', field: 'category', labels: enumLabels(AE_CATEGORIES, AE_CATEGORY_LABELS), definition: 'Adverse-event category.', value: (r) => r.record.category },
    { name: 'term', type: 'text', field: 'term', allowed: '1 to 500 characters', definition: 'Verbatim term as reported.', value: (r) => r.record.term },
    { name: 'onset_date', type: 'date', field: 'onsetDate', allowed: `${DATE_RANGE}, on or after enrolled_on`, definition: 'Date of onset.', value: (r) => r.record.onsetDate },
    { name: 'onset_study_day', type: 'integer', unit: 'study day', derived: true, definition: STUDY_DAY, value: (r) => studyDay(r.record.onsetDate, r.reference) },
    { name: 'resolved_date', type: 'date', field: 'resolvedDate', nullable: true, allowed: `${DATE_RANGE}, on or after onset_date`, definition: 'Date resolved; empty while unresolved.', value: (r) => r.record.resolvedDate },
    { name: 'resolved_study_day', type: 'integer', unit: 'study day', derived: true, definition: STUDY_DAY, value: (r) => studyDay(r.record.resolvedDate, r.reference) },
    { name: 'grade', type: 'integer', field: 'grade', labels: CTCAE_GRADE_LABELS, definition: 'CTCAE grade; grade 5 is death (a fatal, serious event).', value: (r) => r.record.grade },
    { name: 'serious', type: 'boolean', field: 'serious', labels: BOOLEAN_LABELS, definition: 'Serious adverse event (SAE).', value: (r) => r.record.serious },
    { name: 'relatedness', type: 'category', field: 'relatedness', labels: enumLabels(RELATEDNESS, RELATEDNESS_LABELS), definition: 'Relationship to the procedure; possible, probable and definite count as related in the analysis.', value: (r) => r.record.relatedness },
    { name: 'outcome', type: 'category', field: 'outcome', labels: enumLabels(AE_OUTCOMES, AE_OUTCOME_LABELS), definition: 'Outcome of the event.', value: (r) => r.record.outcome },
    { name: 'session_number', type: 'integer', field: 'sessionNumber', nullable: true, allowed: 'a session_number of the participant in sessions.csv', definition: 'Session the event followed; empty if none.', value: (r) => r.record.sessionNumber },
    { name: 'solicited', type: 'boolean', field: 'solicited', labels: BOOLEAN_LABELS, definition: 'Asked about by name at a visit (1) or reported spontaneously (0).', value: (r) => r.record.solicited },
  ],
};

export const fadingAssessmentsTable: TableSpec<ParticipantRow<FadingAssessment>> = {
  name: 'fading_assessments',
  rows: (bundle) => participantRows(bundle, (p) => p.fadingAssessments),
  columns: [
    studyCodeKey(),
    participantKey(),
    { name: 'assessment_date', type: 'date', field: 'date', allowed: `${DATE_RANGE}, on or after the first session`, definition: 'Date of the assessment.', value: (r) => r.record.date },
    { name: 'study_day', type: 'integer', unit: 'study day', derived: true, definition: STUDY_DAY, value: (r) => studyDay(r.record.date, r.reference) },
    { name: 'days_since_final_session', type: 'integer', unit: 'days', derived: true, definition: DAYS_SINCE_FINAL, value: (r) => daysBetween(r.final, r.record.date) },
    { name: 'months_since_final_session', type: 'number', unit: 'months', derived: true, definition: MONTHS_SINCE_FINAL, value: (r) => monthsFromDays(daysBetween(r.final, r.record.date)) },
    { name: 'grade', type: 'integer', field: 'grade', labels: FADING_GRADE_VALUE_LABELS, definition: 'Fading grade.', value: (r) => r.record.grade },
    { name: 'density_score', type: 'number', unit: 'score', field: 'densityScore', nullable: true, allowed: '0 to 10, one decimal', definition: 'Dot density score; empty if not scored.', value: (r) => r.record.densityScore },
    { name: 'needs_touch_up', type: 'boolean', field: 'needsTouchUp', nullable: true, labels: BOOLEAN_LABELS, definition: 'Whether a touch-up is needed; empty if not assessed.', value: (r) => r.record.needsTouchUp },
    { name: 'assessor', type: 'category', field: 'assessor', labels: enumLabels(ASSESSORS, ASSESSOR_LABELS), definition: 'Who assessed.', value: (r) => r.record.assessor },
  ],
};

export const surveysTable: TableSpec<ParticipantRow<SatisfactionSurvey>> = {
  name: 'surveys',
  rows: (bundle) => participantRows(bundle, (p) => p.surveys),
  columns: [
    studyCodeKey(),
    participantKey(),
    { name: 'survey_date', type: 'date', field: 'date', allowed: `${DATE_RANGE}, on or after the first session`, definition: 'Date the survey was answered.', value: (r) => r.record.date },
    { name: 'study_day', type: 'integer', unit: 'study day', derived: true, definition: STUDY_DAY, value: (r) => studyDay(r.record.date, r.reference) },
    { name: 'months_since_final_session', type: 'number', unit: 'months', derived: true, definition: MONTHS_SINCE_FINAL, value: (r) => monthsFromDays(daysBetween(r.final, r.record.date)) },
    { name: 'satisfaction', type: 'integer', field: 'satisfaction', labels: SATISFACTION_VALUE_LABELS, definition: 'Overall satisfaction with the result.', value: (r) => r.record.satisfaction },
    { name: 'would_recommend', type: 'boolean', field: 'wouldRecommend', nullable: true, labels: BOOLEAN_LABELS, definition: 'Would recommend SMP; empty when unanswered.', value: (r) => r.record.wouldRecommend },
  ],
};

/** Every table of the format, in the order of the codebook and of problem reports. */
export const CSV_TABLES = [
  studyTable,
  sitesTable,
  practitionersTable,
  participantsTable,
  sessionsTable,
  adverseEventsTable,
  fadingAssessmentsTable,
  surveysTable,
] as const;

export const CODEBOOK_FILE = 'codebook.csv';
export const fileOf = (table: { name: string }) => `${table.name}.csv`;
