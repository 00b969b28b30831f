// The audit trail: insert one row per change, read them back filtered and a page at a time.
// Rows are never updated or deleted (the table's triggers refuse it). Each row is appended to its
// chain (audit_chain): the chain's head is locked, the row's id and time taken under that lock,
// and the head moved to the new row in the insert's own statement.
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../types.ts';

export type AuditRow = Selectable<Database['audit_event']>;
export type NewAuditRow = Omit<Insertable<Database['audit_event']>, 'audit_id' | 'occurred_at' | 'before' | 'after' | 'chain_hash'> & {
  before: unknown;
  after: unknown;
};
/** A row ready to append: its id and time taken under the chain's lock, and its hash. */
export type ChainedAuditRow = NewAuditRow & { audit_id: string; occurred_at: string; chain_hash: Uint8Array };

/** The time format of the chain's canonical content: UTC to the microsecond. */
const CHAIN_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/** An entry's columns that both the chain's reading and the audit listing return as stored. */
const ENTRY_COLUMNS = [
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
] as const;

/**
 * Lock a chain's head (making it on first use) for the rest of the transaction, and take the
 * next entry's id and time under that lock: one statement.
 */
export async function lockAuditChain(trx: Kysely<Database>, chain: string): Promise<{ last_hash: Uint8Array | null; audit_id: string; occurred_at: string }> {
  const { rows } = await sql<{ last_hash: Uint8Array | null; audit_id: string; occurred_at: string }>`
    insert into audit_chain (chain) values (${chain})
    on conflict (chain) do update set last_hash = audit_chain.last_hash
    returning last_hash,
      nextval(pg_get_serial_sequence('audit_event', 'audit_id'))::text as audit_id,
      to_char(clock_timestamp() at time zone 'UTC', ${sql.lit(CHAIN_TIME)}) as occurred_at`.execute(trx);
  return rows[0]!;
}

/**
 * Lock a chain's head for the rest of the transaction and take `count` ids and times under that
 * lock, in one statement: for entries appended together at the end of a transaction. In id order.
 */
export async function lockAuditChainFor(
  trx: Kysely<Database>,
  chain: string,
  count: number,
): Promise<{ last_hash: Uint8Array | null; links: { audit_id: string; occurred_at: string }[] }> {
  const { rows } = await sql<{ last_hash: Uint8Array | null; audit_id: string; occurred_at: string }>`
    with head as (
      insert into audit_chain (chain) values (${chain})
      on conflict (chain) do update set last_hash = audit_chain.last_hash
      returning last_hash
    )
    select head.last_hash, ids.audit_id, ids.occurred_at
    from head, lateral (
      select n, nextval(pg_get_serial_sequence('audit_event', 'audit_id'))::text as audit_id,
        to_char(clock_timestamp() at time zone 'UTC', ${sql.lit(CHAIN_TIME)}) as occurred_at
      from generate_series(1, ${count}::int) as n
    ) as ids
    order by ids.n`.execute(trx);
  const links = rows.map(({ audit_id, occurred_at }) => ({ audit_id, occurred_at }));
  links.sort((a, b) => (BigInt(a.audit_id) < BigInt(b.audit_id) ? -1 : 1));
  return { last_hash: rows[0]?.last_hash ?? null, links };
}

/** The columns of an audit entry as inserted, in order. */
const INSERTED_COLUMNS = [
  'audit_id',
  'occurred_at',
  ...ENTRY_COLUMNS,
  'replaced_bundle',
  'chain_hash',
] as const satisfies ReadonlyArray<keyof ChainedAuditRow>;

/** An entry's values in INSERTED_COLUMNS' order; a column the row leaves out takes its default. */
function insertedValues(event: ChainedAuditRow) {
  const values: Partial<Record<(typeof INSERTED_COLUMNS)[number], unknown>> = {
    ...event,
    occurred_at: sql`${event.occurred_at}::timestamptz`,
    // jsonb from text: both drivers then store exactly this JSON.
    before: event.before === null ? null : sql`${JSON.stringify(event.before)}::jsonb`,
    after: event.after === null ? null : sql`${JSON.stringify(event.after)}::jsonb`,
    site_codes: sql`${event.site_codes ?? []}::text[]`,
  };
  return sql`(${sql.join(INSERTED_COLUMNS.map((column) => (values[column] === undefined ? sql`default` : sql`${values[column]}`)))})`;
}

/**
 * The insert of entries of one chain, in order, as SQL text to end a statement whose `head`
 * (chainHeadUpdate) moves the chain's head to the last: built as text, not with the query
 * builder, since every write of a record makes one.
 */
export function auditInsert(events: readonly ChainedAuditRow[]) {
  return sql`insert into audit_event (${sql.join(INSERTED_COLUMNS.map((column) => sql.ref(column)))}) values ${sql.join(events.map(insertedValues))}`;
}

/** The update that moves a chain's head to `event`, to run (as `head`) in the statement that inserts it. */
export function chainHeadUpdate(event: ChainedAuditRow) {
  return sql`update audit_chain set last_audit_id = ${event.audit_id}, last_hash = ${event.chain_hash} where chain = ${event.study_code ?? ''}`;
}

export async function insertAuditEvent(trx: Kysely<Database>, event: ChainedAuditRow): Promise<string> {
  const { rows } = await sql<{ audit_id: string }>`with head as (${chainHeadUpdate(event)}) ${auditInsert([event])} returning audit_id::text as audit_id`.execute(trx);
  return rows[0]!.audit_id;
}

/** Append entries of one chain in one statement, in order, the head moved to the last. */
export async function insertAuditEvents(trx: Kysely<Database>, events: readonly ChainedAuditRow[]): Promise<void> {
  await sql`with head as (${chainHeadUpdate(events.at(-1)!)}) ${auditInsert(events)}`.execute(trx);
}

/** The columns the chain covers, of entries after `after` in id order (one study's, or all). */
export async function selectChainEntries(db: Kysely<Database>, filter: { studyCode?: string | undefined; after: string; limit: number }) {
  let query = db
    .selectFrom('audit_event')
    .select([
      sql<string>`audit_id::text`.as('audit_id'),
      sql<string>`to_char(occurred_at at time zone 'UTC', ${sql.lit(CHAIN_TIME)})`.as('occurred_at'),
      ...ENTRY_COLUMNS,
      sql<string | null>`encode(sha256(replaced_bundle), 'hex')`.as('replaced_bundle_sha256'),
      'chain_hash',
    ])
    .where('audit_event.audit_id', '>', filter.after)
    // The table's column, not the text of the same name above: ids in numeric order.
    .orderBy('audit_event.audit_id')
    .limit(filter.limit);
  if (filter.studyCode !== undefined) query = query.where('study_code', '=', filter.studyCode);
  return query.execute();
}

/** The chains' heads (one study's, or all). */
export async function selectChainHeads(db: Kysely<Database>, studyCode?: string) {
  let query = db.selectFrom('audit_chain').select(['chain', sql<string | null>`last_audit_id::text`.as('last_audit_id'), 'last_hash']).orderBy('chain');
  if (studyCode !== undefined) query = query.where('chain', '=', studyCode);
  return query.execute();
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
      ...ENTRY_COLUMNS,
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
