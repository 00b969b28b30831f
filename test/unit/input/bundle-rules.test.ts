// Every bad-input rule of the bundle format against the validation alone (no database): each
// case of test/support/bundle-rule-cases.ts gives exactly its problems, and a few more cases pin
// the cross-record rules' edges (which records they compare, and when they stay silent).
import { expect } from 'chai';
import { validateBundle } from '../../../api/schemas/validate-bundle.ts';
import { bundleRuleCases, type Bundle } from '../../support/bundle-rule-cases.ts';
import { smallBundle } from '../../support/bundles.ts';

const problemsOf = (bend: (bundle: Bundle) => void) => {
  const bundle = smallBundle();
  bend(bundle);
  const result = validateBundle(bundle);
  return result.ok ? [] : result.problems;
};

describe('the bundle rules, by validation alone', () => {
  it('accepts the unbent small bundle', () => {
    expect(validateBundle(smallBundle()).ok).to.equal(true);
  });

  for (const { rule, bend, problems } of bundleRuleCases) {
    it(`refuses ${rule}`, () => {
      expect(problemsOf(bend)).to.deep.equal(problems);
    });
  }

  it('reports every problem at once, across records and rules, in path order', () => {
    expect(
      problemsOf((b) => {
        b.participants[0].sessions[0].date = '2021-02-30';
        b.participants[0].sessions[1].practitioner = 'NOBODY';
        b.participants[0].colour = 'brown';
        b.participants[0].adverseEvents[0].resolvedDate = '2019-01-01';
        b.participants[1].code = 'P01';
        b.participants[1].withdrawnOn = '2018-01-01';
      }),
    ).to.deep.equal([
      { path: 'participants[0].adverseEvents[0].resolvedDate', message: '2019-01-01 is before onset on 2019-01-08' },
      { path: 'participants[0].colour', message: 'is not a field of this format' },
      { path: 'participants[0].sessions[0].date', message: '2021-02-30 is not a calendar date' },
      { path: 'participants[0].sessions[1].practitioner', message: 'practitioner "NOBODY" is not defined in practitioners' },
      { path: 'participants[1].code', message: 'participant code "P01" is already used by participants[0]' },
      { path: 'participants[1].sessions[0].date', message: '2019-02-04 is after withdrawal on 2018-01-01' },
      { path: 'participants[1].withdrawnOn', message: '2018-01-01 is before enrolment on 2019-02-01' },
    ]);
  });

  it('accepts the edges of the date rules: born in the year of enrolment, withdrawn on the day of it', () => {
    expect(problemsOf((b) => (b.participants[0].birthYear = 2019))).to.deep.equal([]);
    expect(
      problemsOf((b) => {
        b.participants[1].withdrawnOn = '2019-02-01';
        b.participants[1].sessions = [];
      }),
    ).to.deep.equal([]);
  });

  it('refuses a withdrawal reason without a withdrawal date', () => {
    expect(problemsOf((b) => (b.participants[0].withdrawalReason = 'moved away'))).to.deep.equal([
      { path: 'participants[0].withdrawalReason', message: 'is given but withdrawnOn is not' },
    ]);
  });
});
