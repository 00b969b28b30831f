// Each participant's records under /api/studies/:code/participants/:participantCode: sessions,
// adverse events, fading assessments and surveys, with the same five routes for each list; and
// the removal of a session with the renumbering of the later ones.
import type { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { AdverseEvent, FadingAssessment, SatisfactionSurvey, TreatmentSession } from '../schemas/bundle.ts';
import {
  AdverseEventRecord,
  FadingAssessmentRecord,
  PageQuery,
  page,
  patchOf,
  SessionCreate,
  SessionRecord,
  SessionRenumbering,
  SurveyRecord,
} from '../schemas/records.ts';
import { ParticipantParams, RecordNoParams, SessionParams } from '../schemas/requests.ts';
import { pageOf } from '../services/cursor.ts';
import { getRecord, LISTS, listRecords, type RecordList } from '../services/participant-views.ts';
import { createRecord, deleteRecord, patchRecord, removeAndRenumberSession } from '../services/record-service.ts';
import { participantPath, WRITE_PARTICIPANTS } from './participants.ts';

interface ListRouteSpec {
  list: RecordList;
  tag: string;
  create: z.ZodObject;
  patch: z.ZodObject;
  record: z.ZodType;
}

const LIST_ROUTES: ListRouteSpec[] = [
  { list: 'sessions', tag: 'Sessions', create: SessionCreate, patch: patchOf(TreatmentSession, 'TreatmentSession'), record: SessionRecord },
  { list: 'adverseEvents', tag: 'Adverse events', create: AdverseEvent, patch: patchOf(AdverseEvent, 'AdverseEvent'), record: AdverseEventRecord },
  {
    list: 'fadingAssessments',
    tag: 'Fading assessments',
    create: FadingAssessment,
    patch: patchOf(FadingAssessment, 'FadingAssessment'),
    record: FadingAssessmentRecord,
  },
  { list: 'surveys', tag: 'Surveys', create: SatisfactionSurvey, patch: patchOf(SatisfactionSurvey, 'SatisfactionSurvey'), record: SurveyRecord },
];

/** Operation ids: listSessions, createAdverseEvent, … */
const OPERATION_NOUNS: Record<RecordList, [string, string]> = {
  sessions: ['Session', 'Sessions'],
  adverseEvents: ['AdverseEvent', 'AdverseEvents'],
  fadingAssessments: ['FadingAssessment', 'FadingAssessments'],
  surveys: ['Survey', 'Surveys'],
};

/** "a session", "an adverse event". */
const withArticle = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

function listRoutes({ list, tag, create, patch, record }: ListRouteSpec): RouteSpec[] {
  const { segment, noun } = LISTS[list];
  const aNoun = withArticle(noun);
  const [one, many] = OPERATION_NOUNS[list];
  const keyName = list === 'sessions' ? 'number' : 'no';
  const itemParams = list === 'sessions' ? SessionParams : RecordNoParams;
  const base = `/studies/:code/participants/:participantCode/${segment}`;
  const keyOf = (params: { number?: number; no?: number }) => (list === 'sessions' ? params.number! : params.no!);
  return [
    defineRoute({
      method: 'get',
      path: base,
      operationId: `list${many}`,
      tag,
      summary: `A participant's ${noun}s, by ${list === 'sessions' ? 'number' : 'record number'}`,
      auth: 'user',
      params: ParticipantParams,
      query: PageQuery,
      responses: { 200: { description: `A page of ${noun}s`, schema: page(record, `${one}Page`) } },
      handler: async ({ deps, actor, params, query }) => {
        const items = await listRecords(deps.db, actor!, params.code, params.participantCode, list);
        return { body: pageOf(items, (item) => (item as { number?: number; no?: number })[keyName]!, query) };
      },
    }),
    defineRoute({
      method: 'post',
      path: base,
      operationId: `create${one}`,
      tag,
      summary:
        list === 'sessions'
          ? 'Record a session; without a number it takes the next one'
          : `Record ${aNoun}; it is given the next record number, never reused`,
      auth: 'user',
      permission: WRITE_PARTICIPANTS,
      changeReason: 'optional',
      params: ParticipantParams,
      body: create,
      responses: { 201: { description: 'Created', schema: record, headers: ['Location', 'ETag'] } },
      errors: [403],
      handler: async ({ deps, params, body, change }) => {
        const created = await createRecord(deps.db, change(), params.code, params.participantCode, list, body as never);
        const key = (created as { number?: number; no?: number })[keyName]!;
        return {
          status: 201,
          body: created,
          version: created.version,
          location: `${participantPath(params.code, params.participantCode)}/${segment}/${key}`,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:${keyName}`,
      operationId: `get${one}`,
      tag,
      summary: `One ${noun}`,
      auth: 'user',
      params: itemParams,
      responses: { 200: { description: `The ${noun}`, schema: record, headers: ['ETag'] } },
      handler: async ({ deps, actor, params }) => {
        const item = await getRecord(deps.db, actor!, params.code, params.participantCode, list, keyOf(params));
        return { body: item, version: item.version };
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:${keyName}`,
      operationId: `patch${one}`,
      tag,
      summary: `Change ${aNoun}`,
      auth: 'user',
      permission: WRITE_PARTICIPANTS,
      ifMatch: true,
      changeReason: 'required',
      params: itemParams,
      body: patch,
      mergePatch: true,
      responses: { 200: { description: `The changed ${noun}`, schema: record, headers: ['ETag'] } },
      errors: [403],
      handler: async ({ deps, params, ifMatch, change, body }) => {
        const item = await patchRecord(deps.db, change(), params.code, params.participantCode, list, keyOf(params), body, ifMatch!);
        return { body: item, version: item.version };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/:${keyName}`,
      operationId: `delete${one}`,
      tag,
      summary:
        list === 'sessions'
          ? 'Delete the last session, when no adverse event names it'
          : `Delete ${aNoun} (its number is not given again)`,
      auth: 'user',
      permission: WRITE_PARTICIPANTS,
      ifMatch: true,
      changeReason: 'required',
      params: itemParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [403, ...(list === 'sessions' ? [409] : [])],
      handler: async ({ deps, params, ifMatch, change }) => {
        await deleteRecord(deps.db, change(), params.code, params.participantCode, list, keyOf(params), ifMatch!);
        return { status: 204 };
      },
    }),
  ];
}

/** Removing a session that is not the last: the later sessions, and the adverse events naming them, move down one number. */
const renumberRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/studies/:code/participants/:participantCode/sessions/:number/remove-and-renumber',
    operationId: 'removeAndRenumberSession',
    tag: 'Sessions',
    summary: 'Remove a session and renumber the later ones',
    description:
      'For a session recorded twice, or by mistake, that is not the last: it is deleted, each later session takes its number ' +
      'less one, and adverse events naming a later session follow it. If-Match is the removed session’s version. Refused (409) ' +
      'when an adverse event names the removed session; refused (400, naming the field) when the sessions left would break the ' +
      'protocol’s rules (the first session initial, touch-ups after it). One change: the removed session’s delete and each ' +
      'renumbered record’s update are audited together, with the reason given.',
    auth: 'user',
    permission: WRITE_PARTICIPANTS,
    ifMatch: true,
    changeReason: 'required',
    params: SessionParams,
    responses: { 200: { description: "The participant's sessions and adverse events after the change", schema: SessionRenumbering } },
    errors: [403, 409],
    handler: async ({ deps, params, ifMatch, change }) => ({
      body: await removeAndRenumberSession(deps.db, change(), params.code, params.participantCode, params.number, ifMatch!),
    }),
  }),
];

export const participantRecordRoutes: RouteSpec[] = [...LIST_ROUTES.flatMap(listRoutes), ...renumberRoutes];
