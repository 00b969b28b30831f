// /api/users: user administration for administrators (everyone else: 403): users, their role
// and state, grants, API tokens and invite links; and /api/audit, the audit trail of user
// management. Links point at SMP_PUBLIC_URL, or else at the address the request came to.
import type { Request } from 'express';
import { defineRoute } from '../http/route.ts';
import type { Config } from '../config.ts';
import { AuditEntry } from '../schemas/audit.ts';
import { page } from '../schemas/records.ts';
import {
  GrantInput,
  NewToken,
  OneTimeLink,
  SiteGrantParams,
  StudyGrantParams,
  TokenCreate,
  TokenList,
  TokenParams,
  TokenRecord,
  UserAuditQuery,
  UserCreate,
  UserCreated,
  UserList,
  UserParams,
  UserPatch,
  UserRecord,
} from '../schemas/users.ts';
import {
  createToken,
  createUser,
  changeAccess,
  getUser,
  listTokens,
  listUserAudit,
  listUsers,
  reinviteUser,
  revokeToken,
  updateUser,
} from '../services/user-service.ts';

const baseUrlOf = (req: Request, config: Config) => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
const userPath = (username: string) => `/api/users/${encodeURIComponent(username)}`;
const TAG = 'Users';

export const userRoutes = [
  defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    tag: TAG,
    summary: 'Every user with their role, state and grants (administrators)',
    auth: 'user',
    responses: { 200: { description: 'Users by username', schema: UserList } },
    errors: [403],
    handler: async ({ deps, actor }) => ({ body: { users: await listUsers(deps.db, actor!) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    tag: TAG,
    summary: 'Create a user; answers a one-time invite link on which they set their password (administrators)',
    description: 'Sites are granted to clinic users only; administrators reach every study and take no grants.',
    auth: 'user',
    permission: { need: 'admin', action: 'create users' },
    body: UserCreate,
    responses: { 201: { description: 'Created', schema: UserCreated, headers: ['Location'] } },
    errors: [403, 409],
    handler: async ({ deps, body, change, req }) => {
      const created = await createUser(deps.db, change(), body, baseUrlOf(req, deps.config));
      return { status: 201, location: userPath(created.user.username), body: created };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:username',
    operationId: 'getUser',
    tag: TAG,
    summary: 'One user (administrators)',
    auth: 'user',
    params: UserParams,
    responses: { 200: { description: 'The user', schema: UserRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, actor, params }) => {
      const user = await getUser(deps.db, actor!, params.username);
      return { body: user, version: user.version };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/users/:username',
    operationId: 'patchUser',
    tag: TAG,
    summary: 'Change a role, disable or enable a user, or end a lock (administrators)',
    description:
      'Disabling revokes the user’s sessions, API tokens and unused links. At least one enabled administrator must remain. ' +
      'A role other than clinic takes no site grants: revoke them first.',
    auth: 'user',
    permission: { need: 'admin', action: 'change users' },
    ifMatch: true,
    params: UserParams,
    body: UserPatch,
    mergePatch: true,
    responses: { 200: { description: 'The changed user', schema: UserRecord, headers: ['ETag'] } },
    errors: [403, 409],
    handler: async ({ deps, params, body, change, ifMatch }) => {
      const user = await updateUser(deps.db, change(), params.username, body, ifMatch);
      return { body: user, version: user.version };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users/:username/grants',
    operationId: 'grantAccess',
    tag: TAG,
    summary: 'Grant a study, or one site of it (clinic users), to a user (administrators)',
    auth: 'user',
    permission: { need: 'admin', action: 'change access' },
    params: UserParams,
    body: GrantInput,
    responses: {
      200: { description: 'The user had this grant already', schema: UserRecord },
      201: { description: 'Granted', schema: UserRecord },
    },
    errors: [403],
    handler: async ({ deps, params, body, change }) => {
      const { user, granted } = await changeAccess(deps.db, change(), params.username, { grant: [body] });
      return { status: granted > 0 ? 201 : 200, body: user };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:username/grants/:study',
    operationId: 'revokeStudyGrant',
    tag: TAG,
    summary: "Revoke a user's grant of a whole study (administrators)",
    auth: 'user',
    permission: { need: 'admin', action: 'change access' },
    params: StudyGrantParams,
    responses: { 200: { description: 'The user without the grant', schema: UserRecord } },
    errors: [403],
    handler: async ({ deps, params, change }) => ({
      body: (await changeAccess(deps.db, change(), params.username, { revoke: [{ study: params.study, site: null }] })).user,
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:username/grants/:study/:site',
    operationId: 'revokeSiteGrant',
    tag: TAG,
    summary: "Revoke a user's grant of one site of a study (administrators)",
    auth: 'user',
    permission: { need: 'admin', action: 'change access' },
    params: SiteGrantParams,
    responses: { 200: { description: 'The user without the grant', schema: UserRecord } },
    errors: [403],
    handler: async ({ deps, params, change }) => ({
      body: (await changeAccess(deps.db, change(), params.username, { revoke: [{ study: params.study, site: params.site }] })).user,
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/users/:username/tokens',
    operationId: 'listApiTokens',
    tag: TAG,
    summary: "A user's API tokens, without the tokens themselves (administrators)",
    auth: 'user',
    params: UserParams,
    responses: { 200: { description: 'Tokens, oldest first', schema: TokenList } },
    errors: [403],
    handler: async ({ deps, actor, params }) => ({ body: { tokens: await listTokens(deps.db, actor!, params.username) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/users/:username/tokens',
    operationId: 'createApiToken',
    tag: TAG,
    summary: 'Create an API token for a user: shown once, stored only as a hash (administrators)',
    description: 'Send `{}` for a token that does not expire, or `{"expiresInDays": 90}`.',
    auth: 'user',
    permission: { need: 'admin', action: 'create API tokens' },
    params: UserParams,
    body: TokenCreate,
    responses: { 201: { description: 'The new token', schema: NewToken, headers: ['Location'] } },
    errors: [403, 409],
    handler: async ({ deps, params, body, change }) => {
      const token = await createToken(deps.db, change(), params.username, body.expiresInDays);
      return { status: 201, location: `${userPath(params.username)}/tokens/${token.id}`, body: token };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:username/tokens/:id',
    operationId: 'revokeApiToken',
    tag: TAG,
    summary: 'Revoke an API token (administrators)',
    auth: 'user',
    permission: { need: 'admin', action: 'revoke API tokens' },
    params: TokenParams,
    responses: { 200: { description: 'The revoked token', schema: TokenRecord } },
    errors: [403],
    handler: async ({ deps, params, change }) => ({ body: await revokeToken(deps.db, change(), params.username, params.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/users/:username/invite',
    operationId: 'inviteUser',
    tag: TAG,
    summary: 'A new one-time invite link, to finish an invite or set a forgotten password (administrators)',
    description:
      "The user's older links stop working; their password keeps working until they use the new link. Their browsers are no longer " +
      'trusted for signing in: failures from elsewhere can lock them out until they use the link or sign in again.',
    auth: 'user',
    permission: { need: 'admin', action: 'invite users' },
    params: UserParams,
    responses: { 201: { description: 'The link', schema: OneTimeLink } },
    errors: [403, 409],
    handler: async ({ deps, params, change, req }) => ({
      status: 201,
      body: await reinviteUser(deps.db, change(), params.username, baseUrlOf(req, deps.config), deps.clock()),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/audit',
    operationId: 'listUserAudit',
    tag: 'Audit trail',
    summary: 'The audit trail of user management: users, grants and API tokens, newest first (administrators)',
    auth: 'user',
    query: UserAuditQuery,
    responses: { 200: { description: 'A page of entries', schema: page(AuditEntry, 'UserAuditPage') } },
    errors: [403],
    handler: async ({ deps, actor, query }) => ({ body: await listUserAudit(deps.db, actor!, query) }),
  }),
];
