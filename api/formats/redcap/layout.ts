// Our REDCap project layout: the instruments and fields `smp export --format redcap` writes, each
// tied to the bundle field it holds. The export, the data dictionary and the default mapping of
// the import are all made from this one table, so they cannot disagree.
import { z } from 'zod';
import {
  AE_CATEGORIES,
  AE_OUTCOMES,
  ANESTHESIA,
  ASSESSORS,
  AdverseEvent,
  FadingAssessment,
  INDICATIONS,
  Participant,
  RELATEDNESS,
  SESSION_KINDS,
  SEXES,
  SatisfactionSurvey,
  TreatmentSession,
  WITHDRAWAL_CAUSES,
  type StudyBundle,
} from '../../schemas/bundle.ts';
import type { CellType } from '../cells.ts';
import { adverseEventsTable, fadingAssessmentsTable, participantsTable, sessionsTable, surveysTable, type ColumnSpec } from '../csv/tables.ts';
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
import type { Choice, DictionaryRow, FieldType } from './dictionary.ts';

/** The kinds of bundle record a REDCap instrument can hold. */
export const RECORD_KINDS = ['participant', 'session', 'adverse_event', 'fading_assessment', 'survey'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];
export type RepeatingKind = Exclude<RecordKind, 'participant'>;
export const REPEATING_KINDS = RECORD_KINDS.filter((kind): kind is RepeatingKind => kind !== 'participant');

/** The participant's list each repeating kind fills. */
export const LIST_OF: Readonly<Record<RepeatingKind, 'sessions' | 'adverseEvents' | 'fadingAssessments' | 'surveys'>> = {
  session: 'sessions',
  adverse_event: 'adverseEvents',
  fading_assessment: 'fadingAssessments',
  survey: 'surveys',
};

/** The pseudo-field whose value is a repeating row's instance number. */
export const REPEAT_INSTANCE = 'redcap_repeat_instance';
export const REPEAT_INSTRUMENT = 'redcap_repeat_instrument';
/** The record ID field: the first field of the dictionary. */
export const RECORD_ID = 'record_id';

export interface BundleField {
  type: CellType;
  /** An empty value means null. */
  nullable: boolean;
  /** The bundle requires a value (no default). */
  required: boolean;
}

const SCHEMAS = { participant: Participant, session: TreatmentSession, adverse_event: AdverseEvent, fading_assessment: FadingAssessment, survey: SatisfactionSurvey } as const;
const TABLES = { participant: participantsTable, session: sessionsTable, adverse_event: adverseEventsTable, fading_assessment: fadingAssessmentsTable, survey: surveysTable } as const;

/** Every bundle field of each record kind that a REDCap field can fill, with how its values read. */
export const BUNDLE_FIELDS: Readonly<Record<RecordKind, Readonly<Record<string, BundleField>>>> = Object.fromEntries(
  RECORD_KINDS.map((kind) => {
    const shape = SCHEMAS[kind].shape as Record<string, z.ZodType>;
    const columns = TABLES[kind].columns as ReadonlyArray<ColumnSpec<unknown>>;
    const fields: Record<string, BundleField> = {};
    for (const column of columns) {
      if (column.field === undefined || shape[column.field] === undefined) continue;
      fields[column.field] = { type: column.type, nullable: column.nullable === true, required: !shape[column.field]!.safeParse(undefined).success };
    }
    return [kind, fields];
  }),
) as Record<RecordKind, Record<string, BundleField>>;

/** A choice of our layout: its REDCap code and label, and the bundle value it stands for. */
export interface LayoutChoice extends Choice {
  value: string | number | boolean;
}

export interface LayoutField {
  name: string;
  kind: RecordKind;
  /** Bundle field the REDCap field holds. */
  target: string;
  type: FieldType;
  label: string;
  /**
   * Choices with codes 1, 2, 3… (or the value itself for graded numbers). Sites and practitioners
   * are per study: their label is the code, which the import reads back (`"choices": "label"`).
   */
  choices?: (bundle: StudyBundle) => LayoutChoice[];
  byLabel?: boolean;
  note?: string;
  validation?: 'date_ymd' | 'integer' | 'number';
  min?: string;
  max?: string;
  identifier?: boolean;
  branching?: string;
}

