// The follow-up worklist: the study's schedule as rows to work through (a page at a time, as CSV
// or as iCalendar), one participant's schedule, and the caller's calendar feeds of the worklist.
import type { Request } from 'express';
import type { Config } from '../config.ts';
import { worklistCsv } from '../formats/worklist-csv.ts';
import { worklistIcs } from '../formats/worklist-ics.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { ParticipantParams, StudyCodeParams } from '../schemas/requests.ts';
import {
  CalendarFeed,
  FeedParams,
  FeedQuery,
  NewCalendarFeed,
  ParticipantSchedule,
  ScheduleQuery,
  WorklistFilters,
  WorklistPage,
  WorklistQuery,
} from '../schemas/worklist.ts';
import { z } from 'zod';
import { createFeed, feedCalendar, listOwnFeeds, revokeOwnFeed } from '../services/calendar-feed-service.ts';
import { scheduleOfParticipant, worklistPage, worklistRows } from '../services/worklist-service.ts';

const baseUrlOf = (req: Request, config: Config) => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

const ORDER =
  'Rows come in the order of what needs action first: overdue, due, upcoming, withdrawn, done; then by target date, ' +
  'participant and step. A clinic gets its own sites; a reviewer gets pseudonyms, and each participant’s schedule ' +
  'computed from its de-identified dates (moved back by the participant’s shift), so every date and status is that ' +
  'of the de-identified record.';

