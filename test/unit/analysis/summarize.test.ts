import { expect } from 'chai';
import { chartSeries } from '../../../analysis/chart-series.ts';
import { analyzeCohort, analyzeCohortWithCharts } from '../../../analysis/summarize.ts';
import type { AnalysisSummary, CohortFigures, ParticipantFacts } from '../../../analysis/types.ts';
import { expectDeepClose, nonEmpty, smallCohort, smallCohortExpected } from './fixtures/small-cohort.ts';

// The cohort is fixtures/small-cohort.json (7 hand-made participants; its `notes` say which edge case
// each one covers). Every expected figure comes from fixtures/small-cohort-expected.json, written by
// fixtures/small_cohort_reference.py: an independent Python implementation of the definitions using
// numpy percentiles, scipy.stats.binomtest(...).proportion_ci('wilson' | 'exact'), scipy.stats.linregress,
// scipy.stats.spearmanr and a direct Kaplan–Meier product. The readable checks below were also
// worked out by hand from the fixture.
const study = { code: 'SMP-TEST', title: 'Composition test cohort' };

function figuresOf(summary: AnalysisSummary): CohortFigures {
  const { format: _format, study: _study, primaryOutcome: _primaryOutcome, subgroups: _subgroups, ...figures } = summary;
  return figures;
}

