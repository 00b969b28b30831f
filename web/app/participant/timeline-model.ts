// What a participant's timeline shows, worked out from the records and the protocol: the expected
// visit windows and the sessions that fell outside theirs. Pure (dates in, windows and words out),
// so it is tested without a browser. The windows follow the analysis's adherence rule
// (analysis/protocol-adherence.ts): each initial session is due `sessionIntervalDays ±
// intervalToleranceDays` after the one before it, the first touch-up `touchUpAfterDays ±
// touchUpToleranceDays` after the last initial session, and follow-up runs `followUpMonths.from`
// to `.to` months (30.4375 days) after the final session of any kind. Bounds are inclusive.
import { MONTH_DAYS } from '../../../analysis/constants.ts';
import type { Protocol } from '../../../api/schemas/bundle.ts';

export interface TimelineSession {
  number: number;
  kind: 'initial' | 'touch_up';
  date: string;
}

export type WindowKind = 'initial' | 'touch_up' | 'follow_up';

export interface VisitWindow {
  kind: WindowKind;
  /** "Session 2", "Touch-up", "Follow-up". */
  label: string;
  from: string;
  to: string;
  /** What the window is measured from, in words: "7 ± 3 days after session 1 (2024-01-05)". */
  basis: string;
  /** The session held for it (initial and touch-up windows), if any. */
  sessionNumber: number | null;
}

export interface Deviation {
  /** The session concerned; null when a visit is missing. */
  sessionNumber: number | null;
  text: string;
}

export interface ProtocolView {
  windows: VisitWindow[];
  deviations: Deviation[];
  /** Per session number: inside its window, outside it, or judged by no window. */
  sessionStatus: Map<number, 'in-window' | 'outside-window' | 'no-window'>;
}

/** Day number (days since 1970-01-01, UTC) of an ISO date. */
export function dayOf(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** ISO date of a day number. */
export function dateOf(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The protocol's expected visit windows for a participant's sessions, and every session outside
 * its window. A window is anchored on the session before it when that was held, else on the
 * centre of that session's own window, so that later windows still show while earlier sessions
 * are missing. `today` (ISO date) decides whether a missing visit is overdue.
 */
export function protocolView(protocol: Protocol, sessions: readonly TimelineSession[], today: string): ProtocolView {
  const ordered = [...sessions].sort((a, b) => a.number - b.number);
  const initial = ordered.filter((s) => s.kind === 'initial');
  const windows: VisitWindow[] = [];
  const deviations: Deviation[] = [];
  const sessionStatus = new Map<number, 'in-window' | 'outside-window' | 'no-window'>();
  for (const s of ordered) sessionStatus.set(s.number, 'no-window');
  const todayDay = dayOf(today);

  const judge = (held: TimelineSession | undefined, window: VisitWindow, describe: (s: TimelineSession) => string) => {
    if (held) {
      const day = dayOf(held.date);
      const inside = day >= dayOf(window.from) && day <= dayOf(window.to);
      sessionStatus.set(held.number, inside ? 'in-window' : 'outside-window');
      if (!inside) deviations.push({ sessionNumber: held.number, text: describe(held) });
    } else if (dayOf(window.to) < todayDay) {
      deviations.push({ sessionNumber: null, text: `${window.label} is missing: its window (${window.from} to ${window.to}) has passed.` });
    }
  };

  // Initial sessions 2..n, each measured from the one before.
  const first = initial[0];
  let anchor: { day: number; what: string } | null = first ? { day: dayOf(first.date), what: `session ${first.number} (${first.date})` } : null;
  const { sessionIntervalDays: interval, intervalToleranceDays: tolerance } = protocol;
  for (let index = 1; index < protocol.initialSessions && anchor; index++) {
    const centre = anchor.day + interval;
    const held = initial[index];
    const window: VisitWindow = {
      kind: 'initial',
      label: held ? `Session ${held.number}` : `Initial session ${index + 1}`,
      from: dateOf(centre - tolerance),
      to: dateOf(centre + tolerance),
      basis: `${interval} ± ${plural(tolerance, 'day')} after ${anchor.what}`,
      sessionNumber: held?.number ?? null,
    };
    windows.push(window);
    const previous = initial[index - 1];
    judge(held, window, (s) => {
      const gap = dayOf(s.date) - (previous ? dayOf(previous.date) : anchor!.day);
      return (
        `Session ${s.number} (initial, ${s.date}) came ${plural(gap, 'day')} after ${anchor!.what}; ` +
        `the protocol expects ${interval} ± ${plural(tolerance, 'day')} (${window.from} to ${window.to}).`
      );
    });
    anchor = held ? { day: dayOf(held.date), what: `session ${held.number} (${held.date})` } : { day: centre, what: `the expected date of initial session ${index + 1} (${dateOf(centre)})` };
  }
  for (const extra of initial.slice(protocol.initialSessions)) {
    sessionStatus.set(extra.number, 'outside-window');
    deviations.push({
      sessionNumber: extra.number,
      text: `Session ${extra.number} (initial, ${extra.date}) is beyond the ${plural(protocol.initialSessions, 'initial session')} the protocol plans.`,
    });
  }

  // The first touch-up, measured from the last initial session.
  if (protocol.touchUpAfterDays !== null && anchor) {
    const lastInitial = initial.length >= protocol.initialSessions ? initial.at(-1)! : null;
    const base = lastInitial ? { day: dayOf(lastInitial.date), what: `the last initial session, ${lastInitial.number} (${lastInitial.date})` } : anchor;
    const centre = base.day + protocol.touchUpAfterDays;
    const tol = protocol.touchUpToleranceDays;
    const held = ordered.find((s) => s.kind === 'touch_up');
    const window: VisitWindow = {
      kind: 'touch_up',
      label: held ? `Touch-up (session ${held.number})` : 'Touch-up',
      from: dateOf(centre - tol),
      to: dateOf(centre + tol),
      basis: `${protocol.touchUpAfterDays} ± ${plural(tol, 'day')} after ${base.what}`,
      sessionNumber: held?.number ?? null,
    };
    windows.push(window);
    judge(held, window, (s) => {
      const gap = dayOf(s.date) - base.day;
      return (
        `Session ${s.number} (touch-up, ${s.date}) came ${plural(gap, 'day')} after ${base.what}; ` +
        `the protocol expects ${protocol.touchUpAfterDays} ± ${plural(tol, 'day')} (${window.from} to ${window.to}).`
      );
    });
  }

  // Follow-up, measured from the final session of any kind.
  const final = ordered.reduce<TimelineSession | null>((latest, s) => (latest === null || s.date >= latest.date ? s : latest), null);
  if (final) {
    const day = dayOf(final.date);
    const { from, to } = protocol.followUpMonths;
    windows.push({
      kind: 'follow_up',
      label: 'Follow-up',
      from: dateOf(day + Math.ceil(from * MONTH_DAYS)),
      to: dateOf(day + Math.floor(to * MONTH_DAYS)),
      basis: `${from} to ${to} months after the final session, ${final.number} (${final.date})`,
      sessionNumber: null,
    });
  }
  return { windows, deviations, sessionStatus };
}
