// The schedule facts as the database aggregates them, read back: days before and after
// 1970-01-01, each moved back by a shift, and sessions in whatever order the aggregate gave them
// put in number order.
import { expect } from 'chai';
import { daysOfFacts, sessionsOfFacts } from '../../../api/services/worklist-service.ts';

describe('schedule facts read from their aggregated text', () => {
  it('reads days joined by commas, negative ones too, each moved back by the shift', () => {
    // 1969-12-31 is day −1; 2019-10-01 is day 18,170.
    expect(daysOfFacts('18170,-1,0', 0)).to.deep.equal([18170, -1, 0]);
    expect(daysOfFacts('18170,-1', 10)).to.deep.equal([18160, -11]);
    expect(daysOfFacts(null, 0)).to.deep.equal([]);
    expect(daysOfFacts('', 0)).to.deep.equal([]);
  });

  it('reads sessions as number:day and kind, in number order whatever order they came in', () => {
    expect(sessionsOfFacts('3:17917i,1:17903i,4:17947t,2:17910i', 3)).to.deep.equal([
      { number: 1, day: 17900, kind: 'initial' },
      { number: 2, day: 17907, kind: 'initial' },
      { number: 3, day: 17914, kind: 'initial' },
      { number: 4, day: 17944, kind: 'touch_up' },
    ]);
    expect(sessionsOfFacts('1:-5i,2:2t', 0)).to.deep.equal([
      { number: 1, day: -5, kind: 'initial' },
      { number: 2, day: 2, kind: 'touch_up' },
    ]);
    expect(sessionsOfFacts(null, 0)).to.deep.equal([]);
  });
});
