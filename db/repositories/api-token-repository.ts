// API tokens (api_token): issue, find by hash, touch, list and revoke them. SQL only; the token
// itself is never stored, only its hash. "now" is the database's clock.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';
import { iso, isoOrNull } from './utc-text.ts';

const tokenColumns = [
  'token_id',
  iso('created_at').as('created_at'),
  isoOrNull('expires_at').as('expires_at'),
  isoOrNull('last_used_at').as('last_used_at'),
  isoOrNull('revoked_at').as('revoked_at'),
  sql<boolean>`revoked_at is null and (expires_at is null or expires_at > now())`.as('active'),
] as const;

/** The enabled user owning an unrevoked, unexpired API token with this hash. */
export async function findUserByTokenHash(db: Kysely<Database>, tokenHash: Uint8Array) {
  return db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.user_id', 't.user_id')
    .select([
      'u.user_id',
      'u.username',
      'u.role',
      't.token_id',
      sql<boolean>`t.last_used_at is null or t.last_used_at < now() - interval '1 minute'`.as('stale_last_use'),
    ])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<string>`now()`)]))
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchToken(db: Kysely<Database>, tokenId: number): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: sql<string>`now()` }).where('token_id', '=', tokenId).execute();
}

export async function insertToken(trx: Kysely<Database>, userId: number, tokenHash: Uint8Array, expiresInDays: number | null) {
  return trx
    .insertInto('api_token')
    .values({
      user_id: userId,
      token_hash: tokenHash,
      expires_at: expiresInDays === null ? null : sql<string>`now() + make_interval(days => ${expiresInDays})`,
    })
    .returning([...tokenColumns])
    .executeTakeFirstOrThrow();
}

export async function listTokens(db: Kysely<Database>, userId: number) {
  return db.selectFrom('api_token').select([...tokenColumns]).where('user_id', '=', userId).orderBy('token_id').execute();
}

/** Revoke one token of a user; undefined when the user has no such token. Revoking twice keeps the first time. */
export async function revokeToken(trx: Kysely<Database>, userId: number, tokenId: number) {
  return trx
    .updateTable('api_token')
    .set({ revoked_at: sql<string>`coalesce(revoked_at, now())` })
    .where('user_id', '=', userId)
    .where('token_id', '=', tokenId)
    .returning([...tokenColumns])
    .executeTakeFirst();
}

/** Revoke every live token of a user. Returns how many. */
export async function revokeUserTokens(trx: Kysely<Database>, userId: number): Promise<number> {
  const rows = await trx
    .updateTable('api_token')
    .set({ revoked_at: sql<string>`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('token_id')
    .execute();
  return rows.length;
}
