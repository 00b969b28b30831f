// /api/studies: list and import studies (a bundle, or csv and REDCap files: ./formats.ts); one
// study's fields, bundle, analysis and report.
import { defineRoute } from '../http/route.ts';
import { StudyBundle } from '../schemas/bundle.ts';
import { StudyPatch, StudyRecord } from '../schemas/records.ts';
import { AdverseEventRatesQuery, AnalysisQuery, ImportQuery, StudyCodeParams } from '../schemas/requests.ts';
import { AdverseEventRates, AnalysisSummary, ImportResult, StudyCharts, StudyList } from '../schemas/responses.ts';
import { studyAdverseEventRates } from '../services/adverse-event-rates-service.ts';
import type { Db } from '../../db/kysely.ts';
import type { Actor } from '../services/access.ts';
import { frozenStudyFacts } from '../services/freeze-service.ts';
import { analyzeStudy, analyzeStudyWithCharts, chartStudy, prepareStudyCharts } from '../services/analysis-service.ts';
import { exportBundle } from '../services/study-bundle-service.ts';
import { deleteStudy, getStudy, listStudies, patchStudy } from '../services/study-service.ts';
import { ImportParts, importBody } from './formats.ts';
import { reportContentSecurityPolicy } from './report-csp.ts';

/** The facts of the freeze a query names (`?freeze=ID`), or undefined for the study as stored now. */
async function frozenOf(db: Db, actor: Actor, code: string, freeze: number | undefined) {
  if (freeze === undefined) return undefined;
  const { facts } = await frozenStudyFacts(db, actor, code, freeze);
  return { id: freeze, facts };
}

