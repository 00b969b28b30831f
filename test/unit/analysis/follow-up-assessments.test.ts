import { expect } from 'chai';
import { followUpAssessments } from '../../../analysis/follow-up-assessments.ts';
import type { ParticipantFacts } from '../../../analysis/types.ts';

type Assessment = ParticipantFacts['assessments'][number];
const assessment = (day: number, grade: number): Assessment => ({
  day, assessor: 'clinician', grade, densityScore: null, needsTouchUp: null,
});

// The rule is a definition, checked by hand: keep day ≥ final session day, in input order.
describe('followUpAssessments', () => {
  it('keeps assessments on or after the final session, in input order', () => {
    const assessments = [assessment(110, 0), assessment(130, 0), assessment(617, 1), assessment(129, 3), assessment(495, 2)];
    const followUp = followUpAssessments(assessments, 130);
    expect(followUp).to.deep.equal([assessments[1], assessments[2], assessments[4]]);
    expect(assessments, 'input untouched').to.have.length(5);
  });

  it('returns the input itself when every assessment is follow-up', () => {
    const assessments = [assessment(130, 0), assessment(400, 1)];
    expect(followUpAssessments(assessments, 130)).to.equal(assessments);
  });

  it('gives nothing without sessions', () => {
    expect(followUpAssessments([assessment(5, 1)], null)).to.deep.equal([]);
  });
});
