// The format service's pure parts: export names and packaging, zips read back (one enclosing
// folder dropped, archiver clutter ignored, broken archives reported), REDCap files recognised by
// name, the de-identification report, and the analysis table for a study with nothing in it.
import { expect } from 'chai';
import { zipSync } from 'fflate';
import { analyzeCohort } from '../../../analysis/index.ts';
import { unzipFiles, zipStructureProblem } from '../../../api/formats/archive.ts';
import { analysisRows } from '../../../api/formats/analysis-csv.ts';
import { DATE_SHIFT_RULE } from '../../../api/services/deidentify.ts';
import { exportDownload, exportStudy, formatDeidentificationReport, readImport, redcapRoles } from '../../../api/services/format-service.ts';
import { canonical, demoBundle, lines, textOf } from './helpers.ts';

const SECRET = Buffer.alloc(32, 1);
const CREATED = new Date('2024-05-01T09:30:00Z');
const encode = (text: string) => new TextEncoder().encode(text);

describe('format service', () => {
  it('names exports by study, format and de-identification, and packs several files as a zip', () => {
    const demo = demoBundle();
    expect(exportDownload(exportStudy(demo, 'json', { createdAt: CREATED }))).to.include({ name: 'SMP-2021.json', contentType: 'application/json' });
    expect(exportDownload(exportStudy(demo, 'fhir', { createdAt: CREATED }))).to.include({ name: 'SMP-2021.fhir.json', contentType: 'application/fhir+json' });
    const deidentified = exportStudy(demo, 'json', { deidentify: { secret: SECRET } });
    expect(deidentified.files.map((f) => f.name)).to.deep.equal(['SMP-2021-deidentified.json']);
    const sdtm = exportDownload(exportStudy(demo, 'sdtm', { deidentify: { secret: SECRET }, createdAt: CREATED }));
    expect(sdtm).to.include({ name: 'SMP-2021-sdtm-deidentified.zip', contentType: 'application/zip' });
    const { files } = unzipFiles(sdtm.name, sdtm.bytes);
    expect(files.map((f) => f.name)).to.deep.equal(['dm.json', 'dm.csv', 'ex.json', 'ex.csv', 'ae.json', 'ae.csv', 'qs.json', 'qs.csv', 'fa.json', 'fa.csv']);
    expect(JSON.parse(textOf(exportStudy(demo, 'json').files[0]!))).to.deep.equal(canonical(demo));
  });

  it('reads zips with or without an enclosing folder, ignores archivers\' clutter and reports broken ones', () => {
    const flat = unzipFiles('a.zip', zipSync({ 'sites.csv': encode('x'), '__MACOSX/._sites.csv': encode('y'), 'sub/': new Uint8Array(), '.DS_Store': encode('z') }));
    expect(flat.files.map((f) => f.name)).to.deep.equal(['sites.csv']);
    const nested = unzipFiles('b.zip', zipSync({ 'export/sites.csv': encode('x'), 'export/extra/notes.txt': encode('y') }));
    expect(nested.files.map((f) => f.name)).to.deep.equal(['sites.csv', 'extra/notes.txt']);
    expect(lines(unzipFiles('c.zip', encode('not a zip')).problems)).to.deep.equal(['c.zip: is not a zip archive: give the zip of an export, or the files it holds']);
    expect(unzipFiles('c.zip', encode('not a zip')).damaged).to.equal(undefined);
    expect(lines(unzipFiles('d.zip', encode('PK\u0003\u0004 cut')).problems)).to.deep.equal([
      'd.zip: is damaged: it cannot be read as a zip archive (its end is missing: the file was cut short); export the study again, or zip the folder again, and import the new file',
    ]);
    const result = readImport('csv', { zip: encode('PK broken'), name: 'upload.zip' });
    expect(result.ok).to.equal(false);
  });

  it('tells a damaged zip by its structure: cut short, a corrupt table of contents, or one that points nowhere', () => {
    const zip = zipSync({ 'export/sites.csv': encode('site_code\nLON\n'), 'export/study.csv': encode('study_code\nS-1\n') });
    // The end record is the last 22 bytes; the table of contents' offset is at its byte 16.
    const end = zip.length - 22;
    const directory = new DataView(zip.buffer, zip.byteOffset).getUint32(end + 16, true);
    const damaged = (bytes: Uint8Array) => unzipFiles('d.zip', bytes).damaged;
    expect(zipStructureProblem(zip)).to.equal(null);
    expect(damaged(zip)).to.equal(undefined);
    expect(damaged(zip.subarray(0, zip.length - 1))).to.equal('its end is missing: the file was cut short');
    expect(damaged(zip.subarray(0, directory + 10))).to.equal('its end is missing: the file was cut short');
    const overwritten = new Uint8Array(zip);
    overwritten[directory] = 0;
    expect(damaged(overwritten)).to.equal('its table of contents is corrupt');
    const misplaced = new Uint8Array(zip);
    new DataView(misplaced.buffer).setUint32(end + 16, directory + 100, true);
    expect(damaged(misplaced)).to.equal('its table of contents points past the end of the file');
    const nowhere = new Uint8Array(zip);
    // The first entry's local header offset (byte 42 of the entry) moved off its header.
    new DataView(nowhere.buffer).setUint32(directory + 42, 1, true);
    expect(damaged(nowhere)).to.equal('its table of contents points to no file');
    // A comment after the end record, and an empty archive (the end record alone), are whole.
    const commented = new Uint8Array([...zip.subarray(0, zip.length - 2), 5, 0, ...encode('notes')]);
    expect(zipStructureProblem(commented)).to.equal(null);
    expect(unzipFiles('e.zip', commented).files.map((f) => f.name)).to.deep.equal(['sites.csv', 'study.csv']);
    expect(zipStructureProblem(zipSync({}))).to.equal(null);
  });

  it('recognises the files of a REDCap import by name, ours and REDCap\'s own', () => {
    const file = (name: string) => ({ name, content: '' });
    const roles = redcapRoles([file('MyProject_DataDictionary_2024-01-02.csv'), file('MyProject_DATA_2024-01-02_1200.csv'), file('clinic-mapping.json')]);
    expect('problems' in roles ? roles.problems : Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, v.name]))).to.deep.equal({
      dictionary: 'MyProject_DataDictionary_2024-01-02.csv',
      data: 'MyProject_DATA_2024-01-02_1200.csv',
      mapping: 'clinic-mapping.json',
    });
    const bad = redcapRoles([file('records.csv'), file('notes.txt'), file('records_DATA_x.csv')]);
    expect('problems' in bad && lines(bad.problems)).to.deep.equal([
      'notes.txt: is not a file of a REDCap import (expected data_dictionary.csv, records.csv, study.json, and optionally mapping.json)',
      'records_DATA_x.csv: is a second data file, besides records.csv',
      'data_dictionary.csv: is missing: the REDCap data dictionary is needed',
    ]);
  });

  it('prints what de-identification removed or transformed', () => {
    const text = formatDeidentificationReport({
      participantCodes: 22,
      practitionerCodes: 4,
      pigmentLots: 12,
      datesShifted: 301,
      dateShift: DATE_SHIFT_RULE,
      termsReplaced: 1,
      withdrawalReasonsRemoved: 0,
      birthYearsTopCoded: 0,
    });
    expect(text).to.equal(
      [
        "De-identified with the study's key:",
        '- codes replaced by pseudonyms: 22 participants, 4 practitioners',
        '- pigment lots replaced by pseudonyms: 12',
        "- dates moved back: 301 dates; each participant's dates are moved back by a secret number of days between 1 and 364, the same for all of that participant's dates",
        '- free text removed: 1 adverse-event term replaced by the category, 0 withdrawal reasons removed',
        '- birth years top-coded (age 90 or over): 0',
        "- kept: study code and title, protocol, site codes, names and countries, practitioners' experience, every coded value and number",
      ].join('\n'),
    );
  });

  it('writes empty cells for what a study without participants cannot estimate', () => {
    const protocol = { initialSessions: 3, sessionIntervalDays: 7, intervalToleranceDays: 3, touchUpAfterDays: 30, touchUpToleranceDays: 7, followUpMonths: { from: 7, to: 32 } };
    const rows = analysisRows(analyzeCohort({ study: { code: 'EMPTY', title: 'Empty' }, protocol, participants: [] }));
    const row = (figure: string, method: RegExp) => rows.find((r) => r.figure === figure && method.test(r.method))!;
    expect(row('participants.enrolled', /count/)).to.deep.include({ n: 0, estimate: 0 });
    expect(row('safety.anyEvent', /Clopper/)).to.deep.include({ n: 0, N: 0, estimate: null, lower: null, upper: null });
    expect(row('costUsd.median', /median/)).to.deep.include({ n: 0, estimate: null, lower: null, upper: null });
    expect(row('fading.latestGrade.0', /share/)).to.deep.include({ n: 0, N: 0, estimate: null });
    expect(rows.every((r) => r.group === 'all')).to.equal(true);
  });
});
