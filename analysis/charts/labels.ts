// Human-readable names for the analysis's codes, shared by charts and reports. The codes and their
// labels come from the study vocabulary; this module adds the forms only charts use.
import { CTCAE_GRADE_MEANINGS, CTCAE_GRADES } from '../vocabulary.ts';
import type { CtcaeGradeKey, SubgroupDimension } from '../types.ts';

export {
  AE_CATEGORIES as ADVERSE_EVENT_CATEGORIES,
  ADVERSE_EVENT_CATEGORY_LABELS,
  FADING_GRADE_LABELS,
  INDICATION_LABELS,
  INDICATIONS,
  RELATEDNESS_LABELS,
  SATISFACTION_LABELS,
} from '../vocabulary.ts';

/** CTCAE grades with their meaning: "1 (mild)" … "5 (death)". */
export const CTCAE_GRADE_LABELS: Record<CtcaeGradeKey, string> = Object.fromEntries(
  CTCAE_GRADES.map((grade) => [grade, `${grade} (${CTCAE_GRADE_MEANINGS[grade]})`]),
) as Record<CtcaeGradeKey, string>;

/** Seriousness as the adverse-event listing's `serious` filter writes it. */
export const SERIOUSNESS_LABELS: Record<'true' | 'false', string> = { true: 'Serious', false: 'Not serious' };

export const SUBGROUP_DIMENSION_LABELS: Record<SubgroupDimension, string> = {
  site: 'site',
  indication: 'indication',
  'practitioner-experience': 'practitioner experience',
};
