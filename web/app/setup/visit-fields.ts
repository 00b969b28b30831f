// A scheduled visit as the set-up's form and table see it: the kinds it expects as one checkbox
// each, the problems of the protocol's visit list at the form's fields, and the table's columns.
import { z } from 'zod';
import { ScheduledVisit, type VisitRecordKind } from '../../../api/schemas/visit-schedule.ts';
import { visitWindowDays } from '../../../analysis/schedule.ts';
import type { Problem } from '../api.ts';

export type Visit = z.output<typeof ScheduledVisit>;

/** A visit's form: its fields, with the kinds it expects as one checkbox each. */
export const VisitFields = ScheduledVisit.omit({ expects: true }).extend({
  expectsFadingAssessment: z.boolean().default(false).describe('The visit collects a fading assessment'),
  expectsSurvey: z.boolean().default(false).describe('The visit collects a satisfaction survey'),
});

export const flatVisit = (visit: Visit): Record<string, unknown> => {
  const { expects, ...fields } = visit;
  return { ...fields, expectsFadingAssessment: expects.includes('fadingAssessment'), expectsSurvey: expects.includes('survey') };
};

export function visitOfForm(value: Record<string, unknown>): Record<string, unknown> {
  const { expectsFadingAssessment, expectsSurvey, ...fields } = value;
  const expects: VisitRecordKind[] = [];
  if (expectsFadingAssessment === true) expects.push('fadingAssessment');
  if (expectsSurvey === true) expects.push('survey');
  return { ...fields, expects };
}

/**
 * A problem of the protocol's visits (the browser's `visits[1].windowBeforeDays` or the server's
 * `protocol.visits[1].windowBeforeDays`) at the form's field: the stored list was valid, so the
 * edited visit caused it. A window that overlaps another is shown at the months.
 */
export function atVisitField(problem: Problem): Problem {
  const match = /(?:^|\.)visits\[\d+\](?:\.(\w+))?/.exec(problem.path);
  if (!match) return problem;
  const field = match[1];
  if (field === undefined) return { ...problem, path: 'monthsAfterFinalSession' };
  if (field === 'expects') return { ...problem, path: 'expectsFadingAssessment' };
  return { ...problem, path: field };
}

export const VISIT_COLUMNS: Array<[string, (visit: Visit) => string, boolean]> = [
  ['Label', (v) => v.label, false],
  ['Months after the final session', (v) => String(v.monthsAfterFinalSession), true],
  ['Window (days after the final session)', (v) => {
    const { start, end } = visitWindowDays(v);
    return `${start} to ${end} (−${v.windowBeforeDays}/+${v.windowAfterDays})`;
  }, false],
  ['Expects', (v) => v.expects.map((kind) => (kind === 'fadingAssessment' ? 'fading assessment' : 'survey')).join(' and '), false],
];
