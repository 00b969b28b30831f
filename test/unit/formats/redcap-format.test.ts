// The `redcap` format: the data dictionary and records as REDCap defines them, lossless round
// trips, a hand-made clinic project read through a mapping file, and bad input reported at its
// dictionary row, mapping path or records row and field.
import fs from 'node:fs';
import { expect } from 'chai';
import { DICTIONARY_HEADER, parseChoices, readDictionary } from '../../../api/formats/redcap/dictionary.ts';
import { writeRedcapProject } from '../../../api/formats/redcap/export.ts';
import { readRedcap, type RedcapFiles } from '../../../api/formats/redcap/import.ts';
import { redcapRoles } from '../../../api/formats/read-import.ts';
import type { FormatFile, LocatedProblem } from '../../../api/formats/types.ts';
import { smallBundle } from '../../support/bundles.ts';
import { canonical, cohortBundle, csvRecords, demoBundle, editCsv, fileNamed, lines, setCell, textOf, valid } from './helpers.ts';

/** REDCap's data dictionary header, as REDCap writes it (Project Setup → Data Dictionary → download). */
const REDCAP_HEADER = [
  'Variable / Field Name', 'Form Name', 'Section Header', 'Field Type', 'Field Label', 'Choices, Calculations, OR Slider Labels',
  'Field Note', 'Text Validation Type OR Show Slider Number', 'Text Validation Min', 'Text Validation Max', 'Identifier?',
  'Branching Logic (Show field only if...)', 'Required Field?', 'Custom Alignment', 'Question Number (surveys only)',
  'Matrix Group Name', 'Matrix Ranking?', 'Field Annotation',
];

const ownFiles = (files: FormatFile[]): RedcapFiles => ({
  dictionary: fileNamed(files, 'data_dictionary.csv'),
  data: fileNamed(files, 'records.csv'),
  study: fileNamed(files, 'study.json'),
});

function read(files: RedcapFiles) {
  const result = readRedcap(files);
  if (!result.ok) throw new Error(lines(result.problems).join('\n'));
  return result.bundle;
}
function problemsOf(files: RedcapFiles) {
  const result = readRedcap(files);
  if (result.ok) throw new Error('the import was accepted');
  return lines(result.problems);
}

const CLINIC = new URL('../../../fixtures/redcap-clinic/', import.meta.url);
const fixture = (url: URL): FormatFile => ({ name: url.pathname.split('/').pop()!, content: fs.readFileSync(url, 'utf8') });
const clinicFiles = (): RedcapFiles & { mapping: FormatFile } => ({
  dictionary: fixture(new URL('clinic_DataDictionary_2023-06-01.csv', CLINIC)),
  data: fixture(new URL('clinic_DATA_2023-06-01_1015.csv', CLINIC)),
  mapping: fixture(new URL('../redcap-mapping.example.json', CLINIC)),
});
const editMapping = (files: ReturnType<typeof clinicFiles>, edit: (mapping: any) => void): ReturnType<typeof clinicFiles> => {
  const mapping = JSON.parse(textOf(files.mapping));
  edit(mapping);
  return { ...files, mapping: { name: files.mapping.name, content: JSON.stringify(mapping) } };
};

