// User administration: create users (with an invite link), change their role, disable and
// enable them, grant and revoke studies and sites, issue API tokens and new invite links. Only
// administrators may; the command line acts as one. Each change and its audit record commit in
// one transaction, and the audit record never holds a secret or a hash.
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/kysely.ts';
import {
  countEnabledAdmins,
  findUser,
  insertUser,
  listUsers as selectUsers,
  lockUser,
  lockUserAdministration,
  updateUser as updateUserRow,
  type UserRow,
} from '../../db/repositories/user-repository.ts';
import { deleteGrant, insertGrant, selectAllGrants, selectGrants } from '../../db/repositories/grant-repository.ts';
import { revokeUserSessions } from '../../db/repositories/auth-session-repository.ts';
import {
  insertToken,
  listTokens as selectTokens,
  revokeToken as revokeTokenRow,
  revokeUserTokens,
} from '../../db/repositories/api-token-repository.ts';
import { expireUserLinks } from '../../db/repositories/sign-in-link-repository.ts';
import { selectStudySiteCodes } from '../../db/repositories/structure-repository.ts';
import { selectAuditEvents } from '../../db/repositories/audit-repository.ts';
import { distrustDevices } from '../../db/repositories/sign-in-repository.ts';
import { AppError } from '../errors.ts';
import { requireVersion } from './versions.ts';
import {
  USER_AUDIT_ENTITIES,
  type GrantInput,
  type GrantRecord,
  type NewToken,
  type OneTimeLink,
  type TokenRecord,
  type UserAuditQuery,
  type UserCreate,
  type UserPatch,
  type UserRecord,
} from '../schemas/users.ts';
import { requireAdmin, type Actor, type ChangeContext, type Role } from './access.ts';
import { auditPage, recordChange } from './audit-service.ts';
import { decodeCursor } from './cursor.ts';
import { AUDIT_CURSOR } from '../schemas/audit.ts';
import { secretHash, TOKEN_PREFIX, userSnapshot } from './auth-service.ts';
import { issueLink, newSecret } from './sign-in-links.ts';

type GrantRow = { study_code: string; site_code: string | null };

const grantOf = (row: GrantRow): GrantRecord => ({ study: row.study_code, site: row.site_code });
const grantKey = (username: string, grant: GrantRecord) => `${username}/${grant.study}${grant.site === null ? '' : `/${grant.site}`}`;
const grantText = (grant: GrantRecord) => (grant.site === null ? grant.study : `${grant.study}/${grant.site}`);

function recordOf(user: UserRow, grants: readonly GrantRow[]): UserRecord {
  return {
    username: user.username,
    role: user.role as Role,
    grants: grants.map(grantOf),
    passwordSet: user.password_hash !== null,
    lockedUntil: user.locked_until,
    disabledAt: user.disabled_at,
    createdAt: user.created_at,
    activeTokens: Number(user.active_tokens),
    fullName: user.full_name,
    maySign: user.may_sign,
    version: user.version,
  };
}

function userNotFound(username: string): AppError {
  return new AppError('not_found', `user ${username} does not exist (smp user list shows every user)`);
}

async function requireUser(db: Kysely<Database>, username: string): Promise<UserRow> {
  const user = await findUser(db, username);
  if (!user) throw userNotFound(username);
  return user;
}

/** Lock a user's row for the transaction and read it; 404 when there is no such user. */
async function lockAndRead(trx: Kysely<Database>, username: string): Promise<UserRow> {
  if (!(await lockUser(trx, username))) throw userNotFound(username);
  return requireUser(trx, username);
}

async function userRecord(db: Kysely<Database>, user: UserRow): Promise<UserRecord> {
  return recordOf(user, await selectGrants(db, user.user_id));
}

export async function listUsers(db: Db, actor: Actor): Promise<UserRecord[]> {
  requireAdmin(actor, 'list users');
  const [users, grants] = await Promise.all([selectUsers(db.kysely), selectAllGrants(db.kysely)]);
  return users.map((user) => recordOf(user, grants.filter((g) => g.user_id === user.user_id)));
}

export async function getUser(db: Db, actor: Actor, username: string): Promise<UserRecord> {
  requireAdmin(actor, 'read users');
  return userRecord(db.kysely, await requireUser(db.kysely, username));
}

/**
 * Check a grant against the stored studies and the user's role: the study and site must exist;
 * a site may be granted to clinic users only (other roles reach the whole study); administrators
 * reach every study and take no grants. `path` locates a problem in the request.
 */
