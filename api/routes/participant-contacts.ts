// A participant's contact details under /api/studies/:code/participants/:participantCode/contact:
// read, stored and deleted by the participant's clinic and administrators only. The values are
// sealed at rest (SMP_CONTACT_KEY) and never written to the audit trail or the log.
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { ParticipantContact } from '../schemas/participant-contacts.ts';
import { ParticipantParams } from '../schemas/requests.ts';
import { getParticipantContact, putParticipantContact, removeParticipantContact } from '../services/participant-contact-service.ts';

const CALLERS = 'administrators, clinics (their sites)';
const WHO = "Only the participant's clinic and administrators (researchers and reviewers: 403).";

export const participantContactRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/participants/:participantCode/contact',
    operationId: 'getParticipantContact',
    tag: 'Survey links',
    summary: "The participant's contact details: email and, if given, phone",
    description: `${WHO} 404 when none are stored; 409 when SMP_CONTACT_KEY is not set.`,
    auth: 'user',
    callers: CALLERS,
    params: ParticipantParams,
    responses: { 200: { description: 'The contact details', schema: ParticipantContact } },
    errors: [403, 409],
    handler: async ({ deps, actor, params, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      return { body: await getParticipantContact(deps.db, deps.config.contactKey, actor!, params.code, params.participantCode) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/studies/:code/participants/:participantCode/contact',
    operationId: 'putParticipantContact',
    tag: 'Survey links',
    summary: "Store or replace the participant's contact details, encrypted at rest",
    description:
      `${WHO} Sealed with AES-256-GCM under SMP_CONTACT_KEY; without the key, 409 naming it and how to set it. ` +
      'The audit trail records that the contact changed, not the values.',
    auth: 'user',
    callers: CALLERS,
    permission: { need: 'writeParticipants', action: "change participants' contact details" },
    params: ParticipantParams,
    body: ParticipantContact,
    changeReason: 'optional',
    responses: { 200: { description: 'The stored contact details', schema: ParticipantContact } },
    errors: [403, 409],
    handler: async ({ deps, params, body, change, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      return { body: await putParticipantContact(deps.db, deps.config.contactKey, change(), params.code, params.participantCode, body, deps.clock()) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code/participants/:participantCode/contact',
    operationId: 'deleteParticipantContact',
    tag: 'Survey links',
    summary: "Delete the participant's contact details",
    description: `${WHO} 404 when none are stored.`,
    auth: 'user',
    callers: CALLERS,
    permission: { need: 'writeParticipants', action: "change participants' contact details" },
    params: ParticipantParams,
    changeReason: 'optional',
    responses: { 204: { description: 'Deleted' } },
    errors: [403],
    handler: async ({ deps, params, change }) => {
      await removeParticipantContact(deps.db, change(), params.code, params.participantCode);
      return { status: 204 };
    },
  }),
];
