// Survey links: one-time, expiring addresses on which a participant answers a satisfaction survey
// from their phone. The secret travels in the address's fragment (never sent to a server by a
// browser) and is stored only as its SHA-256. It opens this one survey and nothing else: it is no
// API token, reads no participant code or record, and works once. The answer goes through the
// same write path and rules as a survey typed by staff, dated on the day of the answer in the
// study's time zone, and is audited with the actor `participant-link:<id>`. The link is marked
// used in the same transaction, with its row locked, so two answers at once write one survey.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Db, DbTransaction } from '../../db/kysely.ts';
import { findParticipant } from '../../db/repositories/participant-repository.ts';
import { findStudyByCode, type StudyRow } from '../../db/repositories/study-repository.ts';
import {
  findSurveyLinkByHash,
  insertSurveyLink,
  listSurveyLinks,
  markSurveyLinkUsed,
  revokeSiblingLinks,
  revokeSurveyLink,
  type SurveyLinkRow,
  type SurveyLinkWithOwner,
} from '../../db/repositories/survey-link-repository.ts';
import { AppError } from '../errors.ts';
import { todayIn } from '../schemas/today.ts';
import {
  SURVEY_LANGUAGES,
  SURVEY_LINK_PREFIX,
  SURVEY_PAGE_PATH,
  type NewSurveyLink,
  type NewSurveyLinkBody,
  type SurveyAnswerBody,
  type SurveyLinkInfo,
  type SurveyLinkRecord,
} from '../schemas/survey-links.ts';
import { participantNotFound, reachesSite, requirePermission, requireStudyScope, studyNotFound, type Actor, type ChangeContext } from './access.ts';
import { recordChange } from './audit-service.ts';
import { createRecord } from './record-service.ts';

const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();
const MS_PER_DAY = 86_400_000;

/** The audit trail's name for a participant answering through a link. */
export const linkActorName = (linkId: number) => `participant-link:${linkId}`;

export function surveyLinkUrl(baseUrl: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${SURVEY_PAGE_PATH}#${secret}`;
}

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

function recordOf(row: SurveyLinkRow): SurveyLinkRecord {
  return {
    id: row.link_id,
    visit: row.visit_code,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at)!,
    usedAt: iso(row.used_at),
    revokedAt: iso(row.revoked_at),
    survey: row.survey_no,
  };
}

/** The study and participant a staff member names, in their scope and allowed to write, or 404/403. */
async function writableParticipant(kysely: Kysely<Database>, actor: Actor, studyCode: string, participantCode: string) {
  const scope = requireStudyScope(actor, studyCode);
  requirePermission(scope, 'writeParticipants', 'create or revoke survey links');
  const study = await findStudyByCode(kysely, studyCode);
  if (!study) throw studyNotFound(studyCode);
  const participant = await findParticipant(kysely, study.study_id, participantCode);
  if (!participant || !reachesSite(scope, participant.site_code)) throw participantNotFound(participantCode);
  return { study, participant };
}

/** The visit a link is for: one of the protocol's scheduled visits that expects a survey. */
function checkedVisit(study: StudyRow, visit: string | undefined): string | null {
  if (visit === undefined) return null;
  const visits = study.visits ?? [];
  const found = visits.find((v) => v.code === visit);
  if (!found) {
    const known = visits.map((v) => v.code);
    throw new AppError('validation', `study ${study.code} has no scheduled visit ${visit}`, [
      { path: 'visit', message: known.length === 0 ? 'the study schedules no visits' : `must be one of ${known.join(', ')}` },
    ]);
  }
  if (!found.expects.includes('survey')) {
    throw new AppError('validation', `visit ${visit} of study ${study.code} expects no survey`, [
      { path: 'visit', message: `expects ${found.expects.join(' and ')} only, not a survey` },
    ]);
  }
  return visit;
}

/**
 * A new link for one participant's survey, working for the study's link lifetime. Refused for a
 * withdrawn participant. Its address, with the secret, is returned only now.
 */
/** The secret of a new link, its hash to store, and its expiry for the study's link lifetime. */
export function newLinkSecret(linkDays: number, now: Date): { secret: string; hash: Buffer; expiresAt: Date } {
  const secret = SURVEY_LINK_PREFIX + randomBytes(32).toString('base64url');
  return { secret, hash: hashOf(secret), expiresAt: new Date(now.getTime() + linkDays * MS_PER_DAY) };
}

export async function createSurveyLink(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  participantCode: string,
  body: NewSurveyLinkBody,
  baseUrl: string,
  now: Date,
): Promise<NewSurveyLink> {
  return db.transaction(async ({ kysely }) => {
    const { study, participant } = await writableParticipant(kysely, change.actor, studyCode, participantCode);
    if (participant.withdrawn_on !== null) {
      throw new AppError('conflict', `participant ${participantCode} withdrew on ${participant.withdrawn_on}: no survey link can be made`, [
        { path: 'participant', message: `withdrew on ${participant.withdrawn_on}` },
      ]);
    }
    const visitCode = checkedVisit(study, body.visit);
    const secret = SURVEY_LINK_PREFIX + randomBytes(32).toString('base64url');
    const row = await insertSurveyLink(kysely, {
      studyId: study.study_id,
      participantNo: participant.participant_no,
      visitCode,
      linkHash: hashOf(secret),
      createdBy: change.actor.userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + study.survey_link_days * MS_PER_DAY),
    });
    await recordChange(kysely, change, {
      action: 'create',
      entity: 'survey_link',
      key: `${participantCode}/survey-links/${row.link_id}`,
      studyCode,
      siteCodes: [participant.site_code],
      participantCode,
      before: null,
      after: { id: row.link_id, visit: visitCode, expiresAt: iso(row.expires_at) },
    });
    return { id: row.link_id, url: surveyLinkUrl(baseUrl, secret), expiresAt: iso(row.expires_at)! };
  });
}

