// The protocol's schedule for one participant, as of a day: every step of the treatment course
// and every scheduled follow-up visit with its window and status. The one definition of the
// windows: the worklist, the protocol-adherence figure, retention by visit and the participant
// timeline all use it. Pure: the day "as of" is a parameter, never the clock.
import { MONTH_DAYS } from './constants.ts';
import type { DayNumber, ProtocolFacts, ScheduledVisitFacts, VisitRecordKind } from './types.ts';

/** Every status a step can have as of a day, in the order a worklist shows them: what needs action first. */
export const SCHEDULE_STATUSES = ['overdue', 'due', 'upcoming', 'withdrawn', 'done'] as const;

/** Where a step stands as of a day. */
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

/** What a step still lacks: a session (treatment steps), or a kind of record a visit expects. */
export type MissingKind = 'session' | VisitRecordKind;

/** One step of a participant's schedule. Days are day numbers (days since 1970-01-01). */
export interface ScheduleStep {
  /** `session-K` (initial session K), `touch-up`, or a visit's code. */
  step: string;
  kind: 'initial_session' | 'touch_up' | 'visit';
  /** "Initial session 2", "Touch-up", or the visit's label. */
  label: string;
  target: DayNumber;
  /** First day of the window, inclusive. */
  windowStart: DayNumber;
  /** Last day of the window, inclusive. */
  windowEnd: DayNumber;
  status: ScheduleStatus;
  /** What is still missing; empty when done. Shared between steps: read it, do not change it. */
  missing: readonly MissingKind[];
  /** The session that did a treatment step (its number and day), null otherwise. */
  session: { number: number; day: DayNumber } | null;
  /** The records a visit's window holds, by day (empty for treatment steps). Read it, do not change it. */
  records: ReadonlyArray<{ kind: VisitRecordKind; day: DayNumber }>;
}

/** What the schedule of one participant is computed from. */
export interface ScheduleInput {
  /** The participant's sessions in session-number order (session 1 first); numbers are 1, 2, 3… */
  sessions: ReadonlyArray<{ day: DayNumber; kind: 'initial' | 'touch_up' }>;
  /** Days of the participant's fading assessments, in any order. */
  assessmentDays: readonly DayNumber[];
  /** Days of the participant's satisfaction surveys, in any order. */
  surveyDays: readonly DayNumber[];
  /** Day of withdrawal, or null. */
  withdrawnDay: DayNumber | null;
}

export interface ParticipantSchedule {
  /** The final session's day (the latest session): what follow-up visits are measured from; null without sessions. */
  anchorDay: DayNumber | null;
  /** Treatment steps (session-2 … session-N, then touch-up), then visits by target day. */
  steps: ScheduleStep[];
  /** Assessments and surveys whose day lies in no visit's window, by day. */
  unscheduled: Array<{ kind: VisitRecordKind; day: DayNumber }>;
}

/**
 * A number rounded to the nearest whole number, halves away from zero (243.5 → 244, −2.5 → −3),
 * unlike Math.round, which takes −2.5 to −2.
 */
export function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.floor(Math.abs(value) + 0.5);
}

/**
 * Days from the final session to a visit's target: months × 30.4375, rounded to the nearest day,
 * halves away from zero.
 *
 * Cost: O(1).
 *
 * @param monthsAfterFinalSession the visit's months after the final session
 * @returns whole days
 * @example
 * visitOffsetDays(8); // => 244 (243.5 rounded away from zero)
 */
export function visitOffsetDays(monthsAfterFinalSession: number): number {
  return roundHalfAwayFromZero(monthsAfterFinalSession * MONTH_DAYS);
}

/**
 * A visit's window in days after the final session: [offset − before, offset + after], inclusive.
 *
 * @example
 * visitWindowDays({ monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45 });
 * // => { target: 244, start: 214, end: 289 }
 */
export function visitWindowDays(visit: Pick<ScheduledVisitFacts, 'monthsAfterFinalSession' | 'windowBeforeDays' | 'windowAfterDays'>): {
  target: number;
  start: number;
  end: number;
} {
  const target = visitOffsetDays(visit.monthsAfterFinalSession);
  return { target, start: target - visit.windowBeforeDays, end: target + visit.windowAfterDays };
}

/** The status of a step that is not done: withdrawn, or upcoming, due or overdue as of `asOf`. */
function openStatus(windowStart: DayNumber, windowEnd: DayNumber, withdrawnDay: DayNumber | null, asOf: DayNumber): ScheduleStatus {
  if (withdrawnDay !== null && withdrawnDay <= windowEnd) return 'withdrawn';
  if (asOf < windowStart) return 'upcoming';
  if (asOf <= windowEnd) return 'due';
  return 'overdue';
}

/** The protocol's treatment steps of a participant with sessions: windows and the session that did each. */
export interface TreatmentStepWindow {
  step: string;
  kind: 'initial_session' | 'touch_up';
  label: string;
  target: DayNumber;
  windowStart: DayNumber;
  windowEnd: DayNumber;
  /** The session that did the step: initial session K for `session-K`, the first touch-up for `touch-up`. */
  session: { number: number; day: DayNumber } | null;
}

