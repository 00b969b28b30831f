// /api/account: your own account, for every signed-in user: your sign-in sessions (end one, or
// every other one) and your API tokens (create them if your role runs scripts; list and revoke
// them whatever your role). Changing your password is POST /api/auth/password.
import { authenticatedBy, cookieValue } from '../http/authenticate.ts';
import { defineRoute } from '../http/route.ts';
import { EndedSessions, NewToken, OwnTokenParams, SessionList, SessionParams, TokenCreate, TokenList, TokenRecord } from '../schemas/users.ts';
import { createMyToken, endMyOtherSessions, endMySession, listMySessions, listMyTokens, revokeMyToken } from '../services/account-service.ts';
import { SESSION_COOKIE } from '../services/auth-service.ts';

const TAG = 'Your account';

export const accountRoutes = [
  defineRoute({
    method: 'get',
    path: '/account/sessions',
    operationId: 'listMySessions',
    tag: TAG,
    summary: 'Your sign-in sessions that are still live, newest first, this one marked current',
    auth: 'user',
    responses: { 200: { description: 'Your sessions', schema: SessionList } },
    handler: async ({ deps, actor, req }) => ({
      body: {
        sessions: await listMySessions(
          deps.db,
          actor!,
          { idleMinutes: deps.config.sessionIdleMinutes, maxHours: deps.config.sessionMaxHours },
          cookieValue(req, SESSION_COOKIE) ?? null,
        ),
      },
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/account/sessions/:id',
    operationId: 'endMySession',
    tag: TAG,
    summary: 'End one of your sessions: that browser is signed out',
    auth: 'user',
    params: SessionParams,
    responses: { 204: { description: 'The session has ended' } },
    handler: async ({ deps, params, change }) => {
      await endMySession(deps.db, change(), params.id);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/account/sessions/end-others',
    operationId: 'endMyOtherSessions',
    tag: TAG,
    summary: 'End every session of yours but this one (with an API token: every session)',
    auth: 'user',
    responses: { 200: { description: 'How many sessions ended', schema: EndedSessions } },
    handler: async ({ deps, req, change }) => ({ body: { ended: await endMyOtherSessions(deps.db, change(), cookieValue(req, SESSION_COOKIE) ?? null) } }),
  }),
  defineRoute({
    method: 'get',
    path: '/account/tokens',
    operationId: 'listMyApiTokens',
    tag: TAG,
    summary: 'Your API tokens, without the tokens themselves',
    auth: 'user',
    responses: { 200: { description: 'Tokens, oldest first', schema: TokenList } },
    handler: async ({ deps, actor }) => ({ body: { tokens: await listMyTokens(deps.db, actor!) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/account/tokens',
    operationId: 'createMyApiToken',
    tag: TAG,
    summary: 'Create an API token for yourself: shown once, stored only as a hash (administrators and researchers, signed in)',
    description:
      'Send `{}` for a token that does not expire, or `{"expiresInDays": 90}`. Clinic and reviewer users get their tokens from an ' +
      'administrator (403). Only a signed-in browser may create one: a request with an API token is refused (403).',
    auth: 'user',
    permission: { need: 'ownTokens' },
    body: TokenCreate,
    responses: { 201: { description: 'The new token', schema: NewToken, headers: ['Location'] } },
    handler: async ({ deps, res, body, change }) => {
      const token = await createMyToken(deps.db, change(), body.expiresInDays, authenticatedBy(res) ?? 'session');
      return { status: 201, location: `/api/account/tokens/${token.id}`, body: token };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/account/tokens/:id',
    operationId: 'revokeMyApiToken',
    tag: TAG,
    summary: 'Revoke one of your API tokens',
    auth: 'user',
    params: OwnTokenParams,
    responses: { 200: { description: 'The revoked token', schema: TokenRecord } },
    handler: async ({ deps, params, change }) => ({ body: await revokeMyToken(deps.db, change(), params.id) }),
  }),
];
