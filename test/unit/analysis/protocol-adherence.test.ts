import { expect } from 'chai';
import { isProtocolAdherent } from '../../../analysis/protocol-adherence.ts';
import type { ParticipantFacts, ProtocolFacts } from '../../../analysis/types.ts';

// The rule is a definition, checked by hand at each boundary.
const protocol: ProtocolFacts = {
  initialSessions: 3,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: 30,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 6, to: 24 },
};

function sessions(initialDays: number[], touchUpDays: number[] = []): ParticipantFacts['sessions'] {
  return [
    ...initialDays.map((day) => ({ day, kind: 'initial' as const, durationMinutes: 120 })),
    ...touchUpDays.map((day) => ({ day, kind: 'touch_up' as const, durationMinutes: 60 })),
  ];
}

describe('isProtocolAdherent', () => {
  it('accepts the planned schedule', () => {
    expect(isProtocolAdherent(sessions([0, 7, 14], [44]), protocol)).to.equal(true);
  });

  it('accepts gaps exactly at the tolerance bounds and rejects one day beyond', () => {
    expect(isProtocolAdherent(sessions([0, 10, 14], [44]), protocol)).to.equal(true); // 10 = 7 + 3, 4 = 7 − 3
    expect(isProtocolAdherent(sessions([0, 11, 18], [48]), protocol)).to.equal(false); // 11
    expect(isProtocolAdherent(sessions([0, 3, 10], [40]), protocol)).to.equal(false); // 3
  });

  it('accepts a touch-up exactly at its tolerance bounds and rejects one day beyond', () => {
    expect(isProtocolAdherent(sessions([0, 7, 14], [14 + 37]), protocol)).to.equal(true);
    expect(isProtocolAdherent(sessions([0, 7, 14], [14 + 23]), protocol)).to.equal(true);
    expect(isProtocolAdherent(sessions([0, 7, 14], [14 + 38]), protocol)).to.equal(false);
    expect(isProtocolAdherent(sessions([0, 7, 14], [14 + 22]), protocol)).to.equal(false);
  });

  it('judges only the first touch-up', () => {
    expect(isProtocolAdherent(sessions([0, 7, 14], [44, 400]), protocol)).to.equal(true);
    expect(isProtocolAdherent(sessions([0, 7, 14], [100, 110]), protocol)).to.equal(false);
  });

  it('needs a touch-up when one is planned', () => {
    expect(isProtocolAdherent(sessions([0, 7, 14]), protocol)).to.equal(false);
  });

  it('neither needs nor judges touch-ups when none is planned', () => {
    const noTouchUp = { ...protocol, touchUpAfterDays: null };
    expect(isProtocolAdherent(sessions([0, 7, 14]), noTouchUp)).to.equal(true);
    expect(isProtocolAdherent(sessions([0, 7, 14], [300]), noTouchUp)).to.equal(true);
  });

  it('needs exactly the planned number of initial sessions', () => {
    expect(isProtocolAdherent(sessions([0, 7], [37]), protocol)).to.equal(false);
    expect(isProtocolAdherent(sessions([0, 7, 14, 21], [51]), protocol)).to.equal(false);
    expect(isProtocolAdherent([], protocol)).to.equal(false);
  });
});
