// visits.csv: the protocol's scheduled follow-up visits, one row each, written only when the
// study schedules visits (and read back when present: a folder without it has none). `expects`
// lists its kinds separated by semicolons; the window in days after the final session is derived.
import { visitWindowDays } from '../../../analysis/schedule.ts';
import type { StudyBundle } from '../../schemas/bundle.ts';
import type { ScheduledVisit } from '../../schemas/visit-schedule.ts';
import type { TableSpec } from './tables.ts';

type VisitRow = { bundle: StudyBundle; visit: ScheduledVisit };

const EXPECTS_SEPARATOR = ';';

export const visitsTable: TableSpec<VisitRow> = {
  name: 'visits',
  rows: (bundle) => (bundle.study.protocol.visits ?? []).map((visit) => ({ bundle, visit })),
  columns: [
    { name: 'study_code', type: 'text', key: 'study', allowed: '2 to 32 capital letters, digits or "-"', definition: 'Code of the study (the same on every row).', value: (r) => r.bundle.study.code },
    { name: 'visit_code', type: 'text', field: 'code', allowed: '1 to 64 letters, digits, ".", "_" or "-"; not session-K or touch-up', definition: 'Code of the scheduled visit, unique in the study.', value: (r) => r.visit.code },
    { name: 'label', type: 'text', field: 'label', allowed: '1 to 200 characters', definition: 'What the visit is called.', value: (r) => r.visit.label },
    { name: 'months_after_final_session', type: 'number', unit: 'months', field: 'monthsAfterFinalSession', allowed: '0 to 600, within follow_up_from_months to follow_up_to_months', definition: "The visit's target in months (30.4375 days) after the final session.", value: (r) => r.visit.monthsAfterFinalSession },
    { name: 'window_before_days', type: 'integer', unit: 'days', field: 'windowBeforeDays', allowed: '0 to 3650', definition: 'Days before the target the window opens (inclusive).', value: (r) => r.visit.windowBeforeDays },
    { name: 'window_after_days', type: 'integer', unit: 'days', field: 'windowAfterDays', allowed: '0 to 3650', definition: 'Days after the target the window closes (inclusive).', value: (r) => r.visit.windowAfterDays },
    { name: 'expects', type: 'text', field: 'expects', allowed: 'fadingAssessment, survey, or both separated by ";"', definition: 'The records the visit collects, separated by semicolons.', value: (r) => r.visit.expects.join(EXPECTS_SEPARATOR) },
    { name: 'target_day', type: 'integer', unit: 'days', derived: true, definition: "Days from the final session to the target: months_after_final_session × 30.4375, rounded to the nearest day, halves away from zero.", value: (r) => visitWindowDays(r.visit).target },
    { name: 'window_start_day', type: 'integer', unit: 'days', derived: true, definition: 'First day of the window, in days after the final session: target_day − window_before_days.', value: (r) => visitWindowDays(r.visit).start },
    { name: 'window_end_day', type: 'integer', unit: 'days', derived: true, definition: 'Last day of the window, in days after the final session: target_day + window_after_days.', value: (r) => visitWindowDays(r.visit).end },
  ],
};

/** The `expects` cell as the bundle's list (kinds checked by the bundle schema). */
export function expectsOfCell(value: unknown): unknown {
  return typeof value === 'string' ? value.split(EXPECTS_SEPARATOR).map((kind) => kind.trim()) : value;
}
