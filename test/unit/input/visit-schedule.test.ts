// The rules across a protocol's scheduled visits, with windows worked out by hand: two windows
// that share even one day overlap (both ends are inclusive) and are refused at the later visit;
// windows on consecutive days do not overlap; codes are unique; months lie within followUpMonths,
// bounds included.
import { expect } from 'chai';
import { issueMessage, problemsFromZod } from '../../../api/schemas/problems.ts';
import { ScheduledVisits, visitsOutsideFollowUp } from '../../../api/schemas/visit-schedule.ts';

const visit = (code: string, months: number, before: number, after: number) => ({
  code,
  label: `${code} review`,
  monthsAfterFinalSession: months,
  windowBeforeDays: before,
  windowAfterDays: after,
  expects: ['fadingAssessment' as const],
});

const problems = (visits: unknown) => {
  const parsed = ScheduledVisits.safeParse(visits, { error: issueMessage });
  return parsed.success ? [] : problemsFromZod(parsed.error).map((p) => `${p.path}: ${p.message}`);
};

describe('scheduled visits: rules across visits', () => {
  // 8 months = 243.5 → 244 days; 12 months = 365.25 → 365 days.
  it('refuses windows that share one day, both ends being inclusive, at the later visit', () => {
    // FU8 [244 − 30, 244 + 60] = [214, 304]; FU12 [365 − 61, 365 + 30] = [304, 395]: day 304 is in both.
    expect(problems([visit('FU8', 8, 30, 60), visit('FU12', 12, 61, 30)])).to.deep.equal([
      '[1]: its window (days 304 to 395 after the final session) overlaps the window of visits[0] "FU8" (days 214 to 304 after the final session); windows must not overlap',
    ]);
    // In the other order the overlap is reported at the second visit listed.
    expect(problems([visit('FU12', 12, 61, 30), visit('FU8', 8, 30, 60)])).to.have.length(1);
  });

  it('accepts windows on consecutive days', () => {
    // FU8 [214, 304]; FU12 [365 − 60, 395] = [305, 395].
    expect(problems([visit('FU8', 8, 30, 60), visit('FU12', 12, 60, 30)])).to.deep.equal([]);
  });

  it('refuses a window inside another, a negative window and a duplicate code, naming each field', () => {
    expect(problems([visit('FU8', 8, 30, 45), visit('FU9', 9, 14, 14)])).to.deep.equal([
      '[1]: its window (days 260 to 288 after the final session) overlaps the window of visits[0] "FU8" (days 214 to 289 after the final session); windows must not overlap',
    ]);
    expect(problems([visit('FU8', 8, -1, 45)])).to.deep.equal(['[0].windowBeforeDays: must be at least 0 (got -1)']);
    expect(problems([visit('FU8', 8, 30, 45), visit('FU8', 24, 60, 60)])).to.deep.equal(['[1].code: visit code "FU8" is already used by visits[0]']);
    expect(problems([{ ...visit('FU8', 8, 30, 45), expects: ['photo'] }])).to.deep.equal(['[0].expects[0]: must be fadingAssessment or survey (got "photo")']);
  });

  it('keeps each visit within followUpMonths, bounds included', () => {
    const followUpMonths = { from: 7, to: 32 };
    expect(visitsOutsideFollowUp({ followUpMonths, visits: [visit('FU7', 7, 0, 0), visit('FU32', 32, 0, 0)] })).to.deep.equal([]);
    expect(visitsOutsideFollowUp({ followUpMonths, visits: [visit('FU6', 6.9, 0, 0), visit('FU33', 32.1, 0, 0)] })).to.deep.equal([
      { path: ['visits', 0, 'monthsAfterFinalSession'], message: "6.9 is outside the protocol's follow-up window, followUpMonths 7 to 32" },
      { path: ['visits', 1, 'monthsAfterFinalSession'], message: "32.1 is outside the protocol's follow-up window, followUpMonths 7 to 32" },
    ]);
  });
});
