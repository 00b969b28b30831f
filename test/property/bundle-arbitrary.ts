// fast-check generators of valid study bundles: every field and every cross-record rule of
// smp-study-bundle/1 respected, free text drawn from all of Unicode and from the characters
// that break naive storage (quotes, backslashes, control characters, U+2028, U+FEFF inside text).
import fc from 'fast-check';
import {
  AE_CATEGORIES,
  AE_OUTCOMES,
  ANESTHESIA,
  ASSESSORS,
  INDICATIONS,
  RELATEDNESS,
  SEXES,
  WITHDRAWAL_CAUSES,
} from '../../analysis/vocabulary.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { COUNTRY_CODES } from '../../api/schemas/countries.ts';

/** How many runs a property makes: a few in `npm test`, many more in `npm run test:fuzz` (FUZZ_RUNS). */
export const runs = (quick: number) => Number(process.env.FUZZ_RUNS ?? quick);

const TRICKY = ['"', '\\', '\n', '\r', '\t', '\u0001', '\u001f', '\u007f', 'é', 'ß', '😀', '\u2028', "'", ';', '--', '\uFEFF', ' '];

/** Text the format accepts: no U+0000 and no leading U+FEFF (well-formed by construction). */
export function text(maxLength: number): fc.Arbitrary<string> {
  return fc
    .string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(...TRICKY)), minLength: 1, maxLength: Math.min(maxLength, 24) })
    .filter((value) => value.length <= maxLength && !value.includes('\u0000') && !value.startsWith('\uFEFF'));
}

const code = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$/);
const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2000, 0, 1);
const date = (day: number) => new Date(EPOCH + day * DAY_MS).toISOString().slice(0, 10);
const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

type Bundle = StudyBundle;
type Participant = Bundle['participants'][number];

