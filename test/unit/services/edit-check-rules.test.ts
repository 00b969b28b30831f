// The edit checks, rule by rule: each finds the field it names in a participant made to break it,
// and nothing in the same participant corrected; windows are worked out by hand from the protocol.
import { expect } from 'chai';
import type { Participant } from '../../../api/schemas/bundle.ts';
import { EDIT_CHECK_RULES, runEditChecks, type EditCheckInput } from '../../../api/services/edit-check-rules.ts';

/** Initial sessions 7 days apart (± 3), a touch-up 30 days after the last (± 7), and an 8-month visit (target day 244, window 214–289 after the final session). */
const protocol: EditCheckInput['protocol'] = {
  initialSessions: 2,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: 30,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 6, to: 12 },
  visits: [{ code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] }],
};

const session = (number: number, date: string, kind: 'initial' | 'touch_up' = 'initial', practitioner = 'PR-A') => ({
  number, kind, date, durationMinutes: 60, practitioner, pigmentLot: 'L1', anesthesia: 'none' as const,
});

/** Sessions on 2020-01-01 and 2020-01-08, an assessment in the FU8 window (2020-09-07 is day 243), nothing wrong. */
function clean(): Participant {
  return {
    code: 'P01', site: 'LON', sex: 'male', birthYear: 1980, indication: 'scar', fitzpatrick: null, keloidHistory: false,
    enrolledOn: '2020-01-01', withdrawnOn: null, withdrawalCause: null, withdrawalReason: null, costUsd: null,
    sessions: [session(1, '2020-01-01'), session(2, '2020-01-08')],
    adverseEvents: [
      { category: 'other', term: 'Itch', onsetDate: '2020-01-02', resolvedDate: '2020-01-05', grade: 1, serious: false, relatedness: 'unlikely', outcome: 'recovered', sessionNumber: 1, solicited: false },
    ],
    fadingAssessments: [
      { date: '2020-09-07', grade: 1, densityScore: 7, needsTouchUp: null, assessor: 'clinician' },
      { date: '2020-09-20', grade: 2, densityScore: 8, needsTouchUp: null, assessor: 'clinician' },
    ],
    surveys: [],
  } as Participant;
}

const input = (participant: Participant, today = '2020-09-30'): EditCheckInput => ({
  participant,
  protocol,
  practitionerSites: new Map([['PR-A', 'LON'], ['PR-B', 'MAN']]),
  today,
});
const found = (participant: Participant, today?: string) => runEditChecks(input(participant, today)).map((f) => `${f.rule.id} ${f.path}${f.key ? ` ${f.key}` : ''}`);

describe('edit checks', () => {
  it('declares eight rules, each with an id, a message and the path it names', () => {
    expect(EDIT_CHECK_RULES.map((r) => r.id)).to.deep.equal([
      'visit-out-of-window',
      'follow-up-overdue',
      'serious-event-without-outcome',
      'event-unresolved-at-latest-contact',
      'fading-grade-jump',
      'density-out-of-range',
      'dated-after-withdrawal',
      'practitioner-of-another-site',
    ]);
    for (const rule of EDIT_CHECK_RULES) expect(rule.message.length * rule.names.length, rule.id).to.be.greaterThan(0);
  });

  it('finds nothing in a participant with nothing wrong', () => {
    expect(found(clean())).to.deep.equal([]);
  });

  it('finds a session outside its window (day 11 > 7 + 3) and an assessment in no visit window', () => {
    const p = clean();
    p.sessions[1]!.date = '2020-01-12';
    p.fadingAssessments[1]!.date = '2021-03-01';
    expect(found(p)).to.deep.equal(['visit-out-of-window sessions[1].date', 'visit-out-of-window fadingAssessments[1].date']);
    p.sessions[1]!.date = '2020-01-11'; // day 10: the window's last day
    p.fadingAssessments[1]!.date = '2020-09-20';
    expect(found(p)).to.deep.equal([]);
  });

  it('finds a follow-up visit overdue after its window (final session 2020-01-08 + 289 days = 2020-10-23)', () => {
    const p = clean();
    p.fadingAssessments = [];
    expect(found(p, '2020-10-23')).to.deep.equal([]);
    expect(found(p, '2020-10-24')).to.deep.equal(['follow-up-overdue  visit:FU8']);
    const [finding] = runEditChecks(input(p, '2020-10-24'));
    expect(finding!.detail).to.equal('8-month review (FU8)');
  });

  it('finds a serious adverse event whose outcome is unknown', () => {
    const p = clean();
    Object.assign(p.adverseEvents[0]!, { serious: true, outcome: 'unknown' });
    expect(found(p)).to.deep.equal(['serious-event-without-outcome adverseEvents[0].outcome']);
    p.adverseEvents[0]!.outcome = 'recovering';
    expect(found(p)).to.deep.equal([]);
  });

  it('finds an adverse event unresolved at a later contact, but not one begun at the latest contact', () => {
    const p = clean();
    p.adverseEvents[0]!.resolvedDate = null;
    expect(found(p)).to.deep.equal(['event-unresolved-at-latest-contact adverseEvents[0].resolvedDate']);
    p.adverseEvents[0]!.onsetDate = '2020-09-20';
    expect(found(p)).to.deep.equal([]);
  });

  it('finds a fading grade that changes by 3 between consecutive assessments by date, and not by 2', () => {
    const p = clean();
    p.fadingAssessments[1]!.grade = 4;
    expect(found(p)).to.deep.equal(['fading-grade-jump fadingAssessments[1].grade']);
    p.fadingAssessments[1]!.grade = 3;
    expect(found(p)).to.deep.equal([]);
  });

  it("finds a density score more than 5 points outside the participant's other scores", () => {
    const p = clean();
    p.fadingAssessments.push({ date: '2020-09-25', grade: 2, densityScore: 1.9, needsTouchUp: null, assessor: 'clinician' });
    // Others 7 and 8: 1.9 < 7 − 5; and 7, 8 lie within 5 of 1.9–8 and 1.9–7 respectively.
    expect(found(p)).to.deep.equal(['density-out-of-range fadingAssessments[2].densityScore']);
    p.fadingAssessments[2]!.densityScore = 2;
    expect(found(p)).to.deep.equal([]);
  });

  it("finds sessions, assessments and surveys dated after the participant's withdrawal", () => {
    const p = clean();
    Object.assign(p, { withdrawnOn: '2020-09-10', withdrawalCause: 'participant_choice' });
    p.surveys = [{ date: '2020-09-11', satisfaction: 4, wouldRecommend: null }];
    expect(found(p)).to.deep.equal(['dated-after-withdrawal fadingAssessments[1].date', 'dated-after-withdrawal surveys[0].date']);
  });

  it("finds a session by a practitioner of another site than the participant's", () => {
    const p = clean();
    p.sessions[1]!.practitioner = 'PR-B';
    expect(found(p)).to.deep.equal(['practitioner-of-another-site sessions[1].practitioner']);
  });
});
