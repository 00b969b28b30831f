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
