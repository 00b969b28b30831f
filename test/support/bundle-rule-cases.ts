// Every bad-input rule of the bundle format, as a case: how the small test bundle is bent, and the
// problems a validation must report, exactly. Run against the import (with nothing written) in
// test/integration/bundle-validation.test.ts and against the validation alone in
// test/unit/input/bundle-rules.test.ts.
import type { smallBundle } from './bundles.ts';

export type Bundle = ReturnType<typeof smallBundle>;

export interface BundleRuleCase {
  rule: string;
  bend: (bundle: Bundle) => void;
  problems: Array<{ path: string; message: string }>;
}

export const bundleRuleCases: BundleRuleCase[] = [
  {
    rule: 'a date that is not on the calendar',
    bend: (b) => (b.participants[0].sessions[1].date = '2021-02-30'),
    problems: [{ path: 'participants[0].sessions[1].date', message: '2021-02-30 is not a calendar date' }],
  },
  {
    rule: 'a date in another format',
    bend: (b) => (b.participants[0].enrolledOn = '02/01/2019'),
    problems: [{ path: 'participants[0].enrolledOn', message: '"02/01/2019" is not a date in the form YYYY-MM-DD' }],
  },
  {
    rule: 'an unknown site code on a participant',
    bend: (b) => (b.participants[1].site = 'LDS'),
    problems: [{ path: 'participants[1].site', message: 'site "LDS" is not defined in sites' }],
  },
  {
    rule: 'an unknown site code on a practitioner',
    bend: (b) => (b.practitioners[0].site = 'LDS'),
    problems: [{ path: 'practitioners[0].site', message: 'site "LDS" is not defined in sites' }],
  },
  {
    rule: 'an unknown practitioner code',
    bend: (b) => (b.participants[0].sessions[2].practitioner = 'PR-Z'),
    problems: [{ path: 'participants[0].sessions[2].practitioner', message: 'practitioner "PR-Z" is not defined in practitioners' }],
  },
  {
    rule: 'duplicate participant codes',
    bend: (b) => (b.participants[1].code = 'P01'),
    problems: [{ path: 'participants[1].code', message: 'participant code "P01" is already used by participants[0]' }],
  },
  {
    rule: 'duplicate site codes',
    bend: (b) => (b.sites[1].code = 'LON'),
    problems: [
      { path: 'participants[1].site', message: 'site "MAN" is not defined in sites' },
      { path: 'practitioners[1].site', message: 'site "MAN" is not defined in sites' },
      { path: 'sites[1].code', message: 'site code "LON" is already used by sites[0]' },
    ],
  },
  {
    rule: 'session numbers with a gap',
    bend: (b) => (b.participants[0].sessions[3].number = 5),
    problems: [
      { path: 'participants[0].sessions[3].number', message: 'session numbers must run 1..4 without gaps for 4 sessions (got 5)' },
    ],
  },
  {
    rule: 'a repeated session number',
    bend: (b) => (b.participants[0].sessions[2].number = 2),
    problems: [{ path: 'participants[0].sessions[2].number', message: 'session number 2 is already used by sessions[1]' }],
  },
  {
    rule: 'session dates not ascending with the numbers',
    bend: (b) => (b.participants[0].sessions[2].date = '2019-01-10'),
    problems: [
      {
        path: 'participants[0].sessions[2].date',
        message: '2019-01-10 is not after the date of session 2 (2019-01-14); dates must ascend with session numbers',
      },
    ],
  },
  {
    rule: 'a touch-up before the last initial session',
    bend: (b) => {
      const sessions = b.participants[0].sessions;
      sessions[2].kind = 'touch_up';
      sessions[3].kind = 'initial';
    },
    problems: [
      {
        path: 'participants[0].sessions[2].kind',
        message: 'touch-up session 3 comes before initial session 4; touch-ups follow the last initial session',
      },
    ],
  },
  {
    rule: 'a touch-up with no initial session',
    bend: (b) => (b.participants[1].sessions[0].kind = 'touch_up'),
    problems: [{ path: 'participants[1].sessions[0].kind', message: 'a touch-up needs an initial session before it' }],
  },
  {
    rule: 'resolvedDate before onsetDate',
    bend: (b) => (b.participants[0].adverseEvents[0].resolvedDate = '2019-01-07'),
    problems: [{ path: 'participants[0].adverseEvents[0].resolvedDate', message: '2019-01-07 is before onset on 2019-01-08' }],
  },
  {
    rule: 'an adverse event sessionNumber with no such session',
    bend: (b) => (b.participants[0].adverseEvents[0].sessionNumber = 7),
    problems: [{ path: 'participants[0].adverseEvents[0].sessionNumber', message: 'participant has no session 7' }],
  },
  {
    rule: 'an adverse event starting before the session it follows',
    bend: (b) => (b.participants[0].adverseEvents[0].sessionNumber = 2),
    problems: [
      { path: 'participants[0].adverseEvents[0].onsetDate', message: '2019-01-08 is before session 2 on 2019-01-14, which the event follows' },
    ],
  },
  {
    rule: 'a fatal outcome below grade 5, and grade 5 that is not serious',
    bend: (b) => {
      b.participants[0].adverseEvents[0].outcome = 'fatal';
      b.participants[1].adverseEvents = [
        {
          category: 'infection', term: 'Sepsis', onsetDate: '2019-02-10', resolvedDate: null, grade: 5, serious: false,
          relatedness: 'possible', outcome: 'not_recovered', sessionNumber: 1, solicited: false,
        },
      ];
    },
    problems: [
      { path: 'participants[0].adverseEvents[0].grade', message: 'a fatal outcome is CTCAE grade 5 (got 1)' },
      { path: 'participants[1].adverseEvents[0].outcome', message: 'CTCAE grade 5 is death, so the outcome must be fatal (got not_recovered)' },
      { path: 'participants[1].adverseEvents[0].serious', message: 'a grade 5 (fatal) event is serious' },
    ],
  },
  {
    rule: 'an adverse event before enrolment',
    bend: (b) => {
      b.participants[0].adverseEvents[0].onsetDate = '2018-12-30';
      b.participants[0].adverseEvents[0].sessionNumber = null;
    },
    problems: [{ path: 'participants[0].adverseEvents[0].onsetDate', message: '2018-12-30 is before enrolment on 2019-01-02' }],
  },
  {
    rule: 'an assessment before the first session',
    bend: (b) => (b.participants[0].fadingAssessments[0].date = '2019-01-05'),
    problems: [
      { path: 'participants[0].fadingAssessments[0].date', message: "2019-01-05 is before the participant's first session on 2019-01-07" },
    ],
  },
  {
    rule: 'a survey before the first session',
    bend: (b) => (b.participants[0].surveys[0].date = '2019-01-03'),
    problems: [{ path: 'participants[0].surveys[0].date', message: "2019-01-03 is before the participant's first session on 2019-01-07" }],
  },
  {
    rule: 'a survey of a participant without sessions',
    bend: (b) => {
      b.participants[1].sessions = [];
      b.participants[1].surveys = [{ date: '2019-02-10', satisfaction: 3, wouldRecommend: null }];
    },
    problems: [{ path: 'participants[1].surveys[0].date', message: 'participant has no sessions, so there is nothing to survey' }],
  },
  {
    rule: 'withdrawal before enrolment',
    bend: (b) => (b.participants[1].withdrawnOn = '2019-01-31'),
    problems: [
      { path: 'participants[1].sessions[0].date', message: '2019-02-04 is after withdrawal on 2019-01-31' },
      { path: 'participants[1].withdrawnOn', message: '2019-01-31 is before enrolment on 2019-02-01' },
    ],
  },
  {
    rule: 'withdrawnOn without withdrawalCause',
    bend: (b) => (b.participants[1].withdrawalCause = null),
    problems: [{ path: 'participants[1].withdrawalCause', message: 'is required when withdrawnOn is given' }],
  },
  {
    rule: 'a withdrawal cause without withdrawnOn',
    bend: (b) => (b.participants[0].withdrawalCause = 'other'),
    problems: [{ path: 'participants[0].withdrawalCause', message: 'is given but withdrawnOn is not' }],
  },
  {
    rule: 'a session before enrolment',
    bend: (b) => (b.participants[0].enrolledOn = '2019-01-08'),
    problems: [{ path: 'participants[0].sessions[0].date', message: '2019-01-07 is before enrolment on 2019-01-08' }],
  },
  {
    rule: 'a birth year after enrolment',
    bend: (b) => (b.participants[0].birthYear = 2020),
    problems: [{ path: 'participants[0].birthYear', message: '2020 is after the year of enrolment (2019-01-02)' }],
  },
  {
    rule: 'a field the format does not have',
    bend: (b) => (b.participants[0].colour = 'brown'),
    problems: [{ path: 'participants[0].colour', message: 'is not a field of this format' }],
  },
  {
    rule: 'a missing required field',
    bend: (b) => delete b.participants[0].keloidHistory,
    problems: [{ path: 'participants[0].keloidHistory', message: 'is required' }],
  },
  {
    rule: 'a value of the wrong type',
    bend: (b) => (b.participants[0].sessions[0].durationMinutes = '180'),
    problems: [{ path: 'participants[0].sessions[0].durationMinutes', message: 'must be a whole number (got "180")' }],
  },
  {
    rule: 'a value outside an enumeration',
    bend: (b) => (b.participants[0].sex = 'm'),
    problems: [{ path: 'participants[0].sex', message: 'must be one of female, male, other, unknown (got "m")' }],
  },
  {
    rule: 'a fading grade out of range',
    bend: (b) => (b.participants[0].fadingAssessments[1].grade = 5),
    problems: [{ path: 'participants[0].fadingAssessments[1].grade', message: 'must be at most 4 (got 5)' }],
  },
  {
    rule: 'a density score with two decimals',
    bend: (b) => (b.participants[0].fadingAssessments[0].densityScore = 8.25),
    problems: [{ path: 'participants[0].fadingAssessments[0].densityScore', message: '8.25 has more than 1 decimal place' }],
  },
  {
    rule: 'a negative cost',
    bend: (b) => (b.participants[0].costUsd = -1),
    problems: [{ path: 'participants[0].costUsd', message: 'must be at least 0 (got -1)' }],
  },
  {
    rule: 'a Fitzpatrick type of 7',
    bend: (b) => (b.participants[0].fitzpatrick = 7),
    problems: [{ path: 'participants[0].fitzpatrick', message: 'must be at most 6 (got 7)' }],
  },
  {
    rule: 'a satisfaction score of 0',
    bend: (b) => (b.participants[0].surveys[0].satisfaction = 0),
    problems: [{ path: 'participants[0].surveys[0].satisfaction', message: 'must be at least 1 (got 0)' }],
  },
  {
    rule: 'a study code in lower case',
    bend: (b) => (b.study.code = 'smp-x'),
    problems: [{ path: 'study.code', message: '"smp-x" is not a valid study code (2 to 32 capital letters, digits or "-")' }],
  },
  {
    rule: 'followUpMonths from after to',
    bend: (b) => (b.study.protocol.followUpMonths = { from: 12, to: 6 }),
    problems: [{ path: 'study.protocol.followUpMonths', message: 'from (12) must not be greater than to (6)' }],
  },
  {
    rule: 'another format name',
    bend: (b) => ((b as { format: string }).format = 'smp-study-bundle/2'),
    problems: [{ path: 'format', message: 'must be "smp-study-bundle/1" (got "smp-study-bundle/2")' }],
  },
  {
    rule: 'text with a NUL character',
    bend: (b) => (b.participants[0].adverseEvents[0].term = 'rash\u0000'),
    problems: [
      { path: 'participants[0].adverseEvents[0].term', message: 'contains a NUL character (U+0000), which cannot be stored' },
    ],
  },
  {
    rule: 'text with a lone surrogate',
    bend: (b) => (b.sites[0].name = 'Clinic \ud800'),
    problems: [{ path: 'sites[0].name', message: 'contains a lone surrogate and is not valid Unicode' }],
  },
  {
    rule: 'empty text',
    bend: (b) => (b.study.title = ''),
    problems: [{ path: 'study.title', message: 'must not be empty' }],
  },
];
