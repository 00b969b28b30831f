// Users, their grants, sign-in sessions and API tokens. SQL only; the rules (hashing, idle
// timeouts, lockouts) live in api/services.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../types.ts';

export type UserRow = Selectable<Database['app_user']>;

export async function selectGrants(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('user_grant')
    .select(['study_code', 'site_code'])
    .where('user_id', '=', userId)
    .orderBy('study_code')
    .orderBy('site_code')
    .execute();
}

/** The enabled user owning an unrevoked, unexpired API token with this hash. */
export async function findUserByTokenHash(db: Kysely<Database>, tokenHash: Uint8Array) {
  return db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.user_id', 't.user_id')
    .select(['u.user_id', 'u.username', 'u.role', 't.token_id', 't.last_used_at'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<string>`now()`)]))
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

/**
 * The enabled user of an unrevoked sign-in session with this hash, used within the last
 * `idleMinutes`.
 */
export async function findUserBySessionHash(db: Kysely<Database>, sessionHash: Uint8Array, idleMinutes: number) {
  return db
    .selectFrom('auth_session as s')
    .innerJoin('app_user as u', 'u.user_id', 's.user_id')
    .select(['u.user_id', 'u.username', 'u.role', sql<number>`extract(epoch from now() - s.last_seen_at)`.as('idle_seconds')])
    .where('s.session_hash', '=', sessionHash)
    .where('s.revoked_at', 'is', null)
    .where('s.last_seen_at', '>', sql<string>`now() - make_interval(mins => ${idleMinutes})`)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Kysely<Database>, sessionHash: Uint8Array): Promise<void> {
  await db.updateTable('auth_session').set({ last_seen_at: sql<string>`now()` }).where('session_hash', '=', sessionHash).execute();
}

export async function touchToken(db: Kysely<Database>, tokenId: number): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: sql<string>`now()` }).where('token_id', '=', tokenId).execute();
}
