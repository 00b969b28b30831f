import { expect } from 'chai';
import {
  participantFlowChart,
  participantFlowTable,
  satisfactionChart,
  satisfactionTable,
  sessionsChart,
  sessionsTable,
} from '../../../analysis/charts/index.ts';
import { axisTitle, expectOkabeItoColours } from './chart-assertions.ts';
import { makeSeries, makeSummary } from './summary-factory.ts';

describe('charts/satisfaction', () => {
  const summary = makeSummary();
  const config = satisfactionChart(summary, makeSeries());

  it('counts respondents for each score from 1 very dissatisfied to 5 very satisfied', () => {
    expect(config.data.datasets[0]!.data).to.deep.equal([1, 2, 4, 10, 15]);
    expect(config.data.labels).to.deep.equal([
      ['1', 'Very dissatisfied'],
      ['2', 'Dissatisfied'],
      ['3', 'Neutral'],
      ['4', 'Satisfied'],
      ['5', 'Very satisfied'],
    ]);
  });

  it('gives very satisfied and would-recommend percentages in the subtitle', () => {
    expect(config.options?.plugins?.subtitle?.text).to.equal(
      'Very satisfied: 46.9% (15/32)   ·   Would recommend: 90.3% (28/31)',
    );
  });

  it('colours the scores with Okabe–Ito colours and titles both axes', () => {
    expect(config.data.datasets[0]!.backgroundColor).to.deep.equal(['#D55E00', '#E69F00', '#F0E442', '#56B4E9', '#0072B2']);
    expectOkabeItoColours(config);
    expect(axisTitle(config, 'y')).to.equal('Respondents (n)');
    expect(axisTitle(config, 'x')).to.match(/score 1–5/);
  });

  it('tabulates counts and percentages of respondents', () => {
    expect(satisfactionTable(summary).rows).to.deep.equal([
      [1, 'Very dissatisfied', 1, '3.1%'],
      [2, 'Dissatisfied', 2, '6.3%'],
      [3, 'Neutral', 4, '12.5%'],
      [4, 'Satisfied', 10, '31.3%'],
      [5, 'Very satisfied', 15, '46.9%'],
    ]);
  });
});

describe('charts/participant-flow', () => {
  const series = makeSeries();
  const config = participantFlowChart(makeSummary(), series);

  it('shows enrolled → completed protocol → followed up → surveyed → withdrawn as horizontal bars', () => {
    expect(config.options?.indexAxis).to.equal('y');
    expect(config.data.labels).to.deep.equal(['Enrolled', 'Completed protocol', 'Followed up', 'Surveyed', 'Withdrawn']);
    expect(config.data.datasets[0]!.data).to.deep.equal([40, 34, 37, 32, 3]);
    expect(config.data.datasets[0]!.backgroundColor).to.deep.equal(['#0072B2', '#0072B2', '#0072B2', '#0072B2', '#D55E00']);
    expect(axisTitle(config, 'x')).to.equal('Participants (n)');
    expectOkabeItoColours(config);
  });

  it('tabulates each stage with its share of enrolled', () => {
    expect(participantFlowTable(makeSummary(), series).rows).to.deep.equal([
      ['Enrolled', 40, '100.0%'],
      ['Completed protocol', 34, '85.0%'],
      ['Followed up', 37, '92.5%'],
      ['Surveyed', 32, '80.0%'],
      ['Withdrawn', 3, '7.5%'],
    ]);
  });
});

describe('charts/sessions-per-participant', () => {
  const series = makeSeries();
  const config = sessionsChart(makeSummary(), series);

  it('has a bar for every session count, zero included', () => {
    expect(config.data.labels).to.deep.equal(['0', '1', '2', '3', '4', '5']);
    expect(config.data.datasets[0]!.data).to.deep.equal([0, 2, 4, 22, 10, 2]);
    expect(axisTitle(config, 'x')).to.equal('Sessions received (n)');
    expect(axisTitle(config, 'y')).to.equal('Participants (n)');
    expectOkabeItoColours(config);
  });

  it('tabulates participants by sessions', () => {
    const table = sessionsTable(makeSummary(), series);
    expect(table.rows[3]).to.deep.equal([3, 22, '55.0%']);
    expect(table.caption).to.contain('121 sessions');
  });
});
