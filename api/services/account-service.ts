// Your own account: your live sign-in sessions (end one, or every one but this), and your own
// API tokens (list and revoke them; create them if your role runs scripts, ROLES_WITH_OWN_TOKENS).
// Each change is recorded in the audit trail like the administrators' user management. Changing
// your password is POST /api/auth/password (auth-service.ts).
import type { Db } from '../../db/kysely.ts';
import { endSessions, listLiveSessions } from '../../db/repositories/auth-session-repository.ts';
import { AppError } from '../errors.ts';
import type { NewToken, SessionRecord, TokenRecord } from '../schemas/users.ts';
import { ownUserId, requireOwnTokenRole, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { secretHash, type SessionLimits } from './auth-service.ts';
import { issueToken, tokensOf, withdrawToken } from './user-service.ts';

/** Your live sessions, newest first; `currentSession` (the cookie's value) is marked current. */
export async function listMySessions(db: Db, actor: Actor, limits: SessionLimits, currentSession: string | null): Promise<SessionRecord[]> {
  const rows = await listLiveSessions(db.kysely, ownUserId(actor), limits, currentSession === null ? null : secretHash(currentSession));
  return rows.map((row) => ({ id: row.session_id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, userAgent: row.user_agent, current: row.current }));
}

async function auditEnded(trx: Parameters<typeof recordChange>[0], change: ChangeContext, ended: Array<{ session_id: number; created_at: string; ended_at: string }>) {
  const { username } = change.actor;
  for (const session of ended) {
    await recordChange(trx, change, {
      action: 'update',
      entity: 'session',
      key: `${username}/sessions/${session.session_id}`,
      studyCode: null,
      before: { username, id: session.session_id, createdAt: session.created_at, endedAt: null },
      after: { username, id: session.session_id, createdAt: session.created_at, endedAt: session.ended_at },
    });
  }
}

/** End one of your sessions (signing that browser out); 404 when you have no such live session. */
export async function endMySession(db: Db, change: ChangeContext, sessionId: number): Promise<void> {
  const userId = ownUserId(change.actor);
  await db.transaction(async ({ kysely: trx }) => {
    const ended = await endSessions(trx, userId, { sessionId });
    if (ended.length === 0) throw new AppError('not_found', `you have no session ${sessionId} that is still signed in`);
    await auditEnded(trx, change, ended);
  });
}

/** End every session of yours but `currentSession` (every one, for a token's request). Returns how many ended. */
export async function endMyOtherSessions(db: Db, change: ChangeContext, currentSession: string | null): Promise<number> {
  const userId = ownUserId(change.actor);
  return db.transaction(async ({ kysely: trx }) => {
    const ended = await endSessions(trx, userId, { keep: currentSession === null ? null : secretHash(currentSession) });
    await auditEnded(trx, change, ended);
    return ended.length;
  });
}

export async function listMyTokens(db: Db, actor: Actor): Promise<TokenRecord[]> {
  ownUserId(actor);
  return tokensOf(db, actor.username);
}

/** A new API token for yourself, if you may have one (requireOwnTokenRole). */
export async function createMyToken(db: Db, change: ChangeContext, expiresInDays: number | null, via: 'session' | 'token'): Promise<NewToken> {
  requireOwnTokenRole(change.actor, via);
  return issueToken(db, change, change.actor.username, expiresInDays);
}

/** Revoke one of your API tokens (any role: revoking only takes access away). */
export async function revokeMyToken(db: Db, change: ChangeContext, tokenId: number): Promise<TokenRecord> {
  ownUserId(change.actor);
  return withdrawToken(db, change, change.actor.username, tokenId);
}
