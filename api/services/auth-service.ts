// Authentication: from an API token or a sign-in session cookie to the Actor behind a request;
// signing in with a password or a one-time link, signing out, and setting one's password.
// Secrets are compared by their SHA-256: the database never holds a usable token, session or
// link. Every refusal of a password says the same thing, whatever the reason, so that it does
// not tell which usernames exist.
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Db } from '../../db/kysely.ts';
import { findUser, findUserById, setPasswordHash, type UserRow } from '../../db/repositories/user-repository.ts';
import { selectGrants } from '../../db/repositories/grant-repository.ts';
import {
  findUserBySessionHash,
  insertSession,
  revokeSession,
  revokeUserSessions,
  touchSession,
} from '../../db/repositories/auth-session-repository.ts';
import { findUserByTokenHash, touchToken } from '../../db/repositories/api-token-repository.ts';
import { consumeLink, findLiveLink } from '../../db/repositories/sign-in-link-repository.ts';
import { selectAccessGeneration } from '../../db/repositories/server-state-repository.ts';
import { distrustDevices, recordPasswordSuccess } from '../../db/repositories/sign-in-repository.ts';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Me } from '../schemas/users.ts';
import type { Actor, ChangeContext, Role } from './access.ts';
import { cachedActor, sharedFreshRead, forgetActors } from './actor-cache.ts';
import { recordChange } from './audit-service.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';
import { checkNewPassword } from './password-policy.ts';
import {
  deviceCookieName,
  deviceCookieValue,
  newDeviceId,
  readDeviceCookie,
  recordFailure,
  recordTrustedSuccess,
  sourceOf,
  type GuardConfig,
} from './sign-in-guard.ts';

/** The name of the sign-in session cookie. */
export const SESSION_COOKIE = 'smp_session';
/** API tokens start with this, so that they are recognisable in a leaked file. */
export const TOKEN_PREFIX = 'smp_';
/** A session's or token's last use is written at most this often: a read stays a read. */
const TOUCH_INTERVAL_SECONDS = 60;

export const secretHash = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

async function actorOf(db: Kysely<Database>, user: { user_id: number; username: string; role: string }): Promise<Actor> {
  const grants = await selectGrants(db, user.user_id);
  return {
    userId: user.user_id,
    username: user.username,
    role: user.role as Role,
    grants: grants.map((g) => ({ studyCode: g.study_code, siteCode: g.site_code })),
  };
}

const generationReaders = new WeakMap<Db, () => Promise<string>>();

/** The database's access generation, one read shared by the requests that arrive during it (actor-cache.ts). */
function accessGeneration(db: Db): () => Promise<string> {
  let reader = generationReaders.get(db);
  if (reader === undefined) generationReaders.set(db, (reader = sharedFreshRead(() => selectAccessGeneration(db.kysely))));
  return reader;
}

/** The actor of a valid API token, or null; remembered for `cacheSeconds` by `clock` (see actor-cache.ts). */
export async function actorForToken(db: Db, token: string, cacheSeconds = 0, clock?: () => Date): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const hash = secretHash(token);
  return cachedActor(`token:${hash.toString('hex')}`, cacheSeconds, async () => {
    const user = await findUserByTokenHash(db.kysely, hash);
    if (!user) return null;
    if (user.stale_last_use) await touchToken(db.kysely, user.token_id);
    return actorOf(db.kysely, user);
  }, clock, accessGeneration(db));
}

/** How long a sign-in session lives: minutes without a request, and hours from signing in. */
export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

/**
 * The actor of a live sign-in session (used within the idle timeout, and begun within the
 * session's longest life), or null; renews its idle time. Remembered for `cacheSeconds` by
 * `clock` (see actor-cache.ts).
 */
