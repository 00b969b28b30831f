// /api/auth: sign in with a password or a one-time link, sign out, who am I, and setting one's
// own password. A sign-in answers with the session cookie `smp_session`: HttpOnly, SameSite=Strict,
// Path=/, and Secure when the request came over HTTPS or SMP_PUBLIC_URL is https.
import type { Request, Response } from 'express';
import { authenticatedBy, cookieValue, isOwnOrigin } from '../http/authenticate.ts';
import { defineRoute, type RouteContext } from '../http/route.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { InviteBody, LinkBody, LinkInfo, Me, PasswordChange, SessionState, SignInBody } from '../schemas/users.ts';
import {
  acceptInvite,
  changePassword,
  describeLink,
  describeMe,
  redeemSignInLink,
  SESSION_COOKIE,
  signIn,
  signOut,
  type SignedIn,
  type SignInClient,
} from '../services/auth-service.ts';
import { DEVICE_COOKIE_PATH, deviceCookieName } from '../services/sign-in-guard.ts';

const cookieOptions = (req: Request, config: Config) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  secure: req.secure || (config.publicUrl?.startsWith('https:') ?? false),
});

/**
 * A browser's sign-in must come from our own pages, so that another site cannot sign a visitor
 * in as someone else. Scripts send no Origin and are let through.
 */
function refuseForeignOrigin(ctx: RouteContext<unknown, unknown, unknown>): void {
  const origin = ctx.req.get('origin');
  if (origin !== undefined && !isOwnOrigin(ctx.req, ctx.deps.config, origin)) {
    throw new AppError('forbidden', `sign-in must come from this site's own pages (Origin ${origin})`);
  }
}

/** The browser behind a sign-in: its device cookies, its User-Agent, and the time. */
export function clientOf(ctx: RouteContext<unknown, unknown, unknown>): SignInClient {
  return {
    deviceCookie: (username) => cookieValue(ctx.req, deviceCookieName(username)),
    userAgent: ctx.req.get('user-agent') ?? null,
    now: ctx.deps.clock(),
  };
}

/**
 * The device cookie that marks this browser as trusted for its user (api/services/sign-in-guard.ts):
 * sent only to the sign-in routes, for SMP_DEVICE_TRUST_DAYS.
 */
function setDeviceCookie(ctx: RouteContext<unknown, unknown, unknown>, device: SignedIn['device']): void {
  ctx.res.cookie(device.name, device.value, {
    ...cookieOptions(ctx.req, ctx.deps.config),
    path: DEVICE_COOKIE_PATH,
    maxAge: ctx.deps.config.deviceTrustDays * 86_400_000,
  });
}

/** Start the browser's session: the new cookie replaces (and ends) the one it had. */
async function startBrowserSession(ctx: RouteContext<unknown, unknown, unknown>, signedIn: SignedIn) {
  const previous = cookieValue(ctx.req, SESSION_COOKIE);
  if (previous !== undefined) await signOut(ctx.deps.db, previous);
  ctx.res.cookie(SESSION_COOKIE, signedIn.session, cookieOptions(ctx.req, ctx.deps.config));
  setDeviceCookie(ctx, signedIn.device);
  return { body: signedIn.me };
}

function clearSessionCookie(req: Request, res: Response, config: Config): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req, config));
}