const numbered = <T extends string>(values: readonly T[], labels: Readonly<Record<T, string>>) => () =>
  values.map((value, index): LayoutChoice => ({ code: String(index + 1), label: labels[value], value }));
const graded = (labels: Readonly<Record<number, string>>) => () =>
  Object.entries(labels).map(([value, label]): LayoutChoice => ({ code: value, label, value: Number(value) }));
const codes = (list: readonly { code: string }[]) => list.map((item, index): LayoutChoice => ({ code: String(index + 1), label: item.code, value: item.code }));
const WITHDRAWN = "[withdrawn_on] <> ''";
const DATE = { type: 'text', validation: 'date_ymd', min: '1900-01-01', max: '2100-12-31' } as const;

/** Every field of our layout, in dictionary order; the record ID comes first, as REDCap requires. */
export const LAYOUT_FIELDS: readonly LayoutField[] = [
  { name: RECORD_ID, kind: 'participant', target: 'code', type: 'text', label: 'Participant code' },
  { name: 'site', kind: 'participant', target: 'site', type: 'dropdown', label: 'Enrolling site', choices: (b) => codes(b.sites), byLabel: true },
  { name: 'sex', kind: 'participant', target: 'sex', type: 'radio', label: 'Sex', choices: numbered(SEXES, SEX_LABELS) },
  { name: 'birth_year', kind: 'participant', target: 'birthYear', type: 'text', label: 'Year of birth', validation: 'integer', min: '1900', max: '2100' },
  { name: 'indication', kind: 'participant', target: 'indication', type: 'dropdown', label: 'Indication', choices: numbered(INDICATIONS, INDICATION_VALUE_LABELS) },
  { name: 'fitzpatrick', kind: 'participant', target: 'fitzpatrick', type: 'radio', label: 'Fitzpatrick skin type', choices: graded(FITZPATRICK_LABELS) },
  { name: 'keloid_history', kind: 'participant', target: 'keloidHistory', type: 'yesno', label: 'History of keloid scarring' },
  { name: 'enrolled_on', kind: 'participant', target: 'enrolledOn', ...DATE, label: 'Date of enrolment' },
  { name: 'withdrawn_on', kind: 'participant', target: 'withdrawnOn', ...DATE, label: 'Date of withdrawal', note: 'Leave empty if the participant did not withdraw' },
  { name: 'withdrawal_cause', kind: 'participant', target: 'withdrawalCause', type: 'radio', label: 'Cause of withdrawal', choices: numbered(WITHDRAWAL_CAUSES, WITHDRAWAL_CAUSE_LABELS), branching: WITHDRAWN },
  { name: 'withdrawal_reason', kind: 'participant', target: 'withdrawalReason', type: 'notes', label: 'Reason for withdrawal', identifier: true, branching: WITHDRAWN },
  { name: 'cost_usd', kind: 'participant', target: 'costUsd', type: 'text', label: 'Cost of treatment', note: 'US dollars', validation: 'number', min: '0' },

  { name: 'session_kind', kind: 'session', target: 'kind', type: 'radio', label: 'Kind of session', choices: numbered(SESSION_KINDS, SESSION_KIND_LABELS) },
  { name: 'session_date', kind: 'session', target: 'date', ...DATE, label: 'Date of the session' },
  { name: 'session_duration', kind: 'session', target: 'durationMinutes', type: 'text', label: 'Duration of the session', note: 'minutes', validation: 'integer', min: '1', max: '1440' },
  { name: 'session_practitioner', kind: 'session', target: 'practitioner', type: 'dropdown', label: 'Practitioner', choices: (b) => codes(b.practitioners), byLabel: true, identifier: true },
  { name: 'session_pigment_lot', kind: 'session', target: 'pigmentLot', type: 'text', label: 'Pigment lot', identifier: true },
  { name: 'session_anesthesia', kind: 'session', target: 'anesthesia', type: 'radio', label: 'Anaesthesia', choices: numbered(ANESTHESIA, ANESTHESIA_LABELS) },

  { name: 'ae_category', kind: 'adverse_event', target: 'category', type: 'dropdown', label: 'Category', choices: numbered(AE_CATEGORIES, AE_CATEGORY_LABELS) },
  { name: 'ae_term', kind: 'adverse_event', target: 'term', type: 'notes', label: 'Verbatim term', identifier: true },
  { name: 'ae_onset', kind: 'adverse_event', target: 'onsetDate', ...DATE, label: 'Date of onset' },
  { name: 'ae_resolved', kind: 'adverse_event', target: 'resolvedDate', ...DATE, label: 'Date resolved', note: 'Leave empty while unresolved' },
  { name: 'ae_grade', kind: 'adverse_event', target: 'grade', type: 'radio', label: 'CTCAE grade', choices: graded(CTCAE_GRADE_LABELS) },
  { name: 'ae_serious', kind: 'adverse_event', target: 'serious', type: 'yesno', label: 'Serious adverse event' },
  { name: 'ae_relatedness', kind: 'adverse_event', target: 'relatedness', type: 'radio', label: 'Relationship to the procedure', choices: numbered(RELATEDNESS, RELATEDNESS_LABELS) },
  { name: 'ae_outcome', kind: 'adverse_event', target: 'outcome', type: 'radio', label: 'Outcome', choices: numbered(AE_OUTCOMES, AE_OUTCOME_LABELS) },
  { name: 'ae_session', kind: 'adverse_event', target: 'sessionNumber', type: 'text', label: 'Session the event followed', note: 'Session number; empty if none', validation: 'integer', min: '1', max: '1000' },
  { name: 'ae_solicited', kind: 'adverse_event', target: 'solicited', type: 'yesno', label: 'Asked about by name at a visit' },

  { name: 'fa_date', kind: 'fading_assessment', target: 'date', ...DATE, label: 'Date of the assessment' },
  { name: 'fa_grade', kind: 'fading_assessment', target: 'grade', type: 'radio', label: 'Fading grade', choices: graded(FADING_GRADE_VALUE_LABELS) },
  { name: 'fa_density', kind: 'fading_assessment', target: 'densityScore', type: 'text', label: 'Dot density score', note: '0 to 10, one decimal', validation: 'number', min: '0', max: '10' },
  { name: 'fa_needs_touch_up', kind: 'fading_assessment', target: 'needsTouchUp', type: 'yesno', label: 'Touch-up needed' },
  { name: 'fa_assessor', kind: 'fading_assessment', target: 'assessor', type: 'radio', label: 'Assessed by', choices: numbered(ASSESSORS, ASSESSOR_LABELS) },

  { name: 'sv_date', kind: 'survey', target: 'date', ...DATE, label: 'Date of the survey' },
  { name: 'sv_satisfaction', kind: 'survey', target: 'satisfaction', type: 'radio', label: 'Overall satisfaction', choices: graded(SATISFACTION_VALUE_LABELS) },
  { name: 'sv_would_recommend', kind: 'survey', target: 'wouldRecommend', type: 'yesno', label: 'Would recommend SMP' },
];

/** Our instrument (REDCap form) names: the record kinds themselves. */
export const LAYOUT_FORMS: readonly RecordKind[] = RECORD_KINDS;

/** The dictionary rows of our layout for a study (sites and practitioners are its own choices). */
export function layoutDictionaryRows(bundle: StudyBundle): DictionaryRow[] {
  return LAYOUT_FIELDS.map((field) => {
    const bundleField = BUNDLE_FIELDS[field.kind][field.target]!;
    const list = field.kind === 'participant' ? 'participants[]' : `participants[].${LIST_OF[field.kind]}[]`;
    return {
      name: field.name,
      form: field.kind,
      type: field.type,
      label: field.label,
      ...(field.choices ? { choices: field.choices(bundle).map(({ code, label }) => ({ code, label })) } : {}),
      ...(field.note ? { note: field.note } : {}),
      ...(field.validation ? { validation: field.validation } : {}),
      ...(field.min ? { min: field.min } : {}),
      ...(field.max ? { max: field.max } : {}),
      identifier: field.identifier === true,
      ...(field.branching ? { branching: field.branching } : {}),
      required: bundleField.required,
      annotation: `SMP bundle field ${list}.${field.target}`,
    };
  });
}
