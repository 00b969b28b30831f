// Interchange formats against a real database: csv and REDCap imports load the same study as the
// bundle (and nothing on a bad file), every de-identified export of every format is free of
// participant codes, free text and the source's dates while analysing to the same figures, and
// `smp analyze --format csv` reports the demo study's known figures.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type { AnalysisSummary } from '../../analysis/types.ts';
import { AppError } from '../../api/errors.ts';
import type { FormatFile, LocatedProblem } from '../../api/formats/types.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { analyzeStudy } from '../../api/services/analysis-service.ts';
import { deidentifyBundle } from '../../api/services/deidentify.ts';
import {
  EXPORT_FORMATS,
  analysisAsCsv,
  exportDownload,
  exportStudy,
  formatDeidentificationReport,
  importStudy,
  parseImport,
  readImport,
  readImportPath,
} from '../../api/services/format-service.ts';
import { exportBundle, importBundle } from '../../api/services/study-bundle-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { cohortBundle, demoBundle, editCsv, fileNamed, setCell, textOf, valid } from '../unit/formats/helpers.ts';
import { datesOf, leaks } from '../support/leaks.ts';

const SECRET = Buffer.alloc(32, 42);
const CREATED = new Date('2024-05-01T09:30:00Z');
const withCode = (bundle: StudyBundle, code: string): StudyBundle => ({ ...bundle, study: { ...bundle.study, code } });
const withoutStudy = ({ study: _study, ...figures }: AnalysisSummary) => figures;

/** Each de-identified participant's part of an export, as text: their rows, records or resources. */
function participantTexts(format: string, files: readonly FormatFile[], deidentified: StudyBundle): Map<string, string> {
  const texts = new Map<string, string>();
  const add = (code: string, text: string) => texts.set(code, (texts.get(code) ?? '') + text + '\n');
  const records = (file: FormatFile) => parse(textOf(file), { columns: true }) as Array<Record<string, string>>;
  switch (format) {
    case 'json':
      for (const p of JSON.parse(textOf(files[0]!)).participants) add(p.code, JSON.stringify(p));
      break;
    case 'csv':
      for (const file of files) for (const r of file.name === 'codebook.csv' ? [] : records(file)) if (r.participant_code) add(r.participant_code, JSON.stringify(r));
      break;
    case 'redcap':
      for (const r of records(fileNamed(files, 'records.csv'))) add(r.record_id!, JSON.stringify(r));
      break;
    case 'sdtm':
      for (const file of files.filter((f) => f.name.endsWith('.json'))) {
        const document = JSON.parse(textOf(file));
        const subject = document.columns.findIndex((c: { name: string }) => c.name === 'USUBJID');
        for (const row of document.rows) add(String(row[subject]).split('-').slice(-2).join('-'), JSON.stringify(row));
      }
      break;
    case 'fhir': {
      const entries = JSON.parse(textOf(files[0]!)).entry;
      const codeOfPatient = new Map<string, string>();
      for (const { resource } of entries) if (resource.resourceType === 'ResearchSubject') codeOfPatient.set(resource.individual.reference, resource.identifier[0].value);
      for (const { resource } of entries) {
        const patient = resource.subject?.reference ?? resource.individual?.reference;
        if (codeOfPatient.has(patient)) add(codeOfPatient.get(patient)!, JSON.stringify(resource));
      }
      break;
    }
  }
  expect([...texts.keys()].sort(), format).to.deep.equal(deidentified.participants.map((p) => p.code).sort());
  return texts;
}

function expectValidationError(run: () => unknown): LocatedProblem[] {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    expect((error as AppError).kind).to.equal('validation');
    return (error as AppError).problems as LocatedProblem[];
  }
  throw new Error('no validation error');
}

