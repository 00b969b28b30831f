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

  // The cases below pin what the mutation run (test/mutation/README.md) found no case deciding:
  // a malformed field is reported once, by its shape rule, and the cross-record rules that read it
  // stay silent; and the boundaries of every date comparison.
  it('returns the validated participants, in the order given', () => {
    const result = validateBundle(smallBundle());
    expect(result.ok && result.bundle.participants.map((p) => p.code)).to.deep.equal(['P01', 'P02']);
  });

  it('refuses a participants field that is not a list, at that field', () => {
    expect(problemsOf((b) => ((b as { participants: unknown }).participants = 5))).to.deep.equal([
      { path: 'participants', message: 'must be a list (got 5)' },
    ]);
  });

  it('reports a malformed code or site once, without comparing it to other records', () => {
    expect(
      problemsOf((b) => {
        b.participants[0].code = 5;
        b.participants[1].code = 6;
        b.participants[1].site = 7;
        b.practitioners[0].site = 8;
        b.sites.push({ code: 9, name: 'Leeds clinic' }, { code: 10, name: 'York clinic' });
        b.participants[0].sessions[0].practitioner = 11;
      }),
    ).to.deep.equal([
      { path: 'participants[0].code', message: 'must be text (got 5)' },
      { path: 'participants[0].sessions[0].practitioner', message: 'must be text (got 11)' },
      { path: 'participants[1].code', message: 'must be text (got 6)' },
      { path: 'participants[1].site', message: 'must be text (got 7)' },
      { path: 'practitioners[0].site', message: 'must be text (got 8)' },
      { path: 'sites[2].code', message: 'must be text (got 9)' },
      { path: 'sites[3].code', message: 'must be text (got 10)' },
    ]);
  });

  it('reports a malformed withdrawal date once, whether or not a cause is given', () => {
    for (const index of [0, 1]) {
      expect(problemsOf((b) => (b.participants[index].withdrawnOn = '2019-13-01'))).to.deep.equal([
        { path: `participants[${index}].withdrawnOn`, message: '2019-13-01 is not a calendar date' },
      ]);
    }
  });

  it('finds the first session by date, not by place in the list, and only when every date is valid', () => {
    // Listed in reverse: the numbers still ascend with the dates, and a survey on 2019-02-01 is
    // after the first session (2019-01-07), though before the first listed (2019-02-20).
    const reversed = (b: Bundle) => {
      b.participants[0].sessions.reverse();
      b.participants[0].surveys[0].date = '2019-02-01';
    };
    expect(problemsOf(reversed)).to.deep.equal([]);
    // With session 1's date malformed the first session is unknown: an assessment before every
    // valid session date (2019-01-14 on) is not compared.
    expect(
      problemsOf((b) => {
        b.participants[0].sessions[0].date = '2019-02-30';
        b.participants[0].fadingAssessments[0].date = '2019-01-10';
      }),
    ).to.deep.equal([{ path: 'participants[0].sessions[0].date', message: '2019-02-30 is not a calendar date' }]);
  });

  it('links an adverse event to the first session listed with its number, and to none when a number is malformed', () => {
    // Session 2 twice: the event follows sessions[1] (2019-01-14), so an onset on 2019-01-15 is
    // after it, though before sessions[2] (2019-01-21).
    expect(
      problemsOf((b) => {
        b.participants[0].sessions[2].number = 2;
        b.participants[0].adverseEvents[0].sessionNumber = 2;
        b.participants[0].adverseEvents[0].onsetDate = '2019-01-15';
      }),
    ).to.deep.equal([{ path: 'participants[0].sessions[2].number', message: 'session number 2 is already used by sessions[1]' }]);
    // Session 4's number malformed: an event after session 4 is not said to name a missing session.
    expect(
      problemsOf((b) => {
        b.participants[0].sessions[3].number = 'four';
        Object.assign(b.participants[0].adverseEvents[0], { sessionNumber: 4, onsetDate: '2019-02-21', resolvedDate: '2019-02-28' });
      }),
    ).to.deep.equal([{ path: 'participants[0].sessions[3].number', message: 'must be a whole number (got "four")' }]);
  });

  it('accepts the edges of the date rules: the same day is not before or after', () => {
    const accepted: Array<(b: Bundle) => void> = [
      (b) => (b.participants[0].adverseEvents[0].resolvedDate = '2019-01-08'), // resolved on the day of onset
      (b) => (b.participants[0].adverseEvents[0].onsetDate = '2019-01-07'), // onset on the day of its session
      (b) => (b.participants[0].surveys[0].date = '2019-01-07'), // surveyed on the day of the first session
      (b) => (b.participants[0].enrolledOn = '2019-01-07'), // first session on the day of enrolment
      (b) => (b.participants[1].withdrawnOn = '2019-02-04'), // withdrawn on the day of the last session
    ];
    for (const bend of accepted) expect(problemsOf(bend)).to.deep.equal([]);
  });

  it('refuses two sessions on one day', () => {
    expect(problemsOf((b) => (b.participants[0].sessions[2].date = '2019-01-14'))).to.deep.equal([
      {
        path: 'participants[0].sessions[2].date',
        message: '2019-01-14 is not after the date of session 2 (2019-01-14); dates must ascend with session numbers',
      },
    ]);
  });

  it('accepts a fatal grade 5 serious event, and checks grade against outcome only when both are valid', () => {
    const event = (fields: object) => (b: Bundle) => Object.assign(b.participants[0].adverseEvents[0], { serious: true, ...fields });
    expect(problemsOf(event({ grade: 5, outcome: 'fatal' }))).to.deep.equal([]);
    expect(problemsOf(event({ grade: 9, outcome: 'fatal' }))).to.deep.equal([
      { path: 'participants[0].adverseEvents[0].grade', message: 'must be at most 5 (got 9)' },
    ]);
    expect(problemsOf(event({ grade: 5, outcome: 'died' }))).to.deep.equal([
      {
        path: 'participants[0].adverseEvents[0].outcome',
        message: 'must be one of recovered, recovering, not_recovered, recovered_with_sequelae, fatal, unknown (got "died")',
      },
    ]);
  });

  it('reports a malformed survey date of a participant without sessions once', () => {
    expect(
      problemsOf((b) => {
        b.participants[1].sessions = [];
        b.participants[1].surveys = [{ date: '2019-02-30', satisfaction: 3, wouldRecommend: null }];
      }),
    ).to.deep.equal([{ path: 'participants[1].surveys[0].date', message: '2019-02-30 is not a calendar date' }]);
  });

  it('reports malformed session numbers and kinds once, without comparing them', () => {
    expect(
      problemsOf((b) => {
        b.participants[0].sessions[2].number = 'three';
        b.participants[0].sessions[3].number = 'four';
      }),
    ).to.deep.equal([
      { path: 'participants[0].sessions[2].number', message: 'must be a whole number (got "three")' },
      { path: 'participants[0].sessions[3].number', message: 'must be a whole number (got "four")' },
    ]);
    const badKind = (index: number) => ({
      path: `participants[0].sessions[${index}].kind`,
      message: 'must be one of initial, touch_up (got "first")',
    });
    // Session 1 of unknown kind is not taken for a touch-up before initial session 3.
    expect(problemsOf((b) => (b.participants[0].sessions[0].kind = 'first'))).to.deep.equal([badKind(0)]);
    // No initial session known, but some kinds unknown: the touch-up (session 4) is not refused.
    expect(
      problemsOf((b) => {
        for (const session of b.participants[0].sessions.slice(0, 3)) session.kind = 'first';
      }),
    ).to.deep.equal([badKind(0), badKind(1), badKind(2)]);
  });

  it('says "1 session" in the numbering rule of a participant with one session', () => {
    expect(problemsOf((b) => (b.participants[1].sessions[0].number = 2))).to.deep.equal([
      { path: 'participants[1].sessions[0].number', message: 'session numbers must run 1..1 without gaps for 1 session (got 2)' },
    ]);
  });
});