describe('analyzeCohort', () => {
  it('matches the independent scipy reference for the whole cohort', () => {
    const { protocol, participants } = smallCohort();
    const summary = analyzeCohort({ study, protocol, participants });
    expect(summary.format).to.equal('smp-analysis/1');
    expect(summary.study).to.deep.equal(study);
    expect(summary).not.to.have.property('subgroups');
    expectDeepClose(figuresOf(summary), smallCohortExpected().figures);
  });

  it('matches the reference when the protocol plans no touch-up', () => {
    const { protocol, participants } = smallCohort();
    const summary = analyzeCohort({ study, protocol: { ...protocol, touchUpAfterDays: null }, participants });
    expectDeepClose(figuresOf(summary), smallCohortExpected().withoutTouchUp.figures);
  });

  for (const by of ['site', 'indication', 'practitioner-experience'] as const) {
    it(`recomputes every figure per ${by} subgroup, as the reference does`, () => {
      const { protocol, participants } = smallCohort();
      const summary = analyzeCohort({ study, protocol, participants, by });
      expect(summary.subgroups!.by).to.equal(by);
      expectDeepClose(summary.subgroups!.groups, smallCohortExpected().subgroups[by]);
      expectDeepClose(figuresOf(summary), smallCohortExpected().figures);
    });
  }

  it('fits the grade trend over points in (months, grade) order when days are not whole numbers', () => {
    const { protocol } = smallCohort();
    // Months of 30.4375 days: follow-up at exactly 3, 1 and 2 months, given out of order.
    const participant: ParticipantFacts = {
      code: 'P1',
      site: 'S1',
      indication: 'scar',
      practitionerYears: 5,
      withdrawn: false,
      withdrawalCause: null,
      costUsd: null,
      sessions: [{ day: 0, kind: 'initial', durationMinutes: 60 }],
      adverseEvents: [],
      assessments: [91.3125, 30.4375, 60.875].map((day, i) => ({ day, assessor: 'clinician', grade: [3, 1, 2][i]!, densityScore: null, needsTouchUp: null })),
      surveys: [],
    };
    const trend = analyzeCohort({ study, protocol, participants: [participant] }).fading.gradeTrend;
    expect(trend).to.deep.equal({ n: 3, slopePerMonth: 1, intercept: 0, r2: 1, spearmanRho: 1, spearmanP: 0 });
    // The same in whole days (0, 30, 61, 91 days: months not whole), in either participant order.
    const whole = { ...participant, assessments: participant.assessments.map((a) => ({ ...a, day: Math.round(a.day) })) };
    const other = { ...whole, code: 'P2', assessments: whole.assessments.map((a) => ({ ...a, grade: 4 - a.grade })) };
    const forward = analyzeCohort({ study, protocol, participants: [whole, other] }).fading.gradeTrend;
    const backward = analyzeCohort({ study, protocol, participants: [other, whole] }).fading.gradeTrend;
    expect(forward).to.deep.equal(backward);
    expect(forward.n).to.equal(6);
    expect(forward.slopePerMonth).to.be.closeTo(0, 1e-12);
  });

  describe('hand-checked figures of the small cohort', () => {
    const { protocol, participants } = smallCohort();
    const summary = analyzeCohort({ study, protocol, participants });

    it('judges adherence at the tolerance boundaries and without a touch-up', () => {
      // P1 (7, 7, touch-up +30), P2 (10 = 7+3, 4 = 7−3, touch-up +37 = 30+7) and P7 (touch-up +26)
      // adhere; P3 (gap 11), P4 (no touch-up), P5 (no sessions), P6 (4 initial) do not.
      expect(summary.sessions.protocolAdherence.n).to.equal(3);
      expect(summary.sessions.protocolAdherence.N).to.equal(7);
      // Without a planned touch-up P4 adheres too; P1, P2 and P7's touch-ups do not disqualify.
      const withoutTouchUp = analyzeCohort({ study, protocol: { ...protocol, touchUpAfterDays: null }, participants });
      expect(withoutTouchUp.sessions.protocolAdherence.n).to.equal(4);
    });

    it('leaves out assessments before the final session and participants without sessions', () => {
      // 17 assessments in all; P1's day 10, P4's day 5 and P5's (no sessions) are not follow-up.
      expect(summary.fading.gradeTrend.n).to.equal(14);
      expect(summary.followUp.months.n).to.equal(6);
      expect(summary.followUp.inWindow.N).to.equal(6);
      // P2's clinician assessment on the final-session day counts, at 0 months.
      const fading = chartSeries(protocol, participants).fadingPoints;
      expect(fading[0]).to.deep.equal({ months: 0, grade: 0, count: 1 });
    });

    it('takes the first assessment of the latest day (clinician, else panel) and keeps every grade key', () => {
      // P1: clinician 1 over participant 2; P2: panel 1 over participant 3; P6: clinician 1 over panel 0;
      // P3: 2; P4: 4; P7: 1.
      expect(summary.fading.latestGrade).to.deep.equal({ '0': 0, '1': 4, '2': 1, '3': 0, '4': 1 });
      expect(summary.fading.minimalOrNone.n).to.equal(4);
      expect(summary.fading.minimalOrNone.N).to.equal(6);
    });

    it('counts a window edge (exactly 16 months) as in the window', () => {
      // P7's latest is 487 days = 16 × 30.4375 after its final session; window 9–16 months.
      // In: P1 (11.99), P2 (9.86), P6 (13.14), P7 (16). Out: P3 (23.00), P4 (29.57).
      expect(summary.followUp.inWindow.n).to.equal(4);
      expect(nonEmpty(summary.followUp.months).max).to.be.closeTo(900 / 30.4375, 1e-12);
    });

    it('places every participant once against the window: no follow-up, before, in or after it', () => {
      // Latest follow-up months as above; P5 has no sessions. Window 9–16: before none, in P1, P2,
      // P6, P7, after P3, P4.
      expect(summary.followUp.window).to.deep.equal({ from: 9, to: 16 });
      expect(summary.followUp.coverage).to.deep.equal({ noFollowUp: 1, beforeWindow: 0, inWindow: 4, afterWindow: 2 });
      // Window 12–24: before P1 (11.99) and P2 (9.86); in P3 (23.00), P6 (13.14), P7 (16); after P4 (29.57).
      const later = analyzeCohort({ study, protocol: { ...protocol, followUpMonths: { from: 12, to: 24 } }, participants });
      expect(later.followUp.coverage).to.deep.equal({ noFollowUp: 1, beforeWindow: 2, inWindow: 3, afterWindow: 1 });
      expect(later.followUp.inWindow).to.include({ n: 3, N: 6 });
    });

    it('needs density scores on two different days for a change', () => {
      // Changes: P1 8 − 8.5, P2 6 − 9, P3 7 − 7.5, P7 6 − 9. P6 has two scores, both on one day.
      const change = summary.fading.densityScore.change;
      expect(change.n).to.equal(4);
      expect(nonEmpty(change).mean).to.be.closeTo(-1.75, 1e-12);
      expect(summary.fading.densityScore.first.n).to.equal(5);
    });

    it('counts participants, not events, in the safety proportions', () => {
      // Infections: P1 one, P3 one, P6 two → 4 events in 3 participants; 6 events over 24 sessions.
      expect(summary.safety.byCategory.infection!.events).to.equal(4);
      expect(summary.safety.byCategory.infection!.participants.n).to.equal(3);
      expect(Object.keys(summary.safety.byCategory)).to.deep.equal(['infection', 'allergic_reaction', 'keloid']);
      expect(Object.keys(summary.safety.byGrade)).to.deep.equal(['1', '2', '3']);
      expect(summary.safety.eventsPer100Sessions).to.be.closeTo(25, 1e-12);
      expect(summary.safety.withdrawnDueToEvent.n).to.equal(1);
      expect(summary.safety.relatedEvent.n).to.equal(3);
    });

    it("takes each participant's last survey", () => {
      // P7 answered 5 then 2: the 2 counts. Would recommend: P1 yes, P4 no, P6 yes, P7 no (P2 did not answer).
      expect(summary.satisfaction.distribution).to.deep.equal({ '1': 0, '2': 1, '3': 1, '4': 0, '5': 3 });
      expect(summary.satisfaction.wouldRecommend.n).to.equal(2);
      expect(summary.satisfaction.wouldRecommend.N).to.equal(4);
    });
  });

  it('gives null proportions, n = 0 and n = 1 descriptions in a one-participant subgroup without sessions', () => {
    const { protocol, participants } = smallCohort();
    const summary = analyzeCohort({ study, protocol, participants, by: 'practitioner-experience' });
    const groups = summary.subgroups!.groups;
    expect(groups.map((group) => [group.key, group.label])).to.deep.equal([
      ['under_1_year', 'Practitioner under 1 year'],
      ['1_year_or_more', 'Practitioner 1 year or more'],
      ['no_sessions', 'No sessions'],
    ]);
    const none = groups[2]!.figures;
    expect(none.sessions.perParticipant).to.deep.equal({ n: 1, mean: 0, sd: null, median: 0, q1: 0, q3: 0, min: 0, max: 0 });
    expect(none.sessions.durationMinutes).to.deep.equal({ n: 0 });
    expect(none.followUp.inWindow).to.deep.equal({ n: 0, N: 0, proportion: null, wilson: null, exact: null });
    expect(none.fading.minimalOrNone.proportion).to.equal(null);
    expect(none.satisfaction.verySatisfied.proportion).to.equal(null);
    expect(none.safety.eventsPer100Sessions).to.equal(null);
    expect(none.fading.gradeTrend).to.deep.equal({
      n: 0, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null,
    });
    // P4 has 1 year exactly: 1 year or more.
    expect(groups[1]!.figures.participants.enrolled).to.equal(5);
  });

  it('sorts site groups by code and omits empty groups', () => {
    const { protocol, participants } = smallCohort();
    // Without P7 there is no birthmark group; the others come in key order.
    const summary = analyzeCohort({ study, protocol, participants: participants.filter((p) => p.code !== 'P7'), by: 'indication' });
    expect(summary.subgroups!.groups.map((group) => group.key)).to.deep.equal([
      'androgenetic_alopecia', 'female_pattern_hair_loss', 'scar',
    ]);
    // MAN comes first in the input; LON sorts first.
    const bySite = analyzeCohort({ study, protocol, participants, by: 'site' });
    expect(bySite.subgroups!.groups.map((group) => group.label)).to.deep.equal(['LON', 'MAN']);
  });

  it('reports an empty cohort without failing', () => {
    const { protocol } = smallCohort();
    const summary = analyzeCohort({ study, protocol, participants: [] });
    const empty = { n: 0, N: 0, proportion: null, wilson: null, exact: null };
    expect(summary.participants).to.deep.equal({ enrolled: 0, withdrawn: 0, byIndication: {} });
    expect(summary.sessions).to.deep.equal({ total: 0, perParticipant: { n: 0 }, durationMinutes: { n: 0 }, protocolAdherence: empty });
    expect(summary.fading.latestGrade).to.deep.equal({ '0': 0, '1': 0, '2': 0, '3': 0, '4': 0 });
    expect(summary.fading.touchUpFree).to.deep.equal({ n: 0, events: 0, median: null, steps: [], lastMonths: null });
    expect(summary.followUp.coverage).to.deep.equal({ noFollowUp: 0, beforeWindow: 0, inWindow: 0, afterWindow: 0 });
    expect(summary.safety.anyEvent).to.deep.equal(empty);
    expect(summary.safety.byCategory).to.deep.equal({});
    expect(summary.safety.eventsPer100Sessions).to.equal(null);
    expect(summary.satisfaction.distribution).to.deep.equal({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 });
    expect(summary.costUsd).to.deep.equal({ n: 0 });
  });

  it('refuses grades outside their scales', () => {
    const { protocol, participants } = smallCohort();
    const badFading: ParticipantFacts = { ...participants[0]!, assessments: [{ ...participants[0]!.assessments[2]!, grade: 5 }] };
    expect(() => analyzeCohort({ study, protocol, participants: [badFading] })).to.throw('fading grade must be an integer from 0 to 4');
    const badEvent: ParticipantFacts = { ...participants[0]!, adverseEvents: [{ ...participants[0]!.adverseEvents[0]!, grade: 0 }] };
    expect(() => analyzeCohort({ study, protocol, participants: [badEvent] })).to.throw('adverse-event grade must be an integer from 1 to 5');
  });
});

describe('analyzeCohortWithCharts', () => {
  it('gives the reference summary and the reference chart series in one pass', () => {
    const { protocol, participants } = smallCohort();
    const { summary, series } = analyzeCohortWithCharts({ study, protocol, participants });
    expectDeepClose(figuresOf(summary), smallCohortExpected().figures);
    expectDeepClose(series, smallCohortExpected().chartSeries);
  });
});
