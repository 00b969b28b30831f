import { expect } from 'chai';
import { finalSessionDay } from '../../../analysis/final-session-day.ts';

describe('finalSessionDay', () => {
  it('is the latest session of any kind', () => {
    expect(
      finalSessionDay([
        { day: 17000, kind: 'initial', durationMinutes: 120 },
        { day: 17037, kind: 'touch_up', durationMinutes: 60 },
        { day: 17007, kind: 'initial', durationMinutes: 120 },
      ]),
    ).to.equal(17037);
    expect(finalSessionDay([{ day: 17000, kind: 'initial', durationMinutes: 120 }])).to.equal(17000);
  });

  it('is null without sessions', () => {
    expect(finalSessionDay([])).to.equal(null);
  });
});