describe(`interchange formats (${DRIVER})`, function () {
  this.timeout(300_000);
  let db: TestDb;
  before(async () => {
    db = await freshDb();
  });
  after(async () => {
    await db?.dispose();
  });

  describe('import', () => {
    it('loads a csv zip and a REDCap zip of the demo study as the same study the bundle gives', async () => {
      const demo = demoBundle();
      for (const format of ['csv', 'redcap'] as const) {
        const download = exportDownload(exportStudy(demo, format, { createdAt: CREATED }));
        expect(download).to.include({ name: `SMP-2021-${format}.zip`, contentType: 'application/zip' });
        const bundle = parseImport(format, { zip: download.bytes, name: download.name });
        const code = `SMP-2021-${format.toUpperCase()}`;
        const result = await importStudy(db, format, { files: exportStudy(withCode(bundle, code), format).files });
        expect(result.counts).to.include({ participant: 22, treatment_session: 88 });
        expect(await exportBundle(db, code)).to.deep.equal(canonicalOrder(withCode(demo, code)));
      }
    });

    it('loads the clinic\'s own REDCap project from a folder with its mapping, REDCap file names and all', async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'smp-clinic-'));
      try {
        const clinic = new URL('../../fixtures/redcap-clinic/', import.meta.url);
        for (const name of await readdir(clinic)) fs.copyFileSync(new URL(name, clinic), path.join(folder, name));
        fs.copyFileSync(new URL('../../fixtures/redcap-mapping.example.json', import.meta.url), path.join(folder, 'redcap-mapping.example.json'));
        const result = await importStudy(db, 'redcap', await readImportPath(folder));
        expect(result).to.deep.include({ code: 'CLINIC-1', replaced: false });
        expect(result.counts).to.include({ participant: 3, treatment_session: 8, adverse_event: 1, fading_assessment: 3, satisfaction_survey: 2 });
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('writes nothing when a file has a problem, and names the file, row and column of each', async () => {
      const empty = await freshDb();
      try {
        const files = exportStudy(valid(smallBundle('BAD-1')), 'csv').files.map((file) =>
          file.name === 'sessions.csv' ? editCsv(file, (t) => setCell(t, 1, 'session_date', '2019-02-30')) : file,
        );
        let problems: LocatedProblem[] = [];
        try {
          await importStudy(empty, 'csv', { files });
          expect.fail('the import was accepted');
        } catch (error) {
          expect(error).to.be.instanceOf(AppError);
          problems = (error as AppError).problems as LocatedProblem[];
        }
        expect(problems).to.deep.equal([
          { path: 'sessions.csv:3:session_date', file: 'sessions.csv', row: 3, column: 'session_date', message: '2019-02-30 is not a calendar date' },
        ]);
        const redcap = exportStudy(valid(smallBundle('BAD-2')), 'redcap').files.map((file) =>
          file.name === 'records.csv' ? editCsv(file, (t) => setCell(t, 0, 'sex', '9')) : file,
        );
        const redcapProblems = expectValidationError(() => parseImport('redcap', { files: redcap }));
        expect(redcapProblems.map((p) => p.path)).to.deep.equal(['records.csv:2:sex']);
        expect(Object.values(await tableCounts(empty)).every((count) => count === 0)).to.equal(true);
      } finally {
        await empty.dispose();
      }
    });

    it('reads folders and zips, and zips exports reproducibly', async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'smp-export-'));
      try {
        const exported = exportStudy(demoBundle(), 'redcap', { createdAt: CREATED });
        expect(exported.files.map((file) => file.name)).to.deep.equal(['data_dictionary.csv', 'records.csv', 'study.json']);
        fs.mkdirSync(path.join(folder, 'project'));
        for (const file of exported.files) fs.writeFileSync(path.join(folder, 'project', file.name), file.content);
        fs.writeFileSync(path.join(folder, 'project.zip'), exportDownload(exported).bytes);
        for (const target of ['project', 'project.zip']) {
          const result = readImport('redcap', await readImportPath(path.join(folder, target)));
          expect(result.ok && canonicalOrder(result.bundle)).to.deep.equal(canonicalOrder(demoBundle()));
        }
        const same = exportDownload(exportStudy(demoBundle(), 'csv', { createdAt: CREATED })).bytes;
        expect(Buffer.from(exportDownload(exportStudy(demoBundle(), 'csv', { createdAt: CREATED })).bytes).equals(Buffer.from(same))).to.equal(true);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });
  });

  describe('--deidentify', () => {
    for (const [label, load] of [['the demo study', demoBundle], ['a 2,000-participant cohort', cohortBundle]] as const) {
      it(`leaves no participant code, free text or original date in any file of any format (${label})`, () => {
        const source = load();
        const deidentified = deidentifyBundle(source, SECRET).bundle;
        for (const format of EXPORT_FORMATS) {
          const exported = exportStudy(source, format, { deidentify: { secret: SECRET }, createdAt: CREATED });
          expect(exported.name).to.equal(`${source.study.code}-${format}-deidentified`);
          expect(exported.deidentification).to.deep.equal(deidentifyBundle(source, SECRET).report);
          const found = leaks(exported.files, source, deidentified);
          expect({ format, found: found.found }).to.deep.equal({ format, found: [] });
          // The scan looked for something: codes, texts and dates of the source it could have found.
          expect(found.lookedFor.participants).to.equal(source.participants.length);
          expect(found.lookedFor.texts).to.be.greaterThan(5);
          expect(found.lookedFor.dates).to.be.greaterThan(100);
          // Participant by participant, where dates are sparse: none of a participant's own
          // original dates is in their rows, unless it is also one of their own shifted dates.
          const texts = participantTexts(format, exported.files, deidentified);
          let checked = 0;
          source.participants.forEach((original, i) => {
            const pseudonymised = deidentified.participants[i]!;
            const shifted = datesOf({ ...deidentified, participants: [pseudonymised] });
            const text = texts.get(pseudonymised.code) ?? '';
            for (const date of datesOf({ ...source, participants: [original] })) {
              if (shifted.has(date)) continue;
              checked += 1;
              expect(text.includes(date), `${format}: ${original.code}'s date ${date}`).to.equal(false);
            }
          });
          expect(checked).to.be.greaterThan(3 * source.participants.length);
          // And the same scan finds them in the identified export (checked on the demo study: the cohort only adds time).
          if (format !== 'json' && source.participants.length < 100) {
            const plain = leaks(exportStudy(source, format, { createdAt: CREATED }).files, source, deidentified);
            expect(plain.participants.size, format).to.equal(source.participants.length);
            expect(plain.dates.size, format).to.be.greaterThan(0);
          }
        }
      });
    }

    it('prints a short report of what was removed or transformed', () => {
      const { deidentification } = exportStudy(demoBundle(), 'csv', { deidentify: { secret: SECRET } });
      const text = formatDeidentificationReport(deidentification!);
      expect(text.split('\n')).to.have.length(7);
      expect(text).to.contain('codes replaced by pseudonyms: 22 participants, 4 practitioners');
      expect(text).to.contain('1 adverse-event term replaced by the category');
      expect(text).to.contain(
        "- dates moved back: 183 dates; each participant's dates are moved back by a secret number of days between 1 and 364, the same for all of that participant's dates",
      );
      // Nothing derived from the shifts themselves: no figure of days at all.
      expect(text).to.not.match(/\d+ (to \d+ )?days/);
    });

    for (const [label, load] of [['the demo study', demoBundle], ['a 2,000-participant cohort', cohortBundle]] as const) {
      it(`analyses to the same figures as the original, through the csv and REDCap exports (${label})`, async () => {
        const source = load();
        const code = source.study.code;
        await importBundle(db, withCode(source, `${code}-O`));
        const original = await analyzeStudy(db, `${code}-O`);
        const byExperience = await analyzeStudy(db, `${code}-O`, { by: 'practitioner-experience' });
        for (const format of ['csv', 'redcap'] as const) {
          const exported = exportStudy(source, format, { deidentify: { secret: SECRET } });
          const bundle = parseImport(format, { files: exported.files });
          expect(canonicalOrder(bundle)).to.deep.equal(canonicalOrder(deidentifyBundle(source, SECRET).bundle));
          const deidentifiedCode = `${code}-D${format === 'csv' ? 'C' : 'R'}`;
          await importBundle(db, withCode(bundle, deidentifiedCode));
          // Figure for figure, to the last bit: the analysis does not depend on participants' order.
          expect(withoutStudy(await analyzeStudy(db, deidentifiedCode))).to.deep.equal(withoutStudy(original));
          expect(withoutStudy(await analyzeStudy(db, deidentifiedCode, { by: 'practitioner-experience' }))).to.deep.equal(withoutStudy(byExperience));
        }
        expect(original.participants.enrolled).to.equal(source.participants.length);
      });
    }
  });

  describe('smp analyze --format csv', () => {
    let rows: Array<Record<string, string>>;
    let bySite: Array<Record<string, string>>;
    before(async () => {
      await importBundle(db, withCode(demoBundle(), 'SMP-2021-A'));
      rows = parse(analysisAsCsv(await analyzeStudy(db, 'SMP-2021-A')), { columns: true });
      bySite = parse(analysisAsCsv(await analyzeStudy(db, 'SMP-2021-A', { by: 'site' })), { columns: true });
    });
    const row = (figure: string, method: RegExp, from = rows, group = 'all') => {
      const found = from.filter((r) => r.figure === figure && r.group === group && method.test(r.method!));
      expect(found, `${figure} ${group} ${method}`).to.have.length(1);
      return found[0] as Record<string, string>;
    };

    it('has the columns figure, group, n, N, estimate, lower, upper, method and one row per figure, group and method', () => {
      expect(Object.keys(rows[0]!)).to.deep.equal(['figure', 'group', 'n', 'N', 'estimate', 'lower', 'upper', 'method']);
      const keys = rows.map((r) => `${r.figure}|${r.group}|${r.method}`);
      expect(new Set(keys).size).to.equal(keys.length);
      for (const r of rows) for (const column of ['n', 'N', 'estimate', 'lower', 'upper']) expect(r[column] === '' || Number.isFinite(Number(r[column])), `${r.figure} ${column}`).to.equal(true);
    });

    it('reports the demo study\'s published figures with their intervals', () => {
      expect(row('participants.enrolled', /^count$/)).to.include({ n: '22', estimate: '22' });
      expect(row('sessions.total', /^count$/)).to.include({ n: '88' });
      expect(row('sessions.perParticipant.mean', /^mean$/)).to.include({ n: '22', estimate: '4' });
      // 0 of 22 serious: exact upper bound 1 − 0.025^(1/22) = 0.15437251281557457
      const serious = row('safety.seriousEvent', /Clopper-Pearson/);
      expect(serious).to.include({ n: '0', N: '22', estimate: '0', lower: '0' });
      expect(Number(serious.upper)).to.be.closeTo(0.15437251281557457, 1e-12);
      // 1 of 22 allergic reactions: R binom.test(1, 22) 0.001150148 0.228444398; prop.test(1, 22, correct = FALSE) 0.0080694 0.2179805
      const exact = row('safety.byCategory.allergic_reaction.participants', /Clopper-Pearson/);
      expect(exact).to.include({ n: '1', N: '22' });
      expect(Number(exact.estimate)).to.be.closeTo(1 / 22, 1e-12);
      expect(Number(exact.lower)).to.be.closeTo(0.001150148, 5e-9);
      expect(Number(exact.upper)).to.be.closeTo(0.228444398, 5e-9);
      const wilson = row('safety.byCategory.allergic_reaction.participants', /Wilson/);
      expect(Number(wilson.lower)).to.be.closeTo(0.0080694, 5e-7);
      expect(Number(wilson.upper)).to.be.closeTo(0.2179805, 5e-7);
      expect(row('safety.byCategory.allergic_reaction.events', /^count$/)).to.include({ n: '1' });
      expect(row('satisfaction.verySatisfied', /Clopper-Pearson/)).to.include({ n: '16', N: '20', estimate: '0.8' });
      expect(row('satisfaction.wouldRecommend', /Clopper-Pearson/)).to.include({ n: '20', N: '20', estimate: '1', upper: '1' });
      expect(row('satisfaction.distribution.5', /share/)).to.include({ n: '16', N: '20', estimate: '0.8' });
      const followUp = row('followUp.months.range', /minimum/);
      expect(Number(followUp.lower)).to.be.within(7, 7.5);
      expect(Number(followUp.upper)).to.be.within(31.5, 32);
      expect(row('costUsd.range', /minimum/)).to.include({ lower: '2000', upper: '4000' });
    });

    it('repeats every figure per subgroup, named by dimension and key', () => {
      const groups = [...new Set(bySite.map((r) => r.group))];
      expect(groups).to.deep.equal(['all', 'site=LON', 'site=MAN']);
      const enrolled = (group: string) => Number(row('participants.enrolled', /^count$/, bySite, group).n);
      expect(enrolled('site=LON') + enrolled('site=MAN')).to.equal(22);
      // every figure of the whole cohort is there for each site, except lists of what occurred (indications, categories, grades)
      const listed = /^(participants\.byIndication|safety\.byCategory|safety\.byGrade)\./;
      const figures = (group: string) => new Set(bySite.filter((r) => r.group === group && !listed.test(r.figure!)).map((r) => `${r.figure}|${r.method}`));
      expect([...figures('site=LON')]).to.deep.equal([...figures('all')]);
      expect([...figures('site=MAN')]).to.deep.equal([...figures('all')]);
    });
  });
});
