// State shared by every server process on the database: the counts of the per-client rate limits
// and the access generation (raised by a trigger on each change of users, grants, tokens and
// sessions). SQL only; the rules live in api/http/rate-limit.ts and api/services/actor-cache.ts.
// Times are the caller's clock (`now`), so that tests can move it instead of waiting.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

const at = (now: Date) => sql<string>`${now.toISOString()}::timestamptz`;

/** Read on every request: the same text each time, so compiled once. */
const ACCESS_GENERATION = CompiledQuery.raw('select generation::text as generation from access_generation');

/** The number of access changes so far, as a string ('0' when none). */
export async function selectAccessGeneration(db: Kysely<Database>): Promise<string> {
  const { rows } = await db.executeQuery<{ generation: string }>(ACCESS_GENERATION);
  return rows[0]?.generation ?? '0';
}

export interface RateLimitCount {
  hits: number;
  resetsAt: Date;
}

const countOf = (row: { hits: number; resets_at: string }): RateLimitCount => ({ hits: row.hits, resetsAt: new Date(row.resets_at) });

/** Count one attempt of `client` at limit `name`; a window over by `now` starts again, `windowMs` long. */
export async function incrementRateLimit(db: Kysely<Database>, name: string, client: string, windowMs: number, now: Date): Promise<RateLimitCount> {
  const resetsAt = new Date(now.getTime() + windowMs).toISOString();
  const row = await db
    .insertInto('rate_limit_count')
    .values({ limit_name: name, client_key: client, hits: 1, resets_at: resetsAt })
    .onConflict((oc) =>
      oc.columns(['limit_name', 'client_key']).doUpdateSet({
        hits: sql<number>`case when rate_limit_count.resets_at <= ${at(now)} then 1 else rate_limit_count.hits + 1 end`,
        resets_at: sql<string>`case when rate_limit_count.resets_at <= ${at(now)} then excluded.resets_at else rate_limit_count.resets_at end`,
      }),
    )
    .returning(['hits', sql<string>`to_char(resets_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('resets_at')])
    .executeTakeFirstOrThrow();
  return countOf(row);
}

/** Take back one attempt of `client` at limit `name` (it succeeded), within the window that `now` is in. */
export async function decrementRateLimit(db: Kysely<Database>, name: string, client: string, now: Date): Promise<void> {
  await db
    .updateTable('rate_limit_count')
    .set({ hits: sql<number>`hits - 1` })
    .where('limit_name', '=', name)
    .where('client_key', '=', client)
    .where('hits', '>', 0)
    .where('resets_at', '>', at(now))
    .execute();
}

/** The count of `client` at limit `name`, if its window is still open at `now`. */
export async function selectRateLimit(db: Kysely<Database>, name: string, client: string, now: Date): Promise<RateLimitCount | undefined> {
  const row = await db
    .selectFrom('rate_limit_count')
    .select(['hits', sql<string>`to_char(resets_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as('resets_at')])
    .where('limit_name', '=', name)
    .where('client_key', '=', client)
    .where('resets_at', '>', at(now))
    .executeTakeFirst();
  return row && countOf(row);
}

/** Forget the count of `client` at limit `name`. */
export async function deleteRateLimit(db: Kysely<Database>, name: string, client: string): Promise<void> {
  await db.deleteFrom('rate_limit_count').where('limit_name', '=', name).where('client_key', '=', client).execute();
}

/** Forget every count whose window was over by `now`. */
export async function deleteExpiredRateLimits(db: Kysely<Database>, now: Date): Promise<void> {
  await db.deleteFrom('rate_limit_count').where('resets_at', '<=', at(now)).execute();
}

/**
 * The channel on which a committed import or replace is announced to every server process on
 * the database (PostgreSQL's LISTEN/NOTIFY), with the study's code as the payload.
 */
export const STUDY_LOADED_CHANNEL = 'smp_study_loaded';

/** Announce that study `code` was loaded: sent outside a transaction, so delivered at once. */
export async function notifyStudyLoaded(db: Kysely<Database>, code: string): Promise<void> {
  await sql`select pg_notify(${STUDY_LOADED_CHANNEL}, ${code})`.execute(db);
}
