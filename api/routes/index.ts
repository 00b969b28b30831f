// Every route of the HTTP API, in the order of the OpenAPI document; paths are under /api.
import { readFileSync } from 'node:fs';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { accountRoutes } from './account.ts';
import { auditRoutes } from './audit.ts';
import { authRoutes } from './auth.ts';
import { dataReviewRoutes } from './data-review.ts';
import { formatRoutes } from './formats.ts';
import { listingRoutes } from './listings.ts';
import { participantContactRoutes } from './participant-contacts.ts';
import { participantRecordRoutes } from './participant-records.ts';
import { participantRoutes } from './participants.ts';
import { signOffRoutes } from './sign-off.ts';
import { studyRoutes } from './studies.ts';
import { studyStructureRoutes } from './study-structure.ts';
import { surveyLinkRoutes } from './survey-links.ts';
import { surveyOutboxRoutes } from './survey-outbox.ts';
import { systemRoutes } from './system.ts';
import { userRoutes } from './users.ts';
import { worklistRoutes } from './worklist.ts';

/** The API's version: the package's. */
export const API_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const documentedRoutes: RouteSpec[] = [
  ...systemRoutes,
  ...authRoutes,
  ...accountRoutes,
  ...studyRoutes,
  ...formatRoutes,
  ...studyStructureRoutes,
  ...participantRoutes,
  ...participantRecordRoutes,
  ...listingRoutes,
  ...worklistRoutes,
  ...surveyLinkRoutes,
  ...surveyOutboxRoutes,
  ...participantContactRoutes,
  ...signOffRoutes,
  ...dataReviewRoutes,
  ...auditRoutes,
  ...userRoutes,
];

let document: unknown;

export const apiRoutes: readonly RouteSpec[] = [
  ...documentedRoutes,
  defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'System',
    summary: 'This API described in OpenAPI 3.1',
    auth: 'public',
    responses: { 200: { description: 'The OpenAPI document' } },
    handler: async () => {
      if (document === undefined) {
        const { openApiDocument } = await import('../openapi.ts');
        document = openApiDocument(apiRoutes, API_VERSION);
      }
      return { body: document };
    },
  }),
];
