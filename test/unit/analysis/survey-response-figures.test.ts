// Response to emailed survey invitations per visit, and who entered the surveys: counts worked out
// by hand from the visit's window; the exact interval of 2 of 3 from R 4.3,
// binom.test(2, 3)$conf.int = 0.09429932 0.99159624 (the same as scipy's binomtest(2, 3).proportion_ci('exact')).
import { expect } from 'chai';
import { analyzeCohort } from '../../../analysis/summarize.ts';
import { surveyResponseFigures } from '../../../analysis/survey-response-figures.ts';
import type { ParticipantFacts, ProtocolFacts } from '../../../analysis/types.ts';

const protocol: ProtocolFacts = {
  initialSessions: 1,
  sessionIntervalDays: 7,
  intervalToleranceDays: 3,
  touchUpAfterDays: null,
  touchUpToleranceDays: 7,
  followUpMonths: { from: 6, to: 24 },
  visits: [
    { code: 'FU8', label: '8-month review', monthsAfterFinalSession: 8, windowBeforeDays: 30, windowAfterDays: 45, expects: ['fadingAssessment'] },
    // 12 months: 365.25 → 365 days after the final session, window [335, 425].
    { code: 'FU12', label: '12-month review', monthsAfterFinalSession: 12, windowBeforeDays: 30, windowAfterDays: 60, expects: ['survey'] },
  ],
};

function participant(code: string, surveyDays: number[], extra: Pick<ParticipantFacts, 'invitedVisits' | 'surveysByLink'> = {}): ParticipantFacts {
  return {
    code,
    site: 'S1',
    indication: 'scar',
    practitionerYears: 2,
    withdrawn: false,
    withdrawnDay: null,
    withdrawalCause: null,
    costUsd: null,
    sessions: [{ day: 0, kind: 'initial', durationMinutes: 60 }],
    adverseEvents: [],
    assessments: [],
    surveys: surveyDays.map((day) => ({ day, satisfaction: 4, wouldRecommend: true })),
    ...extra,
  };
}

describe('survey response figures', () => {
  const participants = [
    participant('A', [365], { invitedVisits: ['FU12'], surveysByLink: 1 }), // answered through its link
    participant('B', [100], { invitedVisits: ['FU12'] }), // a survey, but outside the window: not answered
    participant('C', [425], { invitedVisits: ['FU12'] }), // the window's last day: answered, typed by staff
    participant('D', [365]), // never invited: counted in who entered, not in the response
  ];

  it('gives the answered share of the invited per visit that expects a survey, with its exact interval', () => {
    const figures = surveyResponseFigures(protocol, participants)!;
    expect(figures.byVisit).to.have.length(1);
    const fu12 = figures.byVisit[0]!;
    expect([fu12.visit, fu12.label, fu12.invited, fu12.answered.n, fu12.answered.N]).to.deep.equal(['FU12', '12-month review', 3, 2, 3]);
    expect(fu12.answered.proportion).to.be.closeTo(2 / 3, 1e-12);
    expect(fu12.answered.exact![0]).to.be.closeTo(0.09429932, 1e-7);
    expect(fu12.answered.exact![1]).to.be.closeTo(0.99159624, 1e-7);
  });

  it('counts every survey by who entered it: staff, or the participant through a link', () => {
    expect(surveyResponseFigures(protocol, participants)!.enteredBy).to.deep.equal({ staff: 3, participant: 1 });
  });

  it('is in the summary only for a study that invites by email or takes answers through links', () => {
    expect(analyzeCohort({ study: { code: 'S-1', title: 'Surveys' }, protocol, participants }).surveyResponse?.enteredBy).to.deep.equal({ staff: 3, participant: 1 });
    const plain = [participant('A', [365]), participant('B', [400])];
    expect(surveyResponseFigures(protocol, plain)).to.equal(undefined);
    expect(analyzeCohort({ study: { code: 'S-1', title: 'Surveys' }, protocol, participants: plain })).to.not.have.property('surveyResponse');
  });

  it('gives an empty proportion for a visit to which no one was invited', () => {
    const figures = surveyResponseFigures(protocol, [participant('A', [365], { surveysByLink: 1 })])!;
    expect(figures.byVisit[0]!.answered).to.deep.equal({ n: 0, N: 0, proportion: null, wilson: null, exact: null });
    expect(figures.enteredBy).to.deep.equal({ staff: 0, participant: 1 });
  });
});
