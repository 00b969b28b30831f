// The worklist as an iCalendar file (RFC 5545), made with ical-generator: one all-day event per
// step that is upcoming or due, spanning its window, so a clinic subscribes to its follow-ups in
// any calendar application. Events name participants by code (or pseudonym) only: no name,
// contact or other identifier is held anywhere in the tracker to put there.
import icalGenerator, { ICalCalendarMethod } from 'ical-generator';
import type { WorklistRow } from '../schemas/worklist.ts';

const MS_PER_DAY = 86_400_000;
/** Midnight UTC of a date: all-day events are written from its UTC date. */
const utcMidnight = (date: string) => new Date(`${date}T00:00:00Z`);

const MISSING_WORDS: Record<WorklistRow['missing'][number], string> = {
  session: 'the session',
  fadingAssessment: 'a fading assessment',
  survey: 'a satisfaction survey',
};

/** The steps a calendar shows: those still to be done, from the window's opening. */
export const CALENDAR_STATUSES = ['due', 'upcoming'] as const;

/**
 * An iCalendar document of the rows that are upcoming or due.
 *
 * @param study the study's code, in the calendar's name and each event's UID
 * @param rows worklist rows (others than upcoming and due are left out)
 * @param stamp the time the document is made (DTSTAMP)
 */
export function worklistIcs(study: string, rows: readonly WorklistRow[], stamp: Date): string {
  const calendar = icalGenerator({
    name: `${study} follow-ups`,
    prodId: { company: 'SMP outcomes tracker', product: 'worklist', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 60 * 60,
  });
  for (const row of rows) {
    if (!(CALENDAR_STATUSES as readonly string[]).includes(row.status)) continue;
    const missing = row.missing.map((kind) => MISSING_WORDS[kind]).join(' and ');
    calendar.createEvent({
      id: `${study}.${row.participant}.${row.step}@smp-outcomes-tracker`,
      allDay: true,
      start: utcMidnight(row.windowStart),
      // An all-day event ends on the day after its last day (DTEND is exclusive).
      end: new Date(utcMidnight(row.windowEnd).getTime() + MS_PER_DAY),
      stamp,
      summary: `${row.participant}: ${row.label} (${row.step}, ${row.status})`,
      description:
        `Study ${study}, site ${row.site}, participant ${row.participant}: ${row.label}. ` +
        `Target ${row.target}; window ${row.windowStart} to ${row.windowEnd}. Still to record: ${missing}.`,
      location: `Site ${row.site}`,
    });
  }
  return calendar.toString();
}