export const studyRoutes = [
  defineRoute({
    method: 'get',
    path: '/studies',
    operationId: 'listStudies',
    tag: 'Studies',
    summary: 'The studies you can reach, with their record counts',
    auth: 'user',
    responses: { 200: { description: 'Studies by code', schema: StudyList } },
    handler: async ({ deps, actor }) => ({ body: { studies: await listStudies(deps.db, actor!) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/studies',
    operationId: 'importStudy',
    tag: 'Studies',
    summary: 'Import a study: a bundle, or csv or REDCap files (administrators; researchers may replace their studies)',
    description:
      'Validates the whole study and writes it in one transaction. A study that exists is refused (409) unless ' +
      '`replace=true`, which swaps its records atomically and keeps the replaced study in the audit trail. ' +
      'A study with sites and practitioners and no participants starts an empty study for record-level entry. ' +
      'With `format=csv` or `format=redcap` the body is the files: a zip (application/zip) of the export’s layout, or ' +
      'multipart/form-data with each csv table as a part named `files`, or the REDCap parts `dictionary`, `data`, and ' +
      'optionally `study` and `mapping`. Each problem is listed with its file, row and column: the first 1,000 in reading ' +
      'order, and `problemsOmitted` counts the rest, as for a bundle. With `format=auto` the format is detected from the body ' +
      '(a JSON bundle, a zip of a csv or REDCap export, or their files); a body the chosen format does not read is refused (415) ' +
      'with what it is and which format to choose. `code=NEW-CODE` imports the study under another code, as a new study.',
    auth: 'user',
    permission: { need: 'import' },
    bundleBody: true,
    bodyKinds: ['json', 'zip', 'multipart'],
    changeReason: 'optional',
    query: ImportQuery,
    unvalidatedBody: StudyBundle,
    multipartParts: ImportParts,
    responses: {
      200: { description: 'Replaced', schema: ImportResult, headers: ['Location'] },
      201: { description: 'Imported', schema: ImportResult, headers: ['Location'] },
    },
    errors: [403, 409],
    handler: async ({ deps, query, body, change }) => {
      // A clinic or a reviewer was refused before the body was read (permission: import).
      const options = { replace: query.replace, change: change(), ...(query.code === undefined ? {} : { code: query.code }) };
      const result = await importBody(deps.db, query.format, body, options);
      // The dashboard's first answer is computed from now on, while the client reads this response.
      await prepareStudyCharts(deps.db, result.code, deps.config.suppressBelow);
      return { status: result.replaced ? 200 : 201, location: `/api/studies/${result.code}`, body: result };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code',
    operationId: 'getStudy',
    tag: 'Studies',
    summary: "A study's title and protocol",
    auth: 'user',
    params: StudyCodeParams,
    responses: { 200: { description: 'The study', schema: StudyRecord, headers: ['ETag'] } },
    handler: async ({ deps, actor, params }) => {
      const study = await getStudy(deps.db, actor!, params.code);
      return { body: study, version: study.version };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/studies/:code',
    operationId: 'patchStudy',
    tag: 'Studies',
    summary: "Change a study's title or protocol (administrators and researchers)",
    auth: 'user',
    permission: { need: 'writeStudy', action: 'change the study' },
    ifMatch: true,
    changeReason: 'required',
    params: StudyCodeParams,
    body: StudyPatch,
    mergePatch: true,
    responses: { 200: { description: 'The changed study', schema: StudyRecord, headers: ['ETag'] } },
    errors: [403],
    handler: async ({ deps, params, body, ifMatch, change }) => {
      const study = await patchStudy(deps.db, change(), params.code, body, ifMatch!);
      return { body: study, version: study.version };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/studies/:code',
    operationId: 'deleteStudy',
    tag: 'Studies',
    summary: 'Delete a study and all its records (administrators); the audit trail keeps it',
    auth: 'user',
    permission: { need: 'admin', action: 'delete a study' },
    ifMatch: true,
    changeReason: 'required',
    params: StudyCodeParams,
    responses: { 204: { description: 'Deleted' } },
    errors: [403],
    handler: async ({ deps, params, ifMatch, change }) => {
      await deleteStudy(deps.db, change(), params.code, ifMatch!);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/bundle',
    operationId: 'exportStudy',
    tag: 'Studies',
    summary: 'The study as a bundle: a clinic gets its own sites, a reviewer a de-identified bundle',
    auth: 'user',
    params: StudyCodeParams,
    responses: { 200: { description: 'The bundle, as an attachment', schema: StudyBundle, headers: ['Content-Disposition'] } },
    handler: async ({ deps, actor, params, res }) => {
      const bundle = await exportBundle(deps.db, params.code, { actor: actor! });
      res.attachment(`${params.code}.json`).json(bundle);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/analysis',
    operationId: 'analyzeStudy',
    tag: 'Analysis',
    summary: 'The smp-analysis/1 summary, optionally of one site or indication (a clinic: its own sites; with by=site, other sites with small counts suppressed)',
    auth: 'user',
    params: StudyCodeParams,
    query: AnalysisQuery,
    responses: { 200: { description: 'The summary', schema: AnalysisSummary } },
    errors: [403],
    handler: async ({ deps, actor, params, query }) => ({
      body: await analyzeStudy(deps.db, params.code, {
        ...query,
        actor: actor!,
        suppressBelow: deps.config.suppressBelow,
        frozen: await frozenOf(deps.db, actor!, params.code, query.freeze),
      }),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/charts',
    operationId: 'studyCharts',
    tag: 'Analysis',
    summary: 'The summary and every chart of the report (chart.js configuration and table), for a dashboard to draw as they are',
    description:
      'One extraction for both: `summary` is what /analysis answers for the same query, and `charts` are drawn from it and its ' +
      'aggregated series (bounded in size whatever the number of participants: no participant-level rows, no participant codes). ' +
      'The same site and indication filters, clinic scope and small-cell suppression as /analysis; the charts are of the ' +
      'cohort as a whole (a clinic: its own sites), `by` adds subgroups to the summary only.',
    auth: 'user',
    params: StudyCodeParams,
    query: AnalysisQuery,
    responses: { 200: { description: 'The summary and the charts', schema: StudyCharts } },
    errors: [403],
    handler: async ({ deps, actor, params, query }) => ({
      body: {
        ...(await chartStudy(deps.db, params.code, {
          ...query,
          actor: actor!,
          suppressBelow: deps.config.suppressBelow,
          frozen: await frozenOf(deps.db, actor!, params.code, query.freeze),
        })),
        suppressBelow: deps.config.suppressBelow,
      },
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/report',
    operationId: 'studyReport',
    tag: 'Analysis',
    summary: 'The HTML report: every figure with its chart and table, self-contained; the same query as /analysis',
    auth: 'user',
    params: StudyCodeParams,
    query: AnalysisQuery,
    responses: { 200: { description: 'The report', contentType: 'text/html' } },
    errors: [403],
    handler: async ({ deps, actor, params, query, res }) => {
      const frozen = query.freeze === undefined ? undefined : await frozenStudyFacts(deps.db, actor!, params.code, query.freeze);
      const { summary, series } = await analyzeStudyWithCharts(deps.db, params.code, {
        ...query,
        actor: actor!,
        suppressBelow: deps.config.suppressBelow,
        frozen: frozen && { id: frozen.freeze.id, facts: frozen.facts },
      });
      const { renderHtml } = await import('../reports/index.ts');
      const html = renderHtml(summary, series, { suppressBelow: deps.config.suppressBelow, freeze: frozen?.freeze });
      res.setHeader('Content-Security-Policy', reportContentSecurityPolicy(html));
      res.type('html').send(html);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/studies/:code/adverse-events/rates',
    operationId: 'adverseEventRates',
    tag: 'Analysis',
    summary: 'Adverse-event rates for review: per category, grade, seriousness, relatedness or site, every level with its exact interval',
    description:
      'For each level of `by` (every level of the vocabulary, zero-event ones included): the events, and the participants ' +
      'with at least one as a proportion of N with 95% Wilson and Clopper–Pearson exact intervals. N is the cohort, or with ' +
      "by=site the site's own participants. The cohort is every participant the caller reaches, narrowed by `site` and " +
      '`indication`; a clinic sees its own sites, and with by=site the other sites with counts under the threshold suppressed.',
    auth: 'user',
    params: StudyCodeParams,
    query: AdverseEventRatesQuery,
    responses: { 200: { description: 'The rates', schema: AdverseEventRates } },
    errors: [403],
    handler: async ({ deps, actor, params, query }) => ({
      body: {
        ...(await studyAdverseEventRates(deps.db, params.code, { ...query, actor: actor!, suppressBelow: deps.config.suppressBelow })),
        suppressBelow: deps.config.suppressBelow,
      },
    }),
  }),
];
