import { expect } from 'chai';
import { touchUpFreeChart, touchUpFreeCurve, touchUpFreeTable } from '../../../analysis/charts/index.ts';
import { kaplanMeier } from '../../../analysis/kaplan-meier.ts';
import { axisTitle, expectOkabeItoColours, scale } from './chart-assertions.ts';
import { makeEmptyStudy, makeSeries, makeSummary } from './summary-factory.ts';

// A hand-made cohort of 7, months to the first touch-up need (* censored: none needed by the
// latest assessment): 2, 3*, 5, 5, 8*, 10, 12*. By hand, S(t) = Π (1 − d/n):
//   t = 2:  n = 7 (everyone), d = 1 → S = 6/7          = 0.857143 (85.7%)
//   t = 5:  n = 5 (3* has left), d = 2 → S = 6/7 × 3/5 = 18/35 = 0.514286 (51.4%)
//   t = 10: n = 2 (10 and 12*), d = 1 → S = 18/35 × 1/2 = 9/35 = 0.257143 (25.7%)
// The median is 10 (the first time S ≤ 0.5); the curve runs on at 9/35 to 12, the longest time observed.
const HAND_MADE = kaplanMeier(
  [
    [2, true],
    [3, false],
    [5, true],
    [5, true],
    [8, false],
    [10, true],
    [12, false],
  ].map(([time, event]) => ({ time: time as number, event: event as boolean })),
);

describe('charts/touch-up-free', () => {
  const base = makeSummary();
  const summary = makeSummary({ fading: { ...base.fading, touchUpFree: HAND_MADE } });
  const config = touchUpFreeChart(summary, makeSeries());
  const dataset = config.data.datasets[0]!;

  it('draws the survival curve as a step line from 100% at 0 months to the longest follow-up', () => {
    expect(config.type).to.equal('line');
    expect(dataset.stepped).to.equal('before');
    const points = dataset.data as Array<{ x: number; y: number }>;
    expect(points.map((point) => point.x)).to.deep.equal([0, 2, 5, 10, 12]);
    const expected = [100, 600 / 7, 1800 / 35, 900 / 35, 900 / 35];
    points.forEach((point, index) => expect(point.y).to.be.closeTo(expected[index]!, 1e-9));
  });

  it('describes events, participants and the median in the subtitle', () => {
    expect(config.options?.plugins?.subtitle?.text).to.equal(
      '4 touch-ups needed among 7 participants followed up; median 10.0 months',
    );
  });

  it('tabulates time, at risk, events and survival from the start', () => {
    const table = touchUpFreeTable(summary, makeSeries());
    expect(table.columns).to.deep.equal(['Months since final session', 'At risk (n)', 'Events (n)', 'Touch-up-free (%)']);
    expect(table.rows).to.deep.equal([
      ['0.0', 7, 0, '100.0%'],
      ['2.0', 7, 1, '85.7%'],
      ['5.0', 5, 2, '51.4%'],
      ['10.0', 2, 1, '25.7%'],
    ]);
    expect(table.caption).to.contain('The curve runs to 12.0 months, the longest time observed.');
  });

  it('starts the table at the first event when a touch-up is needed at 0 months', () => {
    // 0, 4*, 6: S(0) = 2/3 (n = 3), S(6) = 0 (n = 1); no separate 100% row.
    const atZero = kaplanMeier([{ time: 0, event: true }, { time: 4, event: false }, { time: 6, event: true }]);
    const rows = touchUpFreeTable(makeSummary({ fading: { ...base.fading, touchUpFree: atZero } }), makeSeries()).rows;
    expect(rows).to.deep.equal([
      ['0.0', 3, 1, '66.7%'],
      ['6.0', 1, 1, '0.0%'],
    ]);
    expect(touchUpFreeCurve(atZero).map((point) => point.x)).to.deep.equal([0, 0, 6]);
  });

  it('keeps a flat curve and says the median is not reached when nobody needed a touch-up', () => {
    const none = kaplanMeier([{ time: 3, event: false }, { time: 9.5, event: false }]);
    const flat = makeSummary({ fading: { ...base.fading, touchUpFree: none } });
    expect(touchUpFreeCurve(none)).to.deep.equal([{ x: 0, y: 100 }, { x: 9.5, y: 100 }]);
    expect(touchUpFreeChart(flat, makeSeries()).options?.plugins?.subtitle?.text).to.equal(
      '0 touch-ups needed among 2 participants followed up; median not reached',
    );
    expect(touchUpFreeTable(flat, makeSeries()).rows).to.deep.equal([['0.0', 2, 0, '100.0%']]);
  });

  it('draws nothing for a study without follow-up', () => {
    const { summary: empty, series } = makeEmptyStudy();
    expect(touchUpFreeChart(empty, series).data.datasets[0]!.data).to.deep.equal([]);
    expect(touchUpFreeTable(empty, series).rows).to.deep.equal([]);
  });

  it('uses an Okabe–Ito colour, a 0–100% axis and titles both axes', () => {
    expectOkabeItoColours(config);
    expect(dataset.borderColor).to.equal('#0072B2');
    expect(scale(config, 'y')).to.include({ min: 0, max: 100 });
    expect(axisTitle(config, 'x')).to.equal('Months since final session');
    expect(axisTitle(config, 'y')).to.equal('Touch-up-free (%)');
  });
});