async function checkGrant(db: Kysely<Database>, role: Role, grant: GrantInput, path: string): Promise<GrantRecord> {
  const site = grant.site ?? null;
  const fail = (field: 'study' | 'site', message: string) =>
    new AppError('validation', message, [{ path: path ? `${path}.${field}` : field, message }]);
  if (role === 'admin') throw fail('study', 'an administrator reaches every study and takes no grants');
  const sites = await selectStudySiteCodes(db, grant.study);
  if (sites === undefined) throw fail('study', `study ${grant.study} does not exist`);
  if (site !== null) {
    if (role !== 'clinic') throw fail('site', `a ${role} reaches the whole study; sites are granted to clinic users only`);
    if (!sites.includes(site)) throw fail('site', `study ${grant.study} has no site ${site} (its sites: ${sites.join(', ') || 'none'})`);
  }
  return { study: grant.study, site };
}

async function addGrantRow(trx: Kysely<Database>, change: ChangeContext, user: UserRow, grant: GrantRecord): Promise<boolean> {
  const added = await insertGrant(trx, user.user_id, grant.study, grant.site);
  if (added) {
    await recordChange(trx, change, {
      action: 'create',
      entity: 'grant',
      key: grantKey(user.username, grant),
      studyCode: grant.study,
      before: null,
      after: { username: user.username, role: user.role, ...grant },
    });
  }
  return added;
}

export interface CreatedUser {
  user: UserRecord;
  invite: OneTimeLink;
}

/** Create a user with their grants, and an invite link on which they set their password. */
export async function createUser(
  db: Db,
  change: ChangeContext,
  given: Omit<UserCreate, 'fullName' | 'maySign'> & Partial<Pick<UserCreate, 'fullName' | 'maySign'>>,
  baseUrl: string,
): Promise<CreatedUser> {
  const input = { ...given, fullName: given.fullName ?? null, maySign: given.maySign ?? false };
  requireAdmin(change.actor, 'create users');
  const grants: GrantRecord[] = [];
  for (const [i, grant] of input.grants.entries()) grants.push(await checkGrant(db.kysely, input.role, grant, `grants[${i}]`));
  return db.transaction(async ({ kysely: trx }) => {
    await lockUserAdministration(trx);
    if (await findUser(trx, input.username)) {
      throw new AppError('conflict', `user ${input.username} already exists`, [{ path: 'username', message: `user ${input.username} already exists` }]);
    }
    requireSigningFits(input.role, input.fullName, input.maySign);
    const userId = await insertUser(trx, input.username, input.role, { fullName: input.fullName, maySign: input.maySign });
    const user = (await findUser(trx, input.username))!;
    const invite = await issueLink(trx, userId, 'invite', baseUrl);
    await recordChange(trx, change, {
      action: 'create',
      entity: 'user',
      key: user.username,
      studyCode: null,
      before: null,
      after: { ...userSnapshot(user), inviteExpiresAt: invite.expiresAt },
    });
    for (const grant of grants) await addGrantRow(trx, change, user, grant);
    return { user: await userRecord(trx, user), invite };
  });
}

/**
 * The signing right needs a full name (a signature shows it), and a reviewer, who reads only the
 * de-identified view, never signs.
 */
function requireSigningFits(role: Role, fullName: string | null, maySign: boolean): void {
  if (!maySign) return;
  if (role === 'reviewer') {
    throw new AppError('validation', 'a reviewer reads only de-identified data and cannot sign', [{ path: 'maySign', message: 'cannot be true for a reviewer' }]);
  }
  if (fullName === null) {
    throw new AppError('validation', 'the signing right needs a full name, which signatures show', [{ path: 'fullName', message: 'is required with maySign' }]);
  }
}

/**
 * Apply a patch to a locked user inside the caller's transaction: role, disabled, unlock.
 * Disabling revokes their sessions, tokens and unused links. At least one enabled administrator
 * always remains, and a role other than clinic takes no site grants. Returns the user after it.
 */
