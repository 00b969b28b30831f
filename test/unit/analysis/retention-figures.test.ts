// Retention by scheduled visit in the summary: counts worked out by hand from the schedule rule,
// intervals from scipy 1.17 (binomtest(k, n).proportion_ci(method='exact' | 'wilson')); and a
// clinic's view of another site, where the three outcomes are suppressed as one distribution.
import { expect } from 'chai';
import { analyzeCohort } from '../../../analysis/summarize.ts';
import type { ParticipantFacts, ProtocolFacts } from '../../../analysis/types.ts';
import { suppressSmallCells } from '../../../api/services/small-cell-suppression.ts';

const protocol: ProtocolFacts = {
  initialSessions: 1,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: null,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 6, to: 12 },
  // 8 months: 243.5 → 244 days after the final session, window [214, 289].
  visits: [{ code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] }],
};

function participant(code: string, sessionDays: number[], assessmentDays: number[], withdrawnDay: number | null = null): ParticipantFacts {
  return {
    code,
    site: 'S1',
    indication: 'scar',
    practitionerYears: 2,
    withdrawn: withdrawnDay !== null,
    withdrawnDay,
    withdrawalCause: withdrawnDay === null ? null : 'participant_choice',
    costUsd: null,
    sessions: sessionDays.map((day) => ({ day, kind: 'initial', durationMinutes: 60 })),
    adverseEvents: [],
    assessments: assessmentDays.map((day) => ({ day, assessor: 'clinician', grade: 0, densityScore: null, needsTouchUp: null })),
    surveys: [],
  };
}

describe('retention by visit (summary)', () => {
  const participants = [
    participant('A', [100], [100 + 214]), // on the window's first day: done
    participant('B', [100], [], 300), // withdrew on day 300, before the window ended (389): withdrawn
    participant('C', [100], [100 + 290]), // one day after the window: not done
    participant('D', [], [], 50), // no session: no schedule, not counted
  ];

  it('counts done, not done and withdrawn over the participants with a schedule, with exact and Wilson intervals', () => {
    const summary = analyzeCohort({ study: { code: 'R-1', title: 'Retention' }, protocol, participants });
    expect(summary.retention).to.have.length(1);
    const fu8 = summary.retention![0]!;
    expect([fu8.visit, fu8.label, fu8.monthsAfterFinalSession, fu8.participants]).to.deep.equal(['FU8', '8-month review', 8, 3]);
    for (const outcome of ['done', 'notDone', 'withdrawn'] as const) {
      const p = fu8[outcome];
      expect([p.n, p.N], outcome).to.deep.equal([1, 3]);
      expect(p.exact![0], outcome).to.be.closeTo(0.008403758659612647, 1e-12);
      expect(p.exact![1], outcome).to.be.closeTo(0.9057006759492866, 1e-12);
      expect(p.wilson![0], outcome).to.be.closeTo(0.06149194472039626, 1e-12);
      expect(p.wilson![1], outcome).to.be.closeTo(0.7923403991979523, 1e-12);
    }
  });

  it('leaves the summary of a protocol without visits as it was: no retention key', () => {
    const summary = analyzeCohort({ study: { code: 'R-1', title: 'Retention' }, protocol: { ...protocol, visits: null }, participants });
    expect(summary).to.not.have.property('retention');
  });

  it("hides another site's small outcomes together, so that the participants give none of them back", () => {
    const many = [
      ...Array.from({ length: 20 }, (_, i) => participant(`D${i}`, [100], [320])),
      ...Array.from({ length: 7 }, (_, i) => participant(`N${i}`, [100], [])),
      ...Array.from({ length: 2 }, (_, i) => participant(`W${i}`, [100], [], 150)),
    ];
    const figures = analyzeCohort({ study: { code: 'R-2', title: 'Retention' }, protocol, participants: many });
    const shown = suppressSmallCells(figures, 5).retention![0]!;
    // Withdrawn 2 < 5 is hidden, and not done (7, the smallest shown) with it: 2 + 7 ≥ 5.
    expect([shown.participants, shown.done.n, shown.notDone.n, shown.withdrawn.n]).to.deep.equal([29, 20, null, null]);
    expect(shown.withdrawn).to.deep.include({ N: 29, proportion: null, exact: null, suppressed: true });
  });
});
