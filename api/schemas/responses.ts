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
