// De-identification of a study: the one implementation behind the reviewer role and every
// `--deidentify` export. Pure: a bundle and the study's secret key in, a valid bundle out.
//
// - Participant and practitioner codes become pseudonyms: a keyed hash (HMAC-SHA-256) of the
//   code under the study's secret, so they are stable for the study and cannot be recomputed
//   from the code alone.
// - Every date of a participant moves back by the same number of days, 1–364, drawn from the
//   same keyed hash: fixed for the participant, unpredictable without the key.
// - Free text goes: an adverse event's term becomes its category, withdrawalReason becomes null.
// - Pigment lots become pseudonyms, so events can still be grouped by lot.
// - Birth years more than 89 years before the (shifted) year of enrolment are top-coded to 90.
//
// Every figure of the analysis depends only on intervals within one participant, so the
// de-identified bundle analyses to the same summary as the original.
import { createHmac } from 'node:crypto';
import type { Participant, StudyBundle } from '../schemas/bundle.ts';

/** Oldest age shown as it is; older participants are shown as this age plus one (90). */
const TOP_CODED_AGE = 89;
const MIN_DATE_DAY = Date.UTC(1900, 0, 1) / 86_400_000;
/** Crockford's base-32 alphabet: no I, L, O or U, so pseudonyms read and copy unambiguously. */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 13 base-32 characters: 65 bits, so two codes of one study practically never collide. */
const PSEUDONYM_LENGTH = 13;

export type PseudonymKind = 'participant' | 'practitioner' | 'pigment-lot';

const PREFIX: Record<PseudonymKind, string> = { participant: 'P-', practitioner: 'PR-', 'pigment-lot': 'LOT-' };

