// Small-cell suppression of another site's figures: counts under the threshold hidden (a count of
// exactly the threshold shown), and every figure that would give one back hidden with it: sums,
// shares whose n and N are shown, rates times their denominator, repeated counts. Each site is
// built from participants, so its figures agree as real ones do; every expected value is worked
// out by hand in the comment beside it, and the integer-programming proof checks the rest.
import { expect } from 'chai';
import type { Proportion } from '../../../analysis/types.ts';
import { suppressEventCount, suppressSmallCells } from '../../../api/services/small-cell-suppression.ts';
import { proveNoDisclosure } from '../../support/disclosure-proof.ts';
import { PROTOCOL, people, siteFigures, type Person } from './fixtures/site-figures.ts';

const THRESHOLD = 5;

/** The clinic's view: what the HTTP answer carries. */
const served = (persons: Person[]) => {
  const figures = siteFigures(persons);
  return { figures, shown: JSON.parse(JSON.stringify(suppressSmallCells(figures, THRESHOLD))) };
};

async function expectNothingGivenBack(persons: Person[]) {
  const { figures, shown } = served(persons);
  const { disclosures } = await proveNoDisclosure(figures, shown, THRESHOLD);
  expect(disclosures).to.deep.equal([]);
}

const hiddenProportion = (N: number | null) => ({ n: null, N, proportion: null, wilson: null, exact: null, suppressed: true });

