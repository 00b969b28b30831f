// The one rule every CSV writer and reader of the project applies against formula injection
// (OWASP, "CSV Injection"): its edge cases by hand, that it is lossless for any text, that it
// leaves numbers alone, and that the writer and the reader apply it to every cell.
import { expect } from 'chai';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS, crlfRecordBytes, crlfRecords, csvRecord, csvRecords, neutraliseFormula, readCsv, restoreFormula, writeCsv, type Cell } from '../../../api/formats/csv-text.ts';
import type { LocatedProblem } from '../../../api/formats/types.ts';

/** [text as typed, cell as written], worked out by hand from the rule. */
const CASES: Array<[string, string]> = [
  ['=HYPERLINK("http://x.invalid","open")', `'=HYPERLINK("http://x.invalid","open")`],
  ['+cmd|\' /C calc\'!A0', `'+cmd|' /C calc'!A0`],
  ['-2+3', `'-2+3`],
  ['@SUM(1+1)*cmd|\' /C calc\'!A0', `'@SUM(1+1)*cmd|' /C calc'!A0`],
  ['\tindented', `'\tindented`],
  ['\rcarriage return first', `'\rcarriage return first`],
  ['-', `'-`],
  ["'=already apostrophed", `''=already apostrophed`],
  ["''=two apostrophes", `'''=two apostrophes`],
  ["'+1", `''+1`],
  // Not formulas: written as they are.
  ["'plain apostrophe", "'plain apostrophe"],
  ["'", "'"],
  ["''", "''"],
  ['', ''],
  ['a=b', 'a=b'],
  [' =leading space', ' =leading space'],
  ['\n=after a line feed', '\n=after a line feed'],
  ['Folliculitis', 'Folliculitis'],
  ['１=fullwidth digit', '１=fullwidth digit'],
];

describe('csv text: formulas neutralised', () => {
  for (const [text, written] of CASES) {
    it(`writes ${JSON.stringify(text)} as ${JSON.stringify(written)} and reads it back`, () => {
      expect(neutraliseFormula(text)).to.equal(written);
      expect(restoreFormula(written)).to.equal(text);
    });
  }

  it('reads a formula that was not neutralised (a REDCap export of its own) as it is', () => {
    expect(restoreFormula('=1+2')).to.equal('=1+2');
    expect(restoreFormula('-5')).to.equal('-5');
    expect(restoreFormula('@mention')).to.equal('@mention');
  });

  it('is lossless for any text, and never writes a cell a spreadsheet would run', () => {
    const tricky = fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', '\n', 'a', ' ', '1'), maxLength: 8 });
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'grapheme' })), (text) => {
        const written = neutraliseFormula(text);
        expect(restoreFormula(written)).to.equal(text);
        expect(/^[=+\-@\t\r]/.test(written)).to.equal(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves numbers alone: a negative number stays a number, booleans are 1/0', () => {
    const text = writeCsv(['text', 'number', 'boolean', 'missing'], [['-3', -3, true, null], ['+1', -0.25, false, null]]);
    expect(text).to.equal("text,number,boolean,missing\r\n'-3,-3,1,\r\n'+1,-0.25,0,\r\n");
  });

  it('reads every data cell back through the inverse, header as it is', () => {
    const problems: LocatedProblem[] = [];
    const table = readCsv({ name: 't.csv', content: "a,b\r\n'=1,''=2\r\n-4,'x\r\n" }, (p) => problems.push(p));
    expect(problems).to.deep.equal([]);
    expect(table!.header).to.deep.equal(['a', 'b']);
    expect(table!.rows.map((r) => r.cells)).to.deep.equal([
      ['=1', "'=2"],
      ['-4', "'x"],
    ]);
  });

  it('quotes a neutralised cell that holds a line break, as every such cell', () => {
    expect(writeCsv(['a'], [['\r\nx']])).to.equal(`a\r\n"'\r\nx"\r\n`);
    expect(CSV_OPTIONS.record_delimiter).to.equal('windows');
  });

  it('writes a record by hand exactly as csv-stringify does: quotes, commas, line breaks, numbers, booleans, empties', () => {
    expect(csvRecord(['a,b', 'say "hi"', '', null, 0, -1.5, true, false, '=1', 'x\ny'])).to.equal(`"a,b","say ""hi""",,,0,-1.5,1,0,'=1,"x\ny"\r\n`);
    expect(csvRecords([])).to.equal('');
    expect(csvRecords([['a'], [1]])).to.equal('a\r\n1\r\n');
    const cell: fc.Arbitrary<Cell> = fc.oneof(
      fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', '\n', ',', '"', 'a', ' ', '1'), maxLength: 8 }),
      fc.string({ unit: 'grapheme' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 6 }), (row) => {
        expect(csvRecord(row)).to.equal(stringify([row], CSV_OPTIONS));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('csv text: PostgreSQL COPY output made CRLF', () => {
  /** A record as COPY (FORMAT csv) writes it: fields with a comma, a quote, CR or LF quoted, quotes doubled, LF at the end. */
  const copyRecord = (cells: readonly string[]) => `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')}\n`;

  it('ends every record with CRLF and leaves line breaks inside quoted fields, however the bytes are split', () => {
    const convert = crlfRecords();
    const bytes = new TextEncoder().encode(copyRecord(['a', 'x\ny', 'say "hi"']) + copyRecord(['é😀', '\r\n', '']));
    // One byte at a time: splits inside quotes and inside multi-byte characters.
    const text = [...bytes].map((byte) => convert(Uint8Array.of(byte))).join('');
    expect(text).to.equal('a,"x\ny","say ""hi"""\r\né😀,"\r\n",\r\n');
  });

  it('gives each record with CRLF for any text cells and any splits of the bytes, as text and as bytes', () => {
    const cell = fc.oneof(fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', ' ', 'é', '😀'), maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (rows, cuts) => {
        const bytes = new TextEncoder().encode(rows.map(copyRecord).join(''));
        const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const convert = crlfRecords();
        const convertBytes = crlfRecordBytes();
        let text = '';
        const parts: Uint8Array[] = [];
        let from = 0;
        for (const to of [...at, bytes.length]) {
          text += convert(bytes.subarray(from, to));
          parts.push(convertBytes(bytes.subarray(from, to)));
          from = to;
        }
        const expected = rows.map((row) => copyRecord(row).slice(0, -1) + '\r\n').join('');
        expect(text).to.equal(expected);
        expect(Buffer.concat(parts).toString('utf8')).to.equal(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
