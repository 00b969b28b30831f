import { expect } from 'chai';
import { participantOutcome } from '../../../analysis/participant-outcome.ts';
import { smallCohort } from './fixtures/small-cohort.ts';

// Participants of fixtures/small-cohort.json; expected values worked out by hand from the fixture
// (months are day differences / 30.4375, computed in python).
describe('participantOutcome', () => {
  const { protocol, participants } = smallCohort();
  const outcome = (code: string) => participantOutcome(participants.find((p) => p.code === code)!, protocol);

  it('takes the clinician at the latest day and the first touch-up need as the event', () => {
    // P1: final session day 44; day 10 excluded; latest day 409 has clinician grade 1, participant grade 2.
    const p1 = outcome('P1');
    expect(p1.followUp.map((a) => a.day)).to.deep.equal([227, 409, 409]);
    expect(p1.latestFollowUp!.assessor).to.equal('clinician');
    expect(p1.latestFollowUp!.grade).to.equal(1);
    expect(p1.densityPair).to.deep.equal({ first: 8.5, latest: 8 });
    expect(p1.touchUpFree!.event).to.equal(true);
    expect(p1.touchUpFree!.time).to.be.closeTo(11.991786447638603, 1e-12); // python: 365 / 30.4375
    expect(p1.adherent).to.equal(true);
    expect(p1.latestSurvey!.satisfaction).to.equal(5);
  });

  it('takes the panel when no clinician assessed that day, and the latest non-null density', () => {
    // P2: final day 51; latest day 351 has panel (grade 1, no density) and participant (grade 3, density 6).
    const p2 = outcome('P2');
    expect(p2.latestFollowUp!.assessor).to.equal('panel');
    expect(p2.latestDensity!.assessor).to.equal('participant');
    expect(p2.densityPair).to.deep.equal({ first: 9, latest: 6 });
    expect(p2.touchUpFree).to.deep.equal({ time: 300 / 30.4375, event: false });
  });

  it('makes no density pair from two scores on one day', () => {
    const p6 = outcome('P6');
    expect(p6.firstDensity!.densityScore).to.equal(8);
    expect(p6.latestDensity!.densityScore).to.equal(8);
    expect(p6.densityPair).to.equal(null);
  });

  it('gives no follow-up to a participant without sessions', () => {
    const p5 = outcome('P5');
    expect(p5.followUp).to.deep.equal([]);
    expect(p5.latestFollowUp).to.equal(null);
    expect(p5.touchUpFree).to.equal(null);
    expect(p5.latestSurvey).to.equal(null);
    expect(p5.adherent).to.equal(false);
    expect(p5.completedProtocol).to.equal(false);
  });
});
