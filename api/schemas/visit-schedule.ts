// The protocol's scheduled follow-up visits (`protocol.visits` in the bundle): each visit's
// fields, and the rules across visits (unique codes, windows that do not overlap) and against the
// protocol (months within followUpMonths). The windows are the analysis's own
// (analysis/schedule.ts), so the schema refuses exactly the overlaps the schedule would meet.
import { z } from 'zod';
import { visitWindowDays } from '../../analysis/schedule.ts';
import { entityCode, text } from './fields.ts';
import type { PathSegment } from './problems.ts';

/** The kinds of record a visit can expect, in the order they are listed. */
export const VISIT_RECORD_KINDS = ['fadingAssessment', 'survey'] as const;
export type VisitRecordKind = (typeof VISIT_RECORD_KINDS)[number];

/** Step names of the treatment course, which a visit code must not take. */
const TREATMENT_STEP = /^(session-\d+|touch-up)$/i;

export const ScheduledVisit = z
  .strictObject({
    code: entityCode
      .refine((code) => !TREATMENT_STEP.test(code), {
        error: (issue) => `${JSON.stringify(issue.input)} is the name of a treatment step (session-K, touch-up); choose another visit code`,
      })
      .describe('Visit code, unique in the study, e.g. FU6'),
    label: text(200).describe('What the visit is called, e.g. "6-month review"'),
    monthsAfterFinalSession: z
      .number()
      .min(0)
      .max(600)
      .describe('Target: months (of 30.4375 days) after the final session, within the protocol’s followUpMonths'),
    windowBeforeDays: z.int().min(0).max(3650).describe('Days before the target the window opens (inclusive)'),
    windowAfterDays: z.int().min(0).max(3650).describe('Days after the target the window closes (inclusive)'),
    expects: z
      .array(z.enum(VISIT_RECORD_KINDS, { error: (issue) => `must be fadingAssessment or survey (got ${JSON.stringify(issue.input)})` }))
      .min(1, { error: 'must list at least one kind of record: fadingAssessment, survey' })
      .check((ctx) => {
        const seen = new Set<string>();
        ctx.value.forEach((kind, index) => {
          if (seen.has(kind)) ctx.issues.push({ code: 'custom', input: ctx.value, path: [index], message: `${JSON.stringify(kind)} is listed twice` });
          seen.add(kind);
        });
      })
      .describe('The records the visit collects: fadingAssessment, survey, or both'),
  })
  .meta({ id: 'ScheduledVisit' });

export type ScheduledVisit = z.output<typeof ScheduledVisit>;

/** A visit's window in days after the final session, in words: "days 214 to 289". */
const windowWords = (visit: ScheduledVisit) => {
  const { start, end } = visitWindowDays(visit);
  return `days ${start} to ${end} after the final session`;
};

/** Codes used twice and windows that overlap, each reported at the later visit. */
export const ScheduledVisits = z
  .array(ScheduledVisit)
  .min(1, { error: 'must list at least one visit; leave visits out when the protocol schedules none' })
  .check((ctx) => {
    const visits = ctx.value;
    const firstOfCode = new Map<string, number>();
    visits.forEach((visit, index) => {
      const first = firstOfCode.get(visit.code);
      if (first === undefined) firstOfCode.set(visit.code, index);
      else ctx.issues.push({ code: 'custom', input: visit.code, path: [index, 'code'], message: `visit code "${visit.code}" is already used by visits[${first}]` });
    });
    for (let index = 1; index < visits.length; index++) {
      const window = visitWindowDays(visits[index]!);
      for (let other = 0; other < index; other++) {
        const earlier = visitWindowDays(visits[other]!);
        if (window.start <= earlier.end && earlier.start <= window.end) {
          ctx.issues.push({
            code: 'custom',
            input: visits[index],
            path: [index],
            message:
              `its window (${windowWords(visits[index]!)}) overlaps the window of visits[${other}] "${visits[other]!.code}" ` +
              `(${windowWords(visits[other]!)}); windows must not overlap`,
          });
          break;
        }
      }
    }
  })
  .describe('Scheduled follow-up visits; absent when the protocol schedules none');

/**
 * The problems of a protocol's visits against its follow-up window: each visit's
 * monthsAfterFinalSession must lie within followUpMonths, bounds included. Paths are inside the
 * protocol (`visits[1].monthsAfterFinalSession`).
 */
export function visitsOutsideFollowUp(protocol: {
  followUpMonths?: { from?: number; to?: number } | undefined;
  visits?: ReadonlyArray<Partial<ScheduledVisit>> | null | undefined;
}): Array<{ path: PathSegment[]; message: string }> {
  const window = protocol.followUpMonths;
  if (!window || typeof window.from !== 'number' || typeof window.to !== 'number' || !Array.isArray(protocol.visits)) return [];
  const { from, to } = window;
  const problems: Array<{ path: PathSegment[]; message: string }> = [];
  protocol.visits.forEach((visit, index) => {
    const months = visit?.monthsAfterFinalSession;
    if (typeof months === 'number' && (months < from || months > to)) {
      problems.push({
        path: ['visits', index, 'monthsAfterFinalSession'],
        message: `${months} is outside the protocol's follow-up window, followUpMonths ${from} to ${to}`,
      });
    }
  });
  return problems;
}
