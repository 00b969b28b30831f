// Shapes of the record-level API, derived from the bundle's schemas (api/schemas/bundle.ts) so
// that a record has one definition: what a POST sends is a bundle record, what a GET returns is
// the same record with its key and version, and a PATCH is a JSON merge patch of it.
import { z } from 'zod';
import {
  AdverseEvent,
  AE_CATEGORIES,
  FadingAssessment,
  INDICATIONS,
  Participant,
  Practitioner,
  Protocol,
  RELATEDNESS,
  SatisfactionSurvey,
  Site,
  Study,
  TreatmentSession,
} from './bundle.ts';
import { cursorCheck, type CursorPart } from './cursor.ts';
import { entityCode, isoDate, searchText } from './fields.ts';

const version = z.int().min(1).describe('Version of the record: send it back in If-Match to change or delete it');
const recordNo = z.int().min(1).describe('Per-participant number, given at creation and never reused');

/** A participant's own fields, without the lists of records that have their own routes. */
export const ParticipantFields = Participant.omit({ sessions: true, adverseEvents: true, fadingAssessments: true, surveys: true }).meta({
  id: 'ParticipantFields',
});
export type ParticipantFields = z.output<typeof ParticipantFields>;

/** A session as POSTed: the number may be left out to take the next one. */
export const SessionCreate = TreatmentSession.extend({
  number: TreatmentSession.shape.number.optional().describe('Session number; leave out to take the next one'),
}).meta({ id: 'SessionCreate' });

export const RecordCounts = z
  .object({
    sessions: z.int(),
    adverseEvents: z.int(),
    fadingAssessments: z.int(),
    surveys: z.int(),
  })
  .meta({ id: 'RecordCounts' });

/**
 * How the study invites participants to their surveys: the tracker's settings, not study data
 * (not in the bundle). Reminders follow the invitation on each listed day while the survey is due.
 */
export const SurveySettings = z
  .strictObject({
    linkDays: z.int().min(1).max(365).describe('Days a survey link works after it is made (1–365; default 30)'),
    reminderDays: z
      .array(z.int().min(1).max(365))
      .max(5)
      .refine((days) => days.every((day, i) => i === 0 || day > days[i - 1]!), { message: 'the days must rise: each after the one before' })
      .describe('Days after the invitation on which a reminder is sent, rising, at most five (1–365 each; default [7, 14]); [] sends none'),
  })
  .meta({ id: 'SurveySettings' });
export type SurveySettings = z.output<typeof SurveySettings>;

export const StudyRecord = Study.extend({
  version,
  importedAt: z.string().describe('When the study was created or last replaced, UTC, ISO 8601'),
  surveys: SurveySettings.describe("How the study's survey links and email reminders work"),
}).meta({ id: 'StudyRecord' });
export const SiteRecord = Site.extend({ version }).meta({ id: 'SiteRecord' });
export const PractitionerRecord = Practitioner.extend({ version }).meta({ id: 'PractitionerRecord' });
export const ParticipantRecord = ParticipantFields.extend({
  version,
  counts: RecordCounts.describe("The participant's records of each kind"),
}).meta({ id: 'ParticipantRecord' });
export const SessionRecord = TreatmentSession.extend({ version }).meta({ id: 'SessionRecord' });
export const AdverseEventRecord = AdverseEvent.extend({ no: recordNo, version }).meta({ id: 'AdverseEventRecord' });
export const FadingAssessmentRecord = FadingAssessment.extend({ no: recordNo, version }).meta({ id: 'FadingAssessmentRecord' });
export const SurveyRecord = SatisfactionSurvey.extend({ no: recordNo, version }).meta({ id: 'SurveyRecord' });

/** A participant's sessions and adverse events after a session was removed and the later ones renumbered. */
export const SessionRenumbering = z
  .object({
    sessions: z.array(SessionRecord).describe("The participant's sessions after the change, numbered 1..n"),
    adverseEvents: z.array(AdverseEventRecord).describe("The participant's adverse events, naming their sessions by the new numbers"),
  })
  .meta({ id: 'SessionRenumbering' });

export type StudyRecord = z.output<typeof StudyRecord>;
export type SiteRecord = z.output<typeof SiteRecord>;
export type PractitionerRecord = z.output<typeof PractitionerRecord>;
export type ParticipantRecord = z.output<typeof ParticipantRecord>;
export type SessionRecord = z.output<typeof SessionRecord>;
export type AdverseEventRecord = z.output<typeof AdverseEventRecord>;
export type FadingAssessmentRecord = z.output<typeof FadingAssessmentRecord>;
export type SurveyRecord = z.output<typeof SurveyRecord>;
export type SessionRenumbering = z.output<typeof SessionRenumbering>;

