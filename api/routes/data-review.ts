// Data review: queries (discrepancies) and their inbox, and source-data verification. Who may do
// each step is decided by the services (api/services/data-query-service.ts,
// verification-service.ts) from the caller's role and sites.
import { defineRoute, type RouteSpec } from '../http/route.ts';
import {
  DataQuery,
  ParticipantQueryParams,
  ParticipantVerification,
  QueryInbox,
  QueryListQuery,
  QueryMessageBody,
  QueryParams,
  RaiseQueryBody,
  VerificationShares,
  VerifyBody,
} from '../schemas/data-queries.ts';
import { StudyCodeParams } from '../schemas/requests.ts';
import { getQuery, listQueries, raiseQuery, stepQuery } from '../services/data-query-service.ts';
import { participantVerification, verificationShares, verifyRecords } from '../services/verification-service.ts';

const TAG = 'Data review';

const STEP_ROUTES = [
  { step: 'answer', operationId: 'answerQuery', summary: 'Answer a query (the participant’s clinic, or an administrator)', callers: 'clinic of the participant’s site, admin', roles: ['admin', 'clinic'] },
  { step: 'close', operationId: 'closeQuery', summary: 'Close a query (its raiser, or an administrator)', callers: 'the raiser (an edit check’s: researcher), admin', roles: ['admin', 'researcher', 'reviewer'] },
  { step: 'reopen', operationId: 'reopenQuery', summary: 'Re-open a closed query with a message (its raiser, or an administrator)', callers: 'the raiser (an edit check’s: researcher), admin', roles: ['admin', 'researcher', 'reviewer'] },
] as const;

export const dataReviewRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/queries',
    operationId: 'listQueries',
    tag: TAG,
    summary: 'The query inbox: queries of the participants in reach (or raised by me), with counts by state',
    description:
      'A clinic sees the queries of its own sites’ participants; a reviewer reads every thread de-identified (pseudonyms, ' +
      'no times, no other role’s free text). `participant` narrows to one participant (a reviewer names the pseudonym).',
    auth: 'user',
    params: StudyCodeParams,
    query: QueryListQuery,
    responses: { 200: { description: 'The inbox', schema: QueryInbox } },
    handler: async ({ deps, actor, params, query }) => ({ body: await listQueries(deps.db, actor!, params.code, query) }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/participants/:participantCode/queries',
    operationId: 'raiseQuery',
    tag: TAG,
    summary: 'Raise a query on a participant, a record or one field (researchers, reviewers, administrators)',
    description:
      '`path` names what the query is about: empty for the participant, a field (`withdrawnOn`), a record (`adverseEvents[2]`) ' +
      'or a record’s field (`adverseEvents[2].outcome`), indexes as the participant’s lists are read now. A path that names ' +
      'nothing, or a message over 2,000 characters, is refused (400) and nothing is written. A reviewer names the participant ' +
      'by pseudonym.',
    auth: 'user',
    callers: 'admin, researcher, reviewer',
    permission: { need: 'roles', roles: ['admin', 'researcher', 'reviewer'], action: 'raise queries' },
    changeReason: 'optional',
    params: ParticipantQueryParams,
    body: RaiseQueryBody,
    responses: { 201: { description: 'The new query', schema: DataQuery } },
    errors: [403],
    handler: async ({ deps, params, body, change }) => ({
      status: 201,
      body: await raiseQuery(deps.db, change(), deps.clock(), params.code, params.participantCode, body),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/queries/:queryId',
    operationId: 'getQuery',
    tag: TAG,
    summary: 'One query with its messages',
    auth: 'user',
    params: QueryParams,
    responses: { 200: { description: 'The query', schema: DataQuery } },
    handler: async ({ deps, actor, params }) => ({ body: await getQuery(deps.db, actor!, params.code, params.queryId) }),
  }),
  ...STEP_ROUTES.map(({ step, operationId, summary, callers, roles }) =>
    defineRoute({
      method: 'post',
      path: `/studies/:code/queries/:queryId/${step}`,
      operationId,
      tag: TAG,
      summary,
      auth: 'user',
      callers,
      permission: { need: 'roles', roles, action: `${step} queries` },
      changeReason: 'optional',
      params: QueryParams,
      body: QueryMessageBody,
      responses: { 200: { description: 'The query after the step', schema: DataQuery } },
      errors: [403, 409],
      handler: async ({ deps, params, body, change }) => ({
        body: await stepQuery(deps.db, change(), deps.clock(), params.code, params.queryId, step, body.message),
      }),
    }),
  ),
  defineRoute({
    method: 'get',
    path: '/studies/:code/participants/:participantCode/verification',
    operationId: 'getParticipantVerification',
    tag: TAG,
    summary: 'Which of a participant’s records are verified against the source, at their current version',
    auth: 'user',
    params: ParticipantQueryParams,
    responses: { 200: { description: 'The verified records', schema: ParticipantVerification } },
    handler: async ({ deps, actor, params }) => ({ body: await participantVerification(deps.db, actor!, params.code, params.participantCode) }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/participants/:participantCode/verification',
    operationId: 'verifyRecords',
    tag: TAG,
    summary: 'Mark a record, or every record of the participant at once, verified against the source (researchers, administrators)',
    description: 'A later change to a verified record clears its verification, with an audit entry.',
    auth: 'user',
    callers: 'admin, researcher',
    permission: { need: 'writeStudy', action: 'verify records against the source' },
    changeReason: 'optional',
    params: ParticipantQueryParams,
    body: VerifyBody,
    responses: { 200: { description: 'The participant’s verified records', schema: ParticipantVerification } },
    errors: [403],
    handler: async ({ deps, params, body, change }) => ({
      body: await verifyRecords(deps.db, change(), deps.clock(), params.code, params.participantCode, body.path),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/verification',
    operationId: 'getVerificationShares',
    tag: TAG,
    summary: 'The share of records verified against the source, per site (a clinic: its own sites)',
    auth: 'user',
    params: StudyCodeParams,
    responses: { 200: { description: 'Per site', schema: VerificationShares } },
    handler: async ({ deps, actor, params }) => ({ body: await verificationShares(deps.db, actor!, params.code) }),
  }),
];
