// Values derived from a participant's records for statisticians, defined once for the CSV and
// SDTM exports: study days (SDTM's convention), days and months since the final session (the
// analysis's follow-up months) and age at enrolment (from the birth year, which is all the
// bundle records).
import { MONTH_DAYS } from '../../analysis/constants.ts';
import type { Participant } from '../schemas/bundle.ts';

const MS_PER_DAY = 86_400_000;

/**
 * Day numbers of the dates seen so far: an export asks for the same few thousand dates hundreds
 * of thousands of times. Bounded by the dates a study can hold (1900–2100: 73,415).
 */
const DAY_NUMBERS = new Map<string, number>();
const MAX_REMEMBERED_DATES = 100_000;

/** Days since 1970-01-01 of an ISO date. */
export function dayNumber(date: string): number {
  let day = DAY_NUMBERS.get(date);
  if (day === undefined) {
    day = Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
    if (DAY_NUMBERS.size < MAX_REMEMBERED_DATES) DAY_NUMBERS.set(date, day);
  }
  return day;
}

/** The reference start date (study day 1): the date of the participant's first session; null without sessions. */
export function firstSessionDate(participant: Pick<Participant, 'sessions'>): string | null {
  let first: string | null = null;
  for (const session of participant.sessions) if (first === null || session.date < first) first = session.date;
  return first;
}

/** The date of the participant's final (latest) session of any kind; null without sessions. */
export function finalSessionDate(participant: Pick<Participant, 'sessions'>): string | null {
  let last: string | null = null;
  for (const session of participant.sessions) if (last === null || session.date > last) last = session.date;
  return last;
}

/**
 * The study day of `date` the SDTM way: day 1 is the reference date, the day before it is −1,
 * and there is no day 0.
 *
 * @example studyDay('2018-02-05', '2018-02-05') // => 1; studyDay('2018-02-04', '2018-02-05') // => -1
 */
export function studyDay(date: string | null, reference: string | null): number | null {
  if (date === null || reference === null) return null;
  const difference = dayNumber(date) - dayNumber(reference);
  return difference >= 0 ? difference + 1 : difference;
}

/** Whole days from `from` to `date`; null if either is missing. */
export function daysBetween(from: string | null, date: string | null): number | null {
  return from === null || date === null ? null : dayNumber(date) - dayNumber(from);
}

/** Months as the analysis counts them: days / 30.4375, rounded to 4 decimals for tables. */
export function monthsFromDays(days: number | null): number | null {
  return days === null ? null : Math.round((days / MONTH_DAYS) * 10_000) / 10_000;
}

/**
 * Age at enrolment in whole years: year of enrolment minus year of birth. Only the birth year is
 * recorded, so this is the age reached during the year of enrolment; on the enrolment date itself
 * the participant was this age or one year younger.
 */
export function ageAtEnrolment(participant: Pick<Participant, 'birthYear' | 'enrolledOn'>): number {
  return Number(participant.enrolledOn.slice(0, 4)) - participant.birthYear;
}
