// Users, their grants, sign-in sessions, API tokens and one-time links. SQL only; the rules
// (hashing, idle timeouts, lockouts, who may do what) live in api/services. Times come back as
// ISO 8601 UTC strings, and "now" is always the database's clock.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../types.ts';

/** A timestamptz column as `YYYY-MM-DDTHH:MM:SSZ` in UTC. */
const iso = (column: string): RawBuilder<string> =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
const isoOrNull = (column: string) => iso(column) as RawBuilder<string | null>;

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

export async function insertUser(trx: Kysely<Database>, username: string, role: string): Promise<number> {
  const { user_id } = await trx.insertInto('app_user').values({ username, role, password_hash: null }).returning('user_id').executeTakeFirstOrThrow();
  return user_id;
}

export interface UserChanges {
  role?: string;
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

// Grants.

export async function selectGrants(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('user_grant')
    .select(['study_code', 'site_code'])
    .where('user_id', '=', userId)
    .orderBy('study_code')
    .orderBy(sql`site_code nulls first`)
    .execute();
}

/** The grants of many users at once, for the user list. */
export async function selectAllGrants(db: Kysely<Database>) {
  return db
    .selectFrom('user_grant')
    .select(['user_id', 'study_code', 'site_code'])
    .orderBy('user_id')
    .orderBy('study_code')
    .orderBy(sql`site_code nulls first`)
    .execute();
}

/** Insert a grant; false when the user has it already. */
export async function insertGrant(trx: Kysely<Database>, userId: number, studyCode: string, siteCode: string | null): Promise<boolean> {
  const { rows } = await sql<{ user_id: number }>`
    insert into user_grant (user_id, study_code, site_code) values (${userId}, ${studyCode}, ${siteCode})
    on conflict (user_id, study_code, coalesce(site_code, '')) do nothing
    returning user_id`.execute(trx);
  return rows.length === 1;
}

/** Delete a grant; false when the user did not have it. */
export async function deleteGrant(trx: Kysely<Database>, userId: number, studyCode: string, siteCode: string | null): Promise<boolean> {
  const rows = await trx
    .deleteFrom('user_grant')
    .where('user_id', '=', userId)
    .where('study_code', '=', studyCode)
    .where(siteCode === null ? sql<boolean>`site_code is null` : sql<boolean>`site_code = ${siteCode}`)
    .returning('user_id')
    .execute();
  return rows.length === 1;
}

/** The site codes of a study, or undefined when there is no such study. */
export async function selectStudySiteCodes(db: Kysely<Database>, studyCode: string): Promise<string[] | undefined> {
  const study = await db.selectFrom('study').select('study_id').where('code', '=', studyCode).executeTakeFirst();
  if (!study) return undefined;
  const sites = await db.selectFrom('site').select('code').where('study_id', '=', study.study_id).orderBy('code').execute();
  return sites.map((s) => s.code);
}

// Sign-in sessions.

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

// API tokens.

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

// One-time links.

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
