// The study vocabulary the analysis counts by: the length of a month, the adverse-event categories
// in protocol order, the indications with their readable labels, and which relatedness counts as related.
import type { AdverseEventCategory, CtcaeGradeKey, Indication, Relatedness } from './types.ts';

/** Days in a month: the mean Gregorian month, 365.25 / 12. Follow-up months are days / MONTH_DAYS. */
export const MONTH_DAYS = 30.4375;

/** Every adverse-event category, in the order of the bundle's protocol list (charts and tables follow it). */
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

/** Human-readable label of every indication, in the bundle's order (used for subgroup labels). */
export const INDICATION_LABELS: Readonly<Record<Indication, string>> = {
  androgenetic_alopecia: 'Androgenetic alopecia',
  female_pattern_hair_loss: 'Female pattern hair loss',
  alopecia_areata: 'Alopecia areata',
  scar: 'Scar',
  birthmark: 'Birthmark',
  chemotherapy_alopecia: 'Chemotherapy-induced alopecia',
  hair_transplant_adjunct: 'Hair transplant adjunct',
  other: 'Other',
};

/** Every relatedness judgement, from not related to definite (the bundle's order). */
export const RELATEDNESS_JUDGEMENTS: readonly Relatedness[] = ['not_related', 'unlikely', 'possible', 'probable', 'definite'];

/** Relatedness judgements that count an adverse event as related to the procedure. */
export const RELATED_JUDGEMENTS: ReadonlySet<Relatedness> = new Set<Relatedness>(['possible', 'probable', 'definite']);

/** CTCAE grades 1 (mild) to 5 (death), ascending. */
export const CTCAE_GRADES: readonly CtcaeGradeKey[] = ['1', '2', '3', '4', '5'];

/** The key of a CTCAE grade; throws for anything but an integer from 1 to 5. */
export function ctcaeGradeKey(grade: number): CtcaeGradeKey {
  if (!Number.isInteger(grade) || grade < 1 || grade > 5) {
    throw new Error(`adverse-event grade must be an integer from 1 to 5, got ${grade}`);
  }
  return String(grade) as CtcaeGradeKey;
}
