// The OpenAPI 3.1 document of the HTTP API, generated from the route declarations and their
// zod schemas (one definition per shape), never written by hand. `npm run gen` commits a copy
// (api/schemas/openapi.json) and CI fails when it drifts.
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_TITLES } from './errors.ts';
import { openApiPath } from './http/mount.ts';
import { errorStatuses, type BodyKind, type RouteSpec } from './http/route.ts';
import { ProblemDetails } from './schemas/responses.ts';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid path, query, header or body: every problem is listed with its path',
  401: 'Not signed in, or the API token is not valid',
  403: 'Your role may not do this',
  404: 'No such record, or one outside your studies and sites',
  405: 'Method not allowed on this path (see Allow)',
  409: 'Conflicts with the stored data (a duplicate code, a record still referenced)',
  410: 'No longer works (a used, expired or revoked link)',
  412: 'The record has changed since the version in If-Match; `current` shows it now',
  413: 'Body over the size limit',
  415: 'Body not sent as application/json',
  423: 'The participant is locked after sign-off; `lock` names the lock (an administrator unlocks it)',
  428: 'If-Match is required',
  429: 'Too many attempts; try again later',
};

const BODY_MEDIA_TYPES: Record<BodyKind, string> = { json: 'application/json', zip: 'application/zip', multipart: 'multipart/form-data' };

const ifMatchHeader = z.string().describe('The ETag of the version you read, e.g. "42"');
const reasonHeader = z.string().describe('Why the record changes: percent-encoded UTF-8, up to 2,000 characters');

function requestOf(route: RouteSpec): RouteConfig['request'] {
  const headers: Record<string, z.ZodType> = {};
  if (route.ifMatch) headers['If-Match'] = ifMatchHeader;
  if (route.changeReason === 'required') headers['X-Change-Reason'] = reasonHeader;
  if (route.changeReason === 'optional') headers['X-Change-Reason'] = reasonHeader.optional();
  const body = route.body ?? route.unvalidatedBody;
  const jsonType = route.mergePatch ? 'application/merge-patch+json' : 'application/json';
  const kinds = route.bodyKinds ?? ['json'];
  const content = {
    ...(body && kinds.includes('json') ? { [jsonType]: { schema: body } } : {}),
    ...(kinds.includes('zip') ? { 'application/zip': { schema: z.string().meta({ contentMediaType: 'application/zip', description: 'A zip archive of the files' }) } } : {}),
    ...(kinds.includes('multipart') && route.multipartParts ? { 'multipart/form-data': { schema: route.multipartParts } } : {}),
  };
  return {
    ...(route.params ? { params: route.params as z.ZodObject } : {}),
    ...(route.query ? { query: route.query as z.ZodObject } : {}),
    ...(Object.keys(headers).length > 0 ? { headers: z.object(headers) } : {}),
    ...(Object.keys(content).length > 0 ? { body: { required: true, content } } : {}),
  };
}

/** What the API's own response headers hold; the standard ones need no words. */
const HEADER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'X-Deidentification-Report':
    'A de-identified export: what was changed, as JSON: participantCodes, practitionerCodes, pigmentLots, datesShifted, ' +
    'dateShift (the rule of the date shift, in words), termsReplaced, withdrawalReasonsRemoved, birthYearsTopCoded',
  'X-Export-Warnings':
    'Present when the format requires what the study lacks (the files are written all the same): a JSON array of ' +
    '{path, message}, e.g. [{"path":"sites[0].country","message":"site LON has no country, …"}]',
};

function responsesOf(route: RouteSpec): RouteConfig['responses'] {
  const responses: RouteConfig['responses'] = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const headers = Object.fromEntries(
      (spec.headers ?? []).map((name) => [name, { ...(HEADER_DESCRIPTIONS[name] ? { description: HEADER_DESCRIPTIONS[name] } : {}), schema: { type: 'string' as const } }]),
    );
    responses[status] = {
      description: spec.description,
      ...(spec.headers ? { headers } : {}),
      ...(spec.schema
        ? { content: { 'application/json': { schema: spec.schema } } }
        : spec.contentType
          ? { content: Object.fromEntries([spec.contentType].flat().map((type) => [type, { schema: { type: 'string' as const } }])) }
          : {}),
    };
  }
  for (const status of [...errorStatuses(route), 405]) {
    const kind = Object.entries(ERROR_DESCRIPTIONS).find(([code]) => Number(code) === status);
    const description = status === 415 && route.bodyKinds ? `Body not sent as ${route.bodyKinds.map((k) => BODY_MEDIA_TYPES[k]).join(', ')}` : kind?.[1];
    responses[String(status)] = {
      description: description ?? ERROR_TITLES.validation,
      content: { 'application/problem+json': { schema: ProblemDetails } },
    };
  }
  return responses;
}

/** The OpenAPI 3.1 document of `routes` (paths relative to /api). */
export function openApiDocument(routes: readonly RouteSpec[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token from `smp user token NAME`',
  });
  registry.registerComponent('securitySchemes', 'signInSession', {
    type: 'apiKey',
    in: 'cookie',
    name: 'smp_session',
    description: 'The session cookie set by signing in; changes must come from the same origin',
  });
  for (const route of routes) {
    registry.registerPath({
      method: route.method,
      path: `/api${openApiPath(route.path)}`,
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: route.auth === 'user' ? [{ apiToken: [] }, { signInSession: [] }] : [],
      request: requestOf(route),
      responses: responsesOf(route),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'SMP outcomes tracker API',
      version,
      description:
        'Record-level data capture, import and export, analysis and the audit trail of scalp micropigmentation studies. ' +
        'Errors are application/problem+json (RFC 9457) with every problem and its path. Changes need If-Match and a reason ' +
        '(X-Change-Reason); every change is recorded in the audit trail.',
    },
    servers: [{ url: '/' }],
  });
}
