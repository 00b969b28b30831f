import { expect } from 'chai';
import { chartSeries } from '../../../analysis/chart-series.ts';
import { expectDeepClose, smallCohort, smallCohortExpected } from './fixtures/small-cohort.ts';

// Expected series come from fixtures/small-cohort-expected.json, written by the independent
// fixtures/small_cohort_reference.py (scipy 1.17 for the proportions); see summarize.test.ts.
describe('chartSeries', () => {
  it('matches the independent reference for the small cohort', () => {
    const { protocol, participants } = smallCohort();
    expectDeepClose(chartSeries(protocol, participants), smallCohortExpected().chartSeries);
  });

  it('matches the reference when the protocol plans no touch-up', () => {
    const { protocol, participants } = smallCohort();
    expectDeepClose(
      chartSeries({ ...protocol, touchUpAfterDays: null }, participants),
      smallCohortExpected().withoutTouchUp.chartSeries,
    );
  });

  describe('hand-checked series of the small cohort', () => {
    const { protocol, participants } = smallCohort();
    const series = chartSeries(protocol, participants);

    it('counts fading points by rounded months and grade, sorted', () => {
      // P6's clinician (grade 1) and participant (grade 1) at 400 days = 13.14 months share a point.
      expect(series.fadingPoints.find((point) => point.months === 13.1 && point.grade === 1)!.count).to.equal(2);
      const order = series.fadingPoints.map((point) => [point.months, point.grade]);
      expect(order).to.deep.equal(order.slice().sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
      // 14 follow-up assessments in all.
      expect(series.fadingPoints.reduce((sum, point) => sum + point.count, 0)).to.equal(14);
    });

    it('pairs first and latest density only across different days', () => {
      // P2 and P7 both go 9 → 6; P6's two scores share a day and make no pair.
      expect(series.densityPairs).to.deep.equal([
        { first: 7.5, latest: 7, count: 1 },
        { first: 8.5, latest: 8, count: 1 },
        { first: 9, latest: 6, count: 2 },
      ]);
    });

    it('lists every session count from 0 to the maximum', () => {
      expect(series.sessionsPerParticipant).to.deep.equal([
        { sessions: 0, participants: 1 },
        { sessions: 1, participants: 0 },
        { sessions: 2, participants: 0 },
        { sessions: 3, participants: 1 },
        { sessions: 4, participants: 4 },
        { sessions: 5, participants: 1 },
      ]);
    });

    it('lists all eight categories in protocol order, zeros included', () => {
      expect(series.adverseEventCategories.map((row) => [row.category, row.events, row.participants.n])).to.deep.equal([
        ['infection', 4, 3],
        ['allergic_reaction', 1, 1],
        ['keloid', 1, 1],
        ['granuloma', 0, 0],
        ['mri_interference', 0, 0],
        ['pigment_migration', 0, 0],
        ['discoloration', 0, 0],
        ['other', 0, 0],
      ]);
      // 0 of 7 still has intervals: scipy binomtest(0, 7).proportion_ci('exact') = (0.0, 0.4096163972250487).
      expect(series.adverseEventCategories[3]!.participants.exact![0]).to.equal(0);
      expect(series.adverseEventCategories[3]!.participants.exact![1]).to.be.closeTo(0.4096163972250487, 1e-9);
    });

    it('follows participants through the study', () => {
      // Completed: P1, P2, P3, P6, P7 (P4 had no touch-up, P5 no sessions).
      expect(series.flow).to.deep.equal({ enrolled: 7, completedProtocol: 5, followedUp: 6, surveyed: 5, withdrawn: 2 });
    });
  });

  it('gives empty series for an empty cohort', () => {
    const { protocol } = smallCohort();
    const series = chartSeries(protocol, []);
    expect(series.fadingPoints).to.deep.equal([]);
    expect(series.densityPairs).to.deep.equal([]);
    expect(series.sessionsPerParticipant).to.deep.equal([]);
    expect(series.adverseEventCategories).to.have.length(8);
    expect(series.adverseEventCategories[0]!.participants).to.deep.equal({ n: 0, N: 0, proportion: null, wilson: null, exact: null });
    expect(series.flow).to.deep.equal({ enrolled: 0, completedProtocol: 0, followedUp: 0, surveyed: 0, withdrawn: 0 });
  });
});
