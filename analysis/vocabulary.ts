// The study vocabulary, written once: every coded list of smp-study-bundle/1 in the bundle's order,
// with its readable labels. A leaf module that imports nothing: the zod schemas, the analysis types,
// the chart labels, the format mappings, the web pages and the test generators all derive from it.

/** A label for every code of a list. */
type Labels<T extends readonly string[]> = Readonly<Record<T[number], string>>;

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];
export const SEX_LABELS: Labels<typeof SEXES> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

export const INDICATIONS = [
  'androgenetic_alopecia',
  'female_pattern_hair_loss',
  'alopecia_areata',
  'scar',
  'birthmark',
  'chemotherapy_alopecia',
  'hair_transplant_adjunct',
  'other',
] as const;
export type Indication = (typeof INDICATIONS)[number];
/** Readable label of every indication, in the bundle's order (subgroup labels, filters, codebooks). */
export const INDICATION_LABELS: Labels<typeof INDICATIONS> = {
  androgenetic_alopecia: 'Androgenetic alopecia',
  female_pattern_hair_loss: 'Female pattern hair loss',
  alopecia_areata: 'Alopecia areata',
  scar: 'Scar',
  birthmark: 'Birthmark',
  chemotherapy_alopecia: 'Chemotherapy-induced alopecia',
  hair_transplant_adjunct: 'Hair transplant adjunct',
  other: 'Other',
};

export const WITHDRAWAL_CAUSES = ['adverse_event', 'lost_to_follow_up', 'participant_choice', 'other'] as const;
export type WithdrawalCause = (typeof WITHDRAWAL_CAUSES)[number];
export const WITHDRAWAL_CAUSE_LABELS: Labels<typeof WITHDRAWAL_CAUSES> = {
  adverse_event: 'Adverse event',
  lost_to_follow_up: 'Lost to follow-up',
  participant_choice: "Participant's choice",
  other: 'Other',
};

export const SESSION_KINDS = ['initial', 'touch_up'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
export const SESSION_KIND_LABELS: Labels<typeof SESSION_KINDS> = { initial: 'Initial session', touch_up: 'Touch-up session' };

export const ANESTHESIA = ['topical', 'local', 'none'] as const;
export type Anesthesia = (typeof ANESTHESIA)[number];
export const ANESTHESIA_LABELS: Labels<typeof ANESTHESIA> = { topical: 'Topical', local: 'Local injection', none: 'None' };

/** Every adverse-event category, in the bundle's protocol order (charts and tables follow it). */
export const AE_CATEGORIES = [
  'infection',
  'allergic_reaction',
  'keloid',
  'granuloma',
  'mri_interference',
  'pigment_migration',
  'discoloration',
  'other',
] as const;
export type AdverseEventCategory = (typeof AE_CATEGORIES)[number];
export const ADVERSE_EVENT_CATEGORY_LABELS: Labels<typeof AE_CATEGORIES> = {
  infection: 'Infection',
  allergic_reaction: 'Allergic reaction',
  keloid: 'Keloid',
  granuloma: 'Granuloma',
  mri_interference: 'MRI interference',
  pigment_migration: 'Pigment migration',
  discoloration: 'Discoloration',
  other: 'Other',
};

/**
 * Each adverse-event category's CTCAE v5.0 term (a MedDRA lowest-level term) and its system
 * organ class: SDTM's AEDECOD and AEBODSYS. Where CTCAE has no term for the category, the SOC's
 * own "Other, specify" term of CTCAE, in the SOC the event belongs to (api/formats/README.md says why for each).
 */
export const AE_CATEGORY_CTCAE: Readonly<Record<AdverseEventCategory, { term: string; soc: string }>> = {
  infection: { term: 'Skin infection', soc: 'Infections and infestations' },
  allergic_reaction: { term: 'Allergic reaction', soc: 'Immune system disorders' },
  keloid: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  granuloma: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  mri_interference: { term: 'Injury, poisoning and procedural complications - Other, specify', soc: 'Injury, poisoning and procedural complications' },
  pigment_migration: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  discoloration: { term: 'Skin and subcutaneous tissue disorders - Other, specify', soc: 'Skin and subcutaneous tissue disorders' },
  other: { term: 'General disorders and administration site conditions - Other, specify', soc: 'General disorders and administration site conditions' },
};

/** Every relatedness judgement, from not related to definite. */
export const RELATEDNESS = ['not_related', 'unlikely', 'possible', 'probable', 'definite'] as const;
export type Relatedness = (typeof RELATEDNESS)[number];
export const RELATEDNESS_LABELS: Labels<typeof RELATEDNESS> = {
  not_related: 'Not related',
  unlikely: 'Unlikely',
  possible: 'Possible',
  probable: 'Probable',
  definite: 'Definite',
};
/** Relatedness judgements that count an adverse event as related to the procedure. */
export const RELATED_JUDGEMENTS: ReadonlySet<Relatedness> = new Set<Relatedness>(['possible', 'probable', 'definite']);

export const AE_OUTCOMES = ['recovered', 'recovering', 'not_recovered', 'recovered_with_sequelae', 'fatal', 'unknown'] as const;
export type AdverseEventOutcome = (typeof AE_OUTCOMES)[number];
export const AE_OUTCOME_LABELS: Labels<typeof AE_OUTCOMES> = {
  recovered: 'Recovered',
  recovering: 'Recovering',
  not_recovered: 'Not recovered',
  recovered_with_sequelae: 'Recovered with sequelae',
  fatal: 'Fatal',
  unknown: 'Unknown',
};

export const ASSESSORS = ['clinician', 'panel', 'participant'] as const;
export type Assessor = (typeof ASSESSORS)[number];
export const ASSESSOR_LABELS: Labels<typeof ASSESSORS> = { clinician: 'Clinician', panel: 'Panel', participant: 'Participant' };

/** CTCAE grades 1 (mild) to 5 (death), ascending, as the analysis keys them. */
export const CTCAE_GRADES = ['1', '2', '3', '4', '5'] as const;
export type CtcaeGradeKey = (typeof CTCAE_GRADES)[number];
/** What each CTCAE grade means. */
export const CTCAE_GRADE_MEANINGS: Labels<typeof CTCAE_GRADES> = {
  '1': 'mild',
  '2': 'moderate',
  '3': 'severe',
  '4': 'life-threatening',
  '5': 'death',
};

/** Fading grades 0–4 (index = grade). */
export const FADING_GRADE_LABELS = ['none', 'minimal', 'mild', 'moderate', 'marked'] as const;

/** Satisfaction scores 1–5 (index = score − 1). */
export const SATISFACTION_LABELS = ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'] as const;

/** Fitzpatrick skin types 1–6, by number. */
export const FITZPATRICK_LABELS: Readonly<Record<number, string>> = { 1: 'Type I', 2: 'Type II', 3: 'Type III', 4: 'Type IV', 5: 'Type V', 6: 'Type VI' };