export async function actorForSession(db: Db, sessionValue: string, limits: SessionLimits, cacheSeconds = 0, clock?: () => Date): Promise<Actor | null> {
  const hash = secretHash(sessionValue);
  return cachedActor(`session:${limits.idleMinutes}:${limits.maxHours}:${hash.toString('hex')}`, cacheSeconds, async () => {
    const user = await findUserBySessionHash(db.kysely, hash, limits);
    if (!user) return null;
    if (Number(user.idle_seconds) > TOUCH_INTERVAL_SECONDS) await touchSession(db.kysely, hash);
    return actorOf(db.kysely, user);
  }, clock, accessGeneration(db));
}

/**
 * The look-ups that find a request's caller, with the server's session limits and cache: what the
 * HTTP layer's authentication (api/http/authenticate.ts) is given.
 */
export function requestCallers({ db, config, clock }: { db: Db; config: Config; clock: () => Date }) {
  const limits: SessionLimits = { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours };
  return {
    sessionCookie: SESSION_COOKIE,
    byToken: (token: string) => actorForToken(db, token, config.authCacheSeconds, clock),
    bySession: (session: string) => actorForSession(db, session, limits, config.authCacheSeconds, clock),
  };
}

/** What the audit trail keeps of a user: never a password or its hash; the full name and signing right once set. */
export function userSnapshot(user: Pick<UserRow, 'username' | 'role' | 'password_hash' | 'disabled_at'> & Partial<Pick<UserRow, 'full_name' | 'may_sign'>>) {
  return {
    username: user.username,
    role: user.role,
    disabled: user.disabled_at !== null,
    passwordSet: user.password_hash !== null,
    // Named only once set: a user without them reads as before signing existed.
    ...(user.full_name === undefined || user.full_name === null ? {} : { fullName: user.full_name }),
    ...(user.may_sign ? { maySign: true } : {}),
  };
}

/** Where a sign-in comes from: its browser's device cookie for the user, its User-Agent, and the time. */
export interface SignInClient {
  /** The value of the browser's device cookie for a user, if it sent one. */
  deviceCookie(username: string): string | undefined;
  userAgent: string | null;
  now: Date;
}

/** A User-Agent as kept with a session: printable ASCII, at most 300 characters. */
const userAgentOf = (userAgent: string | null) => {
  const kept = userAgent?.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 300);
  return kept ? kept : null;
};

/** A new sign-in session for a user, inside the caller's transaction; returns the cookie's value. */
async function startSession(trx: Kysely<Database>, userId: number, client: Pick<SignInClient, 'userAgent'>): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await insertSession(trx, secretHash(secret), userId, userAgentOf(client.userAgent));
  return secret;
}

export interface SignedIn {
  /** The session cookie's value: set it, never store it. */
  session: string;
  /** The browser's device cookie for this user (see sign-in-guard.ts): set it, never store it. */
  device: { name: string; value: string };
  me: Me;
}

/** A new device cookie for the user, keeping the browser's device number when its cookie was this server's. */
async function deviceFor(db: Db, config: GuardConfig, username: string, client: SignInClient) {
  const known = await readDeviceCookie(db, config, username, client.deviceCookie(username), client.now);
  return { name: deviceCookieName(username), value: await deviceCookieValue(db, username, known?.deviceId ?? newDeviceId(), client.now) };
}

async function meOf(db: Kysely<Database>, userId: number, via: Me['via']): Promise<Me> {
  const user = await findUserById(db, userId);
  if (!user) throw new AppError('unauthorized', 'this user no longer exists');
  const actor = await actorOf(db, user);
  return {
    username: user.username,
    role: actor.role,
    grants: actor.grants.map((g) => ({ study: g.studyCode, site: g.siteCode })),
    passwordSet: user.password_hash !== null,
    via,
  };
}

/** Who the caller is, with their grants. */
export async function describeMe(db: Db, actor: Actor, via: Me['via']): Promise<Me> {
  if (actor.userId === null) throw new AppError('unauthorized', 'the command line has no sign-in');
  return meOf(db.kysely, actor.userId, via);
}

