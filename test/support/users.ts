// Users for tests, written straight into the database: a user with a role and grants, an API
// token and a sign-in session, so that tests of other features can call the API as anyone.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/kysely.ts';
import type { Grant, Role } from '../../api/services/access.ts';
import { secretHash, SESSION_COOKIE, TOKEN_PREFIX } from '../../api/services/auth-service.ts';

export interface TestUser {
  userId: number;
  username: string;
  role: Role;
  /** A valid API token: send as `Authorization: Bearer <token>`. */
  token: string;
  /** A live sign-in session's cookie, `smp_session=…`. */
  cookie: string;
  /** Headers that authenticate as this user with the token. */
  headers: Record<string, string>;
}

let counter = 0;

export async function createTestUser(db: Db, role: Role, grants: Grant[] = [], username?: string): Promise<TestUser> {
  const name = username ?? `${role}-${++counter}-${randomBytes(3).toString('hex')}`;
  const { user_id } = await db.kysely
    .insertInto('app_user')
    .values({ username: name, role, password_hash: null })
    .returning('user_id')
    .executeTakeFirstOrThrow();
  for (const grant of grants) {
    await db.kysely.insertInto('user_grant').values({ user_id, study_code: grant.studyCode, site_code: grant.siteCode }).execute();
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await db.kysely.insertInto('api_token').values({ user_id, token_hash: secretHash(token), expires_at: null }).execute();
  const session = randomBytes(32).toString('base64url');
  await db.kysely.insertInto('auth_session').values({ session_hash: secretHash(session), user_id }).execute();
  return {
    userId: user_id,
    username: name,
    role,
    token,
    cookie: `${SESSION_COOKIE}=${session}`,
    headers: { authorization: `Bearer ${token}` },
  };
}
