// The first run: a new installation has no users, so `smp serve` creates the administrator
// `admin` and prints a one-time sign-in link, the way Jupyter prints its token URL. Until an
// administrator has set a password, each start prints a fresh link (the older one stops working),
// so a restart never locks the operator out.
import type { Db } from '../../db/kysely.ts';
import { countUsers, findUser, insertUser, listEnabledAdmins, lockUserAdministration } from '../../db/repositories/user-repository.ts';
import type { OneTimeLink } from '../schemas/users.ts';
import { commandLineChange } from './access.ts';
import { recordChange } from './audit-service.ts';
import { userSnapshot } from './auth-service.ts';
import { issueLink } from './sign-in-links.ts';

export const FIRST_ADMIN = 'admin';

export interface FirstRunLink {
  username: string;
  /** True when this start created the user. */
  created: boolean;
  link: OneTimeLink;
}

/**
 * With no users, create `admin` and a sign-in link for it; with administrators of whom none has
 * set a password yet, a new sign-in link for the oldest. Otherwise nothing (null).
 */
export async function ensureFirstRunAdmin(db: Db, baseUrl: string): Promise<FirstRunLink | null> {
  return db.transaction(async ({ kysely: trx }) => {
    // Two servers starting on one new database create one administrator between them.
    await lockUserAdministration(trx);
    if ((await countUsers(trx)) === 0) {
      const userId = await insertUser(trx, FIRST_ADMIN, 'admin');
      const user = (await findUser(trx, FIRST_ADMIN))!;
      await recordChange(trx, commandLineChange('first run: the database had no users'), {
        action: 'create',
        entity: 'user',
        key: FIRST_ADMIN,
        studyCode: null,
        before: null,
        after: userSnapshot(user),
      });
      return { username: FIRST_ADMIN, created: true, link: await issueLink(trx, userId, 'sign-in', baseUrl) };
    }
    const admins = await listEnabledAdmins(trx);
    if (admins.length === 0 || admins.some((admin) => admin.password_set)) return null;
    const first = (await findUser(trx, admins[0]!.username))!;
    const link = await issueLink(trx, first.user_id, 'sign-in', baseUrl);
    await recordChange(trx, commandLineChange('start without an administrator password: new sign-in link'), {
      action: 'update',
      entity: 'user',
      key: first.username,
      studyCode: null,
      before: userSnapshot(first),
      after: { ...userSnapshot(first), signInLinkExpiresAt: link.expiresAt },
    });
    return { username: first.username, created: false, link };
  });
}

/** What `smp serve` prints about the first run. */
export function firstRunMessage(firstRun: FirstRunLink): string {
  const what = firstRun.created
    ? `No users yet: created the administrator "${firstRun.username}".`
    : `No administrator has set a password yet.`;
  return [
    `${what} To sign in as ${firstRun.username}, open this one-time link (valid until ${firstRun.link.expiresAt.replace('T', ' ').replace('Z', ' UTC')}):`,
    `    ${firstRun.link.url}`,
    'It works once; then choose a password. (Until an administrator has one, each start prints a new link.)',
  ].join('\n');
}
