// Calendar feeds of the worklist: a user's own secret address of an iCalendar file of the
// study's upcoming and due steps, for calendar applications that cannot send credentials. The
// secret is stored only as its SHA-256, works for this feed alone (it is no API token: an API
// route refuses it), is revocable, and acts with its user's current role and grants: a disabled
// user's feeds stop, a clinic's feed holds its own sites only, a reviewer's is de-identified.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/kysely.ts';
import { findUserById } from '../../db/repositories/user-repository.ts';
import { selectGrants } from '../../db/repositories/grant-repository.ts';
import { findLiveFeed, insertFeed, listFeeds, revokeFeed, touchFeed } from '../../db/repositories/worklist-repository.ts';
import { AppError } from '../errors.ts';
import { worklistIcs } from '../formats/worklist-ics.ts';
import { requireStudyScope, type Actor, type ChangeContext, type Role } from './access.ts';
import { recordChange } from './audit-service.ts';
import { worklistRows } from './worklist-service.ts';

/** Feed secrets start with this: recognisable in a leaked file, and unlike an API token's `smp_`. */
export const FEED_PREFIX = 'smpcal_';
/** The feed's path under the origin; the secret goes in its query. */
export const FEED_PATH = '/api/calendar/worklist.ics';

const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

export interface CalendarFeedRecord {
  id: number;
  study: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

function recordOf(row: { feed_id: number; study_code: string; created_at: string; last_used_at: string | null; revoked_at: string | null }): CalendarFeedRecord {
  return { id: row.feed_id, study: row.study_code, createdAt: iso(row.created_at)!, lastUsedAt: iso(row.last_used_at), revokedAt: iso(row.revoked_at) };
}

function requireUser(actor: Actor): number {
  if (actor.userId === null) throw new AppError('forbidden', 'a calendar feed belongs to a user: create it signed in as that user');
  return actor.userId;
}

/** A new feed of the caller's worklist in a study; its address (with the secret) is returned only now. */
export async function createFeed(db: Db, change: ChangeContext, studyCode: string, publicBase: string): Promise<CalendarFeedRecord & { url: string }> {
  const userId = requireUser(change.actor);
  requireStudyScope(change.actor, studyCode);
  const secret = FEED_PREFIX + randomBytes(32).toString('base64url');
  return db.transaction(async ({ kysely }) => {
    const row = await insertFeed(kysely, userId, studyCode, hashOf(secret));
    const record = recordOf(row);
    await recordChange(kysely, change, {
      action: 'create',
      entity: 'calendar_feed',
      key: `${change.actor.username}/calendar-feeds/${record.id}`,
      studyCode,
      before: null,
      after: { id: record.id, user: change.actor.username },
    });
    return { ...record, url: `${publicBase}${FEED_PATH}?token=${secret}` };
  });
}

/** The caller's feeds of a study, revoked ones included, without their secrets. */
export async function listOwnFeeds(db: Db, actor: Actor, studyCode: string): Promise<CalendarFeedRecord[]> {
  requireStudyScope(actor, studyCode);
  if (actor.userId === null) return [];
  return (await listFeeds(db.kysely, actor.userId, studyCode)).map(recordOf);
}

/** Revoke one of the caller's feeds of a study (404 for a feed that is not theirs). */
export async function revokeOwnFeed(db: Db, change: ChangeContext, studyCode: string, feedId: number): Promise<CalendarFeedRecord> {
  const userId = requireUser(change.actor);
  requireStudyScope(change.actor, studyCode);
  return db.transaction(async ({ kysely }) => {
    const row = await revokeFeed(kysely, userId, studyCode, feedId);
    if (!row) throw new AppError('not_found', `you have no calendar feed ${feedId} in study ${studyCode}`);
    const record = recordOf(row);
    await recordChange(kysely, change, {
      action: 'update',
      entity: 'calendar_feed',
      key: `${change.actor.username}/calendar-feeds/${record.id}`,
      studyCode,
      before: { id: record.id, revoked: false },
      after: { id: record.id, revoked: true },
    });
    return record;
  });
}

/**
 * The iCalendar document of a feed's secret: its user's worklist of upcoming and due steps in the
 * feed's study, as of today. 401 for an unknown or revoked secret or a disabled user; 404 when
 * the user no longer reaches the study.
 */
export async function feedCalendar(db: Db, secret: string, options: { timeZone?: string | undefined; now?: Date } = {}): Promise<{ study: string; ics: string }> {
  const feed = secret.startsWith(FEED_PREFIX) ? await findLiveFeed(db.kysely, hashOf(secret)) : undefined;
  if (!feed) throw new AppError('unauthorized', 'this calendar feed does not exist or has been revoked');
  const user = await findUserById(db.kysely, feed.user_id);
  if (!user) throw new AppError('unauthorized', 'this calendar feed does not exist or has been revoked');
  const actor: Actor = {
    userId: feed.user_id,
    username: feed.username,
    role: feed.role as Role,
    grants: (await selectGrants(db.kysely, feed.user_id)).map((g) => ({ studyCode: g.study_code, siteCode: g.site_code })),
  };
  const { items } = await worklistRows(db, feed.study_code, { actor, status: ['due', 'upcoming'], timeZone: options.timeZone });
  if (feed.stale_last_use) await touchFeed(db.kysely, feed.feed_id);
  return { study: feed.study_code, ics: worklistIcs(feed.study_code, items, options.now ?? new Date()) };
}
