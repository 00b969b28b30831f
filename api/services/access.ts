// Who is acting and what they may reach. Every service that reads or writes study data asks
// here first; the answer decides 404 (out of scope: existence must not leak), 403 (in scope,
// but the role may not do this) or which sites and which view (de-identified) apply. The HTTP
// layer's checks before a body is read (api/http/authorize.ts) come from here too: it is the one
// service module that layer imports.
import os from 'node:os';
import type { Db } from '../../db/kysely.ts';
import { findParticipant } from '../../db/repositories/participant-repository.ts';
import { findStudyByCode } from '../../db/repositories/study-repository.ts';
import { AppError } from '../errors.ts';
import { ROLES, ROLES_WITH_OWN_TOKENS, type Role } from '../schemas/roles.ts';

export { ROLES, type Role };

/** Access to one study, or to one site of it when `siteCode` is set (clinic users). */
export interface Grant {
  studyCode: string;
  siteCode: string | null;
}

/** The person or program behind a request. */
export interface Actor {
  /** Null for the command line, which acts with the database's own rights. */
  userId: number | null;
  username: string;
  role: Role;
  grants: readonly Grant[];
}

/** What one request changes with: who, why and which request, for the audit trail. */
export interface ChangeContext {
  actor: Actor;
  /** The reason for change (X-Change-Reason), or null. */
  reason: string | null;
  requestId: string | null;
}

/** The command line runs with the database's rights: an administrator named after the OS user. */
export function commandLineActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return { userId: null, username: `cli:${user}`, role: 'admin', grants: [] };
}

export function commandLineChange(reason: string | null = null): ChangeContext {
  return { actor: commandLineActor(), reason, requestId: null };
}

/** What an actor may do in one study. */
export interface StudyScope {
  studyCode: string;
  /** May read the study's records in identified form (false: reviewer, de-identified only). */
  identified: boolean;
  /** May change participants and their records (of `sites` only when that is a set). */
  writeParticipants: boolean;
  /** May change the study itself, its sites and practitioners, and import over it. */
  writeStudy: boolean;
  /** May read the audit trail (of `sites` only when that is a set). */
  readAudit: boolean;
  /** The sites whose participants the actor reaches: every site, or these codes. */
  sites: 'all' | ReadonlySet<string>;
}

/**
 * The actor's scope in a study, or null when the study is outside it (answer 404: a study the
 * actor may not see does not exist for them).
 */
export function studyScope(actor: Actor, studyCode: string): StudyScope | null {
  if (actor.role === 'admin') {
    return { studyCode, identified: true, writeParticipants: true, writeStudy: true, readAudit: true, sites: 'all' };
  }
  const grants = actor.grants.filter((g) => g.studyCode === studyCode);
  if (grants.length === 0) return null;
  switch (actor.role) {
    case 'researcher':
      return { studyCode, identified: true, writeParticipants: true, writeStudy: true, readAudit: true, sites: 'all' };
    case 'clinic': {
      const sites = grants.some((g) => g.siteCode === null) ? 'all' : new Set(grants.map((g) => g.siteCode!));
      return { studyCode, identified: true, writeParticipants: true, writeStudy: false, readAudit: true, sites };
    }
    case 'reviewer':
      return { studyCode, identified: false, writeParticipants: false, writeStudy: false, readAudit: false, sites: 'all' };
    default: {
      const unknown: never = actor.role;
      throw new Error(`unknown role ${String(unknown)}`);
    }
  }
}

/** The study codes an actor may see at all; 'all' for administrators. */
export function visibleStudyCodes(actor: Actor): 'all' | ReadonlySet<string> {
  return actor.role === 'admin' ? 'all' : new Set(actor.grants.map((g) => g.studyCode));
}

export function studyNotFound(studyCode: string): AppError {
  return new AppError('not_found', `study ${studyCode} does not exist`);
}

/** The scope, or a 404 for a study outside it. */
export function requireStudyScope(actor: Actor, studyCode: string): StudyScope {
  const scope = studyScope(actor, studyCode);
  if (scope === null) throw studyNotFound(studyCode);
  return scope;
}

/**
 * Refuse a caller outside the study (404) or whose role is not one of `roles` (403), before a
 * workflow step's body is read; `action` words the refusal.
 */
