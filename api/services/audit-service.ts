// The audit trail: who changed what, when and why. Every write records its change here in its
// own transaction, so a change and its record commit or roll back together.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import {
  insertAuditEvent,
  insertAuditEvents,
  lockAuditChain,
  lockAuditChainFor,
  selectAuditEvents,
  selectReplacedBundle,
  type ChainedAuditRow,
  type NewAuditRow,
} from '../../db/repositories/audit-repository.ts';
import { canonicalAuditContent, chainHash, chainOf, GENESIS_HASH, sha256Hex } from './audit-chain.ts';
import type { Database, Db } from '../../db/kysely.ts';
import { AppError } from '../errors.ts';
import type { AuditEntry, AuditQuery } from '../schemas/audit.ts';
import { requireAdmin, requirePermission, requireStudyScope, type Actor, type ChangeContext, type Role } from './access.ts';
import { forgetActors } from './actor-cache.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { AUDIT_CURSOR } from '../schemas/audit.ts';

export type AuditEntity =
  | 'study'
  | 'site'
  | 'practitioner'
  | 'participant'
  | 'session'
  | 'adverse_event'
  | 'fading_assessment'
  | 'survey'
  | 'user'
  | 'grant'
  | 'api_token'
  | 'session'
  | 'calendar_feed'
  | 'survey_link'
  | 'participant_contact'
  | 'signature'
  | 'participant_lock'
  | 'freeze'
  | 'data_query'
  | 'verification';

