// Request shapes of the HTTP API, validated at the edge.
import { z } from 'zod';
import { INDICATIONS, Study } from './bundle.ts';

export const StudyCodeParams = z.strictObject({
  code: z.string().regex(/^[A-Z0-9-]{2,32}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a study code` }),
});

const booleanQuery = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .optional()
  .transform((value) => value === 'true');

export const ImportQuery = z.object({
  replace: booleanQuery.describe('Replace the study with the same code, atomically, instead of refusing (409)'),
  format: z
    .enum(['json', 'csv', 'redcap', 'auto'], { error: (issue) => `must be json, csv, redcap or auto (got ${JSON.stringify(issue.input)})` })
    .default('json')
    .describe(
      'json: a bundle as application/json (or as the one part of multipart/form-data); csv or redcap: the files as application/zip or ' +
        'multipart/form-data; auto: whichever of these the body is, detected from its bytes and file names',
    ),
  code: Study.shape.code
    .optional()
    .describe('Import the study under this code instead of its own (a copy as a new study); everything else is imported as it is'),
});

export const ExportQuery = z.strictObject({
  format: z
    .enum(['json', 'csv', 'redcap', 'sdtm', 'fhir'], {
      error: (issue) => `must be json, csv, redcap, sdtm or fhir (got ${JSON.stringify(issue.input)})`,
    })
    .default('json')
    .describe('json: the bundle; csv: tidy tables; redcap: a REDCap project; sdtm: CDISC SDTM Dataset-JSON 1.1; fhir: a FHIR R4 Bundle'),
  deidentify: booleanQuery.describe('De-identify (always so for a reviewer)'),
});

const entityCodeParam = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a ${what} code` });
const numberParam = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a ${what} number` })
    .transform(Number);

/** The cohort filters of the study-level figures: one site and one indication. */
const cohortFilters = {
  site: entityCodeParam('site')
    .optional()
    .describe("Only this site's participants (a clinic: one of its own sites, 403 otherwise; 404 for a site the study lacks)"),
  indication: z
    .enum(INDICATIONS, { error: (issue) => `must be one of ${INDICATIONS.join(', ')} (got ${JSON.stringify(issue.input)})` })
    .optional()
    .describe('Only the participants with this indication'),
};

export const AnalysisQuery = z.strictObject({
  by: z
    .enum(['site', 'indication', 'practitioner-experience'], {
      error: (issue) => `must be site, indication or practitioner-experience (got ${JSON.stringify(issue.input)})`,
    })
    .optional()
    .describe('Repeat every figure per subgroup of this dimension'),
  ...cohortFilters,
  freeze: numberParam('freeze')
    .optional()
    .describe('The summary of this freeze of the study (POST …/freezes), byte for byte as it was, however the data changed since'),
});

export const ADVERSE_EVENT_DIMENSIONS = ['category', 'grade', 'serious', 'relatedness', 'site'] as const;

export const AdverseEventRatesQuery = z.strictObject({
  by: z
    .enum(ADVERSE_EVENT_DIMENSIONS, {
      error: (issue) => `must be category, grade, serious, relatedness or site (got ${JSON.stringify(issue.input)})`,
    })
    .default('category')
    .describe('The dimension counted by (default category); every level of it is listed, zero-event ones too'),
  ...cohortFilters,
});

export const SiteParams = StudyCodeParams.extend({ siteCode: entityCodeParam('site') });
export const PractitionerParams = StudyCodeParams.extend({ practitionerCode: entityCodeParam('practitioner') });
export const ParticipantParams = StudyCodeParams.extend({ participantCode: entityCodeParam('participant') });
export const SessionParams = ParticipantParams.extend({ number: numberParam('session') });
export const RecordNoParams = ParticipantParams.extend({ no: numberParam('record') });
export const AuditEntryParams = StudyCodeParams.extend({
  id: z.string().regex(/^[1-9]\d{0,18}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not an audit entry number` }),
});
