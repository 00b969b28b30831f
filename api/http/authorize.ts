// The permission check of a write route (RouteSpec.permission): from the caller and the path,
// before the body is read, so that a caller who may not write gets 403 (or 404 for what is out
// of their scope) whatever the body holds; then, for routes that enrol or move participants, the
// site the body names. The checks are the services' own (api/services/access.ts), in the same
// words: the services make them again under their transactions and have the last word.
import {
  requireAdmin,
  requireImportRole,
  requireOwnTokenRole,
  requireSiteInBody,
  requireStudyRole,
  requireStudyWrite,
  type Actor,
} from '../services/access.ts';
import type { RouteDeps, RoutePermission } from './route.ts';

/** The path parameter a route's permission reads, which the route's params schema must give. */
function pathText(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') throw new Error(`a route with a study permission needs the path parameter :${name}`);
  return value;
}

/** Refuse a caller the permission excludes, from the path alone (404 or 403). */
export async function authorizePath(
  permission: RoutePermission,
  actor: Actor,
  params: Record<string, unknown>,
  deps: RouteDeps,
  authenticatedBy: 'session' | 'token',
): Promise<void> {
  switch (permission.need) {
    case 'admin':
      requireAdmin(actor, permission.action);
      return;
    case 'import':
      requireImportRole(actor);
      return;
    case 'ownTokens':
      requireOwnTokenRole(actor, authenticatedBy);
      return;
    case 'roles':
      requireStudyRole(actor, pathText(params, 'code'), permission.roles, permission.action);
      return;
    case 'writeStudy':
    case 'writeParticipants': {
      const participantCode = params.participantCode === undefined ? undefined : pathText(params, 'participantCode');
      await requireStudyWrite(deps.db, actor, permission.need, permission.action, pathText(params, 'code'), participantCode);
      return;
    }
    default: {
      const unknown: never = permission;
      throw new Error(`unknown permission ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * With `siteInBody`, refuse (403) a body whose `site` is not one of the caller's sites, before
 * the rest of the body is validated: enrolling or moving a participant elsewhere is refused
 * whatever else the body holds. A body without a text `site` is left to its validation.
 */
export function authorizeBody(permission: RoutePermission, actor: Actor, params: Record<string, unknown>, body: unknown): void {
  if (permission.need !== 'writeParticipants' || !permission.siteInBody) return;
  requireSiteInBody(actor, pathText(params, 'code'), body);
}
