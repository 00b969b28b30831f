// Participants under /api/studies/:code/participants: the filtered list, and one participant
// enrolled, read, changed and deleted. Their records have routes of their own
// (participant-records.ts).
import { defineRoute, type RoutePermission, type RouteSpec } from '../http/route.ts';
import { page, ParticipantFields, ParticipantListQuery, ParticipantRecord, patchOf } from '../schemas/records.ts';
import { ParticipantParams, StudyCodeParams } from '../schemas/requests.ts';
import { listParticipants } from '../services/listing-service.ts';
import { createParticipant, deleteParticipantRecord, patchParticipant } from '../services/participant-service.ts';
import { getParticipant } from '../services/participant-views.ts';

/** What a change to a participant or their records needs, checked before the body is read. */
export const WRITE_PARTICIPANTS: RoutePermission = { need: 'writeParticipants', action: 'change participants or their records' };

/** Where a participant is: the Location of the enrolled one, and the base of its records'. */
export const participantPath = (code: string, participant: string) =>
  `/api/studies/${encodeURIComponent(code)}/participants/${encodeURIComponent(participant)}`;

export const participantRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/participants',
    operationId: 'listParticipants',
    tag: 'Participants',
    summary: 'Participants, filtered and a page at a time (a clinic: its own sites; a reviewer: by pseudonym)',
    auth: 'user',
    params: StudyCodeParams,
    query: ParticipantListQuery,
    responses: { 200: { description: 'A page of participants', schema: page(ParticipantRecord, 'ParticipantPage') } },
    handler: async ({ deps, actor, params, query }) => ({ body: await listParticipants(deps.db, actor!, params.code, query) }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/participants',
    operationId: 'createParticipant',
    tag: 'Participants',
    summary: 'Enrol a participant; add their records with the routes below',
    auth: 'user',
    permission: { need: 'writeParticipants', action: 'enrol participants', siteInBody: true },
    changeReason: 'optional',
    params: StudyCodeParams,
    body: ParticipantFields,
    responses: { 201: { description: 'Enrolled', schema: ParticipantRecord, headers: ['Location', 'ETag'] } },
    errors: [403, 409],
    handler: async ({ deps, params, body, change }) => {
      const participant = await createParticipant(deps.db, change(), params.code, body);
      return { status: 201, body: participant, version: participant.version, location: participantPath(params.code, participant.code) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/participants/:participantCode',
    operationId: 'getParticipant',
    tag: 'Participants',
    summary: 'One participant, with the number of each kind of record',
    auth: 'user',
    params: ParticipantParams,
    responses: { 200: { description: 'The participant', schema: ParticipantRecord, headers: ['ETag'] } },
    handler: async ({ deps, actor, params }) => {
      const participant = await getParticipant(deps.db, actor!, params.code, params.participantCode);
      return { body: participant, version: participant.version };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/studies/:code/participants/:participantCode',
    operationId: 'patchParticipant',
    tag: 'Participants',
    summary: "Change a participant's fields (withdrawal, site, …)",
    auth: 'user',
    permission: { need: 'writeParticipants', action: 'change participants or their records', siteInBody: true },
    ifMatch: true,
    changeReason: 'required',
    params: ParticipantParams,
    body: patchOf(ParticipantFields, 'ParticipantFields'),
    mergePatch: true,
    responses: { 200: { description: 'The changed participant', schema: ParticipantRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change, body }) => {
      const participant = await patchParticipant(deps.db, change(), params.code, params.participantCode, body, ifMatch!);
      return { body: participant, version: participant.version };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code/participants/:participantCode',
    operationId: 'deleteParticipant',
    tag: 'Participants',
    summary: 'Delete a participant who has no records',
    auth: 'user',
    permission: WRITE_PARTICIPANTS,
    ifMatch: true,
    changeReason: 'required',
    params: ParticipantParams,
    responses: { 204: { description: 'Deleted' } },
    errors: [403, 409],
    handler: async ({ deps, params, ifMatch, change }) => {
      await deleteParticipantRecord(deps.db, change(), params.code, params.participantCode, ifMatch!);
      return { status: 204 };
    },
  }),
];
