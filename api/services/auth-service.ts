// Authentication: from an API token or a sign-in session cookie to the Actor behind a request.
// Secrets are compared by their SHA-256: the database never holds a usable token or session.
import { createHash } from 'node:crypto';
import type { Db } from '../../db/kysely.ts';
import {
  findUserBySessionHash,
  findUserByTokenHash,
  selectGrants,
  touchSession,
  touchToken,
} from '../../db/repositories/user-repository.ts';
import type { Actor, Role } from './access.ts';

/** The name of the sign-in session cookie. */
export const SESSION_COOKIE = 'smp_session';
/** API tokens start with this, so that they are recognisable in a leaked file. */
export const TOKEN_PREFIX = 'smp_';
/** A session's or token's last use is written at most this often: a read stays a read. */
const TOUCH_INTERVAL_SECONDS = 60;

export const secretHash = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

async function actorOf(db: Db, user: { user_id: number; username: string; role: string }): Promise<Actor> {
  const grants = await selectGrants(db.kysely, user.user_id);
  return {
    userId: user.user_id,
    username: user.username,
    role: user.role as Role,
    grants: grants.map((g) => ({ studyCode: g.study_code, siteCode: g.site_code })),
  };
}

/** The actor of a valid API token, or null. */
export async function actorForToken(db: Db, token: string): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const user = await findUserByTokenHash(db.kysely, secretHash(token));
  if (!user) return null;
  const lastUsed = user.last_used_at === null ? 0 : Date.parse(user.last_used_at);
  if (Date.now() - lastUsed > TOUCH_INTERVAL_SECONDS * 1000) await touchToken(db.kysely, user.token_id);
  return actorOf(db, user);
}

/** The actor of a live sign-in session (used within the idle timeout), or null; renews its idle time. */
export async function actorForSession(db: Db, sessionValue: string, idleMinutes: number): Promise<Actor | null> {
  const hash = secretHash(sessionValue);
  const user = await findUserBySessionHash(db.kysely, hash, idleMinutes);
  if (!user) return null;
  if (Number(user.idle_seconds) > TOUCH_INTERVAL_SECONDS) await touchSession(db.kysely, hash);
  return actorOf(db, user);
}
