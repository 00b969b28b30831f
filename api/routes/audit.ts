// /api/studies/:code/audit: the audit trail, and a replaced study kept in it.
import { defineRoute } from '../http/route.ts';
import { AuditEntry, AuditQuery } from '../schemas/audit.ts';
import { StudyBundle } from '../schemas/bundle.ts';
import { page } from '../schemas/records.ts';
import { AuditEntryParams, StudyCodeParams } from '../schemas/requests.ts';
import { listAuditEntries, replacedStudyBundle } from '../services/audit-service.ts';

export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/studies/:code/audit',
    operationId: 'listAudit',
    tag: 'Audit trail',
    summary: 'Who changed what, when and why: newest first (clinics: their sites; reviewers: none)',
    auth: 'user',
    params: StudyCodeParams,
    query: AuditQuery,
    responses: { 200: { description: 'A page of entries', schema: page(AuditEntry, 'AuditPage') } },
    errors: [403],
    handler: async ({ deps, actor, params, query }) => ({ body: await listAuditEntries(deps.db, actor!, params.code, query) }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/audit/:id/bundle',
    operationId: 'getReplacedBundle',
    tag: 'Audit trail',
    summary: 'The study as it was before a replace or deletion (administrators)',
    auth: 'user',
    params: AuditEntryParams,
    responses: { 200: { description: 'The replaced study, as an attachment', schema: StudyBundle, headers: ['Content-Disposition'] } },
    errors: [403],
    handler: async ({ deps, actor, params, res }) => {
      const bundle = await replacedStudyBundle(deps.db, actor!, params.code, params.id);
      res.attachment(`${params.code}-before-audit-${params.id}.json`).json(bundle);
    },
  }),
];
