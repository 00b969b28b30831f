// The study bundle `smp-study-bundle/1`: the public interchange format for import and export.
// These zod schemas are the single definition of its shape: validation, the TypeScript types
// and the committed JSON Schema (api/schemas/smp-study-bundle-1.schema.json) all come from here;
// its coded lists come from the study vocabulary (analysis/vocabulary.ts).
import { z } from 'zod';
import {
  AE_CATEGORIES,
  AE_OUTCOMES,
  ANESTHESIA,
  ASSESSORS,
  INDICATIONS,
  RELATEDNESS,
  SESSION_KINDS,
  SEXES,
  WITHDRAWAL_CAUSES,
} from '../../analysis/vocabulary.ts';
import { COUNTRY_CODES } from './countries.ts';
import { decimalPlaces, entityCode, recordDate, text } from './fields.ts';
import { ScheduledVisits } from './visit-schedule.ts';

export const BUNDLE_FORMAT = 'smp-study-bundle/1';

/** The format's coded lists, from the study vocabulary. */
export { AE_CATEGORIES, AE_OUTCOMES, ANESTHESIA, ASSESSORS, INDICATIONS, RELATEDNESS, SESSION_KINDS, SEXES, WITHDRAWAL_CAUSES };

const int = (min: number, max: number) => z.int().min(min).max(max);

export const Protocol = z
  .strictObject({
    initialSessions: int(1, 50).describe('Number of initial sessions the protocol plans'),
    sessionIntervalDays: int(1, 365).describe('Planned days between consecutive initial sessions'),
    intervalToleranceDays: int(0, 365).default(3).describe('Allowed deviation from sessionIntervalDays, in days'),
    touchUpAfterDays: int(1, 3650)
      .nullable()
      .default(null)
      .describe('Planned days from the last initial session to the touch-up; null when no touch-up is planned'),
    touchUpToleranceDays: int(0, 365).default(7).describe('Allowed deviation from touchUpAfterDays, in days'),
    followUpMonths: z
      .strictObject({
        from: z.number().min(0).max(600).describe('Start of the follow-up window, months after the final session'),
        to: z.number().min(0).max(600).describe('End of the follow-up window, months after the final session'),
      })
      .refine((window) => window.from <= window.to, {
        error: (issue) => {
          const window = issue.input as { from: number; to: number };
          return `from (${window.from}) must not be greater than to (${window.to})`;
        },
      })
      .describe('Protocol follow-up window in months (a month is 30.4375 days)'),
    visits: ScheduledVisits.nullish(),
  })
  .meta({ id: 'Protocol' });

export const Study = z
  .strictObject({
    code: z
      .string()
      .regex(/^[A-Z0-9-]{2,32}$/, {
        error: (issue) => `${JSON.stringify(issue.input)} is not a valid study code (2 to 32 capital letters, digits or "-")`,
      })
      .describe('Unique study code, e.g. SMP-2021'),
    title: text(500).describe('Study title'),
    protocol: Protocol,
  })
  .meta({ id: 'Study' });

export const Site = z
  .strictObject({
    code: entityCode.describe('Site code, unique in the study'),
    name: text(200).describe('Clinic name'),
    country: z
      .enum(COUNTRY_CODES, {
        error: (issue) => `${JSON.stringify(issue.input)} is not an ISO 3166-1 alpha-3 country code (three capital letters, e.g. GBR, USA, DEU)`,
      })
      .nullable()
      .default(null)
      .describe('ISO 3166-1 alpha-3 code of the country the site is in, e.g. GBR; null if not recorded'),
  })
  .meta({ id: 'Site' });

export const Practitioner = z
  .strictObject({
    code: entityCode.describe('Practitioner code, unique in the study'),
    site: entityCode.describe('Code of the site the practitioner works at'),
    yearsExperience: z.number().min(0).max(80).describe('Years of SMP experience at the start of the study'),
  })
  .meta({ id: 'Practitioner' });

export const TreatmentSession = z
  .strictObject({
    number: int(1, 1000).describe('Session number: 1, 2, 3… consecutive, ascending with date'),
    kind: z.enum(SESSION_KINDS).describe('initial or touch_up'),
    date: recordDate,
    durationMinutes: int(1, 1440).describe('Session length in minutes'),
    practitioner: entityCode.describe('Code of the practitioner who treated'),
    pigmentLot: text(100).describe('Pigment lot number'),
    anesthesia: z.enum(ANESTHESIA).describe('Anaesthesia used'),
  })
  .meta({ id: 'TreatmentSession' });

