// Request and response shapes of the follow-up worklist, a participant's schedule and the
// worklist's calendar feeds. The rows are the same over HTTP, in `smp worklist --format json`,
// in the CSV download and (as events) in the iCalendar feed.
import { z } from 'zod';
import { SCHEDULE_STATUSES, type ScheduleStatus } from '../../analysis/schedule.ts';
import { isoDate } from './fields.ts';
import { PageQuery } from './records.ts';
import { VISIT_RECORD_KINDS } from './visit-schedule.ts';
import { cursorCheck, type CursorPart } from './cursor.ts';

export { SCHEDULE_STATUSES, type ScheduleStatus };

export const MISSING_KINDS = ['session', ...VISIT_RECORD_KINDS] as const;
export const STEP_KINDS = ['initial_session', 'touch_up', 'visit'] as const;

/** A comma-separated list of values from `allowed` (duplicates dropped), e.g. `due,overdue`. */
function listQuery<const T extends readonly string[]>(allowed: T, noun: string) {
  return z
    .string()
    .transform((text, ctx) => {
      const values = text.split(',').map((v) => v.trim());
      const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
      if (bad.length > 0) {
        ctx.issues.push({
          code: 'custom',
          input: text,
          message: `${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not a' : 'are not'} ${noun}; use ${allowed.join(', ')}, separated by commas`,
        });
        return z.NEVER;
      }
      return [...new Set(values)] as Array<T[number]>;
    });
}

/** A comma-separated list of codes, e.g. `LON,MAN` or `FU8,touch-up`. */
const codeList = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(,[A-Za-z0-9][A-Za-z0-9._-]{0,63})*$/, { error: 'must be codes separated by commas' })
  .transform((text) => [...new Set(text.split(','))]);

const dayQuery = z
  .string()
  .regex(/^\d+$/, { error: 'must be a whole number of days' })
  .transform(Number)
  .pipe(z.int().min(0).max(3650));

/** The filters of the worklist (every status, site and step unless narrowed). */
export const WorklistFilters = z.strictObject({
  asOf: isoDate.optional().describe('The day statuses are judged on (YYYY-MM-DD); default today in the server’s time zone (SMP_TIME_ZONE)'),
  status: listQuery(SCHEDULE_STATUSES, 'status')
    .optional()
    .describe('Only these statuses, comma-separated: overdue, due, upcoming, withdrawn, done (default every status)'),
  site: codeList.optional().describe("Only these sites' participants, comma-separated (a clinic: its own sites, 403 otherwise)"),
  visit: codeList.optional().describe('Only these steps, comma-separated: visit codes, session-K, touch-up'),
  horizonDays: dayQuery
    .optional()
    .describe('Upcoming steps only when their window opens within this many days of asOf (other statuses are not limited)'),
});
export type WorklistFilters = z.output<typeof WorklistFilters>;

/** The worklist's page key: status rank, target day, participant and step index. */
export const WORKLIST_CURSOR: readonly CursorPart[] = ['int', 'int', 'text', 'int'];

export const WorklistQuery = PageQuery.extend(WorklistFilters.shape).superRefine(cursorCheck(() => WORKLIST_CURSOR));
export type WorklistQuery = z.output<typeof WorklistQuery>;

export const WorklistRow = z
  .object({
    participant: z.string().describe('Participant code (a pseudonym in the de-identified view)'),
    site: z.string().describe('Site code'),
    step: z.string().describe('A visit code, session-K (initial session K) or touch-up'),
    kind: z.enum(STEP_KINDS).describe('initial_session, touch_up or visit'),
    label: z.string().describe('"Initial session 2", "Touch-up", or the visit’s label'),
    target: isoDate.describe('The day the step is due'),
    windowStart: isoDate.describe('First day of the window (inclusive)'),
    windowEnd: isoDate.describe('Last day of the window (inclusive)'),
    status: z.enum(SCHEDULE_STATUSES).describe('done, upcoming, due, overdue or withdrawn, as of asOf'),
    missing: z.array(z.enum(MISSING_KINDS)).describe('What is still missing (session, fadingAssessment, survey); empty when done'),
  })
  .meta({ id: 'WorklistRow' });
export type WorklistRow = z.output<typeof WorklistRow>;

export const WorklistCount = z
  .object({
    step: z.string(),
    site: z.string(),
    overdue: z.int(),
    due: z.int(),
    upcoming: z.int(),
    withdrawn: z.int(),
    done: z.int(),
  })
  .meta({ id: 'WorklistCount' });

export const WorklistPage = z
  .object({
    asOf: isoDate,
    items: z.array(WorklistRow),
    nextCursor: z.string().nullable().describe('Send as `cursor` for the next page; null on the last page'),
    counts: z
      .array(WorklistCount)
      .describe('Per step and site, the rows in each status, under the site, visit and horizon filters (not the status filter)'),
  })
  .meta({ id: 'WorklistPage' });

const RecordOnDay = z.object({ kind: z.enum(VISIT_RECORD_KINDS), date: isoDate });

export const ParticipantSchedule = z
  .object({
    asOf: isoDate,
    participant: z.string(),
    site: z.string(),
    finalSession: isoDate.nullable().describe('The latest session: follow-up visits are measured from it; null without sessions'),
    steps: z.array(
      WorklistRow.omit({ participant: true, site: true }).extend({
        session: z.object({ number: z.int(), date: isoDate }).nullable().describe('The session that did a treatment step'),
        records: z.array(RecordOnDay).describe('The assessments and surveys in a visit’s window'),
      }),
    ),
    unscheduled: z.array(RecordOnDay).describe('Assessments and surveys in no visit’s window'),
  })
  .meta({ id: 'ParticipantSchedule' });
export type ParticipantSchedule = z.output<typeof ParticipantSchedule>;

export const ScheduleQuery = z.strictObject({ asOf: WorklistFilters.shape.asOf });

export const CalendarFeed = z
  .object({
    id: z.int(),
    study: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'CalendarFeed' });

export const NewCalendarFeed = CalendarFeed.extend({
  url: z.string().describe('The feed’s address, with its secret: shown only now; subscribe to it in a calendar application'),
}).meta({ id: 'NewCalendarFeed' });

export const FeedParams = z.strictObject({
  code: z.string().regex(/^[A-Z0-9-]{2,32}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a study code` }),
  id: z.string().regex(/^[1-9]\d{0,8}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a feed number` }).transform(Number),
});

export const FeedQuery = z.strictObject({
  token: z.string().max(200).describe('The feed’s secret, from its address (an unknown or revoked one answers 401)'),
});
