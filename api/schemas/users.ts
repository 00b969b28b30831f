// Shapes of users, their grants and API tokens, sign-in and one-time links: one definition each
// for the HTTP API, the `smp user` command and the OpenAPI document.
import { z } from 'zod';
import { ROLES } from './roles.ts';
import { AUDIT_CURSOR } from './audit.ts';
import { cursorCheck } from './cursor.ts';
import { isoDate, searchText } from './fields.ts';
import { PageQuery } from './records.ts';
import { FullName } from './sign-off.ts';

/** The shortest password accepted: NIST SP 800-63B-4 asks 15 characters of a password used alone. */
export const PASSWORD_MIN_LENGTH = 15;
export const PASSWORD_MAX_LENGTH = 256;
/** The password rule in words, as the pages state it before the first try. */
export const PASSWORD_RULE = `At least ${PASSWORD_MIN_LENGTH} characters, and not your username, a common password or a keyboard pattern: a few unrelated words make a good one`;

export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid username (1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit)`,
  })
  .describe('Username: lower-case letters, digits, ".", "_" and "-"');

export const RoleField = z
  .enum(ROLES, { error: (issue) => `${JSON.stringify(issue.input)} is not a role: use admin, researcher, clinic or reviewer` })
  .describe('admin: everything; researcher: read and write the granted studies; clinic: the granted sites; reviewer: read only, de-identified');

/**
 * A password as typed. Length is counted in characters (code points) after Unicode NFKC
 * normalisation, which is also what is hashed, so that the same password typed on another
 * keyboard still matches.
 */
export const NewPassword = z
  .string()
  .check((ctx) => {
    const length = [...ctx.value.normalize('NFKC')].length;
    if (length < PASSWORD_MIN_LENGTH) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `is too short: at least ${PASSWORD_MIN_LENGTH} characters (it has ${length}); a few words make a good password`,
      });
    } else if (length > PASSWORD_MAX_LENGTH) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `must have at most ${PASSWORD_MAX_LENGTH} characters` });
    } else if (ctx.value.includes('\u0000') || !ctx.value.isWellFormed()) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: 'contains a character that cannot be used (NUL or a lone surrogate)' });
    }
  })
  .describe(`${PASSWORD_RULE} (checked by the server)`);

const studyCode = z
  .string()
  .regex(/^[A-Z0-9-]{2,32}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a study code` })
  .describe('Study code');
const siteCode = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a site code` })
  .describe('Site code');

export const GrantInput = z
  .strictObject({
    study: studyCode,
    site: siteCode.nullable().optional().describe('One site of the study (clinic users); absent or null: the whole study'),
  })
  .meta({ id: 'GrantInput' });
export type GrantInput = z.output<typeof GrantInput>;

export const GrantRecord = z
  .object({ study: z.string(), site: z.string().nullable().describe('null: every site of the study') })
  .meta({ id: 'Grant' });
export type GrantRecord = z.output<typeof GrantRecord>;

export const UserRecord = z
  .object({
    username: z.string(),
    role: z.enum(ROLES),
    grants: z.array(GrantRecord).describe('Studies (and sites) the user reaches; administrators reach every study'),
    passwordSet: z.boolean().describe('false until the user sets a password on their invite link'),
    lockedUntil: z.string().nullable().describe('Locked after repeated failed sign-ins until this time, UTC; null when not locked'),
    disabledAt: z.string().nullable().describe('When the user was disabled, UTC; null when enabled'),
    createdAt: z.string(),
    activeTokens: z.int().describe('API tokens that are neither revoked nor expired'),
    fullName: z.string().nullable().describe('The full name their signatures show; null until set'),
    maySign: z.boolean().describe("The signing right: may sign participants' casebooks (not reviewers)"),
    version: z.string().describe('Send as If-Match to change the user'),
  })
  .meta({ id: 'User' });
export type UserRecord = z.output<typeof UserRecord>;

export const UserList = z.object({ users: z.array(UserRecord) }).meta({ id: 'UserList' });

export const UserCreate = z
  .strictObject({
    username: Username,
    role: RoleField,
    grants: z.array(GrantInput).max(1000).default([]).describe('Studies (and, for clinic users, sites) to grant'),
    fullName: FullName.nullable().default(null),
    maySign: z.boolean({ error: 'must be true or false' }).default(false).describe("The signing right (needs a full name; not for reviewers)"),
  })
  .meta({ id: 'UserCreate' });
export type UserCreate = z.output<typeof UserCreate>;

export const UserPatch = z
  .strictObject({
    role: RoleField.optional(),
    disabled: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('true disables the user and revokes their sessions, tokens and links; false enables them again'),
    unlock: z.literal(true, { error: 'must be true' }).optional().describe('true ends a lock after failed sign-ins now'),
    fullName: FullName.nullable().optional(),
    maySign: z.boolean({ error: 'must be true or false' }).optional().describe("The signing right (needs a full name; not for reviewers)"),
  })
  .describe('JSON merge patch (RFC 7386) of a user')
  .meta({ id: 'UserPatch' });
export type UserPatch = z.output<typeof UserPatch>;

export const OneTimeLink = z
  .object({
    url: z.string().describe('The link; the secret is in the fragment, which browsers never send to a server'),
    purpose: z.enum(['invite', 'sign-in']).describe('invite: the user sets a password; sign-in: signs in without one'),
    expiresAt: z.string(),
  })
  .meta({ id: 'OneTimeLink' });
export type OneTimeLink = z.output<typeof OneTimeLink>;

export const UserCreated = z
  .object({ user: UserRecord, invite: OneTimeLink.describe('Send this to the user: it works once') })
  .meta({ id: 'UserCreated' });

export const TokenCreate = z
  .strictObject({
    expiresInDays: z.int({ error: 'must be a whole number of days' }).min(1).max(3650).nullable().default(null)
      .describe('Days until the token expires (1–3,650); null or absent: it does not expire'),
  })
  .meta({ id: 'TokenCreate' });

export const TokenRecord = z
  .object({
    id: z.int(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe('Last use, to within a minute'),
    revokedAt: z.string().nullable(),
    active: z.boolean().describe('Neither revoked nor expired'),
  })
  .meta({ id: 'ApiToken' });
export type TokenRecord = z.output<typeof TokenRecord>;

export const TokenList = z.object({ tokens: z.array(TokenRecord) }).meta({ id: 'ApiTokenList' });

export const NewToken = TokenRecord.extend({
  token: z.string().describe('The token: shown only now, stored only as a hash. Send as Authorization: Bearer …'),
}).meta({ id: 'NewApiToken' });
export type NewToken = z.output<typeof NewToken>;

export const UserParams = z.strictObject({ username: Username });
export const TokenParams = UserParams.extend({
  id: z.string().regex(/^[1-9]\d{0,9}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a token number` }).transform(Number),
});
export const StudyGrantParams = UserParams.extend({ study: studyCode });
export const SiteGrantParams = StudyGrantParams.extend({ site: siteCode });

