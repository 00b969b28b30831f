// The permission check of a write route (RouteSpec.permission): from the caller and the path,
// before the body is read, so that a caller who may not write gets 403 (or 404 for what is out
// of their scope) whatever the body holds; then, for routes that enrol or move participants, the
// site the body names. The same checks as the services make, in the same words: those still run
// under their transactions and have the last word.
import {
  requireAdmin,
  requireImportRole,
  requireOwnTokenRole,
  requirePermission,
  requireReachableParticipant,
  requireSite,
  requireStudyScope,
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
    case 'writeStudy':
    case 'writeParticipants': {
      const scope = requireStudyScope(actor, pathText(params, 'code'));
      requirePermission(scope, permission.need, permission.action);
      if (permission.need === 'writeParticipants' && params.participantCode !== undefined) {
        await requireReachableParticipant(deps.db, scope, pathText(params, 'participantCode'));
      }
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
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const site = (body as { site?: unknown }).site;
  if (typeof site !== 'string') return;
  const scope = requireStudyScope(actor, pathText(params, 'code'));
  requireSite(scope, site);
}
