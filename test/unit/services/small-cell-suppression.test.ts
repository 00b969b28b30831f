// Small-cell suppression of another site's figures: each kind of figure hidden exactly when one
// of its counts is under the threshold, and nothing else changed.
import { expect } from 'chai';
import { analyzeCohort } from '../../../analysis/index.ts';
import type { CohortFigures, Proportion } from '../../../analysis/types.ts';
import { suppressSmallCells } from '../../../api/services/small-cell-suppression.ts';
import { smallCohort } from '../analysis/fixtures/small-cohort.ts';

const proportion = (n: number, N: number): Proportion => ({ n, N, proportion: n / N, wilson: [0, 1], exact: [0, 1] });

describe('small-cell suppression', () => {
  const figures = (): CohortFigures => {
    const cohort = smallCohort();
    const summary = analyzeCohort({ study: { code: 'S-1', title: 'Small' }, protocol: cohort.protocol, participants: cohort.participants });
    const { format, study, subgroups, ...figures } = summary;
    return figures;
  };

  it('hides a proportion when n or N − n is under the threshold, keeping a large N', () => {
    const base = figures();
    base.safety.anyEvent = proportion(3, 40);
    base.safety.seriousEvent = proportion(38, 40);
    base.safety.relatedEvent = proportion(20, 40);
    base.safety.withdrawnDueToEvent = proportion(0, 3);
    const out = suppressSmallCells(base, 5);
    expect(out.safety.anyEvent).to.deep.equal({ n: null, N: 40, proportion: null, wilson: null, exact: null, suppressed: true });
    expect(out.safety.seriousEvent).to.deep.equal({ n: null, N: 40, proportion: null, wilson: null, exact: null, suppressed: true });
    expect(out.safety.relatedEvent).to.deep.equal(proportion(20, 40));
    expect(out.safety.withdrawnDueToEvent).to.deep.equal({ n: null, N: null, proportion: null, wilson: null, exact: null, suppressed: true });
    expect(out.suppressed).to.equal(true);
  });

  it('hides small counts, and a second bucket of a distribution with one hidden bucket', () => {
    const base = figures();
    base.participants.enrolled = 12;
    base.participants.withdrawn = 2;
    base.fading.latestGrade = { '0': 9, '1': 6, '2': 3, '3': 11, '4': 7 };
    base.satisfaction.distribution = { '1': 0, '2': 1, '3': 8, '4': 9, '5': 20 };
    base.followUp.coverage = { noFollowUp: 2, beforeWindow: 10, inWindow: 30, afterWindow: 6 };
    base.followUp.inWindow = proportion(30, 46);
    const out = suppressSmallCells(base, 5);
    expect(out.participants.enrolled).to.equal(12);
    expect(out.participants.withdrawn).to.equal(null);
    // 3 is hidden, and so is the next smallest, 6: the total cannot give 3 back.
    expect(out.fading.latestGrade).to.deep.equal({ '0': 9, '1': null, '2': null, '3': 11, '4': 7, suppressed: true });
    // 0 and 1 are hidden, but together they are 1, itself a small group: the next smallest, 8, goes too.
    expect(out.satisfaction.distribution).to.deep.equal({ '1': null, '2': null, '3': null, '4': 9, '5': 20, suppressed: true });
    // Coverage adds up to enrolled: 2 is hidden, and so is the next smallest, 6; the window stays.
    expect(out.followUp.coverage).to.deep.equal({ noFollowUp: null, beforeWindow: 10, inWindow: 30, afterWindow: null, suppressed: true });
    expect(out.followUp.window).to.deep.equal(base.followUp.window);
  });

  it('hides buckets until the hidden ones add up to at least the threshold', () => {
    const base = figures();
    // 2 and 1 are hidden (3 in all, under 5), so the next smallest, 4, goes too: 7 hidden.
    base.fading.latestGrade = { '0': 12, '1': 4, '2': 2, '3': 1, '4': 0 };
    // 0, 0, 1 and 3 are hidden but make only 4: the last bucket, 12, goes too.
    base.satisfaction.distribution = { '1': 0, '2': 0, '3': 1, '4': 3, '5': 12 };
    const out = suppressSmallCells(base, 5);
    expect(out.fading.latestGrade).to.deep.equal({ '0': 12, '1': null, '2': null, '3': null, '4': null, suppressed: true });
    expect(out.satisfaction.distribution).to.deep.equal({ '1': null, '2': null, '3': null, '4': null, '5': null, suppressed: true });
  });

  it("hides the coverage's in-window count whenever the in-window proportion is hidden", () => {
    const base = figures();
    // 12 of 15 followed up in the window: N − n = 3 hides the proportion. Shown, the coverage's
    // 12 would give back 3 from N = 15.
    base.followUp.inWindow = proportion(12, 15);
    base.followUp.coverage = { noFollowUp: 5, beforeWindow: 2, inWindow: 12, afterWindow: 1 };
    const out = suppressSmallCells(base, 5);
    expect(out.followUp.inWindow).to.deep.equal({ n: null, N: 15, proportion: null, wilson: null, exact: null, suppressed: true });
    expect(out.followUp.coverage).to.deep.equal({ noFollowUp: 5, beforeWindow: null, inWindow: null, afterWindow: null, suppressed: true });

    // A proportion that is shown leaves the count as it is.
    base.followUp.inWindow = proportion(12, 20);
    base.followUp.coverage = { noFollowUp: 5, beforeWindow: 6, inWindow: 12, afterWindow: 7 };
    expect(suppressSmallCells(base, 5).followUp.coverage).to.deep.equal({ noFollowUp: 5, beforeWindow: 6, inWindow: 12, afterWindow: 7 });
  });

  it('hides descriptive statistics and the trend of fewer than the threshold, and Kaplan–Meier steps always', () => {
    const base = figures();
    base.costUsd = { n: 4, mean: 3000, sd: 10, median: 3000, q1: 2990, q3: 3010, min: 2980, max: 3020 };
    base.sessions.durationMinutes = { n: 60, mean: 180, sd: 20, median: 180, q1: 170, q3: 190, min: 120, max: 240 };
    base.fading.gradeTrend = { n: 3, slopePerMonth: 0.1, intercept: 0, r2: 0.5, spearmanRho: 0.5, spearmanP: 0.6 };
    base.fading.touchUpFree = { n: 30, events: 2, median: null, steps: [{ months: 12, atRisk: 30, events: 2, survival: 0.93 }], lastMonths: 20 };
    const out = suppressSmallCells(base, 5);
    expect(out.costUsd).to.deep.equal({ n: null, suppressed: true });
    expect(out.sessions.durationMinutes).to.deep.equal(base.sessions.durationMinutes);
    expect(out.fading.gradeTrend).to.deep.equal({
      n: null, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null, suppressed: true,
    });
    expect(out.fading.touchUpFree).to.deep.equal({ n: 30, events: null, median: null, steps: null, lastMonths: null, suppressed: true });
  });

  it('leaves a group with every count at or over the threshold as it was, but for the survival steps', () => {
    const base = figures();
    const out = suppressSmallCells(base, 0);
    const { touchUpFree, ...fading } = out.fading;
    const { touchUpFree: expectedKm, ...expectedFading } = base.fading;
    expect(fading).to.deep.equal(expectedFading);
    expect(touchUpFree).to.deep.equal({ ...expectedKm, steps: null, lastMonths: null, suppressed: true });
    expect(out.safety).to.deep.equal(base.safety);
  });
});
