// Participant survey links: staff create, list and revoke a participant's links; the participant's
// page (/s) opens a link and posts its answer with the link's secret alone, no account.
import type { Request } from 'express';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import {
  NewSurveyLink,
  NewSurveyLinkBody,
  SurveyAnswerBody,
  SurveyAnswered,
  SurveyLinkInfo,
  SurveyLinkOpenBody,
  SurveyLinkParams,
  SurveyLinkRecord,
  SurveyLinksParams,
} from '../schemas/survey-links.ts';
import {
  answerSurveyLink,
  createSurveyLink,
  listParticipantSurveyLinks,
  openSurveyLink,
  revokeParticipantSurveyLink,
} from '../services/survey-link-service.ts';

const baseUrlOf = (req: Request, config: Config) => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

const REFUSALS =
  'A used, expired or revoked link, or one of a participant who has since withdrawn, answers 410 with `reason` ' +
  '(used, expired, revoked, withdrawn); an unknown one 404.';

export const surveyLinkRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/participants/:participantCode/survey-links',
    operationId: 'listSurveyLinks',
    tag: 'Survey links',
    summary: "A participant's survey links (without their secrets): when each expires, and whether it was used or revoked",
    auth: 'user',
    params: SurveyLinksParams,
    responses: { 200: { description: 'The links', schema: z.object({ items: z.array(SurveyLinkRecord) }) } },
    errors: [403],
    handler: async ({ deps, actor, params }) => ({
      body: { items: await listParticipantSurveyLinks(deps.db, actor!, params.code, params.participantCode) },
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/participants/:participantCode/survey-links',
    operationId: 'createSurveyLink',
    tag: 'Survey links',
    summary: 'A new one-time survey link for the participant to answer a satisfaction survey on their phone',
    description:
      'The link works once, until it expires (the study’s link lifetime, 30 days unless changed) or is revoked. Its secret ' +
      'is the fragment of `url` (`/s#…`), shown only now and stored only as a hash. `visit` names a scheduled visit that ' +
      'expects a survey. A withdrawn participant gets no link (409).',
    auth: 'user',
    permission: { need: 'writeParticipants', action: 'create survey links' },
    params: SurveyLinksParams,
    body: NewSurveyLinkBody,
    changeReason: 'optional',
    responses: { 201: { description: 'The new link', schema: NewSurveyLink } },
    errors: [409],
    handler: async ({ deps, params, body, change, req }) => ({
      status: 201,
      body: await createSurveyLink(deps.db, change(), params.code, params.participantCode, body, baseUrlOf(req, deps.config), deps.clock()),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code/participants/:participantCode/survey-links/:id',
    operationId: 'revokeSurveyLink',
    tag: 'Survey links',
    summary: 'Revoke a survey link: it stops working at once (410)',
    auth: 'user',
    permission: { need: 'writeParticipants', action: 'revoke survey links' },
    params: SurveyLinkParams,
    changeReason: 'optional',
    responses: { 200: { description: 'The revoked link', schema: SurveyLinkRecord } },
    handler: async ({ deps, params, change }) => ({
      body: await revokeParticipantSurveyLink(deps.db, change(), params.code, params.participantCode, params.id, deps.clock()),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/survey-links/open',
    operationId: 'openSurveyLink',
    tag: 'Survey links',
    summary: 'What the participant’s page shows before the answer: the study’s title and the languages offered',
    description: `Nothing of the participant is returned. ${REFUSALS}`,
    auth: 'public',
    body: SurveyLinkOpenBody,
    responses: { 200: { description: 'The survey', schema: SurveyLinkInfo } },
    errors: [404, 410],
    handler: async ({ deps, body, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      return { body: await openSurveyLink(deps.db, body.link, deps.clock()) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/survey-links/answer',
    operationId: 'answerSurveyLink',
    tag: 'Survey links',
    summary: 'The participant’s answer: recorded as a survey dated today in the study’s time zone, once',
    description:
      'Checked by the same rules and written through the same path as a survey entered by staff, and audited with the ' +
      `actor \`participant-link:<id>\`. The first answer gets 201; the link is then used. ${REFUSALS}`,
    auth: 'public',
    body: SurveyAnswerBody,
    responses: { 201: { description: 'The answer was recorded', schema: SurveyAnswered } },
    errors: [404, 410],
    handler: async ({ deps, body, requestId }) => ({
      status: 201,
      body: await answerSurveyLink(deps.db, body, { now: deps.clock(), timeZone: deps.config.timeZone, requestId }),
    }),
  }),
];
