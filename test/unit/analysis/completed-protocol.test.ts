import { expect } from 'chai';
import { hasCompletedProtocol } from '../../../analysis/completed-protocol.ts';
import type { ParticipantFacts, ProtocolFacts } from '../../../analysis/types.ts';

const protocol: ProtocolFacts = {
  initialSessions: 3,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: 30,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 6, to: 24 },
};
const initial = (day: number) => ({ day, kind: 'initial' as const, durationMinutes: 120 });
const touchUp = (day: number) => ({ day, kind: 'touch_up' as const, durationMinutes: 60 });

describe('hasCompletedProtocol', () => {
  it('needs the planned initial sessions and a planned touch-up, whatever their timing', () => {
    const all: ParticipantFacts['sessions'] = [initial(0), initial(20), initial(21), touchUp(300)];
    expect(hasCompletedProtocol(all, protocol)).to.equal(true);
    expect(hasCompletedProtocol([initial(0), initial(7), initial(14)], protocol)).to.equal(false);
    expect(hasCompletedProtocol([initial(0), initial(7), touchUp(37)], protocol)).to.equal(false);
  });

  it('accepts more initial sessions than planned', () => {
    expect(hasCompletedProtocol([initial(0), initial(7), initial(14), initial(21), touchUp(51)], protocol)).to.equal(true);
  });

  it('needs no touch-up when none is planned', () => {
    expect(hasCompletedProtocol([initial(0), initial(7), initial(14)], { ...protocol, touchUpAfterDays: null })).to.equal(true);
    expect(hasCompletedProtocol([], { ...protocol, touchUpAfterDays: null })).to.equal(false);
  });
});