/**
 * The treatment course's steps and their windows: initial session K (K = 2 … initialSessions) is
 * due on session 1's day + (K − 1) × sessionIntervalDays, ± intervalToleranceDays; the touch-up,
 * when one is planned, on the last initial session's day + touchUpAfterDays,
 * ± touchUpToleranceDays. Session K does step `session-K` when it is an initial session; the
 * first touch-up does `touch-up`. Without sessions there are no steps.
 *
 * Cost: O(s) for s sessions.
 *
 * @param protocol the study's protocol
 * @param sessions the sessions in session-number order
 * @returns the steps in course order
 */
export function treatmentSteps(protocol: ProtocolFacts, sessions: ScheduleInput['sessions']): TreatmentStepWindow[] {
  const first = sessions[0];
  if (first === undefined) return [];
  const steps: TreatmentStepWindow[] = [];
  const interval = protocol.sessionIntervalDays;
  const tolerance = protocol.intervalToleranceDays;
  for (let k = 2; k <= protocol.initialSessions; k++) {
    const target = first.day + (k - 1) * interval;
    const held = sessions[k - 1];
    steps.push({
      step: `session-${k}`,
      kind: 'initial_session',
      label: `Initial session ${k}`,
      target,
      windowStart: target - tolerance,
      windowEnd: target + tolerance,
      session: held !== undefined && held.kind === 'initial' ? { number: k, day: held.day } : null,
    });
  }
  if (protocol.touchUpAfterDays !== null) {
    let lastInitialDay: DayNumber | null = null;
    let firstTouchUp: { number: number; day: DayNumber } | null = null;
    for (let index = 0; index < sessions.length; index++) {
      const session = sessions[index]!;
      if (session.kind === 'initial') {
        if (lastInitialDay === null || session.day > lastInitialDay) lastInitialDay = session.day;
      } else if (firstTouchUp === null) firstTouchUp = { number: index + 1, day: session.day };
    }
    // Session 1 is always an initial session (a bundle refuses a touch-up before one).
    const target = (lastInitialDay ?? first.day) + protocol.touchUpAfterDays;
    steps.push({
      step: 'touch-up',
      kind: 'touch_up',
      label: 'Touch-up',
      target,
      windowStart: target - protocol.touchUpToleranceDays,
      windowEnd: target + protocol.touchUpToleranceDays,
      session: firstTouchUp,
    });
  }
  return steps;
}

/** The protocol's visits in target order, with their windows in days after the final session. */
interface VisitTemplate {
  visit: ScheduledVisitFacts;
  target: number;
  start: number;
  end: number;
  expectsAssessment: boolean;
  expectsSurvey: boolean;
}

const visitTemplates = new WeakMap<readonly ScheduledVisitFacts[], VisitTemplate[]>();

/** The protocol's visits with their windows, in target order; worked out once per list of visits. */
function templatesOf(protocol: ProtocolFacts): VisitTemplate[] {
  const visits = protocol.visits;
  if (!visits || visits.length === 0) return [];
  let templates = visitTemplates.get(visits);
  if (templates === undefined) {
    templates = visits
      .map((visit) => ({
        visit,
        ...visitWindowDays(visit),
        expectsAssessment: visit.expects.includes('fadingAssessment'),
        expectsSurvey: visit.expects.includes('survey'),
      }))
      .sort((a, b) => a.target - b.target);
    visitTemplates.set(visits, templates);
  }
  return templates;
}

/** The protocol's visits in target order (their windows do not overlap, so this is window order). */
export function visitsInOrder(protocol: ProtocolFacts): ScheduledVisitFacts[] {
  return templatesOf(protocol).map((t) => t.visit);
}

const RECORD_ORDER: readonly VisitRecordKind[] = ['fadingAssessment', 'survey'];

// Shared, never changed: a worklist of 20,000 participants makes some 140,000 steps, and one list
// per step would be most of its garbage.
const NOTHING: readonly never[] = Object.freeze([]);
const SESSION_MISSING: readonly MissingKind[] = Object.freeze(['session'] as const);
const MISSING_BY_KINDS: ReadonlyArray<readonly MissingKind[]> = [
  NOTHING,
  Object.freeze(['fadingAssessment'] as const),
  Object.freeze(['survey'] as const),
  Object.freeze(['fadingAssessment', 'survey'] as const),
];