export function requireStudyRole(actor: Actor, studyCode: string, roles: readonly Role[], action: string): void {
  requireStudyScope(actor, studyCode);
  if (!roles.includes(actor.role)) throw new AppError('forbidden', `your role may not ${action} in study ${studyCode}`);
}

/** Refuse (403) unless the scope allows `what`; `action` words the refusal. */
export function requirePermission(scope: StudyScope, what: 'writeParticipants' | 'writeStudy' | 'readAudit', action: string): void {
  if (!scope[what]) throw new AppError('forbidden', `your role may not ${action} in study ${scope.studyCode}`);
}

/** Whether a participant of `siteCode` is inside the scope. */
export function reachesSite(scope: StudyScope, siteCode: string): boolean {
  return scope.sites === 'all' || scope.sites.has(siteCode);
}

export function requireAdmin(actor: Actor, action: string): void {
  if (actor.role !== 'admin') throw new AppError('forbidden', `only an administrator may ${action}`);
}

/** The caller's own account, or a 403 for the command line, which has none. */
export function ownUserId(actor: Actor): number {
  if (actor.userId === null) throw new AppError('forbidden', 'the command line has no account of its own; use smp user');
  return actor.userId;
}

/**
 * Refuse (403) a caller who may not create API tokens of their own: a role whose tokens an
 * administrator issues, or a request made with a token (a token cannot make more tokens, so a
 * leaked one cannot outlive its revocation).
 */
export function requireOwnTokenRole(actor: Actor, via: 'session' | 'token'): void {
  ownUserId(actor);
  if (!ROLES_WITH_OWN_TOKENS.includes(actor.role)) {
    throw new AppError('forbidden', `a ${actor.role} user's API tokens are issued by an administrator; ask one for a token`);
  }
  if (via !== 'session') throw new AppError('forbidden', 'an API token cannot create tokens: sign in with your password to create one');
}

/** Refuse (403) a role that never imports, before any of the input is read. */
export function requireImportRole(actor: Actor): void {
  if (actor.role === 'clinic' || actor.role === 'reviewer') {
    throw new AppError('forbidden', 'your role may not import studies: only administrators and researchers do');
  }
}

export function participantNotFound(code: string): AppError {
  return new AppError('not_found', `participant ${code} does not exist in this study`);
}

/**
 * Refuse (404) a write to a participant outside the caller's sites before the write's body is
 * read, so that another site's participant does not exist for a clinic whatever it sends. The
 * write checks again under its lock.
 */
async function requireReachableParticipant(db: Db, scope: StudyScope, participantCode: string): Promise<void> {
  if (scope.sites === 'all') return;
  const study = await findStudyByCode(db.kysely, scope.studyCode);
  if (!study) throw studyNotFound(scope.studyCode);
  const participant = await findParticipant(db.kysely, study.study_id, participantCode);
  if (!participant || !reachesSite(scope, participant.site_code)) throw participantNotFound(participantCode);
}

/** Refuse (403) enrolling or moving a participant at a site outside the caller's. */
export function requireSite(scope: StudyScope, site: string): void {
  if (!reachesSite(scope, site)) {
    throw new AppError('forbidden', `you may enrol and move participants only at your own sites (${[...(scope.sites as Set<string>)].join(', ')})`, [
      { path: 'site', message: `is not one of your sites` },
    ]);
  }
}

/**
 * The check of a write to a study, from the caller and the path alone, before the body is read:
 * the study in the caller's scope (404), the right to `need` in it (403, `action` wording the
 * refusal), and for a write to participants, the participant the path names (if any) at one of
 * the caller's sites (404). The write checks again under its transaction.
 */
export async function requireStudyWrite(
  db: Db,
  actor: Actor,
  need: 'writeStudy' | 'writeParticipants',
  action: string,
  studyCode: string,
  participantCode: string | undefined,
): Promise<void> {
  const scope = requireStudyScope(actor, studyCode);
  requirePermission(scope, need, action);
  if (need === 'writeParticipants' && participantCode !== undefined) await requireReachableParticipant(db, scope, participantCode);
}

/**
 * Refuse (403) a body that enrols or moves a participant to a site outside the caller's, once the
 * body is read and before the rest of it is validated: that is refused whatever else the body
 * holds. A body without a text `site` is left to its validation.
 */
export function requireSiteInBody(actor: Actor, studyCode: string, body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const site = (body as { site?: unknown }).site;
  if (typeof site !== 'string') return;
  requireSite(requireStudyScope(actor, studyCode), site);
}
