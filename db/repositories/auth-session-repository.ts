// Sign-in sessions (auth_session): begin, find by the hash of their cookie, touch, list and end
// them. SQL only; the idle and maximum lifetimes are the caller's. "now" is the database's clock.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';
import { iso } from './utc-text.ts';

/**
 * The enabled user of an unrevoked sign-in session with this hash, used within the last
 * `idleMinutes` and begun within the last `maxHours`.
 */
export async function findUserBySessionHash(
  db: Kysely<Database>,
  sessionHash: Uint8Array,
  limits: { idleMinutes: number; maxHours: number },
) {
  return db
    .selectFrom('auth_session as s')
    .innerJoin('app_user as u', 'u.user_id', 's.user_id')
    .select(['u.user_id', 'u.username', 'u.role', sql<number>`extract(epoch from now() - s.last_seen_at)`.as('idle_seconds')])
    .where('s.session_hash', '=', sessionHash)
    .where('s.revoked_at', 'is', null)
    .where('s.last_seen_at', '>', sql<string>`now() - make_interval(mins => ${limits.idleMinutes})`)
    .where('s.created_at', '>', sql<string>`now() - make_interval(hours => ${limits.maxHours})`)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function insertSession(trx: Kysely<Database>, sessionHash: Uint8Array, userId: number, userAgent: string | null): Promise<void> {
  await trx.insertInto('auth_session').values({ session_hash: sessionHash, user_id: userId, user_agent: userAgent }).execute();
}

export async function touchSession(db: Kysely<Database>, sessionHash: Uint8Array): Promise<void> {
  await db.updateTable('auth_session').set({ last_seen_at: sql<string>`now()` }).where('session_hash', '=', sessionHash).execute();
}

export async function revokeSession(db: Kysely<Database>, sessionHash: Uint8Array): Promise<void> {
  await db
    .updateTable('auth_session')
    .set({ revoked_at: sql<string>`now()` })
    .where('session_hash', '=', sessionHash)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revoke a user's live sessions, except `keep` (the one making the change). Returns how many. */
export async function revokeUserSessions(trx: Kysely<Database>, userId: number, keep?: Uint8Array): Promise<number> {
  let query = trx.updateTable('auth_session').set({ revoked_at: sql<string>`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (keep) query = query.where('session_hash', '!=', keep);
  const rows = await query.returning('user_id').execute();
  return rows.length;
}

/** A user's live sessions, newest first, marking the one whose hash is `current`. */
export async function listLiveSessions(
  db: Kysely<Database>,
  userId: number,
  limits: { idleMinutes: number; maxHours: number },
  current: Uint8Array | null,
) {
  return db
    .selectFrom('auth_session')
    .select([
      'session_id',
      iso('created_at').as('created_at'),
      iso('last_seen_at').as('last_seen_at'),
      'user_agent',
      (current === null ? sql<boolean>`false` : sql<boolean>`session_hash = ${current}`).as('current'),
    ])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('last_seen_at', '>', sql<string>`now() - make_interval(mins => ${limits.idleMinutes})`)
    .where('created_at', '>', sql<string>`now() - make_interval(hours => ${limits.maxHours})`)
    .orderBy('session_id', 'desc')
    .execute();
}

/**
 * End sessions of a user: one (`sessionId`), or all but `keep`. Only sessions not ended yet;
 * returns the ones ended, with when they began.
 */
export async function endSessions(trx: Kysely<Database>, userId: number, which: { sessionId: number } | { keep: Uint8Array | null }) {
  let query = trx.updateTable('auth_session').set({ revoked_at: sql<string>`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if ('sessionId' in which) query = query.where('session_id', '=', which.sessionId);
  else if (which.keep !== null) query = query.where('session_hash', '!=', which.keep);
  return query.returning(['session_id', iso('created_at').as('created_at'), iso('revoked_at').as('ended_at')]).execute();
}