describe('small-cell suppression', function () {
  this.timeout(60_000);

  describe('at the threshold', () => {
    it('shows a count of exactly the threshold and hides one under it', () => {
      // 20 enrolled, 5 or 4 withdrawn: the remainders (15, 16) are large.
      const five = served([...people(5, { withdrawn: 'participant_choice' }), ...people(15)]).shown;
      const four = served([...people(4, { withdrawn: 'participant_choice' }), ...people(16)]).shown;
      expect(five.participants).to.include({ enrolled: 20, withdrawn: 5 });
      expect(four.participants).to.include({ enrolled: 20, withdrawn: null });
    });

    it('shows a proportion whose remainder is exactly the threshold and hides one whose remainder is under it', () => {
      const withEvent = { events: [{ category: 'infection' as const }] };
      // 15 of 20 with an event: remainder 5.
      const shown = served([...people(15, withEvent), ...people(5)]).shown as { safety: { anyEvent: Proportion } };
      expect(shown.safety.anyEvent).to.include({ n: 15, N: 20, proportion: 0.75 });
      // 16 of 20: remainder 4, which 20 − 16 would give back.
      expect(served([...people(16, withEvent), ...people(4)]).shown.safety.anyEvent).to.deep.equal(hiddenProportion(20));
    });

    it('hides a proportion whose n is under the threshold, and shows one whose n is the threshold', () => {
      const serious = { events: [{ category: 'infection' as const, serious: true }] };
      const minor = { events: [{ category: 'infection' as const }] };
      // 4 or 5 of 20 with a serious event (all 10 with an event, so anyEvent is 10/20 either way).
      expect(served([...people(4, serious), ...people(6, minor), ...people(10)]).shown.safety.seriousEvent).to.deep.equal(hiddenProportion(20));
      expect(served([...people(5, serious), ...people(5, minor), ...people(10)]).shown.safety.seriousEvent).to.include({ n: 5, N: 20 });
    });

    it('hides a descriptive statistic of fewer values than the threshold, whole', () => {
      // Costs known for 4 or 5 of 20.
      const four = served([...people(4, { cost: 3000 }), ...people(16, { cost: null })]).shown;
      const five = served([...people(5, { cost: 3000 }), ...people(15, { cost: null })]).shown;
      expect(four.costUsd).to.deep.equal({ n: null, suppressed: true });
      expect(five.costUsd).to.include({ n: 5, mean: 3000, median: 3000 });
    });
  });

  describe('the adverse-event rates by site, at the threshold', () => {
    // One site's figures as the rates show them; the intervals are placeholders, carried or dropped whole.
    const proportion = (n: number, N: number): Proportion => ({ n, N, proportion: n / N, wilson: [0, 1], exact: [0, 1] });

    it('shows 5 events and hides 4', () => {
      const participants = proportion(10, 20);
      expect(suppressEventCount({ events: 5, participants }, THRESHOLD)).to.deep.equal({ events: 5, participants });
      expect(suppressEventCount({ events: 4, participants }, THRESHOLD)).to.deep.equal({ events: null, participants, suppressed: true });
    });

    it('shows 5 participants with an event and hides 4, keeping N', () => {
      expect(suppressEventCount({ events: 12, participants: proportion(5, 20) }, THRESHOLD)).to.deep.equal({ events: 12, participants: proportion(5, 20) });
      expect(suppressEventCount({ events: 12, participants: proportion(4, 20) }, THRESHOLD)).to.deep.equal({
        events: 12,
        participants: hiddenProportion(20),
        suppressed: true,
      });
    });

    it('shows a proportion whose remainder N − n is 5 and hides one whose remainder is 4', () => {
      // 15 of 20: remainder 5; 16 of 20: remainder 4, which 20 − 16 would give back.
      expect(suppressEventCount({ events: 30, participants: proportion(15, 20) }, THRESHOLD)).to.deep.equal({ events: 30, participants: proportion(15, 20) });
      expect(suppressEventCount({ events: 30, participants: proportion(16, 20) }, THRESHOLD)).to.deep.equal({
        events: 30,
        participants: hiddenProportion(20),
        suppressed: true,
      });
    });

    it('hides N itself when fewer than 5 were enrolled, and keeps it at 5', () => {
      // 4 enrolled: n = 0 and N = 4 both hidden. 5 enrolled, none with an event: N shown, n = 0 hidden.
      expect(suppressEventCount({ events: 0, participants: proportion(0, 4) }, THRESHOLD)).to.deep.equal({ events: null, participants: hiddenProportion(null), suppressed: true });
      expect(suppressEventCount({ events: 0, participants: proportion(0, 5) }, THRESHOLD)).to.deep.equal({ events: null, participants: hiddenProportion(5), suppressed: true });
    });
  });

  describe('complementary suppression', () => {
    it('hides the grade-1 count when minimalOrNone.n minus it would give back a small grade 0', async () => {
      // 36 enrolled: 6 without follow-up; of the 30 followed up (6 before the window, 18 in it, 6
      // after), latest grades 0: 3, 1: 10, 2: 6, 3: 5, 4: 6, so minimalOrNone is 13/30.
      const persons = [
        ...people(6, { grade: null }),
        ...people(3, { grade: 0, months: 3 }),
        ...people(3, { grade: 1, months: 3 }),
        ...people(7, { grade: 1 }),
        ...people(6, { grade: 2, months: 24 }),
        ...people(5, { grade: 3 }),
        ...people(6, { grade: 4 }),
      ];
      const { shown } = served(persons);
      expect(shown.fading.minimalOrNone).to.include({ n: 13, N: 30 });
      // 13 − grade 1 would give back grade 0 = 3: grade 1 goes too. Grades 2 and 4 (6 each) are
      // shown first, largest first, and then grade 3 = 30 − 13 − 6 − 6 = 5 is known anyway.
      expect(shown.fading.latestGrade).to.deep.equal({ '0': null, '1': null, '2': 6, '3': 5, '4': 6, suppressed: true });
      expect(shown.followUp.coverage).to.deep.equal({ noFollowUp: 6, beforeWindow: 6, inWindow: 18, afterWindow: 6 });
      await expectNothingGivenBack(persons);
    });

    it('hides a grade of the remainder when N − n and the other grades would give back a small grade 4', async () => {
      // 32 followed up, grades 0: 8, 1: 7, 2: 6, 3: 9, 4: 2; minimalOrNone 15/32. Shown 32 − 15 −
      // grade 2 − grade 3 would be grade 4: the smaller of the two, grade 2, goes with it.
      const persons = [
        ...people(8, { grade: 0, months: 3 }),
        ...people(7, { grade: 1 }),
        ...people(6, { grade: 2, months: 24 }),
        ...people(9, { grade: 3 }),
        ...people(2, { grade: 4 }),
        ...people(5, { grade: null }),
      ];
      const { shown } = served(persons);
      expect(shown.fading.minimalOrNone).to.include({ n: 15, N: 32 });
      expect(shown.fading.latestGrade).to.deep.equal({ '0': 8, '1': 7, '2': null, '3': 9, '4': null, suppressed: true });
      await expectNothingGivenBack(persons);
    });

    it('hides the solicited events when the rate times the sessions, less them, would give back the spontaneous ones', async () => {
      // 20 participants, 60 sessions, 13 events: 10 solicited, 3 spontaneous. The rate (21.7 per
      // 100 sessions) stays, and with it the 13; so the 10 cannot.
      const persons = [
        ...people(10, { events: [{ category: 'infection' }] }),
        ...people(3, { events: [{ category: 'keloid', solicited: false }] }),
        ...people(7),
      ];
      const { shown } = served(persons);
      expect(shown.sessions.total).to.equal(60);
      expect(shown.safety.eventsPer100Sessions).to.be.closeTo(100 * 13 / 60, 1e-12);
      expect(shown.safety).to.include({ solicitedEvents: null, spontaneousEvents: null });
      // By category the same: keloid's 3 would come back as 13 − infection's 10.
      expect(shown.safety.byCategory.keloid.events).to.equal(null);
      expect(shown.safety.byCategory.infection.events).to.equal(null);
      await expectNothingGivenBack(persons);
    });

    it('hides the rate with a small number of events, and the mean sessions per participant with a small number of sessions', async () => {
      // 3 events in 60 sessions: the rate times 60 would be 3. And 4 sessions among 6
      // participants: the mean (0.67) times 6 would be 4.
      const few = served([...people(3, { events: [{ category: 'infection' }] }), ...people(17)]).shown;
      expect(few.safety.eventsPer100Sessions).to.equal(null);
      const persons = [...people(2, { sessions: 2 }), ...people(4, { sessions: 0 })];
      const { shown } = served(persons);
      expect(shown.sessions.total).to.equal(null);
      expect(shown.sessions.perParticipant).to.deep.equal({ n: null, suppressed: true });
      expect(shown.sessions.durationMinutes).to.deep.equal({ n: null, suppressed: true });
      await expectNothingGivenBack(persons);
    });

    it('hides the followed-up count when enrolled minus it would give back a small group without follow-up', async () => {
      // 20 enrolled, 18 followed up: 20 − 18 would give back the 2 without follow-up. The density
      // score's n (18) stays: it only says that 18 to 20 were followed up.
      const persons = [...people(18), ...people(2, { grade: null })];
      const { figures, shown } = served(persons);
      expect(figures.followUp.months.n).to.equal(18);
      expect(shown.participants.enrolled).to.equal(20);
      expect(shown.followUp.months).to.deep.equal({ n: null, suppressed: true });
      expect(shown.followUp.inWindow.N).to.equal(null);
      expect(shown.fading.minimalOrNone.N).to.equal(null);
      expect(shown.followUp.coverage.noFollowUp).to.equal(null);
      expect(shown.fading.densityScore.first).to.include({ n: 18, mean: 7 });
      await expectNothingGivenBack(persons);
    });

    it('hides a count that pins another between it and a shown bound', async () => {
      // 20 enrolled, all followed up, all with a density score: the density score's n (20) ≤
      // followed up ≤ enrolled (20) would pin the followed-up count at 20, and so the 0 without
      // follow-up. The density statistics go with it.
      const persons = people(20);
      const { shown } = served(persons);
      expect(shown.participants.enrolled).to.equal(20);
      expect(shown.followUp.months.n).to.equal(null);
      expect(shown.fading.densityScore.first).to.deep.equal({ n: null, suppressed: true });
      expect(shown.fading.densityScore.latest).to.deep.equal({ n: null, suppressed: true });
      await expectNothingGivenBack(persons);
    });

    it('keeps Kaplan–Meier steps and the last observed time from another site, always', () => {
      const { shown } = served(people(20));
      expect(shown.fading.touchUpFree).to.include({ steps: null, lastMonths: null, suppressed: true });
    });
  });

  it('hides events, anyEvent and enrolled exactly as the adverse-event rates by site do', () => {
    // The rates by site show these three for another site; they must hide them alike, or the two
    // answers together give back what each hides. Remainders and counts either side of 5.
    for (const [withEvent, without, eventsEach] of [
      [3, 17, 1],
      [4, 1, 2],
      [5, 15, 1],
      [16, 4, 1],
      [15, 5, 1],
      [2, 2, 3],
    ] as const) {
      const persons = [...people(withEvent, { events: Array.from({ length: eventsEach }, () => ({ category: 'infection' as const })) }), ...people(without)];
      const figures = siteFigures(persons);
      const analysis = suppressSmallCells(figures, THRESHOLD);
      const events = figures.safety.solicitedEvents + figures.safety.spontaneousEvents;
      const rates = suppressEventCount({ events, participants: figures.safety.anyEvent }, THRESHOLD);
      const label = `${withEvent} with ${eventsEach} events each, ${without} without`;
      expect(analysis.safety.anyEvent.n, label).to.equal(rates.participants.n);
      expect(analysis.participants.enrolled, label).to.equal(rates.participants.N);
      expect(analysis.safety.eventsPer100Sessions === null, label).to.equal(rates.events === null);
    }
  });

  it('withholds every count under an infinite threshold (an indication filter)', () => {
    const out = suppressSmallCells(siteFigures(people(30)), Number.POSITIVE_INFINITY);
    const everyIndicationHidden = Object.fromEntries(
      ['androgenetic_alopecia', 'female_pattern_hair_loss', 'alopecia_areata', 'scar', 'birthmark', 'chemotherapy_alopecia', 'hair_transplant_adjunct', 'other'].map((key) => [key, null]),
    );
    expect(out.participants).to.deep.equal({ enrolled: null, withdrawn: null, byIndication: { ...everyIndicationHidden, suppressed: true } });
    expect(Object.keys(out.safety.byCategory)).to.have.length(8);
    expect(out.safety.byGrade['5']).to.deep.equal({ events: null, participants: hiddenProportion(null), suppressed: true });
    expect(out.sessions.protocolAdherence).to.deep.equal(hiddenProportion(null));
    expect(out.suppressed).to.equal(true);
  });

  it('leaves no count of any figure under an infinite threshold, each figure hidden in its own shape', () => {
    // A site with every kind of figure: grades, densities, surveys, costs, events, withdrawals, and
    // a touch-up needed by most (so that the touch-up-free time has a median).
    const persons = [
      ...people(10, { needsTouchUp: true, grade: 0, density: 8, satisfaction: 5, cost: 2500, events: [{ category: 'infection', grade: 2, serious: true }] }),
      ...people(10, { needsTouchUp: true, grade: 2, density: 6, satisfaction: 3, cost: 3000, events: [{ category: 'allergic_reaction', solicited: false }] }),
      ...people(5, { withdrawn: 'adverse_event', grade: null, satisfaction: null }),
      ...people(5, { sessions: 4, grade: 1, months: 8, density: 7, satisfaction: 4 }),
    ];
    expect(siteFigures(persons).fading.touchUpFree.median).to.be.a('number');
    const out = suppressSmallCells(siteFigures(persons), Number.POSITIVE_INFINITY);
    const numbers: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value === 'number') numbers.push(`${path} = ${value}`);
      else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}.${i}`));
      else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, path === '' ? key : `${path}.${key}`);
    };
    walk(out, '');
    // Only the protocol's follow-up window (6 to 18 months, from the fixture) is not a count.
    expect(numbers).to.deep.equal(['followUp.window.from = 6', 'followUp.window.to = 18']);
    expect(out.suppressed).to.equal(true);
    expect(out.costUsd).to.deep.equal({ n: null, suppressed: true });
    expect(out.sessions.perParticipant).to.deep.equal({ n: null, suppressed: true });
    expect(out.fading.gradeTrend).to.deep.equal({ n: null, slopePerMonth: null, intercept: null, r2: null, spearmanRho: null, spearmanP: null, suppressed: true });
    expect(out.satisfaction.responseRate).to.deep.equal(hiddenProportion(null));
  });

  describe('retention by visit', () => {
    // One visit 12 months after the final session, expecting a fading assessment: each person's
    // one assessment (12 months after the final session) does it; a person without one does not.
    const protocol = {
      ...PROTOCOL,
      visits: [{ code: 'FU12', label: '12 months', monthsAfterFinalSession: 12, windowBeforeDays: 30, windowAfterDays: 30, expects: ['fadingAssessment' as const] }],
    };
    const figures = siteFigures([...people(10), ...people(6, { grade: null })], protocol);
    const hidden = (N: number | null) => ({ n: null, N, proportion: null, wilson: null, exact: null, suppressed: true });

    it('hides a small count of a visit and the count that gives it back, and marks the row', () => {
      // 16 with a schedule: 10 done, 6 not done, 0 withdrawn. Withdrawn (0 < 5) is hidden, and so is
      // not done, since 16 − 10 − 6 would give withdrawn back; done (10, remainder 6) is shown.
      const visit = figures.retention![0]!;
      expect([visit.participants, visit.done.n, visit.notDone.n, visit.withdrawn.n]).to.deep.equal([16, 10, 6, 0]);
      const [row] = suppressSmallCells(figures, THRESHOLD).retention!;
      expect(row).to.deep.equal({ ...visit, notDone: hidden(16), withdrawn: hidden(16), suppressed: true });
    });

    it('hides every count of a visit under an infinite threshold, and none under a threshold of 0', () => {
      const [row] = suppressSmallCells(figures, Number.POSITIVE_INFINITY).retention!;
      const visit = figures.retention![0]!;
      expect(row).to.deep.equal({ ...visit, participants: null, done: hidden(null), notDone: hidden(null), withdrawn: hidden(null), suppressed: true });
      expect(suppressSmallCells(figures, 0).retention).to.deep.equal(figures.retention);
    });

    it('leaves retention out where the protocol schedules no visit', () => {
      expect(suppressSmallCells(siteFigures(people(10)), THRESHOLD)).not.to.have.property('retention');
    });
  });

  it('marks the group suppressed when only single counts are hidden', () => {
    // 20 enrolled, 4 withdrawn: the withdrawn count (and what gives it back) is hidden, nothing whole.
    const shown = served([...people(4, { withdrawn: 'participant_choice' }), ...people(16)]).shown;
    expect(shown.participants.withdrawn).to.equal(null);
    expect(shown.suppressed).to.equal(true);
  });

  it('leaves every figure as it was with a threshold of 0, but for the survival steps, the at-risk count at the median and the levels listed', () => {
    const figures = siteFigures([...people(6, { events: [{ category: 'infection' }] }), ...people(4, { grade: 3 })]);
    const out = suppressSmallCells(figures, 0);
    const { touchUpFree, touchUpFreeMedian, ...fading } = out.fading;
    const { touchUpFree: expectedKm, touchUpFreeMedian: expectedMedian, ...expectedFading } = figures.fading;
    expect(fading).to.deep.equal(expectedFading);
    expect(touchUpFree).to.deep.equal({ ...expectedKm, steps: null, lastMonths: null, suppressed: true });
    expect(touchUpFreeMedian).to.deep.equal({ ...expectedMedian, atRisk: null, unstable: null, suppressed: true });
    // Every level is listed for another site, those that did not occur as 0 of the 10 enrolled.
    const { byCategory, byGrade, ...safety } = out.safety;
    const { byCategory: categoriesOccurred, byGrade: gradesOccurred, ...expectedSafety } = figures.safety;
    expect(safety).to.deep.equal(expectedSafety);
    expect(byCategory.infection).to.deep.equal(categoriesOccurred.infection);
    expect(byCategory.keloid).to.deep.include({ events: 0 });
    expect(byCategory.keloid!.participants).to.include({ n: 0, N: 10, proportion: 0 });
    expect(byGrade['1']).to.deep.equal(gradesOccurred['1']);
    expect(Object.keys(byGrade)).to.deep.equal(['1', '2', '3', '4', '5']);
    expect(out.participants.byIndication).to.include({ androgenetic_alopecia: 10, scar: 0 });
  });
});