/** A participant's links, newest last, without their secrets. */
export async function listParticipantSurveyLinks(db: Db, actor: Actor, studyCode: string, participantCode: string): Promise<SurveyLinkRecord[]> {
  const { study, participant } = await writableParticipant(db.kysely, actor, studyCode, participantCode);
  return (await listSurveyLinks(db.kysely, study.study_id, participant.participant_no)).map(recordOf);
}

/** Revoke a participant's link: it stops working at once (410). */
export async function revokeParticipantSurveyLink(
  db: Db,
  change: ChangeContext,
  studyCode: string,
  participantCode: string,
  linkId: number,
  now: Date,
): Promise<SurveyLinkRecord> {
  return db.transaction(async ({ kysely }) => {
    const { study, participant } = await writableParticipant(kysely, change.actor, studyCode, participantCode);
    const revoked = await revokeSurveyLink(kysely, study.study_id, participant.participant_no, linkId, now);
    if (!revoked) throw new AppError('not_found', `participant ${participantCode} has no survey link ${linkId}`);
    if (revoked.changed) {
      await recordChange(kysely, change, {
        action: 'update',
        entity: 'survey_link',
        key: `${participantCode}/survey-links/${linkId}`,
        studyCode,
        siteCodes: [participant.site_code],
        participantCode,
        before: { id: linkId, revoked: false },
        after: { id: linkId, revoked: true },
      });
    }
    return recordOf(revoked.row);
  });
}

/** Why a link no longer works, in words a participant reads; null while it works. */
export type LinkRefusal = 'used' | 'expired' | 'revoked' | 'withdrawn';

function refusalOf(link: SurveyLinkWithOwner, now: Date): LinkRefusal | null {
  if (link.used_at !== null) return 'used';
  if (link.revoked_at !== null) return 'revoked';
  if (link.withdrawn_on !== null) return 'withdrawn';
  if (new Date(link.expires_at).getTime() <= now.getTime()) return 'expired';
  return null;
}

const REFUSAL_MESSAGES: Record<LinkRefusal, string> = {
  used: 'this survey link has already been used: the answer was received',
  expired: 'this survey link has expired',
  revoked: 'this survey link has been withdrawn by the clinic',
  withdrawn: 'this survey link no longer works',
};

function gone(reason: LinkRefusal): AppError {
  return new AppError('gone', REFUSAL_MESSAGES[reason], [], { extra: { reason } });
}

const unknownLink = () => new AppError('not_found', 'this survey link does not exist: check that the whole address was opened');

async function liveLink(kysely: Kysely<Database>, secret: string, now: Date, lock: boolean): Promise<SurveyLinkWithOwner> {
  const link = secret.startsWith(SURVEY_LINK_PREFIX) ? await findSurveyLinkByHash(kysely, hashOf(secret), lock) : undefined;
  if (!link) throw unknownLink();
  const refusal = refusalOf(link, now);
  if (refusal !== null) throw gone(refusal);
  return link;
}

/** What the participant's page shows before the answer: the study's title, and nothing of the participant. */
export async function openSurveyLink(db: Db, secret: string, now: Date): Promise<SurveyLinkInfo> {
  const link = await liveLink(db.kysely, secret, now, false);
  return { studyTitle: link.study_title, expiresAt: iso(link.expires_at)!, languages: [...SURVEY_LANGUAGES] };
}

/**
 * A database whose transactions run inside `outer`: the survey write joins the transaction that
 * holds the link, so the survey and the link's use commit together or not at all.
 */
function within(db: Db, outer: DbTransaction): Db {
  return { ...db, kysely: outer.kysely, transaction: async (work) => work(outer) };
}

/** Record the participant's answer as a survey dated today in the study's time zone; the link is then used. */
export async function answerSurveyLink(
  db: Db,
  answer: SurveyAnswerBody,
  options: { now: Date; timeZone: string | undefined; requestId: string | null },
): Promise<{ date: string }> {
  return db.transaction(async (outer) => {
    const link = await liveLink(outer.kysely, answer.link, options.now, true);
    const change: ChangeContext = {
      actor: {
        userId: null,
        username: linkActorName(link.link_id),
        role: 'clinic',
        grants: [{ studyCode: link.study_code, siteCode: link.site_code }],
      },
      reason: 'answered by the participant through a survey link',
      requestId: options.requestId,
    };
    const date = todayIn(options.timeZone, options.now);
    const created = await createRecord(within(db, outer), change, link.study_code, link.participant_code, 'surveys', {
      date,
      satisfaction: answer.satisfaction,
      wouldRecommend: answer.wouldRecommend,
    });
    await markSurveyLinkUsed(outer.kysely, link.link_id, created.no!, answer.language, options.now);
    if (link.visit_code !== null) {
      const visit = { studyId: link.study_id, participantNo: link.participant_no, visitCode: link.visit_code, linkId: link.link_id };
      await revokeSiblingLinks(outer.kysely, visit, options.now);
    }
    return { date };
  });
}
