// Readable labels of every coded value of the bundle, in the bundle's order. The codebook, the
// REDCap choices, the SDTM decodes and the FHIR displays all read them from here; indications,
// adverse-event categories, fading grades and satisfaction scores reuse the analysis's labels so
// that a table and a chart never name one code two ways.
import {
  ADVERSE_EVENT_CATEGORY_LABELS,
  FADING_GRADE_LABELS,
  INDICATION_LABELS,
  SATISFACTION_LABELS,
} from '../../analysis/charts/labels.ts';
import type {
  AE_CATEGORIES,
  AE_OUTCOMES,
  ANESTHESIA,
  ASSESSORS,
  INDICATIONS,
  RELATEDNESS,
  SESSION_KINDS,
  SEXES,
  WITHDRAWAL_CAUSES,
} from '../schemas/bundle.ts';

type Labels<T extends readonly string[]> = Readonly<Record<T[number], string>>;

export const SEX_LABELS: Labels<typeof SEXES> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };
export const INDICATION_VALUE_LABELS: Labels<typeof INDICATIONS> = INDICATION_LABELS;
export const WITHDRAWAL_CAUSE_LABELS: Labels<typeof WITHDRAWAL_CAUSES> = {
  adverse_event: 'Adverse event',
  lost_to_follow_up: 'Lost to follow-up',
  participant_choice: "Participant's choice",
  other: 'Other',
};
export const SESSION_KIND_LABELS: Labels<typeof SESSION_KINDS> = { initial: 'Initial session', touch_up: 'Touch-up session' };
export const ANESTHESIA_LABELS: Labels<typeof ANESTHESIA> = { topical: 'Topical', local: 'Local injection', none: 'None' };
export const AE_CATEGORY_LABELS: Labels<typeof AE_CATEGORIES> = ADVERSE_EVENT_CATEGORY_LABELS;
export const RELATEDNESS_LABELS: Labels<typeof RELATEDNESS> = {
  not_related: 'Not related',
  unlikely: 'Unlikely',
  possible: 'Possible',
  probable: 'Probable',
  definite: 'Definite',
};
export const AE_OUTCOME_LABELS: Labels<typeof AE_OUTCOMES> = {
  recovered: 'Recovered',
  recovering: 'Recovering',
  not_recovered: 'Not recovered',
  recovered_with_sequelae: 'Recovered with sequelae',
  fatal: 'Fatal',
  unknown: 'Unknown',
};
export const ASSESSOR_LABELS: Labels<typeof ASSESSORS> = { clinician: 'Clinician', panel: 'Panel', participant: 'Participant' };

/**
 * Each adverse-event category's CTCAE v5.0 term (a MedDRA lowest-level term) and its system
 * organ class: SDTM's AEDECOD and AEBODSYS. Where CTCAE has no term for the category, the SOC's
 * own "Other, specify" term of CTCAE, in the SOC the event belongs to (the README says why for each).
 */
export const AE_CATEGORY_CTCAE: Readonly<Record<(typeof AE_CATEGORIES)[number], { term: string; soc: string }>> = {
  infection: { term: 'Skin infection', soc: 'Infections and infestations' },
  allergic_reaction: { term: 'Allergic reaction', soc: 'Immune system disorders' },
  keloid: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  granuloma: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  mri_interference: { term: 'Injury, poisoning and procedural complications - Other, specify', soc: 'Injury, poisoning and procedural complications' },
  pigment_migration: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  discoloration: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  other: { term: 'General disorders and administration site conditions - Other, specify', soc: 'General disorders and administration site conditions' },
};

/** Fitzpatrick skin types 1–6, by number. */
export const FITZPATRICK_LABELS: Readonly<Record<number, string>> = { 1: 'Type I', 2: 'Type II', 3: 'Type III', 4: 'Type IV', 5: 'Type V', 6: 'Type VI' };
/** CTCAE grades 1–5, by number. */
export const CTCAE_GRADE_LABELS: Readonly<Record<number, string>> = {
  1: 'Grade 1, mild',
  2: 'Grade 2, moderate',
  3: 'Grade 3, severe',
  4: 'Grade 4, life-threatening',
  5: 'Grade 5, death',
};
/** Fading grades 0–4, by number: "0, none" … "4, marked". */
export const FADING_GRADE_VALUE_LABELS: Readonly<Record<number, string>> = Object.fromEntries(
  FADING_GRADE_LABELS.map((label, grade) => [grade, label[0]!.toUpperCase() + label.slice(1)]),
);
/** Satisfaction scores 1–5, by number. */
export const SATISFACTION_VALUE_LABELS: Readonly<Record<number, string>> = Object.fromEntries(
  SATISFACTION_LABELS.map((label, index) => [index + 1, label]),
);
