// The record-level API under /api/studies/:code: sites, practitioners, participants and each
// participant's sessions, adverse events, fading assessments and surveys; and the study-wide
// listings of participants and adverse events.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { adverseEventCsvRow, adverseEventCsvStream } from '../formats/adverse-event-csv.ts';
import { defineRoute, type RoutePermission, type RouteSpec } from '../http/route.ts';
import {
  AdverseEvent,
  FadingAssessment,
  Practitioner,
  SatisfactionSurvey,
  Site,
  TreatmentSession,
} from '../schemas/bundle.ts';
import {
  AdverseEventCsvQuery,
  AdverseEventListItem,
  AdverseEventListQuery,
  AdverseEventRecord,
  FadingAssessmentRecord,
  PageQuery,
  page,
  ParticipantFields,
  ParticipantListQuery,
  ParticipantRecord,
  patchOf,
  PractitionerRecord,
  SessionCreate,
  SessionRecord,
  SessionRenumbering,
  SiteRecord,
  SurveyRecord,
} from '../schemas/records.ts';
import { ParticipantParams, PractitionerParams, RecordNoParams, SessionParams, SiteParams, StudyCodeParams } from '../schemas/requests.ts';
import { pageOf } from '../services/cursor.ts';
import { forEachAdverseEvent, listAdverseEvents, listParticipants } from '../services/listing-service.ts';
import {
  createParticipant,
  createRecord,
  deleteParticipantRecord,
  deleteRecord,
  getParticipant,
  getRecord,
  LISTS,
  listRecords,
  patchParticipant,
  patchRecord,
  removeAndRenumberSession,
  type RecordList,
} from '../services/participant-records-service.ts';
import {
  createPractitioner,
  createSite,
  deletePractitionerRecord,
  deleteSiteRecord,
  getPractitioner,
  getSite,
  listPractitioners,
  listSites,
  patchPractitioner,
  patchSite,
} from '../services/study-structure-service.ts';

/** What writes need (checked before the body is read): to sites and practitioners, to a participant or their records. */
const WRITE_STRUCTURE: RoutePermission = { need: 'writeStudy', action: 'change sites or practitioners' };
const WRITE_PARTICIPANTS: RoutePermission = { need: 'writeParticipants', action: 'change participants or their records' };

const studyPath = (code: string) => `/api/studies/${encodeURIComponent(code)}`;
const participantPath = (code: string, participant: string) => `${studyPath(code)}/participants/${encodeURIComponent(participant)}`;

const structureRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/sites',
    operationId: 'listSites',
    tag: 'Sites',
    summary: "The study's sites, by code",
    auth: 'user',
    params: StudyCodeParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of sites', schema: page(SiteRecord, 'SitePage') } },
    handler: async ({ deps, actor, params, query }) => ({ body: pageOf(await listSites(deps.db, actor!, params.code), (s) => s.code, query) }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/sites',
    operationId: 'createSite',
    tag: 'Sites',
    summary: 'Add a site (administrators and researchers)',
    auth: 'user',
    permission: WRITE_STRUCTURE,
    changeReason: 'optional',
    params: StudyCodeParams,
    body: Site,
    responses: { 201: { description: 'Created', schema: SiteRecord, headers: ['Location', 'ETag'] } },
    errors: [403, 409],
    handler: async ({ deps, params, body, change }) => {
      const site = await createSite(deps.db, change(), params.code, body);
      return { status: 201, body: site, version: site.version, location: `${studyPath(params.code)}/sites/${encodeURIComponent(site.code)}` };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/sites/:siteCode',
    operationId: 'getSite',
    tag: 'Sites',
    summary: 'One site',
    auth: 'user',
    params: SiteParams,
    responses: { 200: { description: 'The site', schema: SiteRecord, headers: ['ETag'] } },
    handler: async ({ deps, actor, params }) => {
      const site = await getSite(deps.db, actor!, params.code, params.siteCode);
      return { body: site, version: site.version };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/studies/:code/sites/:siteCode',
    operationId: 'patchSite',
    tag: 'Sites',
    summary: "Change a site's name",
    auth: 'user',
    permission: WRITE_STRUCTURE,
    ifMatch: true,
    changeReason: 'required',
    params: SiteParams,
    body: patchOf(Site, 'Site'),
    responses: { 200: { description: 'The changed site', schema: SiteRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change, req }) => {
      const site = await patchSite(deps.db, change(), params.code, params.siteCode, req.body, ifMatch!);
      return { body: site, version: site.version };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code/sites/:siteCode',
    operationId: 'deleteSite',
    tag: 'Sites',
    summary: 'Delete a site that no participant or practitioner names',
    auth: 'user',
    permission: WRITE_STRUCTURE,
    ifMatch: true,
    changeReason: 'required',
    params: SiteParams,
    responses: { 204: { description: 'Deleted' } },
    errors: [403, 409],
    handler: async ({ deps, params, ifMatch, change }) => {
      await deleteSiteRecord(deps.db, change(), params.code, params.siteCode, ifMatch!);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/practitioners',
    operationId: 'listPractitioners',
    tag: 'Practitioners',
    summary: "The study's practitioners, by code (by pseudonym in the de-identified view)",
    auth: 'user',
    params: StudyCodeParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of practitioners', schema: page(PractitionerRecord, 'PractitionerPage') } },
    handler: async ({ deps, actor, params, query }) => ({
      body: pageOf(await listPractitioners(deps.db, actor!, params.code), (p) => p.code, query),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies/:code/practitioners',
    operationId: 'createPractitioner',
    tag: 'Practitioners',
    summary: 'Add a practitioner (administrators and researchers)',
    auth: 'user',
    permission: WRITE_STRUCTURE,
    changeReason: 'optional',
    params: StudyCodeParams,
    body: Practitioner,
    responses: { 201: { description: 'Created', schema: PractitionerRecord, headers: ['Location', 'ETag'] } },
    errors: [403, 409],
    handler: async ({ deps, params, body, change }) => {
      const practitioner = await createPractitioner(deps.db, change(), params.code, body);
      return {
        status: 201,
        body: practitioner,
        version: practitioner.version,
        location: `${studyPath(params.code)}/practitioners/${encodeURIComponent(practitioner.code)}`,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/practitioners/:practitionerCode',
    operationId: 'getPractitioner',
    tag: 'Practitioners',
    summary: 'One practitioner',
    auth: 'user',
    params: PractitionerParams,
    responses: { 200: { description: 'The practitioner', schema: PractitionerRecord, headers: ['ETag'] } },
    handler: async ({ deps, actor, params }) => {
      const practitioner = await getPractitioner(deps.db, actor!, params.code, params.practitionerCode);
      return { body: practitioner, version: practitioner.version };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/studies/:code/practitioners/:practitionerCode',
    operationId: 'patchPractitioner',
    tag: 'Practitioners',
    summary: "Change a practitioner's site or experience",
    auth: 'user',
    permission: WRITE_STRUCTURE,
    ifMatch: true,
    changeReason: 'required',
    params: PractitionerParams,
    body: patchOf(Practitioner, 'Practitioner'),
    responses: { 200: { description: 'The changed practitioner', schema: PractitionerRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change, req }) => {
      const practitioner = await patchPractitioner(deps.db, change(), params.code, params.practitionerCode, req.body, ifMatch!);
      return { body: practitioner, version: practitioner.version };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code/practitioners/:practitionerCode',
    operationId: 'deletePractitioner',
    tag: 'Practitioners',
    summary: 'Delete a practitioner who gave no session',
    auth: 'user',
    permission: WRITE_STRUCTURE,
    ifMatch: true,
    changeReason: 'required',
    params: PractitionerParams,
    responses: { 204: { description: 'Deleted' } },
    errors: [403, 409],
    handler: async ({ deps, params, ifMatch, change }) => {
      await deletePractitionerRecord(deps.db, change(), params.code, params.practitionerCode, ifMatch!);
      return { status: 204 };
    },
  }),
];

const participantRoutes: RouteSpec[] = [
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
    responses: { 200: { description: 'The changed participant', schema: ParticipantRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change, req }) => {
      const participant = await patchParticipant(deps.db, change(), params.code, params.participantCode, req.body, ifMatch!);
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
      responses: { 200: { description: `The changed ${noun}`, schema: record, headers: ['ETag'] } },
      errors: [403],
      handler: async ({ deps, params, ifMatch, change, req }) => {
        const item = await patchRecord(deps.db, change(), params.code, params.participantCode, list, keyOf(params), req.body, ifMatch!);
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

const listingRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/adverse-events',
    operationId: 'listStudyAdverseEvents',
    tag: 'Adverse events',
    summary: 'Every adverse event of the study, filtered and a page at a time',
    auth: 'user',
    params: StudyCodeParams,
    query: AdverseEventListQuery,
    responses: { 200: { description: 'A page of adverse events', schema: page(AdverseEventListItem, 'AdverseEventListPage') } },
    handler: async ({ deps, actor, params, query }) => ({ body: await listAdverseEvents(deps.db, actor!, params.code, query) }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/adverse-events.csv',
    operationId: 'downloadStudyAdverseEvents',
    tag: 'Adverse events',
    summary: 'Every adverse event the listing’s filters match, as a CSV download in the listing’s order',
    description:
      'The same filters, order, scope and view as GET /studies/{code}/adverse-events, without pages: one row per event with ' +
      'the listing’s fields as columns, named as in the csv export’s adverse_events.csv (participant_code, site_code, event_no, ' +
      'category, term, onset_date, resolved_date, grade, serious, relatedness, outcome, session_number, solicited), RFC 4180, ' +
      'UTF-8, booleans as 1/0, and text that starts with =, +, -, @, a tab or a carriage return behind an apostrophe (so a ' +
      'spreadsheet shows it as text). A clinic gets its own sites; a reviewer gets pseudonyms and shifted dates, as in the listing.',
    auth: 'user',
    params: StudyCodeParams,
    query: AdverseEventCsvQuery,
    responses: { 200: { description: 'The events, as an attachment', contentType: 'text/csv', headers: ['Content-Disposition'] } },
    handler: async ({ deps, actor, params, query, res }) => {
      let csv: ReturnType<typeof adverseEventCsvStream> | null = null;
      // One listener for the client going away, made before anything can wait on it: a 'close'
      // that came while a batch was being read is then not missed.
      const closed = once(res, 'close').catch(() => undefined);
      const stopIfGone = () => {
        // A reader that went away never drains: stop reading (and free the snapshot).
        if (res.destroyed) throw new Error('the client closed the adverse-event download');
      };
      await forEachAdverseEvent(deps.db, actor!, params.code, query, async (items) => {
        stopIfGone();
        if (!csv) {
          // Access and filters have been checked: the download starts.
          res.attachment(`${params.code}-adverse-events.csv`).type('text/csv; charset=utf-8');
          res.setHeader('Cache-Control', 'no-store');
          csv = adverseEventCsvStream();
          csv.pipe(res);
        }
        for (const item of items) {
          if (csv.write(adverseEventCsvRow(item))) continue;
          stopIfGone();
          await Promise.race([once(csv, 'drain'), closed]);
          stopIfGone();
        }
      });
      csv!.end();
      await finished(res);
    },
  }),
];

export const recordRoutes: RouteSpec[] = [
  ...structureRoutes,
  ...participantRoutes,
  ...LIST_ROUTES.flatMap(listRoutes),
  ...renumberRoutes,
  ...listingRoutes,
];
