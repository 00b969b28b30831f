// "Today" for the rule that no record is dated after it: the date in SMP_TIME_ZONE (or the
// computer's own time zone when it is unset), with one day of grace for a clinic a time zone
// ahead. Tests replace the clock with `setToday`. Imports nothing, so the web page can use it.

/** Days after today a record date may still fall on: a clinic ahead of the server's zone. */
export const DATE_GRACE_DAYS = 1;

let fixedToday: (() => string) | null = null;

/**
 * One formatter per time zone: making one costs far more than formatting a date, and every record
 * date of an import asks for today. The computer's own zone is keyed by TZ, which Node lets a
 * process change while it runs.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The last date formatted, with its zone and second: a date changes only on a whole second (time
 * zones' offsets are whole minutes), and a write checks every record's date against today.
 */
let last: { key: string; second: number; date: string } | null = null;

/** The calendar date (YYYY-MM-DD) of `now` in `timeZone` (undefined: the computer's own). */
export function todayIn(timeZone: string | undefined, now: Date): string {
  const key = timeZone === undefined ? `local:${typeof process === 'undefined' ? '' : (process.env.TZ ?? '')}` : `zone:${timeZone}`;
  const second = Math.floor(now.getTime() / 1000);
  if (last !== null && last.key === key && last.second === second) return last.date;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    // en-CA writes dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(key, formatter);
  }
  const date = formatter.format(now);
  last = { key, second, date };
  return date;
}

/** The date today() read last, and the whole second it read it in. */
let fromClock = { second: Number.NaN, date: '' };

/**
 * Today's date: the one set by `setToday`, else today in SMP_TIME_ZONE. Read once per whole
 * second of the clock (a date changes only on a whole second, and an import asks once per record
 * date), so a change of SMP_TIME_ZONE while the process runs is seen from the next second.
 */
export function today(): string {
  if (fixedToday) return fixedToday();
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second === fromClock.second) return fromClock.date;
  const env = typeof process === 'undefined' ? undefined : process.env;
  fromClock = { second, date: todayIn(env?.SMP_TIME_ZONE || undefined, new Date(now)) };
  return fromClock.date;
}

/** Fix "today" (a date, or a function giving one) for tests and worker threads; null restores the clock. */
export function setToday(source: string | (() => string) | null): void {
  fixedToday = typeof source === 'string' ? () => source : source;
}

/** The day `days` after the ISO date `date`. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

let latest = { today: '', date: '' };

/** The latest date a record may carry: today plus the grace. */
export function latestRecordDate(): string {
  const date = today();
  if (latest.today !== date) latest = { today: date, date: addDays(date, DATE_GRACE_DAYS) };
  return latest.date;
}
