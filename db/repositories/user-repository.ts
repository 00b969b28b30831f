// Users (app_user): find, list, count, lock, insert and change them. SQL only; the rules (hashing,
// lockouts, who may do what, the last administrator) live in api/services. Times come back as
// ISO 8601 UTC strings, and "now" is always the database's clock.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';
import { iso, isoOrNull } from './utc-text.ts';

export interface UserRow {
  user_id: number;
  username: string;
  role: string;
  password_hash: string | null;
  failed_sign_ins: number;
  /** Set only while the lock lasts. */
  locked_until: string | null;
  disabled_at: string | null;
  created_at: string;
  version: string;
  active_tokens: number;
  full_name: string | null;
  may_sign: boolean;
}

function userQuery(db: Kysely<Database>) {
  return db
    .selectFrom('app_user as u')
    .select([
      'u.user_id',
      'u.username',
      'u.role',
      'u.password_hash',
      'u.failed_sign_ins',
      sql<string | null>`case when u.locked_until > now() then ${iso('u.locked_until')} end`.as('locked_until'),
      isoOrNull('u.disabled_at').as('disabled_at'),
      iso('u.created_at').as('created_at'),
      'u.version',
      'u.full_name',
      'u.may_sign',
      sql<number>`(select count(*)::int from api_token t where t.user_id = u.user_id and t.revoked_at is null
        and (t.expires_at is null or t.expires_at > now()))`.as('active_tokens'),
    ]);
}

export async function findUser(db: Kysely<Database>, username: string): Promise<UserRow | undefined> {
  return userQuery(db).where('u.username', '=', username).executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, userId: number): Promise<UserRow | undefined> {
  return userQuery(db).where('u.user_id', '=', userId).executeTakeFirst();
}

export async function listUsers(db: Kysely<Database>): Promise<UserRow[]> {
  return userQuery(db).orderBy('u.username').execute();
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('app_user').select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow();
  return row.count;
}

/** Hold the row of a user (and so their role and state) until the transaction ends. */
export async function lockUser(trx: Kysely<Database>, username: string): Promise<{ user_id: number } | undefined> {
  return trx.selectFrom('app_user').select('user_id').where('username', '=', username).forUpdate().executeTakeFirst();
}

/** Serialise changes that must see every administrator (the last one may not go), and the first run. */
export async function lockUserAdministration(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('smp-user-administration'))`.execute(trx);
}

export async function countEnabledAdmins(trx: Kysely<Database>): Promise<number> {
  const row = await trx
    .selectFrom('app_user')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Enabled administrators, oldest first, with whether each has a password. */
export async function listEnabledAdmins(db: Kysely<Database>) {
  return db
    .selectFrom('app_user')
    .select(['user_id', 'username', sql<boolean>`password_hash is not null`.as('password_set')])
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .orderBy('user_id')
    .execute();
}

export async function insertUser(
  trx: Kysely<Database>,
  username: string,
  role: string,
  signing: { fullName: string | null; maySign: boolean } = { fullName: null, maySign: false },
): Promise<number> {
  const { user_id } = await trx
    .insertInto('app_user')
    .values({ username, role, password_hash: null, full_name: signing.fullName, may_sign: signing.maySign })
    .returning('user_id')
    .executeTakeFirstOrThrow();
  return user_id;
}

export interface UserChanges {
  role?: string;
  fullName?: string | null;
  maySign?: boolean;
  disabled?: boolean;
  unlock?: boolean;
}

/** Change a user's role or state; every change takes a new version. */
export async function updateUser(trx: Kysely<Database>, userId: number, changes: UserChanges): Promise<void> {
  await trx
    .updateTable('app_user')
    .set({
      version: sql<string>`nextval('record_version_seq')`,
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.fullName !== undefined ? { full_name: changes.fullName } : {}),
      ...(changes.maySign !== undefined ? { may_sign: changes.maySign } : {}),
      ...(changes.disabled === true ? { disabled_at: sql<string>`coalesce(disabled_at, now())` } : {}),
      ...(changes.disabled === false ? { disabled_at: null } : {}),
      ...(changes.unlock ? { locked_until: null, failed_sign_ins: 0 } : {}),
    })
    .where('user_id', '=', userId)
    .execute();
}

/** Set a new password hash; it also ends any lock, as the user has proven who they are. */
export async function setPasswordHash(trx: Kysely<Database>, userId: number, passwordHash: string): Promise<void> {
  await trx
    .updateTable('app_user')
    .set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null, version: sql<string>`nextval('record_version_seq')` })
    .where('user_id', '=', userId)
    .execute();
}