describe('redcap format', () => {
  describe('data dictionary and records', () => {
    const files = writeRedcapProject(demoBundle());
    const dictionary = csvRecords(textOf(fileNamed(files, 'data_dictionary.csv')));
    const records = csvRecords(textOf(fileNamed(files, 'records.csv')));

    it('has the exact 18-column header of a REDCap data dictionary', () => {
      expect([...DICTIONARY_HEADER]).to.deep.equal(REDCAP_HEADER);
      expect(textOf(fileNamed(files, 'data_dictionary.csv')).split('\r\n')[0]).to.equal(
        REDCAP_HEADER.map((name) => (name.includes(',') ? `"${name}"` : name)).join(','),
      );
    });

    it('has the participant instrument first, record_id as its first field, then four repeating instruments', () => {
      const forms = [...new Set(dictionary.map((row) => row['Form Name']))];
      expect(forms).to.deep.equal(['participant', 'session', 'adverse_event', 'fading_assessment', 'survey']);
      expect(dictionary[0]!['Variable / Field Name']).to.equal('record_id');
      expect(new Set(records.map((row) => row.redcap_repeat_instrument))).to.deep.equal(new Set(['', 'session', 'adverse_event', 'fading_assessment', 'survey']));
    });

    it('writes choices as "1, Label | 2, Label" that parse back, yes/no fields, date_ymd dates and flagged identifiers', () => {
      for (const row of dictionary) {
        const type = row['Field Type'];
        const choices = row['Choices, Calculations, OR Slider Labels']!;
        if (type === 'radio' || type === 'dropdown') {
          const parsed = parseChoices(choices);
          expect(parsed, row['Variable / Field Name']).to.not.equal(null);
          expect(parsed!.every((c) => /^\d+$/.test(c.code) && c.label !== '')).to.equal(true);
        } else expect(choices, row['Variable / Field Name']).to.equal('');
      }
      const field = (name: string) => dictionary.find((row) => row['Variable / Field Name'] === name)!;
      expect(field('sex')['Choices, Calculations, OR Slider Labels']).to.equal('1, Female | 2, Male | 3, Other | 4, Unknown');
      expect(field('site')['Choices, Calculations, OR Slider Labels']).to.equal('1, LON | 2, MAN');
      expect(field('ae_serious')['Field Type']).to.equal('yesno');
      const dates = dictionary.filter((row) => row['Text Validation Type OR Show Slider Number'] === 'date_ymd').map((row) => row['Variable / Field Name']);
      expect(dates).to.deep.equal(['enrolled_on', 'withdrawn_on', 'session_date', 'ae_onset', 'ae_resolved', 'fa_date', 'sv_date']);
      const identifiers = dictionary.filter((row) => row['Identifier?'] === 'y').map((row) => row['Variable / Field Name']);
      expect(identifiers).to.deep.equal(['withdrawal_reason', 'session_practitioner', 'session_pigment_lot', 'ae_term']);
    });

    it('has every field of the records file in the dictionary', () => {
      const header = textOf(fileNamed(files, 'records.csv')).split('\r\n')[0]!.split(',');
      const fields = new Set(dictionary.map((row) => row['Variable / Field Name']));
      const forms = new Set(dictionary.map((row) => row['Form Name']));
      expect(header.slice(0, 3)).to.deep.equal(['record_id', 'redcap_repeat_instrument', 'redcap_repeat_instance']);
      for (const column of header.slice(3)) {
        const isStatus = column.endsWith('_complete') && forms.has(column.slice(0, -'_complete'.length));
        expect(fields.has(column) || isStatus, column).to.equal(true);
      }
      expect(header.length - 3).to.equal(dictionary.length - 1 + forms.size);
    });

    it('writes one non-repeating row per participant and numbers each instrument\'s instances 1, 2, 3…', () => {
      const bundle = demoBundle();
      expect(records.filter((row) => row.redcap_repeat_instrument === '')).to.have.length(bundle.participants.length);
      for (const participant of bundle.participants) {
        const sessions = records.filter((row) => row.record_id === participant.code && row.redcap_repeat_instrument === 'session');
        expect(sessions.map((row) => [row.redcap_repeat_instance, row.session_date])).to.deep.equal(participant.sessions.map((s) => [String(s.number), s.date]));
        const assessments = records.filter((row) => row.record_id === participant.code && row.redcap_repeat_instrument === 'fading_assessment');
        expect(assessments.map((row) => row.redcap_repeat_instance)).to.deep.equal(participant.fadingAssessments.map((_, i) => String(i + 1)));
      }
    });

    it('keeps what REDCap has no place for in study.json', () => {
      const study = JSON.parse(textOf(fileNamed(files, 'study.json')));
      const bundle = demoBundle();
      expect(study).to.deep.equal({ format: 'smp-redcap-study/1', study: bundle.study, sites: bundle.sites, practitioners: bundle.practitioners });
    });
  });

  describe('round trip', () => {
    it('gives back the demo study record for record', () => {
      const bundle = demoBundle();
      expect(canonical(read(ownFiles(writeRedcapProject(bundle))))).to.deep.equal(canonical(bundle));
    });

    it('gives back a generated 2,000-participant cohort record for record', () => {
      const bundle = cohortBundle();
      expect(canonical(read(ownFiles(writeRedcapProject(bundle))))).to.deep.equal(canonical(bundle));
    });

    it('keeps free text exactly', () => {
      const input = smallBundle();
      input.participants[0].adverseEvents[0].term = 'Itch, "mild"\r\nthen | gone, 100%';
      input.participants[1].withdrawalReason = ' Moved, abroad\n';
      input.participants[0].sessions[1].pigmentLot = '1, Label | 2, Other';
      const bundle = valid(input);
      expect(canonical(read(ownFiles(writeRedcapProject(bundle))))).to.deep.equal(canonical(bundle));
    });

    it('writes formulas behind an apostrophe and reads them back exactly', () => {
      const input = smallBundle();
      input.participants[0].adverseEvents[0].term = '=HYPERLINK("http://x.invalid","open")';
      input.participants[0].sessions[0].pigmentLot = '-LOT';
      input.participants[0].sessions[1].pigmentLot = "'=typed with its apostrophe";
      input.participants[1].withdrawalReason = '@SUM(1+1)';
      const bundle = valid(input);
      const files = writeRedcapProject(bundle);
      const records = csvRecords(textOf(fileNamed(files, 'records.csv')));
      expect(records.filter((r) => r.redcap_repeat_instrument === 'adverse_event').map((r) => r.ae_term)).to.deep.equal([`'=HYPERLINK("http://x.invalid","open")`]);
      expect(records.filter((r) => r.redcap_repeat_instrument === 'session' && r.record_id === 'P01').map((r) => r.session_pigment_lot).slice(0, 2)).to.deep.equal([
        "'-LOT",
        "''=typed with its apostrophe",
      ]);
      expect(records.find((r) => r.record_id === 'P02' && r.redcap_repeat_instrument === '')!.withdrawal_reason).to.equal("'@SUM(1+1)");
      expect(canonical(read(ownFiles(files)))).to.deep.equal(canonical(bundle));
    });
  });

  describe('a clinic\'s own project, through a mapping file', () => {
    it('reads other instrument and field names, other choice codes, fixed values and ignored fields', () => {
      const bundle = read(clinicFiles());
      expect(bundle.study.code).to.equal('CLINIC-1');
      expect(bundle.participants.map((p) => [p.code, p.site, p.sex, p.indication, p.fitzpatrick, p.keloidHistory, p.withdrawalCause, p.costUsd])).to.deep.equal([
        ['C-001', 'LON', 'male', 'androgenetic_alopecia', 2, false, null, 2500],
        ['C-002', 'LDS', 'female', 'female_pattern_hair_loss', null, false, 'participant_choice', null],
        ['C-003', 'LDS', 'unknown', 'scar', 4, true, null, 1800.5],
      ]);
      const [c1, c2, c3] = bundle.participants;
      expect(c1!.sessions.map((s) => [s.number, s.kind, s.date, s.durationMinutes, s.practitioner, s.pigmentLot, s.anesthesia])).to.deep.equal([
        [1, 'initial', '2022-03-07', 180, 'AB', 'B-22/03', 'topical'],
        [2, 'initial', '2022-03-14', 150, 'AB', 'B-22/03', 'topical'],
        [3, 'initial', '2022-03-21', 140, 'AB', 'B-22/03', 'none'],
        [4, 'touch_up', '2022-04-20', 90, 'AB', 'B-22/04', 'none'],
      ]);
      expect(c1!.adverseEvents).to.deep.equal([
        {
          category: 'allergic_reaction',
          term: 'Itchy redness, settled with an antihistamine',
          onsetDate: '2022-03-08',
          resolvedDate: '2022-03-12',
          grade: 1,
          serious: false,
          relatedness: 'probable',
          outcome: 'recovered',
          sessionNumber: 1,
          solicited: false,
        },
      ]);
      expect(c1!.fadingAssessments).to.deep.equal([
        { date: '2022-11-01', grade: 0, densityScore: 9.1, needsTouchUp: false, assessor: 'clinician' },
        { date: '2023-05-02', grade: 1, densityScore: 8.7, needsTouchUp: null, assessor: 'clinician' },
      ]);
      expect(c1!.surveys).to.deep.equal([{ date: '2022-11-01', satisfaction: 5, wouldRecommend: true }]);
      expect(c2).to.include({ enrolledOn: '2022-05-10', withdrawnOn: '2022-06-01', withdrawalReason: 'Moving abroad' });
      expect(c2!.sessions.map((s) => [s.practitioner, s.anesthesia])).to.deep.equal([['CD', 'local']]);
      expect(c3!.surveys).to.deep.equal([{ date: '2022-12-01', satisfaction: 4, wouldRecommend: null }]);
      expect(c3!.fadingAssessments).to.deep.equal([{ date: '2022-12-01', grade: 0, densityScore: null, needsTouchUp: false, assessor: 'clinician' }]);
    });

    it('reports fields that hold data but are mapped to nothing, and instruments mapped to nothing', () => {
      const files = editMapping(clinicFiles(), (m) => (m.ignore = ['consent_signed']));
      expect(problemsOf(files)).to.deep.equal([
        'clinic_DATA_2023-06-01_1015.csv:1:referral_source: holds data in 1 row but is mapped to no bundle field; map it, or list it under "ignore" in the mapping',
        'clinic_DATA_2023-06-01_1015.csv:11:redcap_repeat_instrument: instrument photos (1 row) is mapped to no kind of record; map it under "instruments", or list it under "ignore"',
      ]);
    });

    it('reports a choice the mapping does not cover, and a code the dictionary does not have', () => {
      let files = editMapping(clinicFiles(), (m) => delete m.fields.participant.sex.choices['9']);
      expect(problemsOf(files)).to.deep.equal([
        'clinic_DATA_2023-06-01_1015.csv:14:gender: choice 9 ("Not stated") of gender is not mapped to a bundle value; add it to the mapping\'s choices',
      ]);
      files = {
        ...clinicFiles(),
        data: editCsv(clinicFiles().data, (t) => setCell(t, 0, 'hair_loss', 'AGX')),
      };
      expect(problemsOf(files)).to.deep.equal([
        'clinic_DATA_2023-06-01_1015.csv:2:hair_loss: "AGX" is not a choice code of hair_loss; the dictionary\'s codes are AGA (Male pattern baldness), FPHL (Female pattern hair loss), AA (Alopecia areata), SCAR (Scar camouflage)',
      ]);
    });

    it('checks the mapping against the dictionary and reports each problem at its path', () => {
      const files = editMapping(clinicFiles(), (m) => {
        m.instruments.survey = 'questionnaire';
        m.fields.participant.birthYear = 'year_of_birth';
        delete m.fields.session.date;
        m.fields.session.anesthesia.choices['7'] = 'none';
        m.fields.adverse_event.colour = 'comp_type';
      });
      expect(problemsOf(files)).to.deep.equal([
        'redcap-mapping.example.json:instruments.survey: instrument "questionnaire" is not in the data dictionary (its instruments: baseline, consent, smp_visit, complications, review, feedback, photos)',
        'redcap-mapping.example.json:fields.participant.birthYear: REDCap field "year_of_birth" is not in the data dictionary',
        'redcap-mapping.example.json:fields.session.anesthesia.choices.7: "7" is not a choice code of "numbing" (its codes: 1, 2, 0)',
        'redcap-mapping.example.json:fields.session.date: the bundle field session.date is required: map a REDCap field to it, or give it a fixed {"value": …}',
        'redcap-mapping.example.json:fields.adverse_event.colour: "colour" is not a field of a bundle adverse_event (its fields: category, term, onsetDate, resolvedDate, grade, serious, relatedness, outcome, sessionNumber, solicited)',
      ]);
    });

    it('reports a mapping file that is not of the format', () => {
      const files = { ...clinicFiles(), mapping: { name: 'map.json', content: '{"format": "other", "instruments": {}, "fields": {"visits": {}}}' } };
      expect(problemsOf(files)).to.deep.equal([
        'map.json:format: must be "smp-redcap-mapping/1" (got "other")',
        'map.json:fields.visits: is not a field of this format',
      ]);
    });
  });

  describe('a REDCap export that stores a date of birth (fixtures/redcap-registry)', () => {
    const REGISTRY = new URL('../../../fixtures/redcap-registry/', import.meta.url);
    const NAMES = ['SMPRegistry_DataDictionary_2024-03-04.csv', 'SMPRegistry_DATA_2024-03-04_0932.csv', 'smp-registry-mapping.json'];
    const registryFiles = (): FormatFile[] => NAMES.map((name) => ({ name, content: new Uint8Array(fs.readFileSync(new URL(name, REGISTRY))) }));
    const registryRoles = (files = registryFiles()) => {
      const roles = redcapRoles(files);
      if ('problems' in roles) throw new Error(lines(roles.problems).join('\n'));
      return roles;
    };
    const withMapping = (edit: (mapping: any) => void): RedcapFiles => {
      const roles = registryRoles();
      const mapping = JSON.parse(textOf(roles.mapping!));
      edit(mapping);
      return { ...roles, mapping: { name: roles.mapping!.name, content: JSON.stringify(mapping) } };
    };

    it('is laid out as REDCap writes it: its own file names, a byte-order mark, CRLF line ends, repeating instruments', () => {
      for (const file of registryFiles().slice(0, 2)) {
        const bytes = file.content as Uint8Array;
        expect([...bytes.subarray(0, 3)], file.name).to.deep.equal([0xef, 0xbb, 0xbf]);
        const text = new TextDecoder().decode(bytes);
        expect(text.split('\r\n').length, file.name).to.equal(text.split('\n').length);
      }
      const roles = registryRoles();
      expect([roles.dictionary.name, roles.data.name, roles.mapping?.name]).to.deep.equal(NAMES);
      const header = new TextDecoder().decode(roles.data.content as Uint8Array).split('\r\n')[0]!.split(',');
      expect(header.slice(0, 5)).to.deep.equal(['record_id', 'redcap_repeat_instrument', 'redcap_repeat_instance', 'dob', 'email']);
    });

    it('reads the year of the date of birth into birthYear, and nothing else of it', () => {
      const bundle = read(registryRoles());
      expect(bundle.study.code).to.equal('SMP-REG-2023');
      expect(bundle.sites).to.deep.equal([
        { code: 'EDI', name: 'Edinburgh Scalp Clinic', country: 'GBR' },
        { code: 'GLA', name: 'Glasgow Scalp Clinic', country: 'GBR' },
      ]);
      expect(bundle.participants.map((p) => [p.code, p.birthYear, p.sex, p.site, p.indication, p.fitzpatrick, p.keloidHistory, p.enrolledOn, p.withdrawnOn, p.withdrawalCause])).to.deep.equal([
        ['1001', 1979, 'male', 'GLA', 'androgenetic_alopecia', 2, false, '2023-01-09', null, null],
        ['1002', 1986, 'female', 'EDI', 'female_pattern_hair_loss', null, false, '2023-02-06', '2023-03-20', 'participant_choice'],
        ['1003', 1958, 'male', 'EDI', 'scar', 4, true, '2023-04-03', null, null],
      ]);
      const [p1, p2, p3] = bundle.participants;
      expect(p1!.sessions.map((s) => [s.number, s.kind, s.date, s.durationMinutes, s.practitioner, s.pigmentLot, s.anesthesia])).to.deep.equal([
        [1, 'initial', '2023-01-16', 180, 'GLA-01', 'INK-2301', 'topical'],
        [2, 'initial', '2023-01-23', 150, 'GLA-01', 'INK-2301', 'topical'],
        [3, 'initial', '2023-01-30', 140, 'GLA-01', 'INK-2301', 'none'],
        [4, 'touch_up', '2023-03-01', 90, 'GLA-01', 'INK-2302', 'none'],
      ]);
      expect(p1!.adverseEvents).to.deep.equal([
        {
          category: 'allergic_reaction', term: 'Itchy redness around the dots, settled with cetirizine', onsetDate: '2023-01-17', resolvedDate: '2023-01-24',
          grade: 1, serious: false, relatedness: 'probable', outcome: 'recovered', sessionNumber: 1, solicited: false,
        },
      ]);
      expect(p1!.fadingAssessments.map((a) => [a.date, a.grade, a.densityScore, a.needsTouchUp, a.assessor])).to.deep.equal([
        ['2023-09-04', 0, 9, false, 'clinician'],
        ['2024-02-05', 1, 8.6, false, 'participant'],
      ]);
      expect(p2!.withdrawalReason).to.equal('Relocating for work, may return');
      expect(p3!.surveys).to.deep.equal([{ date: '2023-12-04', satisfaction: 4, wouldRecommend: null }]);
      // Neither the full date of birth nor the ignored e-mail address is anywhere in the bundle.
      const text = JSON.stringify(bundle);
      for (const value of ['1979-08-23', '1986-02-11', '1958-11-30', 'example.org']) expect(text).to.not.contain(value);
    });

    it('refuses a year read from a field that is not a date, into a field that is not a year, and dates that are not dates', () => {
      const mapped = withMapping((m) => {
        m.fields.participant.birthYear = { field: 'email', part: 'year' };
        m.fields.session.durationMinutes = { field: 'tx_date', part: 'year' };
        m.fields.session.date = { field: 'tx_date', part: 'year' };
        m.ignore = [];
      });
      expect(problemsOf(mapped)).to.deep.equal([
        'smp-registry-mapping.json:fields.participant.birthYear.part: REDCap field "email" is a text field with validation email, not a date: "part": "year" reads the year of a date field (date_ymd, date_dmy, date_mdy or a datetime)',
        'smp-registry-mapping.json:fields.session.date.part: session.date does not hold a year: "part": "year" fills a whole-number field such as birthYear',
      ]);
      const roles = registryRoles();
      const data = editCsv(roles.data, (t) => {
        setCell(t, 0, 'dob', '1979-02-30');
        setCell(t, 9, 'dob', '11/02/1986');
        setCell(t, 12, 'dob', '');
      });
      expect(problemsOf({ ...roles, data })).to.deep.equal([
        'SMPRegistry_DATA_2024-03-04_0932.csv:2:dob: 1979-02-30 is not a calendar date',
        'SMPRegistry_DATA_2024-03-04_0932.csv:11:dob: must be a date as REDCap exports it, YYYY-MM-DD (got "11/02/1986")',
        'SMPRegistry_DATA_2024-03-04_0932.csv:14:dob: is required (the cell is empty)',
      ]);
    });

    it('reads a datetime field\'s year the same way', () => {
      const roles = registryRoles();
      const dictionary = editCsv(roles.dictionary, (t) => setCell(t, 1, 'Text Validation Type OR Show Slider Number', 'datetime_seconds_dmy'));
      const data = editCsv(roles.data, (t) => setCell(t, 0, 'dob', '1979-08-23 07:45:00'));
      expect(read({ ...roles, dictionary, data }).participants[0]!.birthYear).to.equal(1979);
    });
  });

  describe('bad input', () => {
    const good = () => ownFiles(writeRedcapProject(valid(smallBundle())));

    it('reports unknown choice codes, bad dates, duplicate instances, misplaced values and unknown columns at their row and field', () => {
      const files = good();
      files.data = editCsv(files.data, (t) => {
        setCell(t, 0, 'sex', '7'); // row 2: P01
        setCell(t, 2, 'redcap_repeat_instance', '1'); // row 4: P01 session 2 claims instance 1
        setCell(t, 3, 'session_date', '2019-13-01'); // row 5: P01 session 3
        setCell(t, 4, 'ae_term', 'misplaced'); // row 6: P01 session 4
        setCell(t, 5, 'ae_onset', '2019-01-01'); // row 7: P01 event, before enrolment and before session 1
        t.header.push('extra');
        t.rows.forEach((row) => row.push(''));
        t.rows.push(t.header.map((column) => ({ record_id: 'P03', redcap_repeat_instrument: 'survey', redcap_repeat_instance: '1', sv_date: '2020-01-01', sv_satisfaction: '5' })[column] ?? ''));
        t.rows.push(t.header.map((column) => ({ record_id: 'P02', redcap_repeat_instrument: 'visit', redcap_repeat_instance: '1' })[column] ?? ''));
      });
      expect(problemsOf(files)).to.deep.equal([
        'records.csv:1:extra: is not a field of the data dictionary',
        'records.csv:2:sex: "7" is not a choice code of sex; the dictionary\'s codes are 1 (Female), 2 (Male), 3 (Other), 4 (Unknown)',
        'records.csv:4:redcap_repeat_instance: instance 1 of session for record "P01" is already on row 3',
        'records.csv:5:session_date: 2019-13-01 is not a calendar date',
        'records.csv:6:redcap_repeat_instance: session numbers must run 1..3 without gaps for 3 sessions (got 4)',
        'records.csv:6:ae_term: is a field of instrument adverse_event, but is filled on a row of instrument session',
        'records.csv:7:ae_onset: 2019-01-01 is before enrolment on 2019-01-02',
        'records.csv:7:ae_onset: 2019-01-01 is before session 1 on 2019-01-07, which the event follows',
        'records.csv:13:record_id: record "P03" has no non-repeating row with its participant fields',
        'records.csv:14:redcap_repeat_instrument: "visit" is not an instrument of the data dictionary',
      ]);
    });

    it('reports a missing field column once, not at every row', () => {
      const files = good();
      files.data = editCsv(files.data, (t) => {
        const index = t.header.indexOf('fa_grade');
        t.header.splice(index, 1);
        t.rows.forEach((row) => row.splice(index, 1));
      });
      expect(problemsOf(files)).to.deep.equal(['records.csv:1:fa_grade: column is missing (the mapping reads this field)']);
    });

    it('reports dictionary rows whose choices do not parse, and a dictionary of another layout', () => {
      const files = good();
      files.dictionary = editCsv(files.dictionary, (t) => setCell(t, 2, 'Choices, Calculations, OR Slider Labels', '1 Female | 2, Male'));
      expect(problemsOf(files)).to.deep.equal(['data_dictionary.csv:4:Choices, Calculations, OR Slider Labels: choices must be written "code, label | code, label"']);
      const clinic = { ...clinicFiles(), study: fileNamed(writeRedcapProject(valid(smallBundle())), 'study.json') };
      const { mapping: _mapping, ...withoutMapping } = clinic;
      expect(problemsOf(withoutMapping)).to.deep.equal([
        'clinic_DataDictionary_2023-06-01.csv: is not the SMP layout (it lacks the instruments participant, session, adverse_event, fading_assessment, survey and the fields ' +
          'record_id, site, sex, birth_year, indication, fitzpatrick, keloid_history, enrolled_on, withdrawn_on, withdrawal_cause, withdrawal_reason, cost_usd, ' +
          'session_kind, session_date, session_duration, session_practitioner, session_pigment_lot, session_anesthesia, ae_category, ae_term, ae_onset, ae_resolved, ' +
          'ae_grade, ae_serious, ae_relatedness, ae_outcome, ae_session, ae_solicited, fa_date, fa_grade, fa_density, fa_needs_touch_up, fa_assessor, sv_date, ' +
          'sv_satisfaction, sv_would_recommend); to read a project of your own, give a mapping file (--mapping)',
      ]);
    });

    it('reports a dictionary without the standard header', () => {
      const files = good();
      files.dictionary = editCsv(files.dictionary, (t) => {
        t.header[3] = 'Type';
      });
      const problems: LocatedProblem[] = [];
      readDictionary(files.dictionary, (problem) => problems.push(problem));
      expect(lines(problems)).to.deep.equal([
        'data_dictionary.csv:1:Field Type: column of the REDCap data dictionary is missing',
        'data_dictionary.csv:1:Type: is not a column of a REDCap data dictionary',
      ]);
    });

    it('needs the study-level data: study.json or a mapping with a study section', () => {
      const { study: _study, ...files } = good();
      expect(problemsOf(files)).to.deep.equal([
        'records.csv: REDCap holds no study title, protocol, sites or practitioners: give study.json (written beside a REDCap export) or a mapping file with a "study" section',
      ]);
      const broken = good();
      const study = JSON.parse(textOf(broken.study!));
      study.study.code = 'x';
      study.practitioners[1].site = 'LDS';
      study.colour = 'blue';
      broken.study = { name: 'study.json', content: JSON.stringify(study) };
      expect(problemsOf(broken)).to.deep.equal(['study.json:colour: is not a field of this format']);
      delete study.colour;
      broken.study = { name: 'study.json', content: JSON.stringify(study) };
      expect(problemsOf(broken)).to.deep.equal([
        'study.json:practitioners[1].site: site "LDS" is not defined in sites',
        'study.json:study.code: "x" is not a valid study code (2 to 32 capital letters, digits or "-")',
      ]);
    });
  });
});
