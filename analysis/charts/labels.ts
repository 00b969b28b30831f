// Human-readable names for the analysis's codes, shared by charts and reports.
import { ADVERSE_EVENT_CATEGORIES, INDICATION_LABELS } from '../constants.ts';
import type { AdverseEventCategory, CtcaeGradeKey, Indication, Relatedness, SubgroupDimension } from '../types.ts';

export { ADVERSE_EVENT_CATEGORIES, INDICATION_LABELS };

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

/** CTCAE grades with their meaning. */
export const CTCAE_GRADE_LABELS: Record<CtcaeGradeKey, string> = {
  '1': '1 (mild)',
  '2': '2 (moderate)',
  '3': '3 (severe)',
  '4': '4 (life-threatening)',
  '5': '5 (death)',
};

export const RELATEDNESS_LABELS: Record<Relatedness, string> = {
  not_related: 'Not related',
  unlikely: 'Unlikely',
  possible: 'Possible',
  probable: 'Probable',
  definite: 'Definite',
};

/** Seriousness as the adverse-event listing's `serious` filter writes it. */
export const SERIOUSNESS_LABELS: Record<'true' | 'false', string> = { true: 'Serious', false: 'Not serious' };

/** Every indication, in the bundle's order. */
export const INDICATIONS = Object.keys(INDICATION_LABELS) as Indication[];

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