export const worklistRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/worklist',
    operationId: 'studyWorklist',
    tag: 'Follow-up',
    summary: 'The follow-up worklist: every treatment step and scheduled visit with its window and status as of a day',
    description:
      'Each row is a step of a participant’s schedule (session-K, touch-up, or a visit of protocol.visits) with its target ' +
      'date, window and status as of `asOf`: done, upcoming (before the window), due (in it), overdue (after it), or ' +
      'withdrawn (the participant withdrew on or before the window’s last day without it). ' +
      ORDER +
      ' `counts` gives, per step and site, the rows in each status under every filter but `status`.',
    auth: 'user',
    params: StudyCodeParams,
    query: WorklistQuery,
    responses: { 200: { description: 'A page of the worklist', schema: WorklistPage } },
    errors: [403],
    handler: async ({ deps, actor, params, query }) => ({
      body: await worklistPage(deps.db, params.code, { ...query, actor: actor!, timeZone: deps.config.timeZone }),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/worklist.csv',
    operationId: 'downloadStudyWorklist',
    tag: 'Follow-up',
    summary: 'The worklist as a CSV download: every row the filters keep, in the worklist’s order',
    description:
      'The same filters, scope and view as GET /studies/{code}/worklist, without pages: columns participant, site, step, ' +
      'kind, label, target, windowStart, windowEnd, status, missing (kinds separated by semicolons). ' +
      ORDER,
    auth: 'user',
    params: StudyCodeParams,
    query: WorklistFilters,
    responses: { 200: { description: 'The worklist, as an attachment', contentType: 'text/csv', headers: ['Content-Disposition'] } },
    errors: [403],
    handler: async ({ deps, actor, params, query, res }) => {
      const { asOf, items } = await worklistRows(deps.db, params.code, { ...query, actor: actor!, timeZone: deps.config.timeZone });
      res.attachment(`${params.code}-worklist-${asOf}.csv`).type('text/csv; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.send(worklistCsv(items));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/worklist.ics',
    operationId: 'downloadStudyWorklistCalendar',
    tag: 'Follow-up',
    summary: 'The upcoming and due steps of the worklist as an iCalendar file (RFC 5545), one all-day event per window',
    description:
      'The same filters, scope and view as GET /studies/{code}/worklist; only upcoming and due steps become events. ' +
      'For a calendar application to subscribe to, create a feed (POST /studies/{code}/worklist/feeds).',
    auth: 'user',
    params: StudyCodeParams,
    query: WorklistFilters,
    responses: { 200: { description: 'The calendar, as an attachment', contentType: 'text/calendar', headers: ['Content-Disposition'] } },
    errors: [403],
    handler: async ({ deps, actor, params, query, res }) => {
      const { items } = await worklistRows(deps.db, params.code, { ...query, actor: actor!, timeZone: deps.config.timeZone });
      res.attachment(`${params.code}-worklist.ics`).type('text/calendar; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.send(worklistIcs(params.code, items, new Date()));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/participants/:participantCode/schedule',
    operationId: 'participantSchedule',
    tag: 'Follow-up',
    summary: "One participant's whole schedule as of a day: every step with its window, status and the records in it",
    auth: 'user',
    params: ParticipantParams,
    query: ScheduleQuery,
    responses: { 200: { description: 'The schedule', schema: ParticipantSchedule } },
    handler: async ({ deps, actor, params, query }) => ({
      body: await scheduleOfParticipant(deps.db, actor!, params.code, params.participantCode, { asOf: query.asOf, timeZone: deps.config.timeZone }),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/worklist/feeds',
    operationId: 'listWorklistFeeds',
    tag: 'Follow-up',
    summary: 'Your calendar feeds of the study’s worklist (without their secrets)',
    auth: 'user',
    params: StudyCodeParams,
    responses: { 200: { description: 'Your feeds', schema: z.object({ items: z.array(CalendarFeed) }) } },
    handler: async ({ deps, actor, params }) => ({ body: { items: await listOwnFeeds(deps.db, actor!, params.code) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/worklist/feeds',
    operationId: 'createWorklistFeed',
    tag: 'Follow-up',
    summary: 'A new calendar feed of your worklist: an address with a secret, shown only now, to subscribe to in a calendar',
    description:
      'The feed (GET /api/calendar/worklist.ics?token=…) holds the upcoming and due steps you can see, as of each day it is ' +
      'read: a clinic its own sites, a reviewer pseudonyms. Its secret is stored only as a hash, opens nothing but the feed, ' +
      'and stops working when revoked or when your account is disabled.',
    auth: 'user',
    params: StudyCodeParams,
    changeReason: 'optional',
    responses: { 201: { description: 'The new feed with its address', schema: NewCalendarFeed } },
    handler: async ({ deps, params, change, req }) => ({
      status: 201,
      body: await createFeed(deps.db, change(), params.code, baseUrlOf(req, deps.config)),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code/worklist/feeds/:id',
    operationId: 'revokeWorklistFeed',
    tag: 'Follow-up',
    summary: 'Revoke one of your calendar feeds: its address stops working at once (401)',
    auth: 'user',
    params: FeedParams,
    changeReason: 'optional',
    responses: { 200: { description: 'The revoked feed', schema: CalendarFeed } },
    handler: async ({ deps, params, change }) => ({ body: await revokeOwnFeed(deps.db, change(), params.code, params.id) }),
  }),
  defineRoute({
    method: 'get',
    path: '/calendar/worklist.ics',
    operationId: 'worklistFeed',
    tag: 'Follow-up',
    summary: 'A calendar feed: its user’s upcoming and due steps as iCalendar, opened by the secret in its address',
    description:
      'For calendar applications, which cannot send credentials: the `token` of the feed’s address stands for its user, for ' +
      'this feed only. An unknown or revoked token, or a disabled user, answers 401.',
    auth: 'public',
    query: FeedQuery,
    responses: { 200: { description: 'The calendar', contentType: 'text/calendar' } },
    errors: [401, 404],
    handler: async ({ deps, query, res }) => {
      const { study, ics } = await feedCalendar(deps.db, query.token, { timeZone: deps.config.timeZone });
      res.type('text/calendar; charset=utf-8').setHeader('Content-Disposition', `inline; filename="${study}-worklist.ics"`);
      res.setHeader('Cache-Control', 'no-store');
      res.send(ics);
    },
  }),
];
