// The schedule rule, checked against hand-worked examples: every window below was worked out on
// paper from the rule (target = anchor + round(months × 30.4375), halves away from zero; windows
// inclusive; session K due (K − 1) intervals after session 1; the touch-up after the last initial
// session), never taken from the code's own output.
import { expect } from 'chai';
import { participantSchedule, roundHalfAwayFromZero, treatmentSteps, visitOffsetDays, type ScheduleInput } from '../../../analysis/schedule.ts';
import { isProtocolAdherent } from '../../../analysis/protocol-adherence.ts';
import type { ProtocolFacts } from '../../../analysis/types.ts';

const PROTOCOL: ProtocolFacts = {
  initialSessions: 3,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: 30,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 6, to: 30 },
  visits: [
    // 24 × 30.4375 = 730.5 → 731; listed out of order on purpose.
    { code: 'FU24', label: '24-month review', monthsAfterFinalSession: 24, windowBeforeDays: 60, windowAfterDays: 60, expects: ['fadingAssessment', 'survey'] },
    // 8 × 30.4375 = 243.5 → 244 (halves away from zero; 243 if rounded half to even).
    { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
  ],
};

const input = (sessions: Array<[number, 'i' | 't']>, extra: Partial<Omit<ScheduleInput, 'sessions'>> = {}): ScheduleInput => ({
  sessions: sessions.map(([day, kind]) => ({ day, kind: kind === 'i' ? 'initial' : 'touch_up' })),
  assessmentDays: [],
  surveyDays: [],
  withdrawnDay: null,
  ...extra,
});

/** [step, target, windowStart, windowEnd, status, missing] of every step. */
const brief = (protocol: ProtocolFacts, participant: ScheduleInput, asOf: number) =>
  participantSchedule(protocol, participant, asOf).steps.map((s) => [s.step, s.target, s.windowStart, s.windowEnd, s.status, s.missing.join('+')]);

// A complete course: sessions on days 0, 7, 14 and the touch-up on day 44. Final session: day 44.
// FU8: 44 + 244 = 288, window [258, 333]. FU24: 44 + 731 = 775, window [715, 835].
const COURSE: Array<[number, 'i' | 't']> = [[0, 'i'], [7, 'i'], [14, 'i'], [44, 't']];

