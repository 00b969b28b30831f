import { expect } from 'chai';
import {
  followUpCoverageChart,
  followUpCoverageTable,
  formatWindowMonths,
  type ValueLabelsOptions,
} from '../../../analysis/charts/index.ts';
import { analyzeCohort } from '../../../analysis/summarize.ts';
import type { ParticipantFacts, ProtocolFacts } from '../../../analysis/types.ts';
import { axisTitle, expectOkabeItoColours } from './chart-assertions.ts';
import { makeEmptyStudy, makeSeries, makeSummary } from './summary-factory.ts';

describe('charts/follow-up-coverage', () => {
  // The factory's cohort: 40 enrolled; 3 never followed up; of the 37 followed up, the latest
  // assessment falls before the 6–18-month window for 5, in it for 30 and after it for 2.
  const summary = makeSummary();
  const config = followUpCoverageChart(summary, makeSeries());

  it('has one horizontal bar per place of the latest assessment, in time order', () => {
    expect(config.type).to.equal('bar');
    expect(config.options?.indexAxis).to.equal('y');
    expect(config.data.labels).to.deep.equal([
      'No follow-up',
      'Before the window (< 6 months)',
      'In the window (6–18 months)',
      'After the window (> 18 months)',
    ]);
    expect(config.data.datasets[0]!.data).to.deep.equal([3, 5, 30, 2]);
  });

  it('labels each bar with its count and share of the 40 enrolled', () => {
    const labels = (config.options?.plugins?.valueLabels as ValueLabelsOptions).labels[0]!.texts;
    expect(labels).to.deep.equal(['3 (7.5%)', '5 (12.5%)', '30 (75.0%)', '2 (5.0%)']);
  });

  it("quotes the summary's in-window proportion of those followed up with its exact interval", () => {
    // 30/37 = 81.1%; scipy binomtest(30, 37).proportion_ci(method='exact') = [0.6484476, 0.9203789].
    expect(config.options?.plugins?.subtitle?.text).to.equal(
      'Protocol window 6–18 months after the final session; in it: 30/37 (81.1%) [64.8%, 92.0%] of those followed up',
    );
  });

  it('colours the places with Okabe–Ito colours and titles both axes', () => {
    expect(config.data.datasets[0]!.backgroundColor).to.deep.equal(['#D55E00', '#E69F00', '#009E73', '#0072B2']);
    expectOkabeItoColours(config);
    expect(axisTitle(config, 'x')).to.equal('Participants (n)');
    expect(axisTitle(config, 'y')).to.equal('Latest follow-up assessment');
  });

  it('tabulates every place with its months and share of enrolled', () => {
    const table = followUpCoverageTable(summary, makeSeries());
    expect(table.columns).to.deep.equal(['Latest follow-up assessment', 'Months since final session', 'Participants (n)', '% of enrolled']);
    expect(table.rows).to.deep.equal([
      ['No follow-up', '—', 3, '7.5%'],
      ['Before the window', '< 6', 5, '12.5%'],
      ['In the window', '6–18', 30, '75.0%'],
      ['After the window', '> 18', 2, '5.0%'],
    ]);
    expect(table.caption).to.contain('window of 6–18 months after the final session');
  });

  it('shows a study without participants as zero counts, without percentages', () => {
    const { summary: empty, series } = makeEmptyStudy();
    expect(followUpCoverageChart(empty, series).data.datasets[0]!.data).to.deep.equal([0, 0, 0, 0]);
    expect(followUpCoverageTable(empty, series).rows.map((row) => row[3])).to.deep.equal(['—', '—', '—', '—']);
  });

  it('writes window bounds as the protocol states them', () => {
    expect([7, 32, 7.5, 7.25, 0].map(formatWindowMonths)).to.deep.equal(['7', '32', '7.5', '7.25', '0']);
  });

  it('counts the window bounds as inside, from participant facts', () => {
    // Final session on day 0; a month is 30.4375 days; window 7–32 months. Latest assessments:
    // day 213 = 6.998 months (before), 214 = 7.031 (in), 974 = exactly 32 (in), 975 = 32.033
    // (after); one participant has no assessment, one has only an assessment before its final session.
    const protocol: ProtocolFacts = {
      initialSessions: 1,
      sessionIntervalDays: 7,
      intervalToleranceDays: 3,
      touchUpAfterDays: null,
      touchUpToleranceDays: 7,
      followUpMonths: { from: 7, to: 32 },
    };
    const participant = (code: string, assessmentDays: number[], finalDay = 0): ParticipantFacts => ({
      code,
      site: 'S1',
      indication: 'scar',
      practitionerYears: 2,
      withdrawn: false,
      withdrawalCause: null,
      costUsd: null,
      sessions: [{ day: finalDay, kind: 'initial', durationMinutes: 120 }],
      adverseEvents: [],
      assessments: assessmentDays.map((day) => ({ day, assessor: 'clinician', grade: 0, densityScore: null, needsTouchUp: null })),
      surveys: [],
    });
    const cohort = analyzeCohort({
      study: { code: 'COV-1', title: 'Coverage' },
      protocol,
      participants: [
        participant('P1', [100, 213]),
        participant('P2', [214]),
        participant('P3', [30, 974]),
        participant('P4', [975]),
        participant('P5', []),
        participant('P6', [5], 10),
      ],
    });
    expect(cohort.followUp.coverage).to.deep.equal({ noFollowUp: 2, beforeWindow: 1, inWindow: 2, afterWindow: 1 });
    expect(followUpCoverageTable(cohort, makeSeries()).rows).to.deep.equal([
      ['No follow-up', '—', 2, '33.3%'],
      ['Before the window', '< 7', 1, '16.7%'],
      ['In the window', '7–32', 2, '33.3%'],
      ['After the window', '> 32', 1, '16.7%'],
    ]);
  });
});
