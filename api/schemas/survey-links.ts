// Shapes of participant survey links: the staff's request for a link and its answer, and what a
// participant’s page sends and receives. Zod only, so the participant’s page can use it.
import { z } from 'zod';
import { ParticipantParams } from './requests.ts';

import { SURVEY_LANGUAGES } from './survey-languages.ts';

export { SURVEY_LANGUAGES, type SurveyLanguage } from './survey-languages.ts';

/** Survey link secrets start with this: recognisable in a leaked text, unlike an API token's `smp_`. */
export const SURVEY_LINK_PREFIX = 'smpsv_';
/** The participant's page, under the origin; the secret is the URL's fragment. */
export const SURVEY_PAGE_PATH = '/s';

export const SurveyLinksParams = ParticipantParams;

export const SurveyLinkParams = ParticipantParams.extend({
  id: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { error: (issue) => `${JSON.stringify(issue.input)} is not a survey link number` })
    .transform(Number),
});

export const NewSurveyLinkBody = z
  .strictObject({
    visit: z
      .string({ error: 'must be the code of a scheduled visit (a string)' })
      .min(1)
      .max(32)
      .optional()
      .describe("A scheduled visit of the study's protocol that expects a survey; absent for a survey asked by hand"),
  })
  .meta({ id: 'NewSurveyLinkBody' });
export type NewSurveyLinkBody = z.output<typeof NewSurveyLinkBody>;

export const NewSurveyLink = z
  .object({
    id: z.number().int().describe('The link’s number, to revoke it'),
    url: z.string().describe('The address to give the participant, with its secret in the fragment (/s#…): shown only now'),
    expiresAt: z.string().describe('When the link stops working, UTC, ISO 8601'),
  })
  .meta({ id: 'NewSurveyLink' });
export type NewSurveyLink = z.output<typeof NewSurveyLink>;

export const SurveyLinkRecord = z
  .object({
    id: z.number().int(),
    visit: z.string().nullable().describe('The scheduled visit the survey is for, or null'),
    createdAt: z.string(),
    expiresAt: z.string(),
    usedAt: z.string().nullable().describe('When the participant answered, or null'),
    revokedAt: z.string().nullable(),
    survey: z.number().int().nullable().describe('The number of the survey the answer became, or null'),
  })
  .meta({ id: 'SurveyLinkRecord' });
export type SurveyLinkRecord = z.output<typeof SurveyLinkRecord>;

const linkSecret = z
  .string({ error: 'must be the secret of a survey link (a string)' })
  .min(1, { error: 'must be the secret of a survey link' })
  .max(200, { error: 'is not a survey link' })
  .describe('The secret of the link: the fragment of its address, after /s#');

export const SurveyLinkOpenBody = z.strictObject({ link: linkSecret }).meta({ id: 'SurveyLinkOpenBody' });

export const SurveyLinkInfo = z
  .object({
    studyTitle: z.string().describe('The title of the study the survey belongs to'),
    expiresAt: z.string(),
    languages: z.array(z.enum(SURVEY_LANGUAGES)).describe('The languages the survey is offered in'),
  })
  .meta({ id: 'SurveyLinkInfo' });
export type SurveyLinkInfo = z.output<typeof SurveyLinkInfo>;

export const SurveyAnswerBody = z
  .strictObject({
    link: linkSecret,
    satisfaction: z
      .number({ error: (issue) => (issue.input === undefined ? 'is required: a whole number from 1 to 5' : 'must be a whole number from 1 to 5') })
      .int({ error: 'must be a whole number from 1 to 5' })
      .min(1, { error: 'must be from 1 to 5' })
      .max(5, { error: 'must be from 1 to 5' })
      .describe('1 very dissatisfied … 5 very satisfied'),
    wouldRecommend: z
      .boolean({ error: (issue) => (issue.input === undefined ? 'is required: true or false' : 'must be true or false') })
      .describe('Would the participant recommend the treatment'),
    language: z
      .enum(SURVEY_LANGUAGES, { error: `must be one of ${SURVEY_LANGUAGES.join(', ')}` })
      .describe('The language the participant answered in'),
  })
  .meta({ id: 'SurveyAnswerBody' });
export type SurveyAnswerBody = z.output<typeof SurveyAnswerBody>;

export const SurveyAnswered = z
  .object({ date: z.string().describe('The date the survey is recorded on: the day of the answer in the study’s time zone') })
  .meta({ id: 'SurveyAnswered' });
