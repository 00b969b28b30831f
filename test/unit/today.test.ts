// "Today" for the future-date rule: the date in a time zone, the day of grace, and a fixed today
// for tests. The zone offsets are the IANA database's: Kiritimati UTC+14, Pago Pago UTC-11.
import { expect } from 'chai';
import { isCalendarDate, recordDate } from '../../api/schemas/fields.ts';
import { addDays, latestRecordDate, setToday, today, todayIn } from '../../api/schemas/today.ts';

describe('today and the future-date rule', () => {
  afterEach(() => setToday(null));

  it('takes the date in the given time zone', () => {
    const noon = new Date('2026-06-15T12:00:00Z');
    expect(todayIn('UTC', noon)).to.equal('2026-06-15');
    expect(todayIn('Pacific/Kiritimati', noon)).to.equal('2026-06-16');
    expect(todayIn('Pacific/Pago_Pago', new Date('2026-06-15T05:00:00Z'))).to.equal('2026-06-14');
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).to.equal('2027-01-01');
    expect(addDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(addDays('2027-02-28', 1)).to.equal('2027-03-01');
  });

  it('allows a record dated up to one day after today, and no later', () => {
    setToday('2026-12-31');
    expect(today()).to.equal('2026-12-31');
    expect(latestRecordDate()).to.equal('2027-01-01');
    expect(recordDate.safeParse('2026-12-31').success).to.equal(true);
    expect(recordDate.safeParse('2027-01-01').success).to.equal(true);
    const refused = recordDate.safeParse('2027-01-02');
    expect(refused.success).to.equal(false);
    expect(refused.error?.issues.map((issue) => issue.message)).to.deep.equal(['2027-01-02 is after today (2026-12-31): a record cannot be dated in the future']);
  });

  it('reports a malformed date once, as malformed, not as after today', () => {
    setToday('2026-12-31');
    expect(recordDate.safeParse('2062-13-01').error?.issues.map((issue) => issue.message)).to.deep.equal(['2062-13-01 is not a calendar date']);
  });

  it('knows the days of each month, leap years included, as Date.UTC counts them', () => {
    const valid = ['2024-02-29', '2000-02-29', '2026-01-31', '2026-04-30', '2026-12-31', '0004-02-29'];
    const invalid = ['2023-02-29', '1900-02-29', '2100-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-02-29', '2026-1-01', '2026-01-01 '];
    expect(valid.filter((date) => !isCalendarDate(date))).to.deep.equal([]);
    expect(invalid.filter((date) => isCalendarDate(date))).to.deep.equal([]);
  });
});
