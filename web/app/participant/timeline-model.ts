// What a participant's timeline shows, worked out from the records and the protocol: the expected
// visit windows and the sessions that fell outside theirs. Pure (dates in, windows and words out),
// so it is tested without a browser. The windows are the schedule's (analysis/schedule.ts, the same
// module the worklist and the adherence figure use): initial session K is due (K − 1) ×
// `sessionIntervalDays` ± `intervalToleranceDays` after session 1, the touch-up
// `touchUpAfterDays ± touchUpToleranceDays` after the last initial session, each scheduled visit
// round(months × 30.4375) days after the final session within its own window, and follow-up runs
// `followUpMonths.from` to `.to` months after the final session. Bounds are inclusive.
import { MONTH_DAYS } from '../../../analysis/constants.ts';
import { participantSchedule } from '../../../analysis/schedule.ts';
import type { Protocol } from '../../../api/schemas/bundle.ts';

export interface TimelineSession {
  number: number;
  kind: 'initial' | 'touch_up';
  date: string;
}

export type WindowKind = 'initial' | 'touch_up' | 'follow_up' | 'visit';

export interface VisitWindow {
  kind: WindowKind;
  /** "Session 2", "Touch-up", "Follow-up", "FU8: 8-month review". */
  label: string;
  from: string;
  to: string;
  /** What the window is measured from, in words: "7 ± 3 days after session 1 (2024-01-05)". */
  basis: string;
  /** The session held for it (initial and touch-up windows), if any. */
  sessionNumber: number | null;
  /** A scheduled visit's status as of today (done, upcoming, due, overdue, withdrawn); null for other windows. */
  status?: string | null;
}

/** The records besides sessions that scheduled visits count, and the withdrawal. */
export interface TimelineRecords {
  assessments?: readonly string[];
  surveys?: readonly string[];
  withdrawnOn?: string | null;
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
 * The protocol's expected visit windows for a participant's sessions (and its scheduled visits,
 * from its assessments, surveys and withdrawal), and every session outside its window. `today`
 * (ISO date) decides whether a missing step is overdue.
 */
export function protocolView(protocol: Protocol, sessions: readonly TimelineSession[], today: string, records: TimelineRecords = {}): ProtocolView {
  const ordered = [...sessions].sort((a, b) => a.number - b.number);
  const windows: VisitWindow[] = [];
  const deviations: Deviation[] = [];
  const sessionStatus = new Map<number, 'in-window' | 'outside-window' | 'no-window'>();
  for (const s of ordered) sessionStatus.set(s.number, 'no-window');
  const schedule = participantSchedule(
    protocol,
    {
      sessions: ordered.map((s) => ({ day: dayOf(s.date), kind: s.kind })),
      assessmentDays: (records.assessments ?? []).map(dayOf),
      surveyDays: (records.surveys ?? []).map(dayOf),
      withdrawnDay: records.withdrawnOn ? dayOf(records.withdrawnOn) : null,
    },
    dayOf(today),
  );
  const first = ordered[0];
  const initial = ordered.filter((s) => s.kind === 'initial');
  const lastInitial = initial.at(-1);
  const { sessionIntervalDays: interval, intervalToleranceDays: tolerance } = protocol;

  for (const step of schedule.steps) {
    const from = dateOf(step.windowStart);
    const to = dateOf(step.windowEnd);
    if (step.kind === 'visit') {
      const visit = (protocol.visits ?? []).find((v) => v.code === step.step)!;
      windows.push({
        kind: 'visit',
        label: `${step.step}: ${step.label}`,
        from,
        to,
        basis: `${visit.monthsAfterFinalSession} months after the final session (${dateOf(schedule.anchorDay!)}), −${plural(visit.windowBeforeDays, 'day')} / +${plural(visit.windowAfterDays, 'day')}`,
        sessionNumber: null,
        status: step.status,
      });
      if (step.status === 'overdue') {
        const missing = step.missing.map((m) => (m === 'fadingAssessment' ? 'a fading assessment' : 'a survey')).join(' and ');
        deviations.push({ sessionNumber: null, text: `${step.step} (${step.label}) is missing ${missing}: its window (${from} to ${to}) has passed.` });
      }
      continue;
    }
    const held = step.session === null ? undefined : ordered.find((s) => s.number === step.session!.number);
    const isTouchUp = step.kind === 'touch_up';
    const k = isTouchUp ? 0 : Number(step.step.slice('session-'.length));
    const window: VisitWindow = {
      kind: isTouchUp ? 'touch_up' : 'initial',
      label: held ? (isTouchUp ? `Touch-up (session ${held.number})` : `Session ${held.number}`) : isTouchUp ? 'Touch-up' : `Initial session ${k}`,
      from,
      to,
      basis: isTouchUp
        ? `${protocol.touchUpAfterDays} ± ${plural(protocol.touchUpToleranceDays, 'day')} after the last initial session, ${lastInitial!.number} (${lastInitial!.date})`
        : `${(k - 1) * interval} ± ${plural(tolerance, 'day')} after session ${first!.number} (${first!.date})`,
      sessionNumber: held?.number ?? null,
    };
    windows.push(window);
    if (held) {
      const day = dayOf(held.date);
      const inside = day >= step.windowStart && day <= step.windowEnd;
      sessionStatus.set(held.number, inside ? 'in-window' : 'outside-window');
      if (!inside) {
        const text = isTouchUp
          ? `Session ${held.number} (touch-up, ${held.date}) came ${plural(day - dayOf(lastInitial!.date), 'day')} after the last initial session, ${lastInitial!.number} (${lastInitial!.date}); ` +
            `the protocol expects ${protocol.touchUpAfterDays} ± ${plural(protocol.touchUpToleranceDays, 'day')} (${from} to ${to}).`
          : `Session ${held.number} (initial, ${held.date}) came ${plural(day - dayOf(first!.date), 'day')} after session ${first!.number} (${first!.date}); ` +
            `the protocol expects ${(k - 1) * interval} ± ${plural(tolerance, 'day')} (${from} to ${to}).`;
        deviations.push({ sessionNumber: held.number, text });
      }
    } else if (step.status === 'overdue') {
      deviations.push({ sessionNumber: null, text: `${window.label} is missing: its window (${from} to ${to}) has passed.` });
    }
  }
  for (const extra of initial.slice(protocol.initialSessions)) {
    sessionStatus.set(extra.number, 'outside-window');
    deviations.push({
      sessionNumber: extra.number,
      text: `Session ${extra.number} (initial, ${extra.date}) is beyond the ${plural(protocol.initialSessions, 'initial session')} the protocol plans.`,
    });
  }
  // A touch-up beyond the first: judged by no window.
  deviations.sort((a, b) => (a.sessionNumber ?? Infinity) - (b.sessionNumber ?? Infinity));

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