export const USER_AUDIT_ENTITIES = ['user', 'grant', 'api_token', 'session'] as const;

export const UserAuditQuery = PageQuery.extend({
  entity: z.enum(USER_AUDIT_ENTITIES).optional().describe('Only changes of users, grants, API tokens or sign-in sessions'),
  user: searchText(64).optional().describe('Only changes made by this user'),
  from: isoDate.optional().describe('Changes on or after this day (UTC)'),
  to: isoDate.optional().describe('Changes on or before this day (UTC)'),
}).superRefine(cursorCheck(() => AUDIT_CURSOR));
export type UserAuditQuery = z.output<typeof UserAuditQuery>;

// Sign-in.

export const SignInBody = z
  .strictObject({
    username: z.string().min(1).max(64).describe('Username (compared in lower case)'),
    password: z.string().min(1).max(1024),
  })
  .meta({ id: 'SignIn' });

export const LinkSecret = z
  .string()
  .regex(/^[A-Za-z0-9_-]{20,100}$/, { error: 'is not a link from this server: copy the whole link' })
  .describe('The secret after `#invite=` or `#sign-in=` in the link');

export const LinkBody = z.strictObject({ link: LinkSecret }).meta({ id: 'OneTimeLinkSecret' });
export const InviteBody = z.strictObject({ link: LinkSecret, password: NewPassword }).meta({ id: 'AcceptInvite' });

export const LinkInfo = z
  .object({
    username: z.string(),
    purpose: z.enum(['invite', 'sign-in']),
    expiresAt: z.string(),
  })
  .meta({ id: 'OneTimeLinkInfo' });

export const PasswordChange = z
  .strictObject({
    currentPassword: z.string().min(1).max(1024).optional().describe('Required when the user has a password already'),
    newPassword: NewPassword,
  })
  .meta({ id: 'PasswordChange' });

export const Me = z
  .object({
    username: z.string(),
    role: z.enum(ROLES),
    grants: z.array(GrantRecord),
    passwordSet: z.boolean().describe('false: signed in with a one-time link and no password chosen yet'),
    via: z.enum(['session', 'token']).describe('How this request was authenticated'),
  })
  .meta({ id: 'Me' });
export type Me = z.output<typeof Me>;

export const SessionState = z
  .object({ me: Me.nullable().describe('null: not signed in (no session, or it has ended)') })
  .meta({ id: 'SessionState' });

// Your account.

export const SessionRecord = z
  .object({
    id: z.int().describe('The session number: end it with DELETE /api/account/sessions/{id}'),
    createdAt: z.string().describe('When it signed in, UTC'),
    lastSeenAt: z.string().describe('Its last request, UTC, to within a minute'),
    userAgent: z.string().nullable().describe('The browser it signed in from (its User-Agent), if it said'),
    current: z.boolean().describe('The session of this request'),
  })
  .meta({ id: 'SignInSession' });
export type SessionRecord = z.output<typeof SessionRecord>;

export const SessionList = z.object({ sessions: z.array(SessionRecord).describe('Live sessions, newest first') }).meta({ id: 'SignInSessionList' });

export const SessionParams = z.strictObject({
  id: z.string().regex(/^[1-9]\d{0,9}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a session number` }).transform(Number),
});
export const OwnTokenParams = z.strictObject({
  id: z.string().regex(/^[1-9]\d{0,9}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a token number` }).transform(Number),
});

export const EndedSessions = z.object({ ended: z.int().describe('How many sessions ended') }).meta({ id: 'EndedSessions' });