/** An adverse event in the study-wide listing: the event with its participant and site. */
export const AdverseEventListItem = AdverseEventRecord.extend({
  participant: entityCode.describe('Participant code (a pseudonym in the de-identified view)'),
  site: entityCode.describe('Site code'),
}).meta({ id: 'AdverseEventListItem' });
export type AdverseEventListItem = z.output<typeof AdverseEventListItem>;

/**
 * The body of a PATCH: a JSON merge patch (RFC 7386) of the record. This schema checks each
 * field sent; the record as merged is then checked whole, with the same rules as a POST.
 */
export function patchOf<S extends z.ZodObject>(schema: S, id: string) {
  return schema
    .partial()
    .describe(`JSON merge patch (RFC 7386) of a ${id}: the fields to change; null clears an optional field`)
    .meta({ id: `${id}Patch` });
}

export const StudyPatch = z
  .strictObject({
    title: Study.shape.title.optional(),
    protocol: z
      .looseObject({})
      .optional()
      .describe('Protocol fields to change (merged into the current protocol, then checked whole)'),
    surveys: SurveySettings.partial().optional().describe('Survey settings to change'),
  })
  .describe('JSON merge patch (RFC 7386) of the study: its title, protocol and survey settings')
  .meta({ id: 'StudyPatch' });

/** A page of a list: `nextCursor` fetches the next page, null on the last. */
export function page<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe('Send as `cursor` for the next page; null on the last page'),
    })
    .meta({ id });
}

const booleanQuery = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true');
const intQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.int().min(min).max(max));

/** `limit` (1–1,000, default 50) and an opaque `cursor`. */
export const PageQuery = z.strictObject({
  limit: intQuery(1, 1000).default(50).describe('Items per page, 1–1,000 (default 50)'),
  cursor: z.string().max(2000).optional().describe('The nextCursor of the previous page'),
});

/** The sort key of a participant listing's cursor: [name], or [enrolledOn, name] in date order. */
export const participantCursor = (sort: string): CursorPart[] => (sort.endsWith('enrolledOn') ? ['date', 'text'] : ['text']);

/** The sort key of an adverse-event listing's cursor: [name, no], [priority, name, no] or [onsetDate, name, no]. */
export const adverseEventCursor = (sort: string): CursorPart[] =>
  sort === 'participant' ? ['text', 'int'] : sort === 'priority' ? ['int', 'text', 'int'] : ['date', 'text', 'int'];

export const ParticipantListQuery = PageQuery.extend({
  site: entityCode.optional().describe('Only participants of this site'),
  indication: z.enum(INDICATIONS).optional(),
  withdrawn: booleanQuery.optional().describe('true: withdrawn only; false: still in the study'),
  enrolledFrom: isoDate.optional().describe('Enrolled on or after this date'),
  enrolledTo: isoDate.optional().describe('Enrolled on or before this date'),
  q: searchText(64)
    .optional()
    .describe(
      'Text to find (case-insensitive) in the participant code, a session\'s pigment lot or practitioner code, or an adverse-event term; ' +
        'in the de-identified view (reviewers) in the pseudonym only',
    ),
  sort: z
    .enum(['code', '-code', 'enrolledOn', '-enrolledOn'], { error: 'must be code, -code, enrolledOn or -enrolledOn' })
    .default('code')
    .describe('Order of the list; a leading - reverses it'),
}).superRefine(cursorCheck((query) => participantCursor(query.sort)));
export type ParticipantListQuery = z.output<typeof ParticipantListQuery>;

const AdverseEventFilters = PageQuery.extend({
  site: entityCode.optional(),
  category: z.enum(AE_CATEGORIES).optional(),
  grade: intQuery(1, 5).optional().describe('CTCAE grade'),
  serious: booleanQuery.optional(),
  relatedness: z.enum(RELATEDNESS).optional(),
  unresolved: booleanQuery.optional().describe('true: events without a resolved date; false: resolved events'),
  onsetFrom: isoDate.optional().describe('Onset on or after this date'),
  onsetTo: isoDate.optional().describe('Onset on or before this date'),
  sort: z
    .enum(['participant', 'priority', 'onsetDate', '-onsetDate'], { error: 'must be participant, priority, onsetDate or -onsetDate' })
    .default('participant')
    .describe(
      'Order of the list: by participant and event number; priority: serious and unresolved events first (serious ' +
        'unresolved, serious resolved, unresolved, the rest), each group by participant and event number; or by onset date',
    ),
});
export const AdverseEventListQuery = AdverseEventFilters.superRefine(cursorCheck((query) => adverseEventCursor(query.sort)));
export type AdverseEventListQuery = z.output<typeof AdverseEventListQuery>;

/** The listing's filters and order for a download of every matching event (no pages). */
export const AdverseEventCsvQuery = AdverseEventFilters.omit({ limit: true, cursor: true });
export type AdverseEventCsvQuery = z.output<typeof AdverseEventCsvQuery>;

export { Protocol };
