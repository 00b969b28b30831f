// Request shapes of the HTTP API, validated at the edge.
import { z } from 'zod';

export const StudyCodeParams = z.strictObject({
  code: z.string().regex(/^[A-Z0-9-]{2,32}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a study code` }),
});

export const ImportQuery = z.object({
  replace: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true'),
});

export const AnalysisQuery = z.strictObject({
  by: z
    .enum(['site', 'indication', 'practitioner-experience'], {
      error: (issue) => `must be site, indication or practitioner-experience (got ${JSON.stringify(issue.input)})`,
    })
    .optional(),
});

const entityCodeParam = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a ${what} code` });
const numberParam = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a ${what} number` })
    .transform(Number);

export const SiteParams = StudyCodeParams.extend({ siteCode: entityCodeParam('site') });
export const PractitionerParams = StudyCodeParams.extend({ practitionerCode: entityCodeParam('practitioner') });
export const ParticipantParams = StudyCodeParams.extend({ participantCode: entityCodeParam('participant') });
export const SessionParams = ParticipantParams.extend({ number: numberParam('session') });
export const RecordNoParams = ParticipantParams.extend({ no: numberParam('record') });
export const AuditEntryParams = StudyCodeParams.extend({
  id: z.string().regex(/^[1-9]\d{0,18}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not an audit entry number` }),
});