async function patchLockedUser(trx: Kysely<Database>, change: ChangeContext, user: UserRow, patch: UserPatch): Promise<UserRow> {
  const { username } = user;
  const role = patch.role ?? (user.role as Role);
  if (role !== user.role && role !== 'clinic') {
    const siteGrants = (await selectGrants(trx, user.user_id)).filter((g) => g.site_code !== null);
    if (siteGrants.length > 0) {
      const message = `a ${role} reaches whole studies; first revoke ${username}'s site grants (${siteGrants.map((g) => grantText(grantOf(g))).join(', ')})`;
      throw new AppError('conflict', message, [{ path: 'role', message }]);
    }
  }
  const fullName = patch.fullName === undefined ? user.full_name : patch.fullName;
  const maySign = patch.maySign ?? user.may_sign;
  requireSigningFits(role, fullName, maySign);
  const disabled = patch.disabled ?? user.disabled_at !== null;
  const wasActiveAdmin = user.role === 'admin' && user.disabled_at === null;
  if (wasActiveAdmin && (role !== 'admin' || disabled) && (await countEnabledAdmins(trx)) === 1) {
    const message = `${username} is the last enabled administrator; make another user an administrator first`;
    throw new AppError('conflict', message, [{ path: patch.disabled ? 'disabled' : 'role', message }]);
  }
  const disabling = disabled && user.disabled_at === null;
  await updateUserRow(trx, user.user_id, {
    ...(patch.role !== undefined ? { role } : {}),
    ...(patch.disabled !== undefined ? { disabled } : {}),
    ...(patch.unlock ? { unlock: true } : {}),
    ...(patch.fullName !== undefined ? { fullName: patch.fullName } : {}),
    ...(maySign !== user.may_sign ? { maySign } : {}),
  });
  let revoked: { sessions: number; tokens: number } | undefined;
  if (disabling) {
    revoked = { sessions: await revokeUserSessions(trx, user.user_id), tokens: await revokeUserTokens(trx, user.user_id) };
    await expireUserLinks(trx, user.user_id);
    await distrustDevices(trx, user.user_id, new Date());
  }
  const after = (await findUser(trx, username))!;
  await recordChange(trx, change, {
    action: 'update',
    entity: 'user',
    key: username,
    studyCode: null,
    before: { ...userSnapshot(user), lockedUntil: user.locked_until },
    after: {
      ...userSnapshot(after),
      lockedUntil: after.locked_until,
      ...(revoked ? { sessionsRevoked: revoked.sessions, tokensRevoked: revoked.tokens } : {}),
    },
  });
  return after;
}

/**
 * Change a user's role, disable or enable them, or end a lock. `ifMatch`, when given, must be
 * the user's current version (412 otherwise).
 */
export async function updateUser(db: Db, change: ChangeContext, username: string, patch: UserPatch, ifMatch: string | null): Promise<UserRecord> {
  requireAdmin(change.actor, 'change users');
  return db.transaction(async ({ kysely: trx }) => {
    await lockUserAdministration(trx);
    const user = await lockAndRead(trx, username);
    if (ifMatch !== null) requireVersion(ifMatch, user.version, `user ${username}`, await userRecord(trx, user));
    return userRecord(trx, await patchLockedUser(trx, change, user, patch));
  });
}

export interface AccessChange {
  /** A new role, applied before the grants are checked. */
  role?: Role | undefined;
  grant?: readonly GrantInput[];
  revoke?: readonly GrantRecord[];
}

/**
 * Change a user's access in one transaction: their role, then grants revoked, then grants added.
 * A grant the user has already is left as it is; revoking one they do not have is refused (404).
 * Revoking needs no stored study: a grant outlives its study's deletion.
 */
export async function changeAccess(
  db: Db,
  change: ChangeContext,
  username: string,
  access: AccessChange,
): Promise<{ user: UserRecord; granted: number; revoked: number }> {
  requireAdmin(change.actor, 'change access');
  return db.transaction(async ({ kysely: trx }) => {
    await lockUserAdministration(trx);
    let user = await lockAndRead(trx, username);
    if (access.role !== undefined && access.role !== user.role) user = await patchLockedUser(trx, change, user, { role: access.role });
    let revoked = 0;
    for (const grant of access.revoke ?? []) {
      if (!(await deleteGrant(trx, user.user_id, grant.study, grant.site))) {
        const held = (await selectGrants(trx, user.user_id)).map((g) => grantText(grantOf(g)));
        throw new AppError('not_found', `${username} has no grant of ${grantText(grant)} (their grants: ${held.join(', ') || 'none'})`);
      }
      await recordChange(trx, change, {
        action: 'delete',
        entity: 'grant',
        key: grantKey(username, grant),
        studyCode: grant.study,
        before: { username, role: user.role, ...grant },
        after: null,
      });
      revoked++;
    }
    let granted = 0;
    const toGrant = access.grant ?? [];
    for (const [i, grant] of toGrant.entries()) {
      const checked = await checkGrant(trx, user.role as Role, grant, toGrant.length === 1 ? '' : `grants[${i}]`);
      if (await addGrantRow(trx, change, user, checked)) granted++;
    }
    return { user: await userRecord(trx, user), granted, revoked };
  });
}

const tokenOf = (row: { token_id: number; created_at: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null; active: boolean }): TokenRecord => ({
  id: row.token_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  active: row.active,
});

