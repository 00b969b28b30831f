// Response shapes of the HTTP API that are not the bundle itself.
import { z } from 'zod';

export const StudyListing = z
  .object({
    code: z.string().describe('Study code'),
    title: z.string().describe('Study title'),
    importedAt: z.string().describe('When the study was imported, UTC, ISO 8601'),
    sites: z.int(),
    practitioners: z.int(),
    participants: z.int(),
    sessions: z.int(),
    adverseEvents: z.int(),
    fadingAssessments: z.int(),
    surveys: z.int(),
  })
  .meta({ id: 'StudyListing' });
export type StudyListing = z.output<typeof StudyListing>;

export const ImportResult = z
  .object({
    code: z.string(),
    replaced: z.boolean().describe('Whether an existing study with this code was replaced'),
    counts: z.record(z.string(), z.int()).describe('Rows written per table'),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.output<typeof ImportResult>;

export const StudyList = z.object({ studies: z.array(StudyListing) }).meta({ id: 'StudyList' });

export const Health = z
  .object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) })
  .meta({ id: 'Health' });

/** RFC 9457 problem details, as every error is answered. */
export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().describe('One sentence; each problem is listed once, in `problems`'),
    instance: z.string().optional(),
    problems: z
      .array(z.object({ path: z.string().describe('Where: a JSON path in the body, `path.x`, `query.x` or `(header) X`'), message: z.string() }))
      .optional(),
    current: z.unknown().optional().describe('On 412: the record as it is now'),
  })
  .meta({ id: 'ProblemDetails' });
