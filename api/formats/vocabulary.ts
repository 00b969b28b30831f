// Readable labels of every coded value of the bundle, in the bundle's order, as the formats write
// them. The codebook, the REDCap choices, the SDTM decodes and the FHIR displays all read them from
// here; the codes and their labels come from the study vocabulary (analysis/vocabulary.ts), so that
// a table and a chart never name one code two ways. This module adds the by-number forms of graded
// scales that the formats need.
import { CTCAE_GRADE_MEANINGS, CTCAE_GRADES, FADING_GRADE_LABELS, SATISFACTION_LABELS } from '../../analysis/vocabulary.ts';

export {
  ADVERSE_EVENT_CATEGORY_LABELS as AE_CATEGORY_LABELS,
  AE_CATEGORY_CTCAE,
  AE_OUTCOME_LABELS,
  ANESTHESIA_LABELS,
  ASSESSOR_LABELS,
  FITZPATRICK_LABELS,
  INDICATION_LABELS as INDICATION_VALUE_LABELS,
  RELATEDNESS_LABELS,
  SESSION_KIND_LABELS,
  SEX_LABELS,
  WITHDRAWAL_CAUSE_LABELS,
} from '../../analysis/vocabulary.ts';

/** CTCAE grades 1–5, by number: "Grade 1, mild" … "Grade 5, death". */
export const CTCAE_GRADE_LABELS: Readonly<Record<number, string>> = Object.fromEntries(
  CTCAE_GRADES.map((grade) => [Number(grade), `Grade ${grade}, ${CTCAE_GRADE_MEANINGS[grade]}`]),
);
/** Fading grades 0–4, by number: "None" … "Marked". */
export const FADING_GRADE_VALUE_LABELS: Readonly<Record<number, string>> = Object.fromEntries(
  FADING_GRADE_LABELS.map((label, grade) => [grade, label[0]!.toUpperCase() + label.slice(1)]),
);
/** Satisfaction scores 1–5, by number. */
export const SATISFACTION_VALUE_LABELS: Readonly<Record<number, string>> = Object.fromEntries(
  SATISFACTION_LABELS.map((label, index) => [index + 1, label]),
);
