// A route of the HTTP API, declared once: its method and path, who may call it, the zod
// schemas of its inputs and outputs, and its handler. The same declarations mount the express
// routes (api/http/mount.ts), generate the OpenAPI document (api/openapi.ts), answer 405 with
// Allow, and drive the authorization-matrix tests.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Db } from '../../db/kysely.ts';
import type { Config } from '../config.ts';
import type { Role } from '../schemas/roles.ts';
import type { Actor, ChangeContext } from '../services/access.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * What a request body may be, chosen by its Content-Type: `json` (application/json, read by the
 * strict JSON reader), `zip` (application/zip, passed on as an UploadedZip) or `multipart`
 * (multipart/form-data of files, passed on as UploadedParts); see api/http/upload-body.ts.
 */
export type BodyKind = 'json' | 'zip' | 'multipart';

export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for an empty body or a non-JSON body described by `contentType`. */
  schema?: z.ZodType;
  /** A non-JSON body (e.g. `text/html`), or the media types it may have. */
  contentType?: string | readonly string[];
  /** Response headers worth documenting, e.g. ETag and Location. */
  headers?: Array<'ETag' | 'Location' | 'Content-Disposition' | 'Set-Cookie' | 'X-Deidentification-Report' | 'X-Export-Warnings'>;
}

/**
 * What a write needs of its caller, decided from the caller and the path alone and checked
 * before the body is read, so that a caller who may not write is refused whatever the body holds
 * (the services check again, under their transactions):
 * - `admin`: administrators only (403); `action` completes "only an administrator may …";
 * - `import`: administrators and researchers (403); which study, the body says, and the import checks;
 * - `writeStudy`, `writeParticipants`: that right in the study of the path's `code` (404 for a
 *   study outside the caller's scope, 403 without the right), and a participant the path names
 *   at one of the caller's sites (404); `action` completes "your role may not …". With
 *   `siteInBody`, the body's `site` (where a participant is enrolled or moved to) must be one of
 *   the caller's sites (403), checked once the body is read and before it is validated;
 * - `ownTokens`: a role that may create API tokens of its own, from a signed-in browser (403);
 * - `roles`: the study of the path's `code` in the caller's scope (404), and the caller's role one
 *   of `roles` (403), for steps that are not a right to write but a part in a workflow (raising or
 *   answering a query); what the service decides from the data (the query's raiser, its
 *   participant's site) it checks itself.
 */
export type RoutePermission =
  | { need: 'admin'; action: string }
  | { need: 'roles'; roles: readonly Role[]; action: string }
  | { need: 'import' }
  | { need: 'ownTokens' }
  | { need: 'writeStudy' | 'writeParticipants'; action: string; siteInBody?: boolean };

/** What a route needs from the request beyond its schemas. */
export interface RouteRequirements {
  /** 'public': anyone; 'user': a signed-in user or a valid API token (401 otherwise). */
  auth: 'public' | 'user';
  /** The permission a write needs, checked before its body is read. */
  permission?: RoutePermission;
  /** `If-Match: "<version>"` must be sent (428 otherwise, 412 when stale). */
  ifMatch?: boolean;
  /** `X-Change-Reason` must be sent (400 otherwise); 'optional' documents that it is read. */
  changeReason?: 'required' | 'optional';
  /** The body is a whole study bundle: the import size limit applies instead of the entity limit. */
  bundleBody?: boolean;
  /** The body kinds accepted (default: JSON only); the import size limit bounds uploads too. */
  bodyKinds?: readonly BodyKind[];
  /** Who may call, in words, when the service narrows `permission` further (for the route table). */
  callers?: string;
}

export interface RouteDeps {
  db: Db;
  config: Config;
  /** The time now: injectable, so that tests move it instead of waiting (sign-in locks, device cookies). */
  clock: () => Date;
}

export interface RouteContext<P, Q, B> {
  deps: RouteDeps;
  /** The caller; null only on public routes without a signed-in caller. */
  actor: Actor | null;
  params: P;
  query: Q;
  /**
   * The body: parsed by `body`; as sent, once `body` has checked it, for a `mergePatch`; or as
   * sent for `unvalidatedBody` (an UploadedZip or UploadedParts for an upload).
   */
  body: B;
  /** The version named by If-Match, or null when the header is absent. */
  ifMatch: string | null;
  /** Who, why and which request: what a write records in the audit trail. Needs a signed-in actor. */
  change(): ChangeContext;
  requestId: string;
  req: Request;
  res: Response;
}

/** A JSON reply; handlers that stream or send HTML write to `ctx.res` and return nothing. */
export interface Reply {
  status?: number;
  body?: unknown;
  /** Sets `ETag: "<version>"`. */
  version?: string | number;
  location?: string;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  M extends boolean = boolean,
> extends RouteRequirements {
  method: Method;
  /** Express-style path under the origin, e.g. `/api/studies/:code/participants/:participantCode`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body is a JSON merge patch (RFC 7386) of a record: it is documented as
   * application/merge-patch+json, `body` checks each field sent, and the handler gets the patch
   * as sent, not as parsed, so that a field not sent stays absent instead of taking its default.
   * The service merges it into the record and checks the result whole.
   */
  mergePatch?: M;
  /**
   * A body documented by this schema but passed through as parsed JSON: for a bundle, which the
   * import validates whole, with its cross-record rules.
   */
  unvalidatedBody?: z.ZodType;
  /** The parts of a `multipart` body, for the OpenAPI document (each file part a string of bytes). */
  multipartParts?: z.ZodType;
  responses: Record<number, ResponseSpec>;
  /** Error statuses beyond the ones the requirements imply (401, 400, 404, 412, 428, 413, 415). */
  errors?: number[];
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, M extends true ? z.input<B> : z.output<B>>): Promise<Reply | void>;
}

/** Declare a route; the identity function that lets TypeScript infer the handler's types. */
export function defineRoute<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, M extends boolean = false>(
  spec: RouteSpec<P, Q, B, M>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** The error statuses a route can answer, from its requirements and its own list. */
export function errorStatuses(route: RouteSpec): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  if (route.auth === 'user') statuses.add(401);
  if (route.permission) statuses.add(403);
  if (route.params) statuses.add(404);
  if (route.params || route.query || route.body || route.changeReason === 'required') statuses.add(400);
  if (route.body || route.unvalidatedBody || route.bodyKinds) {
    statuses.add(400);
    statuses.add(413);
    statuses.add(415);
  }
  if (route.ifMatch) {
    statuses.add(412);
    statuses.add(428);
  }
  return [...statuses].sort((a, b) => a - b);
}