export interface AuditChange {
  action: 'create' | 'update' | 'delete' | 'import' | 'replace';
  entity: AuditEntity;
  /** The record's key within its study, e.g. `P01`, `P01/sessions/3`, `P01/adverse-events/2`. */
  key: string;
  studyCode: string | null;
  /** The sites the change touches (a participant's site before and after), for clinic views. */
  siteCodes?: readonly string[];
  participantCode?: string | null;
  before: unknown;
  after: unknown;
  /** The whole study as it was, for a replace or a study deletion. */
  replacedBundle?: unknown;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Entities whose change alters who may do what: remembered actors are forgotten. */
const ACCESS_ENTITIES: ReadonlySet<AuditEntity> = new Set(['user', 'grant', 'api_token', 'session']);

/** The audit row of a change that keeps no replaced study (a record's create, update or delete). */
export function auditRowOf(context: ChangeContext, change: Omit<AuditChange, 'replacedBundle'>): NewAuditRow {
  const { actor } = context;
  return {
    request_id: context.requestId,
    user_id: actor.userId,
    username: actor.username,
    role: actor.role,
    action: change.action,
    entity: change.entity,
    entity_key: change.key,
    study_code: change.studyCode,
    site_codes: [...new Set(change.siteCodes ?? [])].sort(),
    participant_code: change.participantCode ?? null,
    before: change.before ?? null,
    after: change.after ?? null,
    reason: context.reason,
    replaced_bundle: null,
  };
}

/** A value as jsonb gives it back: what the chain's hash must cover. */
const asStored = (value: unknown): unknown => (value === null || value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** `row` chained after the entry whose hash is `previous`, with the id and time taken under the chain's lock. */
function chained(row: NewAuditRow, link: { audit_id: string; occurred_at: string }, previous: Uint8Array | null): ChainedAuditRow {
  const content = canonicalAuditContent({
    audit_id: link.audit_id,
    occurred_at: link.occurred_at,
    request_id: row.request_id ?? null,
    user_id: row.user_id ?? null,
    username: row.username,
    role: row.role,
    action: row.action,
    entity: row.entity,
    entity_key: row.entity_key,
    study_code: row.study_code ?? null,
    site_codes: row.site_codes ?? [],
    participant_code: row.participant_code ?? null,
    before: asStored(row.before),
    after: asStored(row.after),
    reason: row.reason ?? null,
    replaced_bundle_sha256: row.replaced_bundle ? sha256Hex(row.replaced_bundle) : null,
  });
  return { ...row, audit_id: link.audit_id, occurred_at: link.occurred_at, chain_hash: chainHash(previous ?? GENESIS_HASH, content) };
}

/**
 * Make `row` the next entry of its chain: lock the chain's head until the transaction ends (so
 * that appends from every process are serialised), take the entry's id and time, and hash it.
 * Called last in a change's transaction, right before the row is inserted.
 */
export async function chainAuditRow(trx: Kysely<Database>, row: NewAuditRow): Promise<ChainedAuditRow> {
  const link = await lockAuditChain(trx, chainOf(row.study_code ?? null));
  return chained(row, link, link.last_hash);
}

/**
 * Transactions whose audit rows are held back and appended together at the end of their work
 * (withAuditAppendedLast). The chain's head serialises every writer of a study, in every
 * process, from the moment it is locked until the commit: appending last holds it for one
 * statement instead of the whole of a batch of writes.
 */
const held = new WeakMap<Kysely<Database>, NewAuditRow[]>();

/** Whether `trx` holds its audit rows back until the end of its work. */
export const holdsAuditRows = (trx: Kysely<Database>): boolean => held.has(trx);

/** Append `row` to its chain now, or at the end of the work if the transaction holds its rows back. */
export async function appendAuditRow(trx: Kysely<Database>, row: NewAuditRow): Promise<void> {
  const rows = held.get(trx);
  if (rows) rows.push(row);
  else await insertAuditEvent(trx, await chainAuditRow(trx, row));
}

/** Where the held rows end now: a write that is refused afterwards drops the rows it added (forgetAuditRowsAfter). */
export const heldAuditMark = (trx: Kysely<Database>): number => held.get(trx)?.length ?? 0;

/** Drop the rows held since `mark`: the write that added them was refused and changed nothing. */
export function forgetAuditRowsAfter(trx: Kysely<Database>, mark: number): void {
  held.get(trx)?.splice(mark);
}

/**
 * Run `work` in transaction `trx` with its audit rows held back, then append them in the order
 * they came: per chain (in the chains' name order, so two transactions never wait on each other's
 * heads), one statement to lock the head and take the ids and times, one to insert the rows.
 * If `work` throws, nothing is appended (the transaction rolls back).
 */
export async function withAuditAppendedLast<T>(trx: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  if (held.has(trx)) return work();
  const rows: NewAuditRow[] = [];
  held.set(trx, rows);
  let result: T;
  try {
    result = await work();
  } finally {
    held.delete(trx);
  }
  const byChain = new Map<string, NewAuditRow[]>();
  for (const row of rows) {
    const chain = chainOf(row.study_code ?? null);
    const list = byChain.get(chain);
    if (list) list.push(row);
    else byChain.set(chain, [row]);
  }
  for (const chain of [...byChain.keys()].sort()) {
    const list = byChain.get(chain)!;
    const { last_hash, links } = await lockAuditChainFor(trx, chain, list.length);
    let previous = last_hash;
    const entries = list.map((row, i) => {
      const entry = chained(row, links[i]!, previous);
      previous = entry.chain_hash;
      return entry;
    });
    await insertAuditEvents(trx, entries);
  }
  return result;
}

/** Write the audit record of one change, inside the change's transaction. */
export async function recordChange(trx: Kysely<Database>, context: ChangeContext, change: AuditChange): Promise<void> {
  if (ACCESS_ENTITIES.has(change.entity)) forgetActors();
  const replaced_bundle = change.replacedBundle === undefined ? null : await gzipAsync(JSON.stringify(change.replacedBundle));
  await appendAuditRow(trx, { ...auditRowOf(context, change), replaced_bundle });
}

/** A study's audit trail, newest first, a page at a time. Clinics see their sites' entries. */
export async function listAuditEntries(
  db: Db,
  actor: Actor,
  studyCode: string,
  query: AuditQuery,
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const scope = requireStudyScope(actor, studyCode);
  requirePermission(scope, 'readAudit', 'read the audit trail');
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, AUDIT_CURSOR)[0];
  const rows = await selectAuditEvents(db.kysely, {
    studyCode,
    entity: query.entity,
    participantCode: query.participant,
    username: query.user,
    from: query.from,
    to: query.to,
    siteCodes: scope.sites === 'all' ? undefined : [...scope.sites],
    before: cursor === undefined ? undefined : String(cursor),
    limit: query.limit + 1,
  });
  const page = auditPage(rows, query.limit);
  if (scope.sites === 'all') return page;
  const own = scope.sites;
  return { ...page, items: page.items.map((entry) => ownSitesOnly(entry, own)) };
}

/**
 * An entry as a clinic sees it. A study's import or replace records the whole study's counts,
 * which, less the clinic's own, give back another site's (a site with one adverse event): the
 * clinic sees the title and its own sites' counts only (none for an entry written before the
 * counts were kept by site). Every other entry it sees touches its sites and is its own to see.
 */
function ownSitesOnly(entry: AuditEntry, own: ReadonlySet<string>): AuditEntry {
  if (entry.entity !== 'study' || (entry.action !== 'import' && entry.action !== 'replace')) return entry;
  const scoped = (record: unknown) => {
    if (record === null || typeof record !== 'object') return record;
    const { title, countsBySite } = record as { title?: unknown; countsBySite?: Record<string, unknown> };
    const mine = Object.entries(countsBySite ?? {}).filter(([site]) => own.has(site));
    return { title, ...(mine.length > 0 ? { countsBySite: Object.fromEntries(mine) } : {}) };
  };
  return { ...entry, before: scoped(entry.before), after: scoped(entry.after) };
}

/** One page of entries from `limit + 1` rows: the extra row says whether there is a next page. */
export function auditPage(rows: ReadonlyArray<AuditEventRow>, limit: number): { items: AuditEntry[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map(
    (row): AuditEntry => ({
      id: row.audit_id,
      at: row.occurred_at,
      requestId: row.request_id,
      user: { username: row.username, role: row.role as Role },
      action: row.action,
      entity: row.entity,
      key: row.entity_key,
      participant: row.participant_code,
      sites: row.site_codes,
      before: row.before ?? null,
      after: row.after ?? null,
      reason: row.reason,
      bundleAvailable: row.has_bundle,
    }),
  );
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
}

type AuditEventRow = Awaited<ReturnType<typeof selectAuditEvents>>[number];

/** The study as it was before a replace or deletion, from that change's audit record (administrators). */
export async function replacedStudyBundle(db: Db, actor: Actor, studyCode: string, auditId: string): Promise<unknown> {
  requireAdmin(actor, 'read a replaced study from the audit trail');
  const row = await selectReplacedBundle(db.kysely, studyCode, auditId);
  if (!row) throw new AppError('not_found', `study ${studyCode} has no audit entry ${auditId}`);
  if (row.replaced_bundle === null) {
    throw new AppError('not_found', `audit entry ${auditId} is a ${row.action}, which keeps no replaced study`);
  }
  return JSON.parse((await gunzipAsync(row.replaced_bundle)).toString('utf8'));
}
