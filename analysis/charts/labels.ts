// Human-readable names for the analysis's codes, shared by charts and reports.
import type { AdverseEventCategory, Indication, SubgroupDimension } from '../types.ts';

/** Every adverse-event category in the protocol's order. */
export const ADVERSE_EVENT_CATEGORIES: readonly AdverseEventCategory[] = [
  'infection',
  'allergic_reaction',
  'keloid',
  'granuloma',
  'mri_interference',
  'pigment_migration',
  'discoloration',
  'other',
];

export const ADVERSE_EVENT_CATEGORY_LABELS: Record<AdverseEventCategory, string> = {
  infection: 'Infection',
  allergic_reaction: 'Allergic reaction',
  keloid: 'Keloid',
  granuloma: 'Granuloma',
  mri_interference: 'MRI interference',
  pigment_migration: 'Pigment migration',
  discoloration: 'Discoloration',
  other: 'Other',
};

export const INDICATIONS: readonly Indication[] = [
  'androgenetic_alopecia',
  'female_pattern_hair_loss',
  'alopecia_areata',
  'scar',
  'birthmark',
  'chemotherapy_alopecia',
  'hair_transplant_adjunct',
  'other',
];

export const INDICATION_LABELS: Record<Indication, string> = {
  androgenetic_alopecia: 'Androgenetic alopecia',
  female_pattern_hair_loss: 'Female pattern hair loss',
  alopecia_areata: 'Alopecia areata',
  scar: 'Scar',
  birthmark: 'Birthmark',
  chemotherapy_alopecia: 'Chemotherapy-induced alopecia',
  hair_transplant_adjunct: 'Hair transplant adjunct',
  other: 'Other',
};

/** Fading grades 0–4 (index = grade). */
export const FADING_GRADE_LABELS = ['none', 'minimal', 'mild', 'moderate', 'marked'] as const;

/** Satisfaction scores 1–5 (index = score − 1). */
export const SATISFACTION_LABELS = [
  'Very dissatisfied',
  'Dissatisfied',
  'Neutral',
  'Satisfied',
  'Very satisfied',
] as const;

export const SUBGROUP_DIMENSION_LABELS: Record<SubgroupDimension, string> = {
  site: 'site',
  indication: 'indication',
  'practitioner-experience': 'practitioner experience',
};