function signInRefused(config: Pick<Config, 'signInMaxFailures' | 'signInLockMinutes'>): AppError {
  return new AppError(
    'unauthorized',
    `the username or password is not right (${config.signInMaxFailures} failed sign-ins in a row lock an account for ${config.signInLockMinutes} minutes)`,
  );
}

/**
 * Sign in with a username and password. Refused alike for an unknown, disabled or
 * not-yet-invited user, a user locked against this browser, and a wrong password; each case
 * costs one password hash. Failures are counted and locks applied per browser trust
 * (sign-in-guard.ts): an attacker's failures lock untrusted browsers out, not the browser the
 * user signs in with. A success gives the browser a new device cookie.
 */
export async function signIn(db: Db, config: GuardConfig, credentials: { username: string; password: string }, client: SignInClient): Promise<SignedIn> {
  const username = credentials.username.toLowerCase();
  const user = /^[a-z0-9][a-z0-9._-]{0,63}$/.test(username) ? await findUser(db.kysely, username) : undefined;
  const guard = user === undefined ? null : await sourceOf(db, config, user, client.deviceCookie(user.username), client.now);
  const usable =
    user !== undefined &&
    guard !== null &&
    user.disabled_at === null &&
    user.password_hash !== null &&
    (guard.source.trusted || guard.untrustedLockedUntil === null);
  const checkedHash = usable ? user.password_hash : null;
  const right = await verifyPassword(credentials.password, checkedHash);
  if (!right || !usable || checkedHash === null) {
    if (usable) await recordFailure(db, config, user.user_id, guard.source, client.now);
    throw signInRefused(config);
  }
  const session = await db.transaction(async ({ kysely: trx }) => {
    if (!(await recordPasswordSuccess(trx, user.user_id, checkedHash, client.now, guard.source.trusted))) throw signInRefused(config);
    return startSession(trx, user.user_id, client);
  });
  await recordTrustedSuccess(db, guard.source);
  // A hash made with older, weaker parameters is replaced while the password is at hand.
  if (needsRehash(checkedHash)) await setPasswordHash(db.kysely, user.user_id, await hashPassword(credentials.password));
  return { session, device: await deviceFor(db, config, user.username, client), me: await meOf(db.kysely, user.user_id, 'session') };
}

/** End a sign-in session (signing out). Unknown or ended sessions are left as they are. */
export async function signOut(db: Db, sessionValue: string): Promise<void> {
  await revokeSession(db.kysely, secretHash(sessionValue));
  forgetActors();
}

function linkRefused(): AppError {
  return new AppError(
    'unauthorized',
    'this link does not work: it was used already, has expired, or a newer link replaced it; ask an administrator for a new one',
  );
}

/** Whose link this is and what it does, without using it. */
export async function describeLink(db: Db, secret: string) {
  const link = await findLiveLink(db.kysely, secretHash(secret));
  if (!link) throw linkRefused();
  return { username: link.username, purpose: link.purpose, expiresAt: link.expires_at };
}

/** The actor a user acts as on their own behalf (setting their password). */
async function selfChange(trx: Kysely<Database>, user: UserRow, requestId: string | null): Promise<ChangeContext> {
  return { actor: await actorOf(trx, user), reason: null, requestId };
}

/**
 * Accept an invite: set the password and sign in. Any other sessions of the user end (an invite
 * also serves to reset a forgotten password). Recorded in the audit trail as the user's own change.
 */