/**
 * A participant's schedule as of a day.
 *
 * Treatment steps (see `treatmentSteps`) and follow-up visits each have a target day and an
 * inclusive window. A visit's target is the final session's day (the latest session on record)
 * + round(monthsAfterFinalSession × 30.4375) days, halves away from zero; its window is
 * [target − windowBeforeDays, target + windowAfterDays]. A fading assessment or survey counts for
 * the visit whose window holds its day; one in no window is unscheduled.
 *
 * Status: a treatment step is `done` when its session exists (in its window or not), a visit when
 * every kind it expects has a record in its window. A step that is not done is `withdrawn` when
 * the participant withdrew on or before its window's last day; otherwise, as of `asOf`, it is
 * `upcoming` before the window, `due` inside it and `overdue` after it. A participant without
 * sessions has no steps.
 *
 * Cost: O((s + v + r) log r) for s sessions, v visits and r records.
 *
 * @param protocol the study's protocol (its `visits` may be absent: no follow-up visits)
 * @param participant the participant's sessions, records and withdrawal
 * @param asOf the day the statuses are judged on
 * @returns the steps, in course order then visit order, and the unscheduled records
 * @example
 * participantSchedule(
 *   { initialSessions: 1, sessionIntervalDays: 7, intervalToleranceDays: 3, touchUpAfterDays: null,
 *     touchUpToleranceDays: 7, followUpMonths: { from: 6, to: 12 },
 *     visits: [{ code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8,
 *                windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] }] },
 *   { sessions: [{ day: 0, kind: 'initial' }], assessmentDays: [], surveyDays: [], withdrawnDay: null },
 *   250,
 * ).steps[0]; // => { step: 'FU8', target: 244, windowStart: 214, windowEnd: 289, status: 'due', missing: ['fadingAssessment'], … }
 */
export function participantSchedule(protocol: ProtocolFacts, participant: ScheduleInput, asOf: DayNumber): ParticipantSchedule {
  const { sessions, withdrawnDay } = participant;
  if (sessions.length === 0) return { anchorDay: null, steps: [], unscheduled: [] };
  const steps: ScheduleStep[] = [];
  for (const t of treatmentSteps(protocol, sessions)) {
    const done = t.session !== null;
    steps.push({
      step: t.step,
      kind: t.kind,
      label: t.label,
      target: t.target,
      windowStart: t.windowStart,
      windowEnd: t.windowEnd,
      status: done ? 'done' : openStatus(t.windowStart, t.windowEnd, withdrawnDay, asOf),
      missing: done ? NOTHING : SESSION_MISSING,
      session: t.session,
      records: NOTHING,
    });
  }

  let anchorDay = sessions[0]!.day;
  for (const session of sessions) if (session.day > anchorDay) anchorDay = session.day;
  const templates = templatesOf(protocol);
  const unscheduled: ParticipantSchedule['unscheduled'] = [];
  const records: Array<Array<{ kind: VisitRecordKind; day: DayNumber }> | null> = templates.length === 0 ? [] : new Array(templates.length).fill(null);
  placeRecords(templates, anchorDay, 'fadingAssessment', participant.assessmentDays, records, unscheduled);
  placeRecords(templates, anchorDay, 'survey', participant.surveyDays, records, unscheduled);
  if (unscheduled.length > 1) unscheduled.sort(byDayThenKind);

  for (let v = 0; v < templates.length; v++) {
    const t = templates[v]!;
    const held = records[v] ?? NOTHING;
    if (held.length > 1) (held as Array<{ kind: VisitRecordKind; day: DayNumber }>).sort(byDayThenKind);
    let hasAssessment = false;
    let hasSurvey = false;
    for (const r of held) {
      if (r.kind === 'fadingAssessment') hasAssessment = true;
      else hasSurvey = true;
    }
    const missing = MISSING_BY_KINDS[(t.expectsAssessment && !hasAssessment ? 1 : 0) + (t.expectsSurvey && !hasSurvey ? 2 : 0)]!;
    const windowStart = anchorDay + t.start;
    const windowEnd = anchorDay + t.end;
    steps.push({
      step: t.visit.code,
      kind: 'visit',
      label: t.visit.label,
      target: anchorDay + t.target,
      windowStart,
      windowEnd,
      status: missing.length === 0 ? 'done' : openStatus(windowStart, windowEnd, withdrawnDay, asOf),
      missing,
      session: null,
      records: held,
    });
  }
  return { anchorDay, steps, unscheduled };
}

/** Each record goes to the visit whose window holds its day, or to the unscheduled ones. */
function placeRecords(
  templates: readonly VisitTemplate[],
  anchorDay: DayNumber,
  kind: VisitRecordKind,
  days: readonly DayNumber[],
  records: Array<Array<{ kind: VisitRecordKind; day: DayNumber }> | null>,
  unscheduled: ParticipantSchedule['unscheduled'],
): void {
  for (const day of days) {
    const offset = day - anchorDay;
    let placed = false;
    for (let v = 0; v < templates.length; v++) {
      const t = templates[v]!;
      if (offset >= t.start && offset <= t.end) {
        (records[v] ??= []).push({ kind, day });
        placed = true;
        break;
      }
    }
    if (!placed) unscheduled.push({ kind, day });
  }
}

function byDayThenKind(a: { kind: VisitRecordKind; day: DayNumber }, b: { kind: VisitRecordKind; day: DayNumber }): number {
  return a.day - b.day || RECORD_ORDER.indexOf(a.kind) - RECORD_ORDER.indexOf(b.kind);
}
