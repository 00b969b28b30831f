// De-identification: pseudonyms, date shifts, free text and top-coding, checked on the demo
// study and a generated cohort against their sources.
import fs from 'node:fs';
import { expect } from 'chai';
import { generateCohort } from '../../../fixtures/generate-cohort.ts';
import { dateShiftDays, deidentifyBundle, participantDeidentifier, pseudonym } from '../../../api/services/deidentify.ts';
import type { StudyBundle } from '../../../api/schemas/bundle.ts';
import { validateBundle } from '../../../api/schemas/validate-bundle.ts';
import { smallBundle } from '../../support/bundles.ts';

const SECRET = Buffer.alloc(32, 7);
const OTHER_SECRET = Buffer.alloc(32, 8);
const demo = () => {
  const result = validateBundle(JSON.parse(fs.readFileSync(new URL('../../../fixtures/smp-2021.json', import.meta.url), 'utf8')));
  if (!result.ok) throw new Error('demo bundle is invalid');
  return result.bundle;
};
const valid = (input: unknown): StudyBundle => {
  const result = validateBundle(input);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.bundle;
};
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/** Every date of a participant, in a fixed order, so originals and shifted copies pair up. */
function datesOf(p: StudyBundle['participants'][number]): string[] {
  return [
    p.enrolledOn,
    ...(p.withdrawnOn ? [p.withdrawnOn] : []),
    ...p.sessions.map((s) => s.date),
    ...p.adverseEvents.flatMap((e) => [e.onsetDate, ...(e.resolvedDate ? [e.resolvedDate] : [])]),
    ...p.fadingAssessments.map((a) => a.date),
    ...p.surveys.map((s) => s.date),
  ];
}