export async function acceptInvite(
  db: Db,
  config: GuardConfig,
  secret: string,
  password: string,
  requestId: string | null,
  client: SignInClient,
): Promise<SignedIn> {
  const hash = secretHash(secret);
  const link = await findLiveLink(db.kysely, hash);
  if (!link || link.purpose !== 'invite') throw linkRefused();
  await checkNewPassword(password, link.username, 'password');
  const passwordHash = await hashPassword(password);
  const session = await db.transaction(async ({ kysely: trx }) => {
    const userId = await consumeLink(trx, hash, 'invite');
    if (userId === undefined) throw linkRefused();
    const before = (await findUserById(trx, userId))!;
    await setPasswordHash(trx, userId, passwordHash);
    await revokeUserSessions(trx, userId);
    await distrustDevices(trx, userId, client.now);
    await recordChange(trx, await selfChange(trx, before, requestId), {
      action: 'update',
      entity: 'user',
      key: before.username,
      studyCode: null,
      before: userSnapshot(before),
      after: { ...userSnapshot({ ...before, password_hash: passwordHash }), passwordChanged: true },
    });
    return startSession(trx, userId, client);
  });
  return { session, device: await deviceFor(db, config, link.username, client), me: await meOf(db.kysely, link.user_id, 'session') };
}

/** Use a one-time sign-in link: a session without a password. */
export async function redeemSignInLink(db: Db, config: GuardConfig, secret: string, client: SignInClient): Promise<SignedIn> {
  const { userId, session } = await db.transaction(async ({ kysely: trx }) => {
    const userId = await consumeLink(trx, secretHash(secret), 'sign-in');
    if (userId === undefined) throw linkRefused();
    return { userId, session: await startSession(trx, userId, client) };
  });
  const me = await meOf(db.kysely, userId, 'session');
  return { session, device: await deviceFor(db, config, me.username, client), me };
}

/**
 * Set one's own password. With a password already set, the current one must be given, and a
 * wrong one counts as a failed sign-in from this browser (sign-in-guard.ts). The user's other
 * sessions end (`currentSession` stays), and so does the trust of their other browsers: this
 * browser's new device cookie is returned.
 */
export async function changePassword(
  db: Db,
  config: GuardConfig,
  change: ChangeContext,
  currentSession: string | null,
  body: { currentPassword?: string | undefined; newPassword: string },
  client: SignInClient,
): Promise<SignedIn['device']> {
  const { actor } = change;
  if (actor.userId === null) throw new AppError('forbidden', 'the command line has no password; use smp user invite NAME');
  const user = await findUserById(db.kysely, actor.userId);
  if (!user) throw new AppError('unauthorized', 'this user no longer exists');
  if (user.password_hash !== null) {
    if (body.currentPassword === undefined) {
      throw new AppError('validation', 'invalid request body: currentPassword: is required to change a password', [
        { path: 'currentPassword', message: 'is required to change a password' },
      ]);
    }
    const guard = await sourceOf(db, config, user, client.deviceCookie(user.username), client.now);
    const locked = !guard.source.trusted && guard.untrustedLockedUntil !== null;
    const right = await verifyPassword(body.currentPassword, locked ? null : user.password_hash);
    if (!right) {
      if (!locked) await recordFailure(db, config, user.user_id, guard.source, client.now);
      const message = locked ? `your account is locked after failed sign-ins until ${guard.untrustedLockedUntil}` : 'is not your current password';
      throw new AppError('validation', `invalid request body: currentPassword: ${message}`, [{ path: 'currentPassword', message }]);
    }
  }
  await checkNewPassword(body.newPassword, user.username, 'newPassword');
  const passwordHash = await hashPassword(body.newPassword);
  await db.transaction(async ({ kysely: trx }) => {
    await setPasswordHash(trx, user.user_id, passwordHash);
    await revokeUserSessions(trx, user.user_id, currentSession === null ? undefined : secretHash(currentSession));
    await distrustDevices(trx, user.user_id, client.now);
    await recordChange(trx, change, {
      action: 'update',
      entity: 'user',
      key: user.username,
      studyCode: null,
      before: userSnapshot(user),
      after: { ...userSnapshot({ ...user, password_hash: passwordHash }), passwordChanged: true },
    });
  });
  return deviceFor(db, config, user.username, client);
}