function keyedHash(secret: Uint8Array, purpose: string, value: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`, 'utf8').digest();
}

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length === length) break;
  }
  return out;
}

/**
 * The pseudonym of a code under a study's secret, e.g. `P-7Q2M0D9XKA4BR`.
 *
 * @param secret the study's de-identification key
 * @param kind what the code names; each kind has its own prefix and hash
 * @param code the original code or pigment lot
 * @returns a valid bundle code of the form PREFIX + 13 base-32 characters
 */
export function pseudonym(secret: Uint8Array, kind: PseudonymKind, code: string): string {
  return PREFIX[kind] + base32(keyedHash(secret, kind, code), PSEUDONYM_LENGTH);
}

/**
 * How many days a participant's dates move back: 1–364, fixed by the participant's code and the
 * study's secret.
 */
export function dateShiftDays(secret: Uint8Array, participantCode: string): number {
  return 1 + (keyedHash(secret, 'date-shift', participantCode).readUInt32BE(0) % 364);
}

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/**
 * How dates move, as a reader of a de-identified export may be told. Only the rule: any figure of
 * the actual shifts (their least, greatest or mean) would narrow down a participant's own shift,
 * and in a one-participant study be it.
 */
export const DATE_SHIFT_RULE =
  "each participant's dates are moved back by a secret number of days between 1 and 364, the same for all of that participant's dates";

/**
 * What de-identification removed or changed, for the report `smp export --deidentify` prints and
 * the X-Deidentification-Report header. Counts of records and the rule of the date shift only:
 * nothing derived from the shifts themselves.
 */
export interface DeidentificationReport {
  participantCodes: number;
  practitionerCodes: number;
  pigmentLots: number;
  datesShifted: number;
  /** DATE_SHIFT_RULE. */
  dateShift: string;
  termsReplaced: number;
  withdrawalReasonsRemoved: number;
  birthYearsTopCoded: number;
}

/** The shift a participant gets: the keyed one, shortened only if it would leave the format's years. */
function shiftFor(secret: Uint8Array, participant: { code: string; enrolledOn: string }): number {
  const shift = dateShiftDays(secret, participant.code);
  // Dates start at 1900-01-01; a participant enrolled in the first year of the range moves less.
  const earliest = dayOf(participant.enrolledOn);
  return Math.max(0, Math.min(shift, earliest - MIN_DATE_DAY));
}

type Session = Participant['sessions'][number];
type AdverseEvent = Participant['adverseEvents'][number];
type Assessment = Participant['fadingAssessments'][number];
type Survey = Participant['surveys'][number];

/** De-identifies the records of one participant, one at a time (listings use it record by record). */
export interface ParticipantDeidentifier {
  /** The participant's pseudonym. */
  code: string;
  /** Days every date moves back. */
  shift: number;
  date(date: string): string;
  session(session: Session): Session;
  adverseEvent(event: AdverseEvent): AdverseEvent;
  assessment(assessment: Assessment): Assessment;
  survey(survey: Survey): Survey;
}

/**
 * The de-identification of one participant's records.
 *
 * @param secret the study's de-identification key
 * @param participant the participant's code and enrolment date (which bounds the shift)
 * @param lot names pigment lots (default: their keyed pseudonym)
 */
export function participantDeidentifier(
  secret: Uint8Array,
  participant: { code: string; enrolledOn: string },
  lot: (value: string) => string = (value) => pseudonym(secret, 'pigment-lot', value),
): ParticipantDeidentifier {
  const shift = shiftFor(secret, participant);
  const date = (value: string) => dateOf(dayOf(value) - shift);
  return {
    code: pseudonym(secret, 'participant', participant.code),
    shift,
    date,
    session: (s) => ({ ...s, date: date(s.date), practitioner: pseudonym(secret, 'practitioner', s.practitioner), pigmentLot: lot(s.pigmentLot) }),
    adverseEvent: (e) => ({
      ...e,
      term: e.category,
      onsetDate: date(e.onsetDate),
      resolvedDate: e.resolvedDate === null ? null : date(e.resolvedDate),
    }),
    assessment: (a) => ({ ...a, date: date(a.date) }),
    survey: (s) => ({ ...s, date: date(s.date) }),
  };
}

/**
 * A de-identified copy of a participant's own fields: pseudonym, shifted dates, no withdrawal
 * reason, birth year top-coded.
 */
export function deidentifyParticipantFields<P extends Omit<Participant, 'sessions' | 'adverseEvents' | 'fadingAssessments' | 'surveys'>>(
  deidentifier: ParticipantDeidentifier,
  participant: P,
): P & { topCoded: boolean } {
  const enrolledOn = deidentifier.date(participant.enrolledOn);
  const enrolmentYear = Number(enrolledOn.slice(0, 4));
  let birthYear = Math.min(participant.birthYear, enrolmentYear);
  const topCoded = enrolmentYear - birthYear > TOP_CODED_AGE;
  if (topCoded) birthYear = enrolmentYear - TOP_CODED_AGE - 1;
  return {
    ...participant,
    code: deidentifier.code,
    birthYear,
    enrolledOn,
    withdrawnOn: participant.withdrawnOn === null ? null : deidentifier.date(participant.withdrawnOn),
    withdrawalReason: null,
    topCoded,
  };
}

/**
 * A de-identified copy of a validated bundle, and what was changed.
 *
 * Cost: O(r) HMACs for r records.
 *
 * @param bundle a validated bundle
 * @param secret the study's de-identification key
 * @returns the de-identified bundle (still a valid `smp-study-bundle/1`) and a report
 * @throws Error if two codes of one kind share a pseudonym (a 65-bit hash collision)
 */
export function deidentifyBundle(bundle: StudyBundle, secret: Uint8Array): { bundle: StudyBundle; report: DeidentificationReport } {
  const report: DeidentificationReport = {
    participantCodes: 0,
    practitionerCodes: 0,
    pigmentLots: 0,
    datesShifted: 0,
    dateShift: DATE_SHIFT_RULE,
    termsReplaced: 0,
    withdrawalReasonsRemoved: 0,
    birthYearsTopCoded: 0,
  };
  const practitioner = uniquePseudonyms(secret, 'practitioner', bundle.practitioners.map((p) => p.code));
  uniquePseudonyms(secret, 'participant', bundle.participants.map((p) => p.code));
  const lots = new Map<string, string>();
  const lot = (value: string) => {
    let name = lots.get(value);
    if (name === undefined) lots.set(value, (name = pseudonym(secret, 'pigment-lot', value)));
    return name;
  };
  report.participantCodes = bundle.participants.length;
  report.practitionerCodes = practitioner.size;

  const participants = bundle.participants.map((p): Participant => {
    const { participant, topCoded } = deidentifyParticipant(secret, p, lot);
    if (topCoded) report.birthYearsTopCoded += 1;
    if (p.withdrawalReason !== null) report.withdrawalReasonsRemoved += 1;
    report.termsReplaced += p.adverseEvents.length;
    report.datesShifted +=
      1 + (p.withdrawnOn === null ? 0 : 1) + p.sessions.length + p.fadingAssessments.length + p.surveys.length +
      p.adverseEvents.reduce((n, e) => n + (e.resolvedDate === null ? 1 : 2), 0);
    return participant;
  });
  report.pigmentLots = lots.size;

  return {
    bundle: {
      ...bundle,
      practitioners: bundle.practitioners.map((p) => ({ ...p, code: practitioner.get(p.code)! })),
      participants,
    },
    report,
  };
}

/**
 * One participant de-identified with its records (a streamed export's, participant by
 * participant), and whether its birth year was top-coded.
 *
 * @param lot names pigment lots (default: their keyed pseudonym)
 */
export function deidentifyParticipant(secret: Uint8Array, p: Participant, lot?: (value: string) => string): { participant: Participant; topCoded: boolean } {
  const deidentifier = participantDeidentifier(secret, p, lot);
  const { sessions, adverseEvents, fadingAssessments, surveys, ...fields } = p;
  const { topCoded, ...deidentified } = deidentifyParticipantFields(deidentifier, fields);
  return {
    participant: {
      ...deidentified,
      sessions: sessions.map(deidentifier.session),
      adverseEvents: adverseEvents.map(deidentifier.adverseEvent),
      fadingAssessments: fadingAssessments.map(deidentifier.assessment),
      surveys: surveys.map(deidentifier.survey),
    },
    topCoded,
  };
}

function uniquePseudonyms(secret: Uint8Array, kind: PseudonymKind, codes: readonly string[]): Map<string, string> {
  const byCode = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const code of codes) {
    const name = pseudonym(secret, kind, code);
    const other = seen.get(name);
    if (other !== undefined && other !== code) {
      throw new Error(`the ${kind} codes "${other}" and "${code}" share the pseudonym ${name}; report this as a defect`);
    }
    seen.set(name, code);
    byCode.set(code, name);
  }
  return byCode;
}
