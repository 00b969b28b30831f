// The participant timeline's visit windows and deviations, worked out by hand from the protocol
// (the schedule's rule, as analysis/protocol-adherence.ts judges it: each initial session measured
// from session 1, the touch-up from the last initial session, follow-up and scheduled visits from
// the final session).
import { expect } from 'chai';
import type { Protocol } from '../../../api/schemas/bundle.ts';
import { isProtocolAdherent } from '../../../analysis/protocol-adherence.ts';
import { dateOf, dayOf, protocolView, type TimelineSession } from '../../../web/app/participant/timeline-model.ts';

const PROTOCOL: Protocol = {
  initialSessions: 3,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: 30,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 7, to: 32 },
};

const s = (number: number, date: string, kind: TimelineSession['kind'] = 'initial'): TimelineSession => ({ number, date, kind });

describe('web: participant timeline model', () => {
  it('converts dates to day numbers and back', () => {
    expect(dayOf('1970-01-02')).to.equal(1);
    expect(dateOf(dayOf('2024-02-29') + 1)).to.equal('2024-03-01');
  });

  it('draws each window from session 1, and finds no deviation in an adherent schedule', () => {
    const sessions = [s(1, '2024-01-08'), s(2, '2024-01-15'), s(3, '2024-01-24'), s(4, '2024-02-20', 'touch_up')];
    const view = protocolView(PROTOCOL, sessions, '2024-03-01');
    expect(view.windows.map((w) => [w.kind, w.label, w.from, w.to])).to.deep.equal([
      ['initial', 'Session 2', '2024-01-12', '2024-01-18'],
      ['initial', 'Session 3', '2024-01-19', '2024-01-25'],
      ['touch_up', 'Touch-up (session 4)', '2024-02-16', '2024-03-01'],
      // 7 × 30.4375 = 213.06 → day 214 after 2024-02-20; 32 × 30.4375 = 974 days.
      ['follow_up', 'Follow-up', '2024-09-21', '2026-10-21'],
    ]);
    expect(view.deviations).to.deep.equal([]);
    expect([...view.sessionStatus]).to.deep.equal([
      [1, 'no-window'],
      [2, 'in-window'],
      [3, 'in-window'],
      [4, 'in-window'],
    ]);
    const days = sessions.map((x) => ({ day: dayOf(x.date), kind: x.kind, durationMinutes: 60 }));
    expect(isProtocolAdherent(days, PROTOCOL), 'the analysis agrees').to.equal(true);
  });

  it('marks a session outside its window, and says so in words', () => {
    const sessions = [s(1, '2024-01-08'), s(2, '2024-01-15'), s(3, '2024-01-29')];
    const view = protocolView(PROTOCOL, sessions, '2024-02-01');
    expect(view.sessionStatus.get(3)).to.equal('outside-window');
    expect(view.deviations).to.deep.equal([
      {
        sessionNumber: 3,
        text: 'Session 3 (initial, 2024-01-29) came 21 days after session 1 (2024-01-08); the protocol expects 14 ± 3 days (2024-01-19 to 2024-01-25).',
      },
    ]);
    const days = sessions.map((x) => ({ day: dayOf(x.date), kind: x.kind, durationMinutes: 60 }));
    expect(isProtocolAdherent(days, PROTOCOL)).to.equal(false);
  });

  it('keeps later windows from session 1 when a session is missing, and reports a window that has passed', () => {
    const view = protocolView(PROTOCOL, [s(1, '2024-01-08')], '2024-04-01');
    expect(view.windows.map((w) => [w.label, w.from, w.to])).to.deep.equal([
      ['Initial session 2', '2024-01-12', '2024-01-18'],
      ['Initial session 3', '2024-01-19', '2024-01-25'],
      // From the last initial session so far (session 1): 2024-01-08 + 30 = 2024-02-07 ± 7.
      ['Touch-up', '2024-01-31', '2024-02-14'],
      ['Follow-up', '2024-08-09', '2026-09-08'],
    ]);
    expect(view.deviations.map((d) => d.text)).to.deep.equal([
      'Initial session 2 is missing: its window (2024-01-12 to 2024-01-18) has passed.',
      'Initial session 3 is missing: its window (2024-01-19 to 2024-01-25) has passed.',
      'Touch-up is missing: its window (2024-01-31 to 2024-02-14) has passed.',
    ]);
    expect(protocolView(PROTOCOL, [s(1, '2024-01-08')], '2024-01-10').deviations, 'nothing is overdue yet').to.deep.equal([]);
  });

  it('flags initial sessions beyond the plan and a late touch-up; no touch-up window when none is planned', () => {
    const sessions = [s(1, '2024-01-08'), s(2, '2024-01-15'), s(3, '2024-01-22'), s(4, '2024-01-29'), s(5, '2024-04-01', 'touch_up')];
    const view = protocolView(PROTOCOL, sessions, '2024-05-01');
    expect(view.deviations.map((d) => d.sessionNumber)).to.deep.equal([4, 5]);
    expect(view.deviations[1]!.text).to.equal(
      'Session 5 (touch-up, 2024-04-01) came 63 days after the last initial session, 4 (2024-01-29); the protocol expects 30 ± 7 days (2024-02-21 to 2024-03-06).',
    );
    const none = protocolView({ ...PROTOCOL, touchUpAfterDays: null }, sessions.slice(0, 3), '2025-01-01');
    expect(none.windows.map((w) => w.kind)).to.deep.equal(['initial', 'initial', 'follow_up']);
    expect(none.deviations).to.deep.equal([]);
  });

  it('draws each scheduled visit from the final session with its status, and reports a missed one', () => {
    const visits = [
      // 8 × 30.4375 = 243.5 → 244 days after 2024-02-20: 2024-10-21, window 2024-09-21 to 2024-12-05.
      { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment' as const, 'survey' as const] },
    ];
    const sessions = [s(1, '2024-01-08'), s(2, '2024-01-15'), s(3, '2024-01-22'), s(4, '2024-02-20', 'touch_up')];
    const view = protocolView({ ...PROTOCOL, visits }, sessions, '2024-12-06', { assessments: ['2024-09-21'], surveys: [] });
    const fu8 = view.windows.find((w) => w.kind === 'visit')!;
    expect([fu8.label, fu8.from, fu8.to, fu8.status]).to.deep.equal(['FU8: 8-month review', '2024-09-21', '2024-12-05', 'overdue']);
    expect(view.deviations.map((d) => d.text)).to.deep.equal(['FU8 (8-month review) is missing a survey: its window (2024-09-21 to 2024-12-05) has passed.']);
    const done = protocolView({ ...PROTOCOL, visits }, sessions, '2024-12-06', { assessments: ['2024-09-21'], surveys: ['2024-12-05'] });
    expect(done.windows.find((w) => w.kind === 'visit')!.status).to.equal('done');
  });

  it('has no window before the first session', () => {
    expect(protocolView(PROTOCOL, [], '2024-01-01')).to.deep.equal({ windows: [], deviations: [], sessionStatus: new Map() });
  });
});
