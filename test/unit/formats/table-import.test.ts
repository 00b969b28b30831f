// The problem list of a csv or REDCap import: reading order (file, row, column, then the bundle
// rules' problems at one cell in path order), the first N kept with a count of the rest, and each
// problem reported once (a cell already reported, a column missing from its header).
import { expect } from 'chai';
import { LocatedProblems, importFailure } from '../../../api/formats/located-problems.ts';
import { LocationIndex } from '../../../api/formats/locations.ts';
import { TableImport } from '../../../api/formats/table-import.ts';
import { locatedProblem, type LocatedProblem } from '../../../api/formats/types.ts';
import { smallBundle } from '../../support/bundles.ts';

const at = (file: string, row: number | null, column: string | null, message = 'is wrong') => locatedProblem(file, row, column, message);
const where = (problems: readonly LocatedProblem[]) => problems.map((p) => `${p.path} ${p.message}`);

describe('the problems of a table import', () => {
  describe('LocatedProblems', () => {
    const columns = (file: string) => (file === 'sessions.csv' ? ['participant', 'number', 'date'] : ['code', 'site']);

    it('lists problems by file in the given order, then other files by name', () => {
      const list = new LocatedProblems({ files: ['participants.csv', 'sessions.csv'], columns });
      for (const file of ['zeta.csv', 'sessions.csv', 'alpha.csv', 'participants.csv', 'zeta.csv']) list.add(at(file, 2, null, file));
      expect(where(list.result().problems)).to.deep.equal([
        'participants.csv:2 participants.csv',
        'sessions.csv:2 sessions.csv',
        'alpha.csv:2 alpha.csv',
        'zeta.csv:2 zeta.csv',
        'zeta.csv:2 zeta.csv',
      ]);
    });

    it("lists a file's own problems before its rows', and rows in order", () => {
      const list = new LocatedProblems({ files: ['sessions.csv'], columns });
      list.add(at('sessions.csv', 10, null));
      list.add(at('sessions.csv', 3, null));
      list.add(at('sessions.csv', null, null));
      expect(list.result().problems.map((p) => p.row)).to.deep.equal([null, 3, 10]);
    });

    it("lists a row's problems by column in the header's order: the whole row first, unknown columns last", () => {
      const list = new LocatedProblems({ files: ['sessions.csv'], columns });
      for (const column of ['extra', 'date', 'participant', null, 'number']) list.add(at('sessions.csv', 4, column));
      expect(list.result().problems.map((p) => p.column)).to.deep.equal([null, 'participant', 'number', 'date', 'extra']);
    });

    it('puts every named column after the whole row when no header order is given', () => {
      const list = new LocatedProblems({ files: ['a.csv'] });
      list.add(at('a.csv', 2, 'b'));
      list.add(at('a.csv', 2, null));
      list.add(at('a.csv', 2, 'a'));
      expect(list.result().problems.map((p) => p.column)).to.deep.equal([null, 'b', 'a']);
    });

    it('orders problems at one cell: without a key first, as added, then by key', () => {
      const list = new LocatedProblems({ files: ['a.csv'] });
      list.add(at('a.csv', 2, 'x', 'key b'), 'b');
      list.add(at('a.csv', 2, 'x', 'first'));
      list.add(at('a.csv', 2, 'x', 'key a'), 'a');
      list.add(at('a.csv', 2, 'x', 'second'));
      list.add(at('a.csv', 2, 'x', 'key b again'), 'b');
      expect(list.result().problems.map((p) => p.message)).to.deep.equal(['first', 'second', 'key a', 'key b', 'key b again']);
    });

    it('orders hundreds of problems at one cell by key, those of one key as added', () => {
      // Enough problems that the sort merges runs (over 64), keys from a fixed pseudo-random sequence.
      const list = new LocatedProblems({ files: ['a.csv'] });
      const added: Array<{ key: string; message: string }> = [];
      let seed = 7;
      for (let i = 0; i < 300; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const key = String(seed % 40).padStart(2, '0');
        added.push({ key, message: `#${i}` });
        list.add(at('a.csv', 2, 'x', `#${i}`), key);
      }
      // Expected without sorting: each key from 00 to 39 in turn, its problems in the order added.
      const expected: string[] = [];
      for (let k = 0; k < 40; k++) for (const item of added) if (item.key === String(k).padStart(2, '0')) expected.push(item.message);
      expect(list.result().problems.map((p) => p.message)).to.deep.equal(expected);
    });

    it('keeps the first problems in reading order up to the limit and counts the rest', () => {
      const list = new LocatedProblems({ files: ['a.csv'] }, 2);
      for (const row of [9, 4, 7, 2, 8]) list.add(at('a.csv', row, null));
      expect(list.total).to.equal(5);
      expect(list.result()).to.deep.equal({ problems: [at('a.csv', 2, null), at('a.csv', 4, null)], omitted: 3 });
      expect(list.failure()).to.deep.equal({ ok: false, problems: [at('a.csv', 2, null), at('a.csv', 4, null)], problemsOmitted: 3 });
    });

    it('keeps problems as found when asked, whatever their place', () => {
      const found = [at('b.csv', 9, 'z'), at('a.csv', 2, null), at('b.csv', 1, 'a')];
      const list = new LocatedProblems('as found');
      found.forEach((p, i) => list.add(p, `${3 - i}`));
      expect(list.result().problems).to.deep.equal(found);
      expect(importFailure(found)).to.deep.equal({ ok: false, problems: found, problemsOmitted: 0 });
    });
  });

  describe('TableImport', () => {
    // participants[0] was read from participants.csv row 2; everything else falls back to records.csv.
    const index = () => {
      const locations = new LocationIndex(() => ({ file: 'records.csv', row: null }));
      locations.add('participants[0]', { file: 'participants.csv', row: 2, columns: { birthYear: 'birth_year', sex: 'sex', site: 'site' } });
      return locations;
    };
    const run = () => new TableImport(index(), ['participants.csv', 'records.csv'], () => ['code', 'site', 'sex', 'birth_year']);
    const SEX_PROBLEM = 'must be one of female, male, other, unknown (got "robot")';
    const badBundle = () => {
      const bundle = smallBundle();
      bundle.participants[0].birthYear = 1700;
      bundle.participants[0].sex = 'robot';
      return bundle;
    };

    it('gives the bundle when it is valid and nothing was reported', () => {
      const result = run().finish(smallBundle());
      expect(result.ok).to.equal(true);
      expect(result.ok && result.bundle.participants[0]!.code).to.equal('P01');
    });

    it('fails a valid bundle when reading its cells found a problem', () => {
      const table = run();
      table.report(at('participants.csv', 3, 'code', 'is empty'));
      expect(table.finish(smallBundle())).to.deep.equal({ ok: false, problems: [at('participants.csv', 3, 'code', 'is empty')], problemsOmitted: 0 });
    });

    it("reports the bundle rules' problems at their cells, after the cells' own problems and in column order", () => {
      const table = run();
      table.report(at('participants.csv', 2, 'birth_year', 'is not a year I can read'));
      const result = table.finish(badBundle());
      expect(result.ok).to.equal(false);
      expect(result.ok ? [] : result.problems).to.deep.equal([
        at('participants.csv', 2, 'sex', SEX_PROBLEM),
        at('participants.csv', 2, 'birth_year', 'is not a year I can read'),
        at('participants.csv', 2, 'birth_year', 'must be at least 1900 (got 1700)'),
      ]);
    });

    it('reports a cell once: a value already reported is not reported again by the rules', () => {
      const table = run();
      table.report(at('participants.csv', 2, 'birth_year', 'is not a year I can read'), 'participants[0].birthYear');
      expect(table.finish(badBundle())).to.deep.equal({
        ok: false,
        problems: [at('participants.csv', 2, 'sex', SEX_PROBLEM), at('participants.csv', 2, 'birth_year', 'is not a year I can read')],
        problemsOmitted: 0,
      });
    });

    it("leaves out the rules' problems in a column missing from its header, and only that column", () => {
      const table = run();
      table.columnMissing(at('participants.csv', null, 'sex', 'column sex is missing'));
      const result = table.finish(badBundle());
      expect(result.ok ? [] : result.problems.map((p) => p.path)).to.deep.equal(['participants.csv:sex', 'participants.csv:2:birth_year']);
    });

    it('keeps the rules’ problems when the missing one is a whole file, not a column (even a column named "null")', () => {
      const locations = new LocationIndex(() => ({ file: 'records.csv', row: null }));
      locations.add('participants[0]', { file: 'participants.csv', row: 2, columns: { sex: 'null', birthYear: 'birth_year' } });
      const table = new TableImport(locations, ['participants.csv'], () => ['null', 'birth_year']);
      table.columnMissing(at('participants.csv', null, null, 'is missing'));
      const result = table.finish(badBundle());
      expect(result.ok ? [] : result.problems.map((p) => p.path)).to.deep.equal(['participants.csv', 'participants.csv:2:null', 'participants.csv:2:birth_year']);
    });

    it('never passes a bundle the rules refused, even when every problem was left out as a consequence', () => {
      // Only a reference problem (an unknown site): every record parses, so only the count of
      // problems found tells the bundle apart from a valid one.
      const bundle = smallBundle();
      bundle.practitioners[0].site = 'NOWHERE';
      expect(run().finish(bundle, () => true)).to.deep.equal({ ok: false, problems: [], problemsOmitted: 0 });
    });

    it('keeps a whole-row problem when a column named "null" is missing from the header', () => {
      // sex has no column of its own here: its problem is the whole row's.
      const locations = new LocationIndex(() => ({ file: 'records.csv', row: null }));
      locations.add('participants[0]', { file: 'participants.csv', row: 2, columns: { birthYear: 'birth_year' } });
      const other = new TableImport(locations, ['participants.csv'], () => ['null', 'birth_year']);
      other.columnMissing(at('participants.csv', null, 'null', 'column null is missing'));
      const result = other.finish(badBundle());
      expect(result.ok ? [] : result.problems.map((p) => p.path)).to.deep.equal(['participants.csv:null', 'participants.csv:2', 'participants.csv:2:birth_year']);
    });

    it('leaves out what only follows from a file already reported', () => {
      const table = run();
      const result = table.finish(badBundle(), (problem) => problem.path === 'participants[0].sex');
      expect(result.ok ? [] : result.problems.map((p) => p.path)).to.deep.equal(['participants.csv:2:birth_year']);
    });

    it('orders the rule problems at one place by their bundle paths, list positions as numbers, whatever order the rules find them in', () => {
      // The rules find these as practitioners[7] (a range), sites[2], practitioners[4] and [12]
      // (unknown sites), then participants[0]'s session (an unknown practitioner). None has a
      // location of its own, so all fall back to records.csv and are ordered by path.
      const bundle = smallBundle();
      const practitioners = Array.from({ length: 11 }, (_, i) => ({ code: `PR-${i}`, site: 'LON', yearsExperience: 1 }));
      practitioners[2]!.site = 'ELSEWHERE';
      practitioners[5]!.yearsExperience = -1;
      practitioners[10]!.site = 'NOWHERE';
      bundle.practitioners = [...bundle.practitioners, ...practitioners];
      bundle.participants[0].sessions[0].practitioner = 'PR-X';
      bundle.sites.push({ code: 'LON', name: 'again' });
      const found: string[] = [];
      const table = new TableImport(new LocationIndex(() => ({ file: 'records.csv', row: null })), ['records.csv'], () => []);
      const result = table.finish(bundle, (problem) => {
        found.push(problem.path);
        return false;
      });
      expect(found).to.deep.equal(['practitioners[7].yearsExperience', 'sites[2].code', 'practitioners[4].site', 'practitioners[12].site', 'participants[0].sessions[0].practitioner']);
      expect(result).to.deep.equal({
        ok: false,
        problems: [
          'practitioner "PR-X" is not defined in practitioners',
          'site "ELSEWHERE" is not defined in sites',
          'must be at least 0 (got -1)',
          'site "NOWHERE" is not defined in sites',
          'site code "LON" is already used by sites[0]',
        ].map((message) => at('records.csv', null, null, message)),
        problemsOmitted: 0,
      });
    });
  });
});
