// The `csv` format: lossless round trips (demo study, a 2,000-participant cohort, text that
// needs quoting), the derived columns against hand-computed values, the codebook, and bad input
// reported at its file, row and column.
import { expect } from 'chai';
import { writeCodebook, writeCsvTables } from '../../../api/formats/csv/export.ts';
import { readCsvTables } from '../../../api/formats/csv/import.ts';
import { CSV_TABLES } from '../../../api/formats/csv/tables.ts';
import { visitsTable } from '../../../api/formats/csv/visits-table.ts';
import type { FormatFile } from '../../../api/formats/types.ts';
import { smallBundle } from '../../support/bundles.ts';
import { canonical, cohortBundle, csvRecords, demoBundle, editCsv, fileNamed, lines, replaceFile, setCell, textOf, valid } from './helpers.ts';

const TABLE_FILES = ['study.csv', 'sites.csv', 'practitioners.csv', 'participants.csv', 'sessions.csv', 'adverse_events.csv', 'fading_assessments.csv', 'surveys.csv'];

function roundTrip(files: FormatFile[]) {
  const result = readCsvTables(files);
  if (!result.ok) throw new Error(lines(result.problems).join('\n'));
  return result.bundle;
}

describe('csv format', () => {
  describe('round trip', () => {
    it('gives back the demo study record for record', () => {
      const bundle = demoBundle();
      expect(canonical(roundTrip(writeCsvTables(bundle)))).to.deep.equal(canonical(bundle));
    });

    it('gives back a generated 2,000-participant cohort record for record', () => {
      const bundle = cohortBundle();
      const files = writeCsvTables(bundle);
      expect(csvRecords(textOf(fileNamed(files, 'participants.csv')))).to.have.length(2000);
      expect(canonical(roundTrip(files))).to.deep.equal(canonical(bundle));
    });

    it('keeps text byte for byte: quotes, commas, line breaks, spaces, formulas, any Unicode', () => {
      const input = smallBundle();
      input.study.title = 'Tab\there, "quoted", comma, and a CRLF\r\nline';
      input.sites[0].name = ' Clinic "Nord", Zürich 😀 ';
      input.participants[0].sessions[0].pigmentLot = '=1+2';
      input.participants[0].adverseEvents[0].term = 'He said "ouch",\rthen\nleft\u2028 ';
      input.participants[1].withdrawalReason = '  leading and trailing spaces, ;semicolon; \\backslash\\ \u0007bell ';
      input.participants[0].costUsd = 1234.56;
      input.participants[0].fadingAssessments[0].densityScore = 0;
      input.participants[0].sessions[1].pigmentLot = 'back\\slash \\N \\. end\\ and\u000bvertical tab';
      input.participants[0].sessions[2].pigmentLot = '\u200b zero width and \ufeff BOM, e\u0301 vs \u00e9, 𝔘𝔫𝔦 🧑🏽‍🦲 عربى 中文';
      const bundle = valid(input);
      expect(canonical(roundTrip(writeCsvTables(bundle)))).to.deep.equal(canonical(bundle));
    });

    it('writes text that a spreadsheet would run as a formula behind an apostrophe, reads it back exactly, and leaves negative numbers alone', () => {
      const input = smallBundle();
      input.participants[0].adverseEvents[0].term = '=HYPERLINK("http://x.invalid","open")';
      input.participants[0].sessions[0].pigmentLot = '+cmd|\' /C calc\'!A0';
      input.participants[0].sessions[1].pigmentLot = "'=typed with its apostrophe";
      input.participants[0].sessions[2].pigmentLot = '-LOT';
      input.participants[0].sessions[3].pigmentLot = "'plain";
      input.participants[1].withdrawalReason = '@SUM(1+1)';
      input.sites[0].name = '\tTabbed clinic';
      const bundle = valid(input);
      const files = writeCsvTables(bundle);
      const sessions = csvRecords(textOf(fileNamed(files, 'sessions.csv')));
      expect(sessions.filter((r) => r.participant_code === 'P01').map((r) => r.pigment_lot)).to.deep.equal([
        `'+cmd|' /C calc'!A0`,
        "''=typed with its apostrophe",
        "'-LOT",
        "'plain",
      ]);
      expect(csvRecords(textOf(fileNamed(files, 'adverse_events.csv')))[0]!.term).to.equal(`'=HYPERLINK("http://x.invalid","open")`);
      const participants = csvRecords(textOf(fileNamed(files, 'participants.csv')));
      expect(participants[1]!.withdrawal_reason).to.equal("'@SUM(1+1)");
      // Enrolment precedes the first session: a negative study day, written as a number.
      expect(participants.map((r) => r.enrolled_study_day)).to.deep.equal(['-5', '-3']);
      expect(csvRecords(textOf(fileNamed(files, 'sites.csv')))[0]!.site_name).to.equal("'\tTabbed clinic");
      expect(canonical(roundTrip(files))).to.deep.equal(canonical(bundle));
    });

    it('reads sites.csv written before sites had a country: the column is absent and the sites have none', () => {
      const bundle = demoBundle();
      const written = writeCsvTables(bundle);
      const files = replaceFile(written, editCsv(fileNamed(written, 'sites.csv'), (t) => {
        const at = t.header.indexOf('country');
        t.header.splice(at, 1);
        for (const row of t.rows) row.splice(at, 1);
      }));
      expect(textOf(fileNamed(files, 'sites.csv')).split('\r\n')[0]).to.equal('study_code,site_code,site_name');
      const read = roundTrip(files);
      expect(read.sites).to.deep.equal(bundle.sites.map((site) => ({ ...site, country: null })));
      expect(canonical({ ...read, sites: bundle.sites })).to.deep.equal(canonical(bundle));
    });

    it('writes one file per table and the codebook, each with a header row, RFC 4180 with CRLF', () => {
      const files = writeCsvTables(demoBundle());
      // The demo schedules follow-up visits: visits.csv follows study.csv.
      expect(files.map((f) => f.name)).to.deep.equal([TABLE_FILES[0], 'visits.csv', ...TABLE_FILES.slice(1), 'codebook.csv']);
      expect(writeCsvTables(valid(smallBundle())).map((f) => f.name), 'no visits.csv without visits').to.deep.equal([...TABLE_FILES, 'codebook.csv']);
      for (const file of files) {
        const text = textOf(file);
        expect(text.endsWith('\r\n'), file.name).to.equal(true);
        expect(text.charCodeAt(0), `${file.name} starts without a byte-order mark`).to.not.equal(0xfeff);
      }
      // a study without adverse events still has the table, header only
      const none = valid({ ...smallBundle(), participants: smallBundle().participants.map((p) => ({ ...p, adverseEvents: [] })) });
      expect(textOf(fileNamed(writeCsvTables(none), 'adverse_events.csv')).split('\r\n').filter(Boolean)).to.have.length(1);
    });
  });

  describe('derived columns', () => {
    const files = writeCsvTables(demoBundle());
    const table = (name: string) => csvRecords(textOf(fileNamed(files, name)));

    it('study day: day 1 is the first session, the day before is -1, no day 0', () => {
      // P01: enrolled 2018-01-22, first session 2018-02-05 (14 days later), sessions weekly.
      const p01 = table('participants.csv').find((r) => r.participant_code === 'P01')!;
      expect(p01).to.include({ age_at_enrolment: '50', enrolled_study_day: '-14', reference_start_date: '2018-02-05', final_session_date: '2018-03-21' });
      const sessions = table('sessions.csv').filter((r) => r.participant_code === 'P01');
      expect(sessions.map((r) => [r.session_date, r.study_day])).to.deep.equal([
        ['2018-02-05', '1'],
        ['2018-02-12', '8'],
        ['2018-02-19', '15'],
        ['2018-03-21', '45'], // 28 days of February: 2018-02-05 + 44 days
      ]);
      expect(table('sessions.csv').some((r) => r.study_day === '0')).to.equal(false);
    });

    it('months since the final session are days / 30.4375', () => {
      // P01's first assessment, 2018-11-06: 230 days after the touch-up on 2018-03-21 (10 + 30+31+30+31+31+30+31 + 6).
      const first = table('fading_assessments.csv').find((r) => r.participant_code === 'P01')!;
      expect(first).to.include({ assessment_date: '2018-11-06', study_day: '275', days_since_final_session: '230', months_since_final_session: '7.5565' });
      expect(230 / 30.4375).to.be.closeTo(7.5565, 5e-5);
    });

    it('are ignored on import: edited or removed, the records read back the same', () => {
      const bundle = demoBundle();
      let edited = writeCsvTables(bundle);
      edited = replaceFile(edited, editCsv(fileNamed(edited, 'sessions.csv'), (t) => t.rows.forEach((_, i) => setCell(t, i, 'study_day', '999'))));
      edited = replaceFile(
        edited,
        editCsv(fileNamed(edited, 'participants.csv'), (t) => {
          for (const column of ['age_at_enrolment', 'enrolled_study_day', 'reference_start_date', 'final_session_date', 'withdrawn_study_day']) {
            const index = t.header.indexOf(column);
            t.header.splice(index, 1);
            t.rows.forEach((row) => row.splice(index, 1));
          }
        }),
      );
      expect(canonical(roundTrip(edited))).to.deep.equal(canonical(bundle));
    });
  });

  describe('codebook', () => {
    const codebook = csvRecords(writeCodebook());

    it('lists every column of every table once, in file order, with type and definition', () => {
      const files = writeCsvTables(demoBundle());
      for (const name of [...TABLE_FILES, 'visits.csv']) {
        const header = textOf(fileNamed(files, name)).split('\r\n')[0]!.split(',');
        expect(codebook.filter((r) => `${r.table}.csv` === name).map((r) => r.column), name).to.deep.equal(header);
      }
      expect(codebook).to.have.length(CSV_TABLES.reduce((n, t) => n + t.columns.length, 0) + visitsTable.columns.length);
      for (const row of codebook) {
        expect(['text', 'category', 'integer', 'number', 'boolean', 'date']).to.include(row.type);
        expect(row.definition, `${row.table}.${row.column}`).to.not.equal('');
        expect(['yes', 'no']).to.include(row.derived);
      }
    });

    it('gives allowed values with labels, units and the derived flag', () => {
      const row = (table: string, column: string) => codebook.find((r) => r.table === table && r.column === column)!;
      expect(row('participants', 'sex')).to.include({ type: 'category', allowed_values: 'female | male | other | unknown', labels: 'female = Female | male = Male | other = Other | unknown = Unknown', required: 'yes', derived: 'no' });
      expect(row('fading_assessments', 'grade').labels).to.equal('0 = None | 1 = Minimal | 2 = Mild | 3 = Moderate | 4 = Marked');
      expect(row('adverse_events', 'serious')).to.include({ type: 'boolean', allowed_values: '0 | 1', labels: '0 = no | 1 = yes' });
      expect(row('sessions', 'duration_minutes')).to.include({ type: 'integer', unit: 'minutes', allowed_values: '1 to 1440' });
      expect(row('fading_assessments', 'months_since_final_session')).to.include({ type: 'number', unit: 'months', required: 'no', derived: 'yes' });
      expect(row('fading_assessments', 'months_since_final_session').definition).to.contain('30.4375');
      expect(row('participants', 'withdrawn_on')).to.include({ type: 'date', required: 'no' });
    });
  });

  describe('bad input', () => {
    const good = () => writeCsvTables(valid(smallBundle()));
    const edit = (files: FormatFile[], name: string, change: (t: { header: string[]; rows: string[][] }) => void) => replaceFile(files, editCsv(fileNamed(files, name), change));
    const problemsOf = (files: FormatFile[]) => {
      const result = readCsvTables(files);
      if (result.ok) throw new Error('the import was accepted');
      return result.problems;
    };

    it('reports every problem of every file at its row and column, cross-record rules included', () => {
      let files = good();
      files = edit(files, 'participants.csv', (t) => {
        setCell(t, 0, 'sex', 'M');
        setCell(t, 0, 'keloid_history', 'yes');
        setCell(t, 1, 'withdrawn_on', '2019-01-15');
      });
      files = edit(files, 'sessions.csv', (t) => {
        setCell(t, 0, 'duration_minutes', 'long');
        setCell(t, 1, 'session_date', '2019-02-30');
        setCell(t, 2, 'session_number', '2');
        setCell(t, 3, 'anesthesia', 'general');
        setCell(t, 4, 'participant_code', 'P99');
      });
      files = edit(files, 'adverse_events.csv', (t) => {
        const grade = t.header.indexOf('grade');
        t.header.splice(grade, 1);
        t.rows.forEach((row) => row.splice(grade, 1));
        t.header.push('notes');
        t.rows.forEach((row) => row.push('seen at visit'));
        setCell(t, 0, 'session_number', '9');
      });
      files = edit(files, 'fading_assessments.csv', (t) => t.rows.push(['TEST-1', 'P01', '2020-01-01']));
      files = edit(files, 'surveys.csv', (t) => setCell(t, 0, 'study_code', 'OTHER'));
      files.push({ name: 'notes.txt', content: 'not a table' });

      expect(lines(problemsOf(files))).to.deep.equal([
        'participants.csv:2:sex: must be one of female, male, other, unknown (got "M")',
        'participants.csv:2:keloid_history: must be 1 (yes) or 0 (no) (got "yes")',
        'participants.csv:3:withdrawn_on: 2019-01-15 is before enrolment on 2019-02-01',
        'sessions.csv:2:duration_minutes: must be a whole number (got "long")',
        'sessions.csv:3:session_date: 2019-02-30 is not a calendar date',
        'sessions.csv:4:session_number: session number 2 is already used by sessions.csv row 3',
        'sessions.csv:5:anesthesia: must be one of topical, local, none (got "general")',
        'sessions.csv:6:participant_code: participant "P99" is not in participants.csv',
        'adverse_events.csv:1:notes: is not a column of adverse_events.csv (codebook.csv lists them)',
        'adverse_events.csv:1:grade: column is missing',
        'adverse_events.csv:2:session_number: participant has no session 9',
        'fading_assessments.csv:4: has 3 cells but the header has 10 columns',
        'surveys.csv:2:study_code: is "OTHER" but study.csv describes study "TEST-1"',
        'notes.txt: is not a file of the csv format (its files are study.csv, sites.csv, practitioners.csv, participants.csv, sessions.csv, adverse_events.csv, fading_assessments.csv, surveys.csv, codebook.csv, and visits.csv for scheduled visits)',
      ]);
    });

    it('reports a missing table, a second study, an empty required cell and an unknown site', () => {
      let files = good().filter((f) => f.name !== 'surveys.csv');
      files = edit(files, 'study.csv', (t) => t.rows.push([...t.rows[0]!]));
      files = edit(files, 'participants.csv', (t) => {
        setCell(t, 0, 'enrolled_on', '');
        setCell(t, 1, 'site_code', 'LDS');
      });
      expect(lines(problemsOf(files))).to.deep.equal([
        'study.csv:3: is a second study; the csv format holds one study',
        'participants.csv:2:enrolled_on: is required (the cell is empty)',
        'participants.csv:3:site_code: site "LDS" is not defined in sites',
        'surveys.csv: is missing (every table is needed, with its header row even when it has no rows)',
      ]);
    });

    it('reports duplicate codes by the row that first used them, and a bad protocol at its column', () => {
      let files = good();
      files = edit(files, 'participants.csv', (t) => setCell(t, 1, 'participant_code', 'P01'));
      files = edit(files, 'study.csv', (t) => setCell(t, 0, 'follow_up_from_months', '40'));
      const problems = lines(problemsOf(files));
      expect(problems).to.include('study.csv:2:follow_up_from_months: from (40) must not be greater than to (32)');
      expect(problems).to.include('participants.csv:3:participant_code: participant code "P01" is already used by participants.csv row 2');
    });

    it('reports text that is not UTF-8 and CSV that does not parse', () => {
      const files = good();
      const latin1 = replaceFile(files, { name: 'sites.csv', content: new Uint8Array([...Buffer.from('study_code,site_code,site_name\r\nTEST-1,LON,Z'), 0xfc, 0x72, 0x69, 0x63, 0x68]) });
      expect(lines(problemsOf(latin1))).to.deep.equal(['sites.csv: is not valid UTF-8 text; save it as UTF-8']);
      const unclosed = replaceFile(files, { name: 'sites.csv', content: 'study_code,site_code,site_name\r\nTEST-1,LON,"London\r\n' });
      const [problem] = problemsOf(unclosed);
      expect(problem!.path).to.equal('sites.csv:2');
      expect(problem!.message).to.match(/^is not valid CSV: Quote Not Closed/);
    });
  });
});
