import { expect } from 'chai';
import { MONTH_DAYS } from '../../../analysis/constants.ts';
import { monthsSince } from '../../../analysis/months-since.ts';

describe('monthsSince', () => {
  it('uses a 30.4375-day month (365.25 / 12)', () => {
    expect(MONTH_DAYS).to.equal(365.25 / 12);
  });

  it('divides the days between by 30.4375', () => {
    // python: 365 / 30.4375 = 11.991786447638603; 487 days is exactly 16 months
    expect(monthsSince(17000, 17365)).to.be.closeTo(11.991786447638603, 1e-12);
    expect(monthsSince(17000, 17487)).to.equal(16);
    expect(monthsSince(17000, 17000)).to.equal(0);
  });
});