export async function listTokens(db: Db, actor: Actor, username: string): Promise<TokenRecord[]> {
  requireAdmin(actor, "list users' API tokens");
  return tokensOf(db, username);
}

/** A user's API tokens, oldest first: for their administrators, or for themselves (account-service.ts). */
export async function tokensOf(db: Db, username: string): Promise<TokenRecord[]> {
  const user = await requireUser(db.kysely, username);
  return (await selectTokens(db.kysely, user.user_id)).map(tokenOf);
}

/** A new API token for a user: returned once, stored only as its hash. */
export async function createToken(db: Db, change: ChangeContext, username: string, expiresInDays: number | null): Promise<NewToken> {
  requireAdmin(change.actor, 'create API tokens');
  return issueToken(db, change, username, expiresInDays);
}

/** A new API token for `username`, audited, whoever may ask for it (the caller has checked). */
export async function issueToken(db: Db, change: ChangeContext, username: string, expiresInDays: number | null): Promise<NewToken> {
  const token = TOKEN_PREFIX + newSecret();
  return db.transaction(async ({ kysely: trx }) => {
    const user = await lockAndRead(trx, username);
    if (user.disabled_at !== null) throw new AppError('conflict', `${username} is disabled; enable them before creating a token`);
    const row = tokenOf(await insertToken(trx, user.user_id, secretHash(token), expiresInDays));
    await recordChange(trx, change, {
      action: 'create',
      entity: 'api_token',
      key: `${username}/tokens/${row.id}`,
      studyCode: null,
      before: null,
      after: { username, id: row.id, expiresAt: row.expiresAt },
    });
    return { ...row, token };
  });
}

export async function revokeToken(db: Db, change: ChangeContext, username: string, tokenId: number): Promise<TokenRecord> {
  requireAdmin(change.actor, 'revoke API tokens');
  return withdrawToken(db, change, username, tokenId);
}

/** Revoke one of `username`'s API tokens, audited, whoever may ask for it (the caller has checked). */
export async function withdrawToken(db: Db, change: ChangeContext, username: string, tokenId: number): Promise<TokenRecord> {
  return db.transaction(async ({ kysely: trx }) => {
    const user = await lockAndRead(trx, username);
    const before = (await selectTokens(trx, user.user_id)).find((t) => t.token_id === tokenId);
    if (!before) throw new AppError('not_found', `${username} has no API token ${tokenId}`);
    const row = tokenOf((await revokeTokenRow(trx, user.user_id, tokenId))!);
    if (before.revoked_at === null) {
      await recordChange(trx, change, {
        action: 'update',
        entity: 'api_token',
        key: `${username}/tokens/${tokenId}`,
        studyCode: null,
        before: { username, id: tokenId, expiresAt: before.expires_at, revokedAt: null },
        after: { username, id: tokenId, expiresAt: row.expiresAt, revokedAt: row.revokedAt },
      });
    }
    return row;
  });
}

/**
 * A new invite link for a user: to finish an invite that expired, or to set a forgotten password.
 * Their older links stop working; their password keeps working until they use the link. Their
 * browsers are no longer trusted for signing in (a reset: sign-in-guard.ts), as of `now`.
 */
export async function reinviteUser(db: Db, change: ChangeContext, username: string, baseUrl: string, now = new Date()): Promise<OneTimeLink> {
  requireAdmin(change.actor, 'invite users');
  return db.transaction(async ({ kysely: trx }) => {
    const user = await lockAndRead(trx, username);
    if (user.disabled_at !== null) throw new AppError('conflict', `${username} is disabled; enable them before inviting them again`);
    const invite = await issueLink(trx, user.user_id, 'invite', baseUrl);
    await distrustDevices(trx, user.user_id, now);
    await recordChange(trx, change, {
      action: 'update',
      entity: 'user',
      key: username,
      studyCode: null,
      before: userSnapshot(user),
      after: { ...userSnapshot(user), inviteExpiresAt: invite.expiresAt },
    });
    return invite;
  });
}

/** The audit trail of user management (users, grants, API tokens), newest first: administrators only. */
export async function listUserAudit(db: Db, actor: Actor, query: UserAuditQuery) {
  requireAdmin(actor, 'read the audit trail of user management');
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, AUDIT_CURSOR)[0];
  const rows = await selectAuditEvents(db.kysely, {
    entities: query.entity === undefined ? USER_AUDIT_ENTITIES : [query.entity],
    username: query.user,
    from: query.from,
    to: query.to,
    before: cursor === undefined ? undefined : String(cursor),
    limit: query.limit + 1,
  });
  return auditPage(rows, query.limit);
}