describe('records known to be well-formed (a participant as stored, around the record a write changes)', () => {
  it('are taken as they are, not parsed again, and returned as the same objects', () => {
    const bundle = smallBundle();
    const stored = bundle.participants[0].adverseEvents[0];
    // A field the format does not have would be refused by the parse; known well-formed, it is not looked at.
    stored.unparsed = true;
    const result = validateBundle(bundle, { wellFormed: new Set([stored]) });
    expect(result.ok).to.equal(true);
    expect(result.ok && result.bundle.participants[0]!.adverseEvents[0]).to.equal(stored);
    expect(validateBundle(bundle).ok).to.equal(false);
  });

  it('still meet every rule across records, and the records around them are parsed as always', () => {
    const bundle = smallBundle();
    const [first, second] = bundle.participants[0].sessions;
    second.date = first.date; // two sessions on one day
    bundle.participants[0].adverseEvents[0].onsetDate = '2018-12-01'; // before enrolment
    bundle.participants[0].fadingAssessments[0].grade = 9; // malformed, and not known well-formed
    const result = validateBundle(bundle, { wellFormed: new Set([first, second, bundle.participants[0].adverseEvents[0]]) });
    expect(result.ok).to.equal(false);
    const problems = !result.ok ? result.problems : [];
    expect([...new Set(problems.map((p) => p.path))]).to.deep.equal([
      'participants[0].adverseEvents[0].onsetDate',
      'participants[0].fadingAssessments[0].grade',
      'participants[0].sessions[1].date',
    ]);
    // The same problems, in the same words, as when every record is parsed.
    const parsedAll = validateBundle(bundle);
    expect(!parsedAll.ok && parsedAll.problems).to.deep.equal(problems);
  });
});
