// The analysis's fixed numbers: the length of a month and the key of a CTCAE grade. The coded lists
// it counts by (categories, indications, relatedness, grades) come from the study vocabulary.
import type { CtcaeGradeKey } from './vocabulary.ts';

export {
  AE_CATEGORIES as ADVERSE_EVENT_CATEGORIES,
  CTCAE_GRADES,
  INDICATION_LABELS,
  RELATED_JUDGEMENTS,
  RELATEDNESS as RELATEDNESS_JUDGEMENTS,
} from './vocabulary.ts';

/** Days in a month: the mean Gregorian month, 365.25 / 12. Follow-up months are days / MONTH_DAYS. */
export const MONTH_DAYS = 30.4375;

/** The key of a CTCAE grade; throws for anything but an integer from 1 to 5. */
export function ctcaeGradeKey(grade: number): CtcaeGradeKey {
  if (!Number.isInteger(grade) || grade < 1 || grade > 5) {
    throw new Error(`adverse-event grade must be an integer from 1 to 5, got ${grade}`);
  }
  return String(grade) as CtcaeGradeKey;
}