const signedInResponse = { description: 'Signed in: the session cookie is set', schema: Me, headers: ['Set-Cookie' as const] };

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/auth/sign-in',
    operationId: 'signIn',
    tag: 'Sign-in',
    summary: 'Sign in with a username and password',
    description:
      'Sets the session cookie, and a device cookie that marks this browser as trusted for the user. Refused (401) alike ' +
      'for an unknown user and a wrong password. Repeated failures from untrusted browsers lock them out of the account ' +
      'for a while (even the right password is then refused); a trusted browser is held back only by its own failures. ' +
      'Failed attempts are also rate-limited per address, or per trusted browser (429).',
    auth: 'public',
    body: SignInBody,
    responses: { 200: signedInResponse },
    errors: [401, 403, 429],
    handler: async (ctx) => {
      refuseForeignOrigin(ctx);
      return startBrowserSession(ctx, await signIn(ctx.deps.db, ctx.deps.config, ctx.body, clientOf(ctx)));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/sign-out',
    operationId: 'signOut',
    tag: 'Sign-in',
    summary: 'Sign out: ends the session and clears its cookie',
    auth: 'public',
    responses: { 204: { description: 'Signed out', headers: ['Set-Cookie'] } },
    errors: [403],
    handler: async ({ deps, req, res }) => {
      const session = cookieValue(req, SESSION_COOKIE);
      if (session !== undefined) await signOut(deps.db, session);
      clearSessionCookie(req, res, deps.config);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/session',
    operationId: 'getSignInState',
    tag: 'Sign-in',
    summary: 'Whether this request is signed in: the user, or null (never 401, so a page can ask without an error)',
    auth: 'public',
    responses: { 200: { description: 'The signed-in user, or null', schema: SessionState } },
    handler: async ({ deps, actor, res }) => ({
      body: { me: actor ? await describeMe(deps.db, actor, authenticatedBy(res) ?? 'session') : null },
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/auth/me',
    operationId: 'getMe',
    tag: 'Sign-in',
    summary: 'Who you are: username, role and grants',
    auth: 'user',
    responses: { 200: { description: 'The signed-in user', schema: Me } },
    handler: async ({ deps, actor, res }) => ({ body: await describeMe(deps.db, actor!, authenticatedBy(res) ?? 'session') }),
  }),
  defineRoute({
    method: 'post',
    path: '/auth/password',
    operationId: 'changePassword',
    tag: 'Sign-in',
    summary: 'Set your password (with the current one, when you have one)',
    description:
      'Your other sessions end; this one stays. Your other browsers are no longer trusted for signing in (this one is). ' +
      'A wrong current password counts as a failed sign-in.',
    auth: 'user',
    body: PasswordChange,
    responses: { 204: { description: 'The password is set' } },
    errors: [403, 429],
    handler: async (ctx) => {
      const { deps, req, res, body, change } = ctx;
      const device = await changePassword(deps.db, deps.config, change(), cookieValue(req, SESSION_COOKIE) ?? null, body, clientOf(ctx));
      // The browser keeps its trust; every other browser of the user loses it.
      if (authenticatedBy(res) === 'session') setDeviceCookie(ctx, device);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/link-info',
    operationId: 'describeOneTimeLink',
    tag: 'Sign-in',
    summary: 'Whose one-time link this is and what it does, without using it',
    auth: 'public',
    body: LinkBody,
    responses: { 200: { description: 'The link works', schema: LinkInfo } },
    errors: [401, 429],
    handler: async ({ deps, body }) => ({ body: await describeLink(deps.db, body.link) }),
  }),
  defineRoute({
    method: 'post',
    path: '/auth/invite',
    operationId: 'acceptInvite',
    tag: 'Sign-in',
    summary: 'Accept an invite link: set your password and sign in',
    description: 'The link works once. Any other sessions of the user end.',
    auth: 'public',
    body: InviteBody,
    responses: { 200: signedInResponse },
    errors: [401, 403, 429],
    handler: async (ctx) => {
      refuseForeignOrigin(ctx);
      return startBrowserSession(ctx, await acceptInvite(ctx.deps.db, ctx.deps.config, ctx.body.link, ctx.body.password, ctx.requestId, clientOf(ctx)));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/sign-in-link',
    operationId: 'useSignInLink',
    tag: 'Sign-in',
    summary: 'Sign in with a one-time sign-in link (the first run prints one)',
    auth: 'public',
    body: LinkBody,
    responses: { 200: signedInResponse },
    errors: [401, 403, 429],
    handler: async (ctx) => {
      refuseForeignOrigin(ctx);
      return startBrowserSession(ctx, await redeemSignInLink(ctx.deps.db, ctx.deps.config, ctx.body.link, clientOf(ctx)));
    },
  }),
];