function participant(participantCode: string, siteCodes: string[], practitionerCodes: string[]): fc.Arbitrary<Participant> {
  return fc
    .record({
      site: fc.constantFrom(...siteCodes),
      sex: fc.constantFrom(...SEXES),
      indication: fc.constantFrom(...INDICATIONS),
      fitzpatrick: nullable(fc.integer({ min: 1, max: 6 })),
      keloidHistory: fc.boolean(),
      // Up to 2016-06-05: with every later date at most about 3,600 days on, none is after today.
      enrolledDay: fc.integer({ min: 0, max: 6_000 }),
      ageAtEnrolment: fc.integer({ min: 0, max: 40 }),
      costCents: nullable(fc.integer({ min: 0, max: 1_000_000_000 })),
      sessionGaps: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 5 }),
      touchUps: fc.nat(),
      sessionDetails: fc.array(
        fc.record({
          durationMinutes: fc.integer({ min: 1, max: 1440 }),
          practitioner: fc.constantFrom(...practitionerCodes),
          pigmentLot: text(100),
          anesthesia: fc.constantFrom(...ANESTHESIA),
        }),
        { minLength: 5, maxLength: 5 },
      ),
      withdrawal: nullable(fc.record({ after: fc.integer({ min: 0, max: 500 }), cause: fc.constantFrom(...WITHDRAWAL_CAUSES), reason: nullable(text(2000)) })),
      events: fc.array(
        fc.record({
          category: fc.constantFrom(...AE_CATEGORIES),
          term: text(500),
          session: fc.nat(),
          onsetAfter: fc.integer({ min: 0, max: 60 }),
          resolvedAfter: nullable(fc.integer({ min: 0, max: 90 })),
          grade: fc.integer({ min: 1, max: 5 }),
          serious: fc.boolean(),
          relatedness: fc.constantFrom(...RELATEDNESS),
          outcome: fc.constantFrom(...AE_OUTCOMES.filter((o) => o !== 'fatal')),
          linked: fc.boolean(),
          solicited: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
      assessments: fc.array(
        fc.record({
          after: fc.integer({ min: 0, max: 900 }),
          grade: fc.integer({ min: 0, max: 4 }),
          densityTenths: nullable(fc.integer({ min: 0, max: 100 })),
          needsTouchUp: nullable(fc.boolean()),
          assessor: fc.constantFrom(...ASSESSORS),
        }),
        { maxLength: 3 },
      ),
      surveys: fc.array(
        fc.record({ after: fc.integer({ min: 0, max: 900 }), satisfaction: fc.integer({ min: 1, max: 5 }), wouldRecommend: nullable(fc.boolean()) }),
        { maxLength: 2 },
      ),
    })
    .map((g): Participant => {
      const enrolled = g.enrolledDay;
      const sessionDays: number[] = [];
      for (const gap of g.sessionGaps) sessionDays.push((sessionDays.at(-1) ?? enrolled) + gap);
      const touchUps = sessionDays.length === 0 ? 0 : g.touchUps % sessionDays.length; // at least one initial first
      const sessions = sessionDays.map((day, i) => ({
        number: i + 1,
        kind: i >= sessionDays.length - touchUps ? ('touch_up' as const) : ('initial' as const),
        date: date(day),
        ...g.sessionDetails[i]!,
      }));
      const lastActivity = sessionDays.at(-1) ?? enrolled;
      const withdrawnDay = g.withdrawal ? lastActivity + g.withdrawal.after : null;
      const adverseEvents = g.events.map((e) => {
        const session = sessionDays.length > 0 && e.linked ? e.session % sessionDays.length : null;
        const onset = (session === null ? enrolled : sessionDays[session]!) + e.onsetAfter;
        // Grade 5 is death: fatal and serious; no other grade is fatal.
        return {
          category: e.category,
          term: e.term,
          onsetDate: date(onset),
          resolvedDate: e.resolvedAfter === null || e.grade === 5 ? null : date(onset + e.resolvedAfter),
          grade: e.grade,
          serious: e.grade === 5 ? true : e.serious,
          relatedness: e.relatedness,
          outcome: e.grade === 5 ? ('fatal' as const) : e.outcome,
          sessionNumber: session === null ? null : session + 1,
          solicited: e.solicited,
        };
      });
      const first = sessionDays[0];
      return {
        code: participantCode,
        site: g.site,
        sex: g.sex,
        birthYear: 2000 + Math.floor(enrolled / 366) - g.ageAtEnrolment,
        indication: g.indication,
        fitzpatrick: g.fitzpatrick,
        keloidHistory: g.keloidHistory,
        enrolledOn: date(enrolled),
        withdrawnOn: withdrawnDay === null ? null : date(withdrawnDay),
        withdrawalCause: g.withdrawal?.cause ?? null,
        withdrawalReason: g.withdrawal?.reason ?? null,
        costUsd: g.costCents === null ? null : g.costCents / 100,
        sessions,
        adverseEvents,
        fadingAssessments:
          first === undefined
            ? []
            : g.assessments.map((a) => ({
                date: date(first + a.after),
                grade: a.grade,
                densityScore: a.densityTenths === null ? null : a.densityTenths / 10,
                needsTouchUp: a.needsTouchUp,
                assessor: a.assessor,
              })),
        surveys: first === undefined ? [] : g.surveys.map((s) => ({ date: date(first + s.after), satisfaction: s.satisfaction, wouldRecommend: s.wouldRecommend })),
      };
    });
}

/** A valid bundle with the study code `studyCode`: 1–3 sites and practitioners, 0–4 participants. */
export function validBundle(studyCode: string): fc.Arbitrary<Bundle> {
  return fc
    .record({
      title: text(500),
      protocol: fc
        .record({
          initialSessions: fc.integer({ min: 1, max: 50 }),
          sessionIntervalDays: fc.integer({ min: 1, max: 365 }),
          intervalToleranceDays: fc.integer({ min: 0, max: 365 }),
          touchUpAfterDays: nullable(fc.integer({ min: 1, max: 3650 })),
          touchUpToleranceDays: fc.integer({ min: 0, max: 365 }),
          window: fc.tuple(fc.double({ min: 0, max: 600, noNaN: true }), fc.double({ min: 0, max: 600, noNaN: true })),
        })
        .map(({ window: [a, b], ...protocol }) => ({ ...protocol, followUpMonths: { from: Math.min(a, b), to: Math.max(a, b) } })),
      sites: fc.uniqueArray(fc.record({ code, name: text(200), country: nullable(fc.constantFrom(...COUNTRY_CODES)) }), { minLength: 1, maxLength: 3, selector: (s) => s.code }),
      practitionerCodes: fc.uniqueArray(code, { minLength: 1, maxLength: 3 }),
      participantCodes: fc.uniqueArray(code, { maxLength: 4 }),
    })
    .chain(({ title, protocol, sites, practitionerCodes, participantCodes }) => {
      const siteCodes = sites.map((s) => s.code);
      return fc.record({
        practitioners: fc.tuple(
          ...practitionerCodes.map((practitionerCode) =>
            fc.record({ code: fc.constant(practitionerCode), site: fc.constantFrom(...siteCodes), yearsExperience: fc.double({ min: 0, max: 80, noNaN: true }) }),
          ),
        ),
        participants: fc.tuple(...participantCodes.map((participantCode) => participant(participantCode, siteCodes, practitionerCodes))),
      }).map(({ practitioners, participants }): Bundle => ({
        format: 'smp-study-bundle/1',
        study: { code: studyCode, title, protocol },
        sites,
        practitioners,
        participants,
      }));
    });
}

/** Every path in `value` that leads to a scalar (text, number, true/false or null). */
export function leafPaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, [...at, index]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...at, key]));
  return [at];
}

/** A value of the wrong type for the field now holding `value`, so that it alone is invalid. */
export function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return { unexpected: true };
}
