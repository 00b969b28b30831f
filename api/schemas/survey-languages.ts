// The languages a participant's survey page is offered in. A leaf module, so the page's small
// script includes it without the schemas' validation code.
export const SURVEY_LANGUAGES = ['en', 'es'] as const;
export type SurveyLanguage = (typeof SURVEY_LANGUAGES)[number];