describe('the schedule of one participant (analysis/schedule.ts)', () => {
  describe('rounding', () => {
    it('rounds months × 30.4375 to the nearest day, halves away from zero', () => {
      expect(roundHalfAwayFromZero(243.5)).to.equal(244);
      expect(roundHalfAwayFromZero(-243.5)).to.equal(-244);
      expect(roundHalfAwayFromZero(2.4999)).to.equal(2);
      expect(visitOffsetDays(8)).to.equal(244); // 243.5
      expect(visitOffsetDays(24)).to.equal(731); // 730.5
      expect(visitOffsetDays(6)).to.equal(183); // 182.625
      expect(visitOffsetDays(12)).to.equal(365); // 365.25
      expect(visitOffsetDays(18)).to.equal(548); // 547.875
      expect(visitOffsetDays(0.5)).to.equal(15); // 15.21875
      expect(visitOffsetDays(0)).to.equal(0);
    });
  });

  describe('treatment course', () => {
    it('dates session K from session 1 and the touch-up from the last initial session', () => {
      // Session 2: 0 + 7 = 7 ± 3; session 3: 0 + 14 = 14 ± 3 (not 10 + 7: measured from session 1);
      // touch-up: 16 (last initial) + 30 = 46 ± 7.
      const steps = treatmentSteps(PROTOCOL, input([[0, 'i'], [10, 'i'], [16, 'i']]).sessions);
      expect(steps.map((s) => [s.step, s.target, s.windowStart, s.windowEnd, s.session?.number ?? null])).to.deep.equal([
        ['session-2', 7, 4, 10, 2],
        ['session-3', 14, 11, 17, 3],
        ['touch-up', 46, 39, 53, null],
      ]);
    });

    it('counts a session done even outside its window; the adherence figure judges the window', () => {
      const late = input([[0, 'i'], [20, 'i'], [27, 'i'], [57, 't']]);
      expect(brief({ ...PROTOCOL, visits: null }, late, 100)).to.deep.equal([
        ['session-2', 7, 4, 10, 'done', ''],
        ['session-3', 14, 11, 17, 'done', ''],
        ['touch-up', 57, 50, 64, 'done', ''],
      ]);
      expect(isProtocolAdherent(late.sessions.map((s) => ({ ...s, durationMinutes: 60 })), PROTOCOL)).to.equal(false);
    });

    it('judges a missing session upcoming, due and overdue at the inclusive window edges', () => {
      const one = input([[0, 'i']]);
      const statusOfSession2 = (asOf: number) => participantSchedule(PROTOCOL, one, asOf).steps[0]!.status;
      // session-2's window is [4, 10].
      expect([3, 4, 10, 11].map(statusOfSession2)).to.deep.equal(['upcoming', 'due', 'due', 'overdue']);
    });

    it('has the touch-up open while it has not happened, measured from the last initial session so far', () => {
      // Sessions 1-3 held; no touch-up yet: final session is day 14, so FU8 is 14 + 244 = 258 [228, 303].
      const noTouchUp = input([[0, 'i'], [7, 'i'], [14, 'i']]);
      expect(brief(PROTOCOL, noTouchUp, 50)).to.deep.equal([
        ['session-2', 7, 4, 10, 'done', ''],
        ['session-3', 14, 11, 17, 'done', ''],
        ['touch-up', 44, 37, 51, 'due', 'session'],
        ['FU8', 258, 228, 303, 'upcoming', 'fadingAssessment'],
        ['FU24', 745, 685, 805, 'upcoming', 'fadingAssessment+survey'],
      ]);
      expect(participantSchedule(PROTOCOL, noTouchUp, 52).steps[2]!.status).to.equal('overdue');
    });

    it('plans no touch-up when none is planned, and a course of one session has no session step', () => {
      const protocol = { ...PROTOCOL, initialSessions: 1, touchUpAfterDays: null, visits: null };
      expect(brief(protocol, input([[0, 'i']]), 10)).to.deep.equal([]);
      expect(treatmentSteps(protocol, input([[0, 'i']]).sessions)).to.deep.equal([]);
    });

    it('does not count a touch-up held as session K for the initial session K', () => {
      // Two initial sessions, then a touch-up as session 3: session-3 (an initial session) is still missing.
      const steps = participantSchedule(PROTOCOL, input([[0, 'i'], [7, 'i'], [37, 't']]), 40).steps;
      expect(steps.slice(0, 3).map((s) => [s.step, s.status, s.session?.number ?? null])).to.deep.equal([
        ['session-2', 'done', 2],
        ['session-3', 'overdue', null],
        ['touch-up', 'done', 3],
      ]);
    });
  });

  describe('follow-up visits', () => {
    it('measures visits from the final session, in target order, with inclusive windows', () => {
      expect(brief(PROTOCOL, input(COURSE), 257).slice(3)).to.deep.equal([
        ['FU8', 288, 258, 333, 'upcoming', 'fadingAssessment'],
        ['FU24', 775, 715, 835, 'upcoming', 'fadingAssessment+survey'],
      ]);
      const fu8 = (asOf: number) => participantSchedule(PROTOCOL, input(COURSE), asOf).steps[3]!.status;
      expect([257, 258, 333, 334].map(fu8)).to.deep.equal(['upcoming', 'due', 'due', 'overdue']);
    });

    it('counts a record on either edge of the window, and not a day outside it', () => {
      const at = (day: number) => participantSchedule(PROTOCOL, input(COURSE, { assessmentDays: [day] }), 400).steps[3]!;
      expect([257, 258, 333, 334].map((day) => at(day).status)).to.deep.equal(['overdue', 'done', 'done', 'overdue']);
      expect(at(258).records).to.deep.equal([{ kind: 'fadingAssessment', day: 258 }]);
      expect(participantSchedule(PROTOCOL, input(COURSE, { assessmentDays: [257, 334] }), 400).unscheduled).to.deep.equal([
        { kind: 'fadingAssessment', day: 257 },
        { kind: 'fadingAssessment', day: 334 },
      ]);
    });

    it('is done only when every expected kind is in the window, and lists what is missing', () => {
      const onlyAssessment = participantSchedule(PROTOCOL, input(COURSE, { assessmentDays: [770] }), 800).steps[4]!;
      expect([onlyAssessment.status, onlyAssessment.missing]).to.deep.equal(['due', ['survey']]);
      const both = participantSchedule(PROTOCOL, input(COURSE, { assessmentDays: [770], surveyDays: [835] }), 900).steps[4]!;
      expect([both.status, both.missing]).to.deep.equal(['done', []]);
      // A survey one day after the window does not complete it: overdue, still missing the survey.
      const late = participantSchedule(PROTOCOL, input(COURSE, { assessmentDays: [770], surveyDays: [836] }), 900);
      expect([late.steps[4]!.status, late.steps[4]!.missing, late.unscheduled]).to.deep.equal(['overdue', ['survey'], [{ kind: 'survey', day: 836 }]]);
    });

    it('lists records outside every window as unscheduled, and a record of a kind a visit does not expect as in its window', () => {
      const schedule = participantSchedule(PROTOCOL, input(COURSE, { assessmentDays: [100, 500], surveyDays: [300] }), 900);
      expect(schedule.unscheduled).to.deep.equal([
        { kind: 'fadingAssessment', day: 100 },
        { kind: 'fadingAssessment', day: 500 },
      ]);
      expect(schedule.steps[3]!.records).to.deep.equal([{ kind: 'survey', day: 300 }]);
      expect(schedule.steps[3]!.status).to.equal('overdue');
    });

    it('marks a visit withdrawn when the participant withdrew before its window ended: before, during or on its last day', () => {
      const statusWhenWithdrawn = (withdrawnDay: number, asOf = 1000) =>
        participantSchedule(PROTOCOL, input(COURSE, { withdrawnDay }), asOf).steps[3]!.status; // FU8 [258, 333]
      expect(statusWhenWithdrawn(100), 'before the window').to.equal('withdrawn');
      expect(statusWhenWithdrawn(300), 'during the window').to.equal('withdrawn');
      expect(statusWhenWithdrawn(333), 'on its last day').to.equal('withdrawn');
      expect(statusWhenWithdrawn(334), 'after the window: it was missed').to.equal('overdue');
      expect(statusWhenWithdrawn(100, 200), 'whatever the day it is judged on').to.equal('withdrawn');
      // Done before withdrawing stays done.
      const done = participantSchedule(PROTOCOL, input(COURSE, { withdrawnDay: 300, assessmentDays: [290] }), 1000).steps[3]!;
      expect([done.status, done.missing]).to.deep.equal(['done', []]);
    });

    it('marks missing treatment steps of a withdrawn participant withdrawn the same way', () => {
      const steps = participantSchedule(PROTOCOL, input([[0, 'i'], [7, 'i']], { withdrawnDay: 9 }), 500).steps;
      expect(steps.map((s) => [s.step, s.status])).to.deep.equal([
        ['session-2', 'done'],
        ['session-3', 'withdrawn'],
        ['touch-up', 'withdrawn'],
        ['FU8', 'withdrawn'],
        ['FU24', 'withdrawn'],
      ]);
    });

    it('gives a participant without sessions no steps at all', () => {
      expect(participantSchedule(PROTOCOL, input([], { withdrawnDay: 5 }), 100)).to.deep.equal({ anchorDay: null, steps: [], unscheduled: [] });
    });
  });

  describe('protocol adherence through the schedule’s windows', () => {
    const days = (initial: number[], touchUps: number[] = []) => [
      ...initial.map((day) => ({ day, kind: 'initial' as const, durationMinutes: 90 })),
      ...touchUps.map((day) => ({ day, kind: 'touch_up' as const, durationMinutes: 60 })),
    ];

    it('measures session 3 from session 1, not from session 2', () => {
      // Gaps 5 and 11: session 3 on day 16 lies in [11, 17], so adherent (gap by gap, 11 would be out).
      expect(isProtocolAdherent(days([0, 5, 16], [46]), PROTOCOL)).to.equal(true);
      // Gaps 10 and 10: session 3 on day 20 lies outside [11, 17] (gap by gap, both would be in).
      expect(isProtocolAdherent(days([0, 10, 20], [50]), PROTOCOL)).to.equal(false);
    });
  });
});
