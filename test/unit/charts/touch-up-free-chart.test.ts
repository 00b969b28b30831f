import { expect } from 'chai';
import { touchUpFreeChart, touchUpFreeCurve, touchUpFreeTable } from '../../../analysis/charts/index.ts';
import { kaplanMeier } from '../../../analysis/kaplan-meier.ts';
import { kaplanMeierMedian } from '../../../analysis/kaplan-meier-median.ts';
import { axisTitle, expectOkabeItoColours, scale } from './chart-assertions.ts';
import { makeEmptyStudy, makeSeries, makeSummary } from './summary-factory.ts';

// A hand-made cohort of 7, months to the first touch-up need (* censored: none needed by the
// latest assessment): 2, 3*, 5, 5, 8*, 10, 12*. By hand, S(t) = Π (1 − d/n):
//   t = 2:  n = 7 (everyone), d = 1 → S = 6/7          = 0.857143 (85.7%)
//   t = 5:  n = 5 (3* has left), d = 2 → S = 6/7 × 3/5 = 18/35 = 0.514286 (51.4%)
//   t = 10: n = 2 (10 and 12*), d = 1 → S = 18/35 × 1/2 = 9/35 = 0.257143 (25.7%)
// The median is 10 (the first time S ≤ 0.5); the curve runs on at 9/35 to 12, the longest time observed.
const HAND_MADE_OBSERVATIONS = [
  [2, true],
  [3, false],
  [5, true],
  [5, true],
  [8, false],
  [10, true],
  [12, false],
].map(([time, event]) => ({ time: time as number, event: event as boolean }));
const HAND_MADE = kaplanMeier(HAND_MADE_OBSERVATIONS);
// R 4.2.2, survival 3.5.3 (test/reference/km-median.R, "hand-made chart"): median 10, 95% log-log
// interval 2 to NA (not reached), 2 at risk when the curve first falls to 50%.
const HAND_MADE_MEDIAN = kaplanMeierMedian(HAND_MADE_OBSERVATIONS);
// Censored at 3, 8 and 12, on the curve at 6/7, 18/35 and 9/35; at risk at 0 months 7, at 12 months 1.
const HAND_MADE_SERIES = makeSeries({
  touchUpFreeCensored: [3, 8, 12].map((months) => ({ months, count: 1 })),
  touchUpFreeAtRisk: [{ months: 0, atRisk: 7 }, { months: 12, atRisk: 1 }],
});

describe('charts/touch-up-free', () => {
  const base = makeSummary();
  const summary = makeSummary({ fading: { ...base.fading, touchUpFree: HAND_MADE, touchUpFreeMedian: HAND_MADE_MEDIAN } });
  const config = touchUpFreeChart(summary, HAND_MADE_SERIES);
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
      '4 touch-ups needed among 7 participants followed up; median 10.0 months (95% CI 2.0 to not reached), unstable: 2 at risk at the median',
    );
  });

  it('marks each censored time on the curve', () => {
    const marks = config.data.datasets[1]!;
    expect(marks.label).to.equal('Censored: no touch-up needed yet');
    expect(marks.pointStyle).to.equal('cross');
    const points = marks.data as Array<{ x: number; y: number }>;
    expect(points.map((point) => point.x)).to.deep.equal([3, 8, 12]);
    [600 / 7, 1800 / 35, 900 / 35].forEach((y, index) => expect(points[index]!.y).to.be.closeTo(y, 1e-9));
  });

  it('writes the number at risk under the axis at whole years, with ticks every 12 months', () => {
    expect(config.options?.plugins?.atRiskRow).to.deep.include({ label: 'At risk', times: [0, 12], counts: [7, 1] });
    expect(scale(config, 'x').ticks).to.include({ stepSize: 12 });
    expect(touchUpFreeTable(summary, HAND_MADE_SERIES).caption).to.contain('At risk at whole years: 0 months 7, 12 months 1.');
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
    const flat = makeSummary({ fading: { ...base.fading, touchUpFree: none, touchUpFreeMedian: kaplanMeierMedian([]) } });
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