export const AdverseEvent = z
  .strictObject({
    category: z.enum(AE_CATEGORIES).describe('Adverse-event category'),
    term: text(500).describe('Verbatim term as reported'),
    onsetDate: recordDate,
    resolvedDate: recordDate.nullable().default(null).describe('Date resolved; null while unresolved'),
    grade: int(1, 5).describe('CTCAE grade, 1 mild … 5 death'),
    serious: z.boolean().describe('Serious adverse event (SAE)'),
    relatedness: z.enum(RELATEDNESS).describe('Relationship to the procedure'),
    outcome: z.enum(AE_OUTCOMES).describe('Outcome'),
    sessionNumber: int(1, 1000).nullable().default(null).describe('Session the event followed, if any'),
    solicited: z
      .boolean()
      .default(false)
      .describe('Asked about by name at a visit (true) or reported spontaneously (false)'),
  })
  .meta({ id: 'AdverseEvent' });

export const FadingAssessment = z
  .strictObject({
    date: recordDate,
    grade: int(0, 4).describe('Fading: 0 none, 1 minimal, 2 mild, 3 moderate, 4 marked'),
    densityScore: decimalPlaces(1).min(0).max(10).nullable().default(null).describe('Dot density score 0–10, one decimal'),
    needsTouchUp: z.boolean().nullable().default(null).describe('Whether a touch-up is needed; null if not assessed'),
    assessor: z.enum(ASSESSORS).describe('Who assessed'),
  })
  .meta({ id: 'FadingAssessment' });

export const SatisfactionSurvey = z
  .strictObject({
    date: recordDate,
    satisfaction: int(1, 5).describe('1 very dissatisfied … 5 very satisfied'),
    wouldRecommend: z.boolean().nullable().default(null).describe('Would recommend SMP; null when unanswered'),
  })
  .meta({ id: 'SatisfactionSurvey' });

export const Participant = z
  .strictObject({
    code: entityCode.describe('Participant code, unique in the study'),
    site: entityCode.describe('Code of the enrolling site'),
    sex: z.enum(SEXES),
    birthYear: int(1900, 2100),
    indication: z.enum(INDICATIONS),
    fitzpatrick: int(1, 6).nullable().default(null).describe('Fitzpatrick skin type 1–6'),
    keloidHistory: z.boolean().describe('History of keloid scarring'),
    enrolledOn: recordDate,
    withdrawnOn: recordDate.nullable().default(null),
    withdrawalCause: z.enum(WITHDRAWAL_CAUSES).nullable().default(null).describe('Required with withdrawnOn'),
    withdrawalReason: text(2000).nullable().default(null).describe('Free-text reason for withdrawal'),
    costUsd: decimalPlaces(2).min(0).max(10_000_000).nullable().default(null).describe('Cost of treatment in US dollars'),
    sessions: z.array(TreatmentSession).default([]),
    adverseEvents: z.array(AdverseEvent).default([]),
    fadingAssessments: z.array(FadingAssessment).default([]),
    surveys: z.array(SatisfactionSurvey).default([]),
  })
  .meta({ id: 'Participant' });

export const StudyBundle = z
  .strictObject({
    format: z.literal(BUNDLE_FORMAT, {
      error: (issue) => `must be "${BUNDLE_FORMAT}" (got ${JSON.stringify(issue.input)})`,
    }),
    study: Study,
    sites: z.array(Site).default([]),
    practitioners: z.array(Practitioner).default([]),
    participants: z.array(Participant).default([]),
  })
  .meta({
    id: 'StudyBundle',
    title: 'SMP study bundle, format smp-study-bundle/1',
    description: 'One study with its sites, practitioners and participants, as imported and exported by the SMP outcomes tracker.',
  });

export type Protocol = z.output<typeof Protocol>;
export type Study = z.output<typeof Study>;
export type Site = z.output<typeof Site>;
export type Practitioner = z.output<typeof Practitioner>;
export type TreatmentSession = z.output<typeof TreatmentSession>;
export type AdverseEvent = z.output<typeof AdverseEvent>;
export type FadingAssessment = z.output<typeof FadingAssessment>;
export type SatisfactionSurvey = z.output<typeof SatisfactionSurvey>;
export type Participant = z.output<typeof Participant>;
/** A validated bundle: every optional field present, absent ones as null. */
export type StudyBundle = z.output<typeof StudyBundle>;
/** A bundle as a user may write it: optional fields may be absent. */
export type StudyBundleInput = z.input<typeof StudyBundle>;
