// Shapes of data review: queries (discrepancies) with their messages, the query inbox, and
// source-data verification. Zod only, so the web application checks forms with the same rules.
import { z } from 'zod';
import { AdverseEvent, FadingAssessment, Participant, SatisfactionSurvey, TreatmentSession } from './bundle.ts';
import { text } from './fields.ts';
import { ParticipantParams, StudyCodeParams } from './requests.ts';

/** The longest message of a query thread, in characters. */
export const QUERY_MESSAGE_MAX = 2000;
export const QUERY_STATES = ['open', 'answered', 'closed'] as const;
export type QueryState = (typeof QUERY_STATES)[number];
export const QUERY_LISTS = ['sessions', 'adverseEvents', 'fadingAssessments', 'surveys'] as const;
export type QueryList = (typeof QUERY_LISTS)[number];

/** The fields a path may name: a record's, by its list, or the participant's own. */
export const RECORD_FIELDS: Record<QueryList | 'participant', readonly string[]> = {
  sessions: Object.keys(TreatmentSession.shape),
  adverseEvents: Object.keys(AdverseEvent.shape),
  fadingAssessments: Object.keys(FadingAssessment.shape),
  surveys: Object.keys(SatisfactionSurvey.shape),
  participant: Object.keys(Participant.shape).filter((key) => !(QUERY_LISTS as readonly string[]).includes(key)),
};

/** A path in a participant: '' (the participant), `withdrawnOn`, `adverseEvents[2]`, `adverseEvents[2].outcome`. */
export const QUERY_PATH = /^(?:(sessions|adverseEvents|fadingAssessments|surveys)\[(\d{1,4})\](?:\.([A-Za-z]{1,64}))?|([A-Za-z]{1,64}))?$/;

const queryPath = z
  .string()
  .max(200)
  .regex(QUERY_PATH, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a path in a participant: leave it empty for the whole participant, or write a field ` +
      '(withdrawnOn), a record (adverseEvents[2]) or a record’s field (adverseEvents[2].outcome); indexes count from 0',
  });

const message = text(QUERY_MESSAGE_MAX).describe(`The message, 1 to ${QUERY_MESSAGE_MAX} characters`);

export const RaiseQueryBody = z
  .strictObject({
    path: queryPath.default('').describe("What the query names: '' for the participant, or a JSON path such as adverseEvents[2].outcome"),
    message,
  })
  .meta({ id: 'RaiseQueryBody' });
export type RaiseQueryBody = z.output<typeof RaiseQueryBody>;

export const QueryMessageBody = z.strictObject({ message }).meta({ id: 'QueryMessageBody' });

export const QueryParams = StudyCodeParams.extend({
  queryId: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a query number` })
    .transform(Number),
});
export const ParticipantQueryParams = ParticipantParams;

export const QueryListQuery = z.strictObject({
  state: z
    .enum(['active', 'open', 'answered', 'closed', 'all'], { error: 'must be active, open, answered, closed or all' })
    .default('active')
    .describe('active (open or answered, the default), open, answered, closed or all'),
  participant: z.string().max(64).optional().describe("Only this participant's queries (a reviewer names the pseudonym)"),
  mine: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true')
    .describe('Only the queries I raised'),
});

export const QueryMessage = z
  .object({
    no: z.int().describe('The message’s place in the thread, from 1'),
    kind: z.enum(['raise', 'answer', 'close', 'reopen', 'system']).describe('What the message did'),
    text: z.string().nullable().describe("The message; null where a reviewer may not read it (another role's free text)"),
    author: z.string().describe('Who wrote it: the username, or for a reviewer the writer’s role; "system" for an edit check'),
    at: z.string().nullable().describe('When, UTC, ISO 8601; null for a reviewer'),
  })
  .meta({ id: 'QueryMessage' });

export const DataQuery = z
  .object({
    id: z.int(),
    participant: z.string().describe("The participant's code (a reviewer's pseudonym)"),
    site: z.string().describe("The participant's site"),
    path: z.string().describe("What the query names, as a path in the participant now ('' for the participant)"),
    record: z
      .object({ list: z.enum(QUERY_LISTS), no: z.int(), exists: z.boolean() })
      .nullable()
      .describe('The record named (session number or record number), and whether it still exists'),
    recordAuditKey: z
      .string()
      .nullable()
      .describe("The record's key in the audit trail (entity key), to read its history even after its deletion; null for a reviewer"),
    field: z.string().nullable(),
    state: z.enum(QUERY_STATES),
    rule: z.string().nullable().describe('The edit check that raised it; null for a query a person raised'),
    raisedBy: z.string().describe('Who raised it (for a reviewer, the role)'),
    raisedByMe: z.boolean(),
    messages: z.array(QueryMessage),
  })
  .meta({ id: 'DataQuery' });
export type DataQuery = z.output<typeof DataQuery>;

export const QueryInbox = z
  .object({
    counts: z.object({ open: z.int(), answered: z.int(), closed: z.int() }).describe('How many queries in reach are in each state'),
    items: z.array(DataQuery).describe('Newest first, at most 500'),
  })
  .meta({ id: 'QueryInbox' });

export const VerifyBody = z
  .strictObject({
    path: queryPath
      .default('')
      .describe("The record to mark verified (adverseEvents[2]); '' for every record of the participant at once"),
  })
  .meta({ id: 'VerifyBody' });

export const RecordVerification = z
  .object({
    list: z.enum(QUERY_LISTS),
    no: z.int(),
    path: z.string().describe('The record’s path in the participant'),
    verifiedBy: z.string().nullable().describe('Who verified it; null for a reviewer'),
    verifiedAt: z.string().nullable().describe('When, UTC, ISO 8601; null for a reviewer'),
  })
  .meta({ id: 'RecordVerification' });

export const ParticipantVerification = z
  .object({ records: z.int().describe("The participant's records"), verified: z.array(RecordVerification) })
  .meta({ id: 'ParticipantVerification' });

export const VerificationShares = z
  .object({
    sites: z.array(z.object({ site: z.string(), records: z.int(), verified: z.int(), share: z.number().nullable().describe('verified ÷ records; null without records') })),
  })
  .meta({ id: 'VerificationShares' });
