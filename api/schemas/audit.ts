// Shapes of the audit trail's API.
import { z } from 'zod';
import { ROLES } from './roles.ts';
import { cursorCheck, type CursorPart } from './cursor.ts';
import { entityCode, isoDate, searchText } from './fields.ts';
import { PageQuery } from './records.ts';

export const AUDIT_ENTITIES = [
  'study', 'site', 'practitioner', 'participant', 'session', 'adverse_event', 'fading_assessment', 'survey',
  'signature', 'participant_lock', 'freeze', 'data_query', 'verification',
] as const;

/** The sort key of an audit trail's cursor: the last entry's number. */
export const AUDIT_CURSOR: readonly CursorPart[] = ['id'];

export const AuditQuery = PageQuery.extend({
  entity: z.enum(AUDIT_ENTITIES).optional().describe('Only changes of this kind of record'),
  participant: entityCode.optional().describe("Only changes of this participant's records"),
  user: searchText(64).optional().describe('Only changes by this user'),
  from: isoDate.optional().describe('Changes on or after this day (UTC)'),
  to: isoDate.optional().describe('Changes on or before this day (UTC)'),
}).superRefine(cursorCheck(() => AUDIT_CURSOR));
export type AuditQuery = z.output<typeof AuditQuery>;

export const AuditEntry = z
  .object({
    id: z.string().describe('Audit entry number, increasing with time'),
    at: z.string().describe('When, UTC, ISO 8601 with milliseconds'),
    requestId: z.string().nullable().describe('The request that made the change (X-Request-Id); null from the command line'),
    user: z.object({ username: z.string(), role: z.enum(ROLES) }),
    action: z.enum(['create', 'update', 'delete', 'import', 'replace']),
    entity: z.string().describe('Kind of record: study, site, practitioner, participant, session, adverse_event, …'),
    key: z.string().describe("The record's key in its study, e.g. P01/sessions/3"),
    participant: z.string().nullable(),
    sites: z.array(z.string()).describe('Sites the change touches'),
    before: z.unknown().describe('The record before the change (null for a create)'),
    after: z.unknown().describe('The record after the change (null for a delete)'),
    reason: z.string().nullable().describe('The reason for change given with it'),
    bundleAvailable: z.boolean().describe('A replace or deletion: the study as it was can be downloaded'),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.output<typeof AuditEntry>;
