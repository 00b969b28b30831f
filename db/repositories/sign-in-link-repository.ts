// One-time links (sign_in_link) that invite a user or sign them in: make, expire, find and use
// them. SQL only; the link itself is never stored, only its hash. "now" is the database's clock.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';
import { iso } from './utc-text.ts';

export async function insertLink(
  trx: Kysely<Database>,
  linkHash: Uint8Array,
  userId: number,
  purpose: 'invite' | 'sign-in',
  validHours: number,
): Promise<string> {
  const row = await trx
    .insertInto('sign_in_link')
    .values({ link_hash: linkHash, user_id: userId, purpose, expires_at: sql<string>`now() + make_interval(hours => ${validHours})` })
    .returning(iso('expires_at').as('expires_at'))
    .executeTakeFirstOrThrow();
  return row.expires_at;
}

/** End a user's unused links now: a newer link replaces them, or the user is disabled. */
export async function expireUserLinks(trx: Kysely<Database>, userId: number): Promise<void> {
  await trx
    .updateTable('sign_in_link')
    .set({ expires_at: sql<string>`now()` })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<string>`now()`)
    .execute();
}

/** An unused, unexpired link of an enabled user, without using it. */
export async function findLiveLink(db: Kysely<Database>, linkHash: Uint8Array) {
  return db
    .selectFrom('sign_in_link as l')
    .innerJoin('app_user as u', 'u.user_id', 'l.user_id')
    .select(['u.user_id', 'u.username', 'l.purpose', iso('l.expires_at').as('expires_at')])
    .where('l.link_hash', '=', linkHash)
    .where('l.used_at', 'is', null)
    .where('l.expires_at', '>', sql<string>`now()`)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Use a link: marks it used if it is unused, unexpired, of `purpose` and of an enabled user, in
 * one statement, so two requests cannot both use it. Returns its user, or undefined.
 */
export async function consumeLink(trx: Kysely<Database>, linkHash: Uint8Array, purpose: 'invite' | 'sign-in'): Promise<number | undefined> {
  const row = await trx
    .updateTable('sign_in_link')
    .set({ used_at: sql<string>`now()` })
    .where('link_hash', '=', linkHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<string>`now()`)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('app_user as u').select('u.user_id').whereRef('u.user_id', '=', 'sign_in_link.user_id').where('u.disabled_at', 'is', null)),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}