describe('de-identification', () => {
  it('names codes by a keyed hash: stable per secret, different under another secret, valid codes', () => {
    const a = pseudonym(SECRET, 'participant', 'P01');
    expect(a).to.match(/^P-[0-9A-HJKMNP-TV-Z]{13}$/);
    expect(pseudonym(SECRET, 'participant', 'P01')).to.equal(a);
    expect(pseudonym(OTHER_SECRET, 'participant', 'P01')).to.not.equal(a);
    expect(pseudonym(SECRET, 'participant', 'P02')).to.not.equal(a);
    // The same text as a practitioner code is a different pseudonym, with its own prefix.
    expect(pseudonym(SECRET, 'practitioner', 'P01')).to.match(/^PR-/).and.not.equal(a.replace(/^P-/, 'PR-'));
    expect(pseudonym(SECRET, 'pigment-lot', 'LOT-1')).to.match(/^LOT-[0-9A-HJKMNP-TV-Z]{13}$/);
  });

  it('names codes and shifts dates exactly as HMAC-SHA-256 and Crockford base-32 give them, worked out apart', () => {
    // Worked out with Python's hmac and hashlib: HMAC-SHA-256 under 32 bytes of 7 of "kind\0code";
    // the first 65 bits in base 32 (participant: 5c3c2282c99c8e96c7…); the shift is 1 + the first
    // four bytes (big-endian) mod 364 of the hash of "date-shift\0code" (P01: 0x8dd99d99, P02: 0x7acf40e0).
    expect(pseudonym(SECRET, 'participant', 'P01')).to.equal('P-BGY250P9KJ79D');
    expect(pseudonym(SECRET, 'practitioner', 'PR-A')).to.equal('PR-1M07XW0NMY3AC');
    expect(pseudonym(SECRET, 'pigment-lot', 'LOT-1')).to.equal('LOT-3HG5XY8W34WDP');
    expect(dateShiftDays(SECRET, 'P01')).to.equal(6);
    expect(dateShiftDays(SECRET, 'P02')).to.equal(205);
  });

  it("de-identifies one participant's records by themselves, as listings do", () => {
    const p = valid(smallBundle()).participants[0]!;
    const one = participantDeidentifier(SECRET, p);
    expect(one.code).to.equal('P-BGY250P9KJ79D');
    expect(one.shift).to.equal(6);
    expect(one.date('2019-01-07')).to.equal('2019-01-01');
    expect(one.session(p.sessions[0]!)).to.deep.equal({
      ...p.sessions[0],
      date: '2019-01-01',
      practitioner: 'PR-1M07XW0NMY3AC',
      pigmentLot: 'LOT-3HG5XY8W34WDP',
    });
    const event = p.adverseEvents[0]!;
    expect(one.adverseEvent(event)).to.deep.equal({ ...event, term: event.category, onsetDate: '2019-01-02', resolvedDate: '2019-01-09' });
    expect(one.adverseEvent({ ...event, resolvedDate: null }).resolvedDate).to.equal(null);
    // A lot named by the caller's rule (a listing keeps one name per lot for the whole study).
    expect(participantDeidentifier(SECRET, p, (lot) => `named ${lot}`).session(p.sessions[0]!).pigmentLot).to.equal('named LOT-1');
  });

  it('draws date shifts of 1 to 364 days, spread over the range', () => {
    const shifts = Array.from({ length: 5000 }, (_, i) => dateShiftDays(SECRET, `P${i}`));
    expect(Math.min(...shifts)).to.equal(1);
    expect(Math.max(...shifts)).to.equal(364);
    const mean = shifts.reduce((a, b) => a + b, 0) / shifts.length;
    // Uniform on 1..364 has mean 182.5 and SD 105; the mean of 5,000 is within 182.5 ± 4.5 (3 SE).
    expect(mean).to.be.within(178, 187);
  });

  for (const [name, source] of [
    ['the demo study', demo],
    ['a generated 400-participant cohort', () => generateCohort({ participants: 400, seed: 11 })],
  ] as const) {
    describe(name, () => {
      const original = valid(source());
      const { bundle, report } = deidentifyBundle(original, SECRET);

      it('is still a valid bundle, with the same study, sites and record counts', () => {
        expect(validateBundle(bundle).ok).to.equal(true);
        expect(bundle.study).to.deep.equal(original.study);
        expect(bundle.sites).to.deep.equal(original.sites);
        expect(bundle.participants.map((p) => p.sessions.length)).to.deep.equal(original.participants.map((p) => p.sessions.length));
        expect(report.participantCodes).to.equal(original.participants.length);
        expect(report.practitionerCodes).to.equal(original.practitioners.length);
      });

      it('moves every date of a participant back by the same 1 to 364 days', () => {
        original.participants.forEach((p, i) => {
          const before = datesOf(p);
          const after = datesOf(bundle.participants[i]!);
          const shifts = new Set(before.map((date, k) => dayOf(date) - dayOf(after[k]!)));
          expect(shifts.size, p.code).to.equal(1);
          const [shift] = shifts;
          expect(shift).to.equal(dateShiftDays(SECRET, p.code));
          expect(shift).to.be.within(1, 364);
        });
      });

      it('keeps no code, term, reason, lot or original date of the source', () => {
        const text = JSON.stringify(bundle);
        for (const p of original.participants) {
          expect(text).to.not.include(`"${p.code}"`);
          if (p.withdrawalReason) expect(text).to.not.include(p.withdrawalReason);
          for (const e of p.adverseEvents) if (e.term !== e.category) expect(text).to.not.include(`"${e.term}"`);
          for (const s of p.sessions) expect(text).to.not.include(`"${s.pigmentLot}"`);
        }
        for (const pr of original.practitioners) expect(text).to.not.include(`"${pr.code}"`);
        original.participants.forEach((p, i) => {
          const tuple = datesOf(p).join('|');
          expect(datesOf(bundle.participants[i]!).join('|')).to.not.equal(tuple);
        });
        expect(report.termsReplaced).to.equal(original.participants.reduce((n, p) => n + p.adverseEvents.length, 0));
      });

      it('keeps pigment lots groupable: equal lots get equal pseudonyms', () => {
        const pairs = new Map<string, Set<string>>();
        original.participants.forEach((p, i) =>
          p.sessions.forEach((s, k) => {
            const name = bundle.participants[i]!.sessions[k]!.pigmentLot;
            if (!pairs.has(s.pigmentLot)) pairs.set(s.pigmentLot, new Set());
            pairs.get(s.pigmentLot)!.add(name);
          }),
        );
        for (const names of pairs.values()) expect(names.size).to.equal(1);
        expect(new Set([...pairs.values()].map((n) => [...n][0])).size).to.equal(pairs.size);
      });
    });
  }

  it('top-codes birth years more than 89 years before enrolment, and keeps the others', () => {
    const input = smallBundle();
    input.participants[0].birthYear = 1915; // enrolled 2019-01-02: 104 years
    input.participants[1].birthYear = 1930; // enrolled 2019-02-01: 89 years, kept
    const { bundle, report } = deidentifyBundle(valid(input), SECRET);
    const [first, second] = bundle.participants;
    const enrolmentYear = (date: string) => Number(date.slice(0, 4));
    // Shifted back 1–364 days, enrolment falls in 2018 or stays in 2019: shown as 90 years old.
    expect(enrolmentYear(first!.enrolledOn) - first!.birthYear).to.equal(90);
    expect(second!.birthYear).to.equal(1930);
    expect(report.birthYearsTopCoded).to.equal(1);
  });

  it('shows a participant exactly 89 at the shifted enrolment as born, and one of 90 as 90', () => {
    const input = smallBundle();
    // P01 moves back 6 days: enrolled 2019-01-02, shown enrolled 2018-12-27.
    input.participants[0].birthYear = 2018 - 89;
    let { bundle, report } = deidentifyBundle(valid(input), SECRET);
    expect(bundle.participants[0]!.enrolledOn).to.equal('2018-12-27');
    expect(bundle.participants[0]!.birthYear).to.equal(1929);
    expect(report.birthYearsTopCoded).to.equal(0);
    input.participants[0].birthYear = 2018 - 90;
    ({ bundle, report } = deidentifyBundle(valid(input), SECRET));
    expect(bundle.participants[0]!.birthYear).to.equal(1928);
    expect(report.birthYearsTopCoded).to.equal(1);
  });

  it('shows a birth year after the shifted enrolment as the year of enrolment', () => {
    const input = smallBundle();
    input.participants[0].birthYear = 2019; // enrolled 2019-01-02, shown 2018-12-27
    const { bundle } = deidentifyBundle(valid(input), SECRET);
    expect(bundle.participants[0]!.birthYear).to.equal(2018);
  });

  it('counts every date it shifted, every code, lot, term and reason', () => {
    const input = smallBundle();
    input.participants[0].adverseEvents[0].resolvedDate = null;
    const original = valid(input);
    const { bundle, report } = deidentifyBundle(original, SECRET);
    const lots = new Set(original.participants.flatMap((p) => p.sessions.map((s) => s.pigmentLot)));
    expect(report).to.deep.equal({
      participantCodes: original.participants.length,
      practitionerCodes: original.practitioners.length,
      pigmentLots: lots.size,
      datesShifted: original.participants.reduce((n, p) => n + datesOf(p).length, 0),
      dateShift: report.dateShift,
      termsReplaced: original.participants.reduce((n, p) => n + p.adverseEvents.length, 0),
      withdrawalReasonsRemoved: original.participants.filter((p) => p.withdrawalReason !== null).length,
      birthYearsTopCoded: 0,
    });
    // A withdrawn participant and an unresolved event, each counted as it is.
    expect(original.participants.some((p) => p.withdrawnOn !== null)).to.equal(true);
    expect(original.participants.some((p) => p.adverseEvents.some((e) => e.resolvedDate === null))).to.equal(true);
    expect(bundle.practitioners.map((p) => p.code)).to.deep.equal(original.practitioners.map((p) => pseudonym(SECRET, 'practitioner', p.code)));
  });

  it('removes withdrawal reasons and replaces terms by their category', () => {
    const { bundle, report } = deidentifyBundle(valid(smallBundle()), SECRET);
    expect(bundle.participants[1]!.withdrawalReason).to.equal(null);
    expect(bundle.participants[1]!.withdrawalCause).to.equal('participant_choice');
    expect(bundle.participants[0]!.adverseEvents[0]!.term).to.equal('allergic_reaction');
    expect(report).to.include({ withdrawalReasonsRemoved: 1, termsReplaced: 1 });
  });

  it("reports nothing derived from the shifts: a one-participant study's report is the same under any key", () => {
    const input = smallBundle();
    input.participants = [input.participants[0]];
    const one = valid(input);
    const first = deidentifyBundle(one, SECRET);
    const second = deidentifyBundle(one, OTHER_SECRET);
    // The two keys move this participant by different numbers of days …
    expect(dayOf(one.participants[0]!.enrolledOn) - dayOf(first.bundle.participants[0]!.enrolledOn)).to.not.equal(
      dayOf(one.participants[0]!.enrolledOn) - dayOf(second.bundle.participants[0]!.enrolledOn),
    );
    // … and the report says the same, in the same words, under both: counts and the rule only.
    expect(second.report).to.deep.equal(first.report);
    expect(first.report).to.deep.equal({
      participantCodes: 1,
      practitionerCodes: 2,
      pigmentLots: 2,
      datesShifted: 10,
      dateShift: "each participant's dates are moved back by a secret number of days between 1 and 364, the same for all of that participant's dates",
      termsReplaced: 1,
      withdrawalReasonsRemoved: 0,
      birthYearsTopCoded: 0,
    });
  });

  it('shifts a participant enrolled in the first days of 1900 no further back than 1900-01-01', () => {
    const input = smallBundle();
    const p = input.participants[1];
    Object.assign(p, { birthYear: 1900, enrolledOn: '1900-01-03', withdrawnOn: '1900-03-01' });
    p.sessions[0].date = '1900-01-04';
    const { bundle } = deidentifyBundle(valid(input), SECRET);
    expect(bundle.participants[1]!.enrolledOn >= '1900-01-01').to.equal(true);
    expect(validateBundle(bundle).ok).to.equal(true);
  });
});
