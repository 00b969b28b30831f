// The study's structure under /api/studies/:code: its sites and its practitioners, listed, read,
// added, changed and deleted (changes by administrators and researchers).
import { defineRoute, type RoutePermission, type RouteSpec } from '../http/route.ts';
import { Practitioner, Site } from '../schemas/bundle.ts';
import { PageQuery, page, patchOf, PractitionerRecord, SiteRecord } from '../schemas/records.ts';
import { PractitionerParams, SiteParams, StudyCodeParams } from '../schemas/requests.ts';
import { pageOf } from '../services/cursor.ts';
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

/** What a change of sites and practitioners needs, checked before the body is read. */
const WRITE_STRUCTURE: RoutePermission = { need: 'writeStudy', action: 'change sites or practitioners' };

const studyPath = (code: string) => `/api/studies/${encodeURIComponent(code)}`;

export const studyStructureRoutes: RouteSpec[] = [
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
    mergePatch: true,
    responses: { 200: { description: 'The changed site', schema: SiteRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change, body }) => {
      const site = await patchSite(deps.db, change(), params.code, params.siteCode, body, ifMatch!);
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
    mergePatch: true,
    responses: { 200: { description: 'The changed practitioner', schema: PractitionerRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change, body }) => {
      const practitioner = await patchPractitioner(deps.db, change(), params.code, params.practitionerCode, body, ifMatch!);
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
