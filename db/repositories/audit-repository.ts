// The audit trail: insert one row per change, read them back filtered and a page at a time.
// Rows are never updated or deleted (the table's triggers refuse it).
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../types.ts';

export type AuditRow = Selectable<Database['audit_event']>;
export type NewAuditRow = Omit<Insertable<Database['audit_event']>, 'audit_id' | 'occurred_at' | 'before' | 'after'> & {
  before: unknown;
  after: unknown;
};

/** An audit row's column values, for an insert of its own or one that rides along with a change. */
export function auditValues(event: NewAuditRow) {
  return {
    ...event,
    // jsonb from text: both drivers then store exactly this JSON.
    before: event.before === null ? null : sql`${JSON.stringify(event.before)}::jsonb`,
    after: event.after === null ? null : sql`${JSON.stringify(event.after)}::jsonb`,
    site_codes: sql`${event.site_codes ?? []}::text[]`,
  } as never;
}

export async function insertAuditEvent(trx: Kysely<Database>, event: NewAuditRow): Promise<string> {
  const { audit_id } = await trx.insertInto('audit_event').values(auditValues(event)).returning('audit_id').executeTakeFirstOrThrow();
  return audit_id;
}

export interface AuditFilter {
  /** Entries of this study; undefined: of any study or none (the user-management listing). */
  studyCode?: string | undefined;
  entity?: string | undefined;
  /** Only entries of these kinds of record. */
  entities?: readonly string[] | undefined;
  participantCode?: string | undefined;
  username?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Only entries touching one of these sites. */
  siteCodes?: readonly string[] | undefined;
  /** Entries older than this id (the page cursor). */
  before?: string | undefined;
  limit: number;
}

/** Entries, newest first, without the stored bundles. */
export async function selectAuditEvents(db: Kysely<Database>, filter: AuditFilter) {
  let query = db
    .selectFrom('audit_event')
    .select([
      'audit_id',
      sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('occurred_at'),
      'request_id',
      'user_id',
      'username',
      'role',
      'action',
      'entity',
      'entity_key',
      'study_code',
      'site_codes',
      'participant_code',
      'before',
      'after',
      'reason',
      sql<boolean>`replaced_bundle is not null`.as('has_bundle'),
    ])
    .orderBy('audit_id', 'desc')
    .limit(filter.limit);
  if (filter.studyCode !== undefined) query = query.where('study_code', '=', filter.studyCode);
  if (filter.entities !== undefined) query = query.where('entity', 'in', [...filter.entities]);
  if (filter.entity !== undefined) query = query.where('entity', '=', filter.entity);
  if (filter.participantCode !== undefined) query = query.where('participant_code', '=', filter.participantCode);
  if (filter.username !== undefined) query = query.where('username', '=', filter.username);
  // Days are UTC days, whatever the server's time zone.
  const day = sql<string>`(occurred_at at time zone 'UTC')::date`;
  if (filter.from !== undefined) query = query.where(day, '>=', sql<string>`${filter.from}::date`);
  if (filter.to !== undefined) query = query.where(day, '<=', sql<string>`${filter.to}::date`);
  if (filter.siteCodes !== undefined) query = query.where(sql<boolean>`site_codes && ${[...filter.siteCodes]}::text[]`);
  if (filter.before !== undefined) query = query.where('audit_id', '<', filter.before);
  return query.execute();
}

export async function selectReplacedBundle(db: Kysely<Database>, studyCode: string, auditId: string) {
  return db
    .selectFrom('audit_event')
    .select(['audit_id', 'action', 'replaced_bundle'])
    .where('study_code', '=', studyCode)
    .where('audit_id', '=', auditId)
    .executeTakeFirst();
}
