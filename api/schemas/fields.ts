// Field-level building blocks shared by every schema: calendar dates, codes and text that
// PostgreSQL can store byte for byte. Each check carries the plain sentence users will read.
import { z } from 'zod';
import { latestRecordDate, today } from './today.ts';

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `value` is `YYYY-MM-DD` naming a day that exists in the Gregorian calendar. */
export function isCalendarDate(value: string): boolean {
  if (!DATE_SHAPE.test(value)) return false;
  let year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  // As Date.UTC reads them, years 0 to 99 are 1900 to 1999 (whose leap years differ only in 0000).
  if (year < 100) year += 1900;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** What is wrong with `value` as a date between 1900 and 2100, or null. */
function dateProblem(value: string): string | null {
  if (!DATE_SHAPE.test(value)) return `${JSON.stringify(value)} is not a date in the form YYYY-MM-DD`;
  if (!isCalendarDate(value)) return `${value} is not a calendar date`;
  if (value < '1900-01-01' || value > '2100-12-31') return `${value} is outside the years 1900 to 2100`;
  return null;
}

/** An ISO calendar date (`YYYY-MM-DD`) between 1900 and 2100. */
export const isoDate = z
  .string()
  .check((ctx) => {
    const problem = dateProblem(ctx.value);
    if (problem !== null) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  })
  .meta({ format: 'date', description: 'ISO calendar date, YYYY-MM-DD' });

/**
 * The date of something that has happened (an enrolment, a session, an assessment): an ISO date
 * not after today (api/schemas/today.ts: in SMP_TIME_ZONE, with one day of grace).
 */
export const recordDate = z
  .string()
  .check((ctx) => {
    const problem = dateProblem(ctx.value);
    if (problem !== null) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
    else if (ctx.value > latestRecordDate()) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `${ctx.value} is after today (${today()}): a record cannot be dated in the future` });
    }
  })
  .meta({ format: 'date', description: 'ISO calendar date, YYYY-MM-DD, not after today' });

/**
 * Free text stored exactly as given. PostgreSQL text cannot hold U+0000, and a lone UTF-16
 * surrogate cannot be encoded as UTF-8, so both are refused rather than silently altered. So is
 * a leading U+FEFF: the embedded database (PGlite) stores it but its driver decodes every value
 * with a TextDecoder that drops a leading byte order mark, so it would come back without it.
 * It is refused on both databases, so that a bundle moves between them unchanged.
 */
export function text(maxLength: number, minLength = 1) {
  return z
    .string()
    .min(minLength)
    .max(maxLength)
    .check((ctx) => {
      if (ctx.value.includes('\u0000')) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: 'contains a NUL character (U+0000), which cannot be stored' });
      } else if (!ctx.value.isWellFormed()) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: 'contains a lone surrogate and is not valid Unicode' });
      } else if (ctx.value.charCodeAt(0) === 0xfeff) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: 'starts with U+FEFF (a byte order mark), which the embedded database cannot return unchanged',
        });
      }
    });
}

/**
 * Text to search or filter by, from a query string: the database cannot compare U+0000, and a
 * lone surrogate is not valid Unicode, so both are refused at the parameter.
 */
export function searchText(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .check((ctx) => {
      if (ctx.value.includes('\u0000')) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: 'contains a NUL character (U+0000), which cannot be searched for' });
      } else if (!ctx.value.isWellFormed()) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: 'contains a lone surrogate and is not valid Unicode' });
      }
    });
}

/** Codes of sites, practitioners and participants: letters, digits, `.`, `_` and `-`, up to 64. */
export const entityCode = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid code (1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit)`,
  });

/** A number with at most `places` decimal places, so that a fixed-scale column stores it exactly. */
export function decimalPlaces(places: number) {
  const scale = 10 ** places;
  return z.number().check((ctx) => {
    const scaled = ctx.value * scale;
    if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `${ctx.value} has more than ${places} decimal place${places === 1 ? '' : 's'}`,
      });
    }
  });
}
