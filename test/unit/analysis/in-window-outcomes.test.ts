import { expect } from 'chai';
import { inWindowOutcomes, PRIMARY_OUTCOME } from '../../../analysis/in-window-outcomes.ts';
import { participantOutcome } from '../../../analysis/participant-outcome.ts';
import type { ParticipantFacts, ProtocolFacts } from '../../../analysis/types.ts';

// Hand-worked: a 7–32-month window (213.0625 to 974 days after the final session, 30.4375 days a
// month), final session on day 1000 for everyone.
const protocol: ProtocolFacts = {
  initialSessions: 1,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: null,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 7, to: 32 },
};
const FINAL = 1000;

function person(
  code: string,
  assessments: Array<[day: number, grade: number]>,
  surveys: Array<[day: number, satisfaction: number]>,
  sessions = true,
): ParticipantFacts {
  return {
    code,
    site: 'S1',
    indication: 'scar',
    practitionerYears: 3,
    withdrawn: false,
    withdrawalCause: null,
    costUsd: null,
    sessions: sessions ? [{ day: FINAL, kind: 'initial', durationMinutes: 120 }] : [],
    adverseEvents: [],
    assessments: assessments.map(([day, grade]) => ({ day, assessor: 'clinician', grade, densityScore: null, needsTouchUp: null })),
    surveys: surveys.map(([day, satisfaction]) => ({ day, satisfaction, wouldRecommend: null })),
  };
}

describe('inWindowOutcomes', () => {
  it('takes each participant’s latest assessment and survey inside the window, bounds included', () => {
    const participants = [
      // Latest in window at 32 months exactly (day 1974): grade 1; a later one at 33 months is outside.
      person('A', [[1300, 3], [1974, 1], [2004, 4]], [[1974, 5], [2004, 2]]),
      // Only before the window (6 months): not counted.
      person('B', [[1183, 0]], [[1183, 5]]),
      // From 7 months exactly (day 1213.0625 → day 1214 is inside; 1213 is before): grade 2; satisfaction 4.
      person('C', [[1213, 0], [1214, 2]], [[1214, 4]]),
      // A survey before the final session does not count, nor does anyone without sessions.
      person('D', [[1500, 0]], [[900, 5]]),
      person('E', [[1500, 0]], [[1500, 5]], false),
    ];
    const outcomes = participants.map((p) => participantOutcome(p, protocol));
    const result = inWindowOutcomes(protocol, outcomes);
    // Assessed in the window: A (grade 1), C (grade 2), D (grade 0) → 2 of 3 minimal or none.
    expect(result.minimalOrNone).to.include({ n: 2, N: 3 });
    // Surveyed in the window: A (5), C (4) → 1 of 2 very satisfied.
    expect(result.verySatisfied).to.include({ n: 1, N: 2 });
  });

  it('names the primary outcome by its summary key', () => {
    expect(PRIMARY_OUTCOME.figure).to.equal('fading.minimalOrNoneInWindow');
  });
});
