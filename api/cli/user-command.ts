// `smp user …`: users, their access and API tokens, from the command line, which acts as an
// administrator. Links point at SMP_PUBLIC_URL, or else at HOST and PORT. A new token is printed
// alone on the last line of stdout, so that a script can take it with `tail -n 1`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { UsageError, withDb } from './cli-support.ts';
import { configFromEnv } from '../config.ts';
import { AppError } from '../errors.ts';
import { FullName } from '../schemas/sign-off.ts';
import { GrantInput, RoleField, Username, type GrantRecord, type OneTimeLink, type UserRecord } from '../schemas/users.ts';
import { commandLineActor, commandLineChange, type Role } from '../services/access.ts';
import { serverHolding } from '../../db/data-dir-lock.ts';
import { publicBaseUrl } from '../services/sign-in-links.ts';
import {
  changeAccess,
  createToken,
  createUser,
  getUser,
  listTokens,
  listUsers,
  reinviteUser,
  revokeToken,
  updateUser,
} from '../services/user-service.ts';

const SUBCOMMANDS = ['add', 'list', 'grant', 'revoke', 'enable', 'invite', 'token', 'tokens'] as const;

/** Parse with the order of options kept, so that each --site pairs with the --study before it. */
function parseOrdered<const O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true; tokens: true }>({
      args,
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A value checked by a zod schema, or exit 2 with its message. */
function checked<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('validation', `${what}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
}

function oneName(positionals: string[], subcommand: string): string {
  if (positionals.length !== 1) throw new UsageError(`user ${subcommand} needs exactly one user NAME`);
  return checked(Username, positionals[0], 'NAME');
}

/** The --study/--site pairs, in the order given: each --site belongs to the --study before it. */
function grantsOf(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | boolean | undefined }> | undefined): GrantInput[] {
  const pairs: Array<{ study: string; site?: string }> = [];
  let current: { study: string; sited: boolean } | undefined;
  for (const token of tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (token.name === 'study') {
      if (current && !current.sited) pairs.push({ study: current.study });
      current = { study: String(token.value), sited: false };
    } else if (token.name === 'site') {
      if (!current) throw new UsageError('--site must follow the --study it belongs to');
      pairs.push({ study: current.study, site: String(token.value) });
      current.sited = true;
    }
  }
  if (current && !current.sited) pairs.push({ study: current.study });
  return pairs.map((pair) => checked(GrantInput, pair, pair.site === undefined ? `--study ${pair.study}` : `--study ${pair.study} --site ${pair.site}`));
}

const grantText = (g: GrantRecord) => (g.site === null ? g.study : `${g.study}/${g.site}`);
const utc = (iso: string) => iso.replace('T', ' ').replace('Z', ' UTC');

function accessText(user: UserRecord): string {
  if (user.role === 'admin') return 'every study';
  return user.grants.length === 0 ? 'no studies' : user.grants.map(grantText).join(', ');
}

function statusText(user: UserRecord): string {
  if (user.disabledAt !== null) return `disabled since ${utc(user.disabledAt)}`;
  if (user.lockedUntil !== null) return `locked until ${utc(user.lockedUntil)}`;
  return user.passwordSet ? 'active' : 'invited';
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

function printLink(username: string, link: OneTimeLink, usesPublicUrl: boolean): void {
  if (!usesPublicUrl) console.error(`note: the link points at ${new URL(link.url).origin}; set SMP_PUBLIC_URL to the address users open`);
  console.log(`invite link for ${username}: it works once, until ${utc(link.expiresAt)}, and sets their password:`);
  console.log(link.url);
}

export async function runUserCommand(args: string[]): Promise<void> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || !(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    throw new UsageError(subcommand === undefined ? 'user needs a command: add, list, grant, revoke, enable, invite, token or tokens' : `unknown user command "${subcommand}"`);
  }
  const config = configFromEnv();
  // Beside a server on the embedded database, links point at that server's address.
  const server = config.publicUrl === undefined && !config.databaseUrl ? serverHolding(config.dataDir) : null;
  const baseUrl = server?.url ? server.url.replace(/\/+$/, '') : publicBaseUrl(config);
  const usesPublicUrl = config.publicUrl !== undefined;
  const change = commandLineChange();
  const actor = commandLineActor();

  switch (subcommand) {
    case 'add': {
      const { positionals, values, tokens } = parseOrdered(rest, {
        role: { type: 'string' },
        study: { type: 'string' },
        site: { type: 'string' },
        'full-name': { type: 'string' },
        'may-sign': { type: 'boolean' },
      });
      const username = oneName(positionals, 'add');
      if (values.role === undefined) throw new UsageError('user add needs --role admin|researcher|clinic|reviewer');
      const role: Role = checked(RoleField, values.role, '--role');
      const grants = grantsOf(tokens);
      const fullName = values['full-name'] === undefined ? null : checked(FullName, values['full-name'], '--full-name');
      await withDb(async (db) => {
        const created = await createUser(db, change, { username, role, grants, fullName, maySign: values['may-sign'] === true }, baseUrl);
        console.log(`created user ${username} (${role}; ${accessText(created.user)})`);
        printLink(username, created.invite, usesPublicUrl);
      });
      return;
    }
    case 'list': {
      if (rest.length > 0) throw new UsageError(`user list takes no arguments (got "${rest[0]}")`);
      await withDb(async (db) => {
        const users = await listUsers(db, actor);
        if (users.length === 0) {
          console.log('no users (smp serve creates the administrator "admin" on its first run; or smp user add NAME --role ROLE)');
          return;
        }
        printTable(
          ['USERNAME', 'ROLE', 'STATUS', 'TOKENS', 'ACCESS'],
          users.map((u) => [u.username, u.role, statusText(u), String(u.activeTokens), accessText(u)]),
        );
      });
      return;
    }
    case 'grant': {
      const { positionals, values, tokens } = parseOrdered(rest, {
        role: { type: 'string' },
        study: { type: 'string' },
        site: { type: 'string' },
        'full-name': { type: 'string' },
        'may-sign': { type: 'boolean' },
        'no-sign': { type: 'boolean' },
      });
      const username = oneName(positionals, 'grant');
      const role = values.role === undefined ? undefined : checked(RoleField, values.role, '--role');
      const grants = grantsOf(tokens);
      if (values['may-sign'] && values['no-sign']) throw new UsageError('give --may-sign or --no-sign, not both');
      const signing = {
        ...(values['full-name'] === undefined ? {} : { fullName: checked(FullName, values['full-name'], '--full-name') }),
        ...(values['may-sign'] ? { maySign: true } : values['no-sign'] ? { maySign: false } : {}),
      };
      if (role === undefined && grants.length === 0 && Object.keys(signing).length === 0) {
        throw new UsageError('user grant needs --study CODE [--site CODE], --role ROLE, --full-name TEXT or --may-sign/--no-sign');
      }
      await withDb(async (db) => {
        if (Object.keys(signing).length > 0) await updateUser(db, change, username, signing, null);
        if (role === undefined && grants.length === 0) {
          const user = await getUser(db, actor, username);
          console.log(`${username} (${user.role}): full name ${user.fullName === null ? '(none)' : `"${user.fullName}"`}; ${user.maySign ? 'may sign' : 'does not sign'}`);
          return;
        }
        const { user, granted } = await changeAccess(db, change, username, { role, grant: grants });
        const unchanged = grants.length - granted;
        console.log(`${username} (${user.role}): ${accessText(user)}${unchanged > 0 ? ` (${unchanged} grant${unchanged === 1 ? ' was' : 's were'} there already)` : ''}`);
      });
      return;
    }
    case 'revoke': {
      const { positionals, values, tokens } = parseOrdered(rest, {
        study: { type: 'string' },
        site: { type: 'string' },
        token: { type: 'string' },
        all: { type: 'boolean' },
      });
      const username = oneName(positionals, 'revoke');
      const grants = grantsOf(tokens).map((g): GrantRecord => ({ study: g.study, site: g.site ?? null }));
      const kinds = [grants.length > 0, values.token !== undefined, values.all === true].filter(Boolean).length;
      if (kinds !== 1) {
        throw new UsageError('user revoke needs one of: --study CODE [--site CODE]… (grants), --token ID (an API token), or --all (disable the user)');
      }
      await withDb(async (db) => {
        if (values.all) {
          const before = await getUser(db, actor, username);
          await updateUser(db, change, username, { disabled: true }, null);
          console.log(`disabled ${username}: signed out everywhere, ${before.activeTokens} API token${before.activeTokens === 1 ? '' : 's'} revoked, unused links ended`);
        } else if (values.token !== undefined) {
          if (!/^[1-9]\d{0,9}$/.test(values.token)) throw new UsageError(`--token must be a token number from smp user tokens ${username} (got "${values.token}")`);
          const token = await revokeToken(db, change, username, Number(values.token));
          console.log(`revoked API token ${token.id} of ${username}`);
        } else {
          const { user } = await changeAccess(db, change, username, { revoke: grants });
          console.log(`${username} (${user.role}): ${accessText(user)}`);
        }
      });
      return;
    }
    case 'enable': {
      const username = oneName(parseOrdered(rest, {}).positionals, 'enable');
      await withDb(async (db) => {
        const user = await updateUser(db, change, username, { disabled: false, unlock: true }, null);
        console.log(`enabled ${username} (${user.role}; ${statusText(user)})${user.passwordSet ? '' : `; smp user invite ${username} gives them a link to set a password`}`);
      });
      return;
    }
    case 'invite': {
      const username = oneName(parseOrdered(rest, {}).positionals, 'invite');
      await withDb(async (db) => printLink(username, await reinviteUser(db, change, username, baseUrl), usesPublicUrl));
      return;
    }
    case 'token': {
      const { positionals, values } = parseOrdered(rest, { expires: { type: 'string' } });
      const username = oneName(positionals, 'token');
      let days: number | null = null;
      if (values.expires !== undefined) {
        days = Number(values.expires);
        if (!/^\d+$/.test(values.expires) || days < 1 || days > 3650) throw new UsageError(`--expires must be a whole number of days from 1 to 3650 (got "${values.expires}")`);
      }
      await withDb(async (db) => {
        const token = await createToken(db, change, username, days);
        const expiry = token.expiresAt === null ? 'does not expire' : `expires ${utc(token.expiresAt)}`;
        console.log(`API token ${token.id} for ${username} (${expiry}); it is shown only now. Send it as Authorization: Bearer <token>`);
        console.log(token.token);
      });
      return;
    }
    case 'tokens': {
      const username = oneName(parseOrdered(rest, {}).positionals, 'tokens');
      await withDb(async (db) => {
        const tokens = await listTokens(db, actor, username);
        if (tokens.length === 0) {
          console.log(`${username} has no API tokens (smp user token ${username} creates one)`);
          return;
        }
        printTable(
          ['ID', 'CREATED', 'EXPIRES', 'LAST USED', 'STATE'],
          tokens.map((t) => [
            String(t.id),
            utc(t.createdAt),
            t.expiresAt === null ? 'never' : utc(t.expiresAt),
            t.lastUsedAt === null ? '-' : utc(t.lastUsedAt),
            t.revokedAt !== null ? `revoked ${utc(t.revokedAt)}` : t.active ? 'active' : 'expired',
          ]),
        );
      });
      return;
    }
  }
}
