// The interchange formats on the command line, as real `smp` processes on the configured
// database: `smp export --format` in every format (files equal to the converters' output, as a
// folder, a zip or one file), read back by `smp import --format csv|redcap` into another database
// with equal records; `--deidentify` de-identified once with the study's key, its report on
// stderr, and no code, free text, pigment lot or original date in any file; bad csv and REDCap
// input refused with every problem at file:row:column (exit 2) and nothing written; and
// `smp analyze --format csv` checked against the demo study's published figures. The tests run
// in order: the import tests read back the files the export tests wrote.
//
// The expected exports are committed files (test/fixtures/exports/expected/) of a small fixed
// study, read by hand and spot-checked in formats-http.test.ts; they are never made by the
// exporter under test. When a format changes on purpose, rewrite them with
// `npx tsx test/fixtures/exports/regenerate.ts` and review the diff by hand, line by line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { unzipSync as unzipEntries } from 'fflate';
import { sql } from 'kysely';
import { openDb } from '../../db/kysely.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { ANALYSIS_CSV_COLUMNS } from '../../api/formats/analysis-csv.ts';
import { unzipFiles } from '../../api/formats/archive.ts';
import type { FormatFile } from '../../api/formats/types.ts';
import { type StudyBundle } from '../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { formatProblem } from '../../api/schemas/problems.ts';
import { deidentifyBundle } from '../../api/services/deidentify.ts';
import { EXPORT_FORMATS, formatDeidentificationReport, readImport } from '../../api/services/format-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { runSmp, SMP, storeOf, useCliWorkspace } from '../support/cli-workspace.ts';
import { expectDeidentifiedFrom, expectDeidentifiedShape, expectFixtureExport, FIXTURE_CODE, FIXTURE_FILE, FIXTURE_FILE_NAMES, fixtureStudy } from '../support/export-fixtures.ts';
import { DRIVER } from '../support/database.ts';
import { csvRecords, demoBundle, editCsv, setCell, textOf, valid } from '../unit/formats/helpers.ts';
import { leaks } from '../support/leaks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_FILE = path.join(ROOT, 'fixtures/smp-2021.json');
const DEMO = 'SMP-2021';
const COHORT = 'DEID-1';
/** Days in a month, as the analysis counts them (365.25 / 12). */
const MONTH_DAYS = 30.4375;

/** The files of a folder (names without the folder), in the order the export lists them. */
function folderFiles(folder: string, order: readonly string[]): FormatFile[] {
  expect(fs.readdirSync(folder).sort()).to.deep.equal([...order].sort());
  return order.map((name) => ({ name, content: new Uint8Array(fs.readFileSync(path.join(folder, name))) }));
}

function zipEntries(file: string): FormatFile[] {
  const { files, problems } = unzipFiles(path.basename(file), new Uint8Array(fs.readFileSync(file)));
  expect(problems).to.deep.equal([]);
  return files;
}

/** The demo study's files in each folder format, in the order the export writes them (it has a visit schedule, so visits.csv). */
const DEMO_FILE_NAMES = {
  csv: ['study.csv', 'visits.csv', ...FIXTURE_FILE_NAMES.csv.slice(1)],
  redcap: FIXTURE_FILE_NAMES.redcap,
  sdtm: FIXTURE_FILE_NAMES.sdtm,
  json: [`${DEMO}.json`],
  fhir: [`${DEMO}.fhir.json`],
};

describe(`smp export, import and analyze in the interchange formats (${DRIVER})`, function () {
  this.timeout(300_000);
  const cli = useCliWorkspace('smp-cli-formats-', { migrated: true });
  /** The demo study and a cohort with withdrawal reasons and many adverse events. */
  let storeA: NodeJS.ProcessEnv;
  /** Where exports are read back: empty at first. */
  let storeB: NodeJS.ProcessEnv;
  const demo = canonicalOrder(demoBundle());
  const cohort = canonicalOrder(
    valid(generateCohort({ participants: 60, seed: 8, code: COHORT, sites: 3, withdrawalRate: 0.3, adverseEventRate: 0.6 })),
  );
  const keys = new Map<string, Uint8Array>();

  const smp = (store: NodeJS.ProcessEnv, ...args: string[]) => runSmp(store, args, { cwd: cli.dir });
  const ok = (run: ReturnType<typeof smp>) => {
    expect(run.status, run.stderr).to.equal(0);
    return run;
  };
  const at = (name: string) => path.join(cli.dir, name);
  /** The stored study as its bundle, exported by the command. */
  const storedBundle = (store: NodeJS.ProcessEnv, code: string): StudyBundle => JSON.parse(ok(smp(store, 'export', code)).stdout);

  before(async () => {
    storeA = await cli.newStore('data-a');
    storeB = await cli.newStore('data-b');
    ok(smp(storeA, 'demo'));
    fs.writeFileSync(at('cohort.json'), JSON.stringify(cohort));
    ok(smp(storeA, 'import', at('cohort.json')));
    ok(smp(storeA, 'import', fileURLToPath(FIXTURE_FILE)));
    expect(cohort.participants.filter((p) => p.withdrawalReason !== null).length).to.be.greaterThan(5);

    // The studies' de-identification keys, read as the server would, to make the expected exports.
    const db = await openDb(storeOf(storeA));
    try {
      for (const code of [DEMO, COHORT]) {
        const { rows } = await sql<{ deid_key: Uint8Array }>`
          select k.deid_key from study_secret k join study s on s.study_id = k.study_id where s.code = ${code}`.execute(db.kysely);
        keys.set(code, new Uint8Array(rows[0]!.deid_key));
      }
    } finally {
      await db.close();
    }
  });
  describe('smp export --format', () => {
    it('writes json exactly as before: the bundle on stdout, with or without --format json', () => {
      const fixture = fs.readFileSync(DEMO_FILE, 'utf8');
      expect(ok(smp(storeA, 'export', DEMO)).stdout).to.equal(fixture);
      expect(smp(storeA, 'export', DEMO, '--format', 'json')).to.deep.equal({ status: 0, stdout: fixture, stderr: '' });
    });

    it('writes csv, redcap and sdtm as folders holding exactly the committed files (default folder CODE-FORMAT)', () => {
      for (const format of ['csv', 'redcap', 'sdtm'] as const) {
        const out = at(`${format}-fixture`);
        const run = ok(smp(storeA, 'export', FIXTURE_CODE, '--format', format, '--out', out));
        const names = FIXTURE_FILE_NAMES[format];
        expect(run.stdout, format).to.equal('');
        expect(run.stderr, format).to.equal(`wrote study ${FIXTURE_CODE} (${format}) to ${out}: ${names.join(', ')}\n`);
        expectFixtureExport(folderFiles(out, names), 'all', format);
        // The demo study's folders, read back by the import tests below.
        const demoOut = at(`${format}-out`);
        const demoRun = ok(smp(storeA, 'export', DEMO, '--format', format, '--out', demoOut));
        expect(demoRun.stderr, format).to.equal(`wrote study ${DEMO} (${format}) to ${demoOut}: ${DEMO_FILE_NAMES[format].join(', ')}\n`);
        folderFiles(demoOut, DEMO_FILE_NAMES[format]);
      }
      // Without --out, a folder named after the study and format, here.
      const run = ok(smp(storeA, 'export', DEMO, '--format', 'sdtm'));
      expect(run.stderr).to.match(new RegExp(`^wrote study ${DEMO} \\(sdtm\\) to ${DEMO}-sdtm: dm\\.json, dm\\.csv, ex\\.json`));
      expect(fs.readdirSync(at(`${DEMO}-sdtm`))).to.have.length(10);
    });

    it('writes sdtm for a study whose sites have no country, with a warning on stderr naming each such site', () => {
      const bundle = smallBundle('NOCOUNTRY-2');
      bundle.sites[0].country = 'GBR';
      fs.writeFileSync(at('nocountry.json'), JSON.stringify(bundle));
      ok(smp(storeA, 'import', at('nocountry.json')));
      const out = at('nocountry-sdtm');
      const run = ok(smp(storeA, 'export', 'NOCOUNTRY-2', '--format', 'sdtm', '--out', out));
      expect(run.stderr).to.equal(
        'warning: site MAN has no country, so DM.COUNTRY (required by SDTM) is empty for its 1 participant; give the site its ISO 3166-1 alpha-3 country code\n' +
          `wrote study NOCOUNTRY-2 (sdtm) to ${out}: dm.json, dm.csv, ex.json, ex.csv, ae.json, ae.csv, qs.json, qs.csv, fa.json, fa.csv\n`,
      );
      expect(fs.readFileSync(path.join(out, 'dm.csv'), 'utf8').split('\r\n')[2]).to.match(/^NOCOUNTRY-2,DM,NOCOUNTRY-2-MAN-P02,.*,$/);
      // The csv export carries no warning: the country is optional there.
      expect(ok(smp(storeA, 'export', 'NOCOUNTRY-2', '--format', 'csv', '--out', at('nocountry-csv'))).stderr).to.not.contain('warning');
    });

    it('writes fhir as one file, to stdout or to --out', () => {
      const run = ok(smp(storeA, 'export', FIXTURE_CODE, '--format', 'fhir'));
      expect(run.stderr).to.equal('');
      expectFixtureExport([{ name: `${FIXTURE_CODE}.fhir.json`, content: run.stdout }], 'all', 'fhir');
      const out = at('demo.fhir.json');
      expect(ok(smp(storeA, 'export', DEMO, '--format', 'fhir', '--out', out)).stderr).to.equal(`wrote study ${DEMO} (fhir) to ${out}\n`);
      const bundle = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(bundle).to.include({ resourceType: 'Bundle', type: 'collection' });
      expect(bundle.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient')).to.have.length(22);
    });

    it('writes a zip of one folder for a path ending in .zip, whatever the format', () => {
      for (const format of EXPORT_FORMATS) {
        for (const [code, names] of [[FIXTURE_CODE, FIXTURE_FILE_NAMES[format]], [DEMO, DEMO_FILE_NAMES[format]]] as const) {
          const out = at(`${code === DEMO ? 'demo' : 'fixture'}-${format}.ZIP`);
          const run = ok(smp(storeA, 'export', code, '--format', format, '--out', out));
          expect(run.stderr, format).to.equal(`wrote study ${code}${format === 'json' ? '' : ` (${format})`} to ${out} (${code}-${format}/ with ${names.length} file${names.length === 1 ? '' : 's'})\n`);
          const raw = unzipEntries(new Uint8Array(fs.readFileSync(out)));
          expect(Object.keys(raw), format).to.deep.equal(names.map((name) => `${code}-${format}/${name}`));
          if (code === FIXTURE_CODE) expectFixtureExport(zipEntries(out), 'all', format);
        }
      }
    });

    it('overwrites only with --force: a file, a zip, or the export\'s files in a folder (leaving other files alone)', () => {
      const folder = at('again-csv');
      ok(smp(storeA, 'export', DEMO, '--format', 'csv', '--out', folder));
      const sites = fs.readFileSync(path.join(folder, 'sites.csv'), 'utf8');
      expect(sites.split('\r\n')[0]).to.equal('study_code,site_code,site_name,country');
      fs.writeFileSync(path.join(folder, 'notes.txt'), 'mine');
      fs.writeFileSync(path.join(folder, 'sites.csv'), 'edited');
      const refused = smp(storeA, 'export', DEMO, '--format', 'csv', '--out', folder);
      expect(refused.status).to.equal(2);
      expect(refused.stderr).to.equal(
        `smp export: ${folder} holds study.csv, visits.csv, sites.csv, practitioners.csv, participants.csv, sessions.csv, adverse_events.csv, ` +
          'fading_assessments.csv, surveys.csv, codebook.csv already; add --force to overwrite them\n',
      );
      expect(fs.readFileSync(path.join(folder, 'sites.csv'), 'utf8')).to.equal('edited');
      ok(smp(storeA, 'export', DEMO, '--format', 'csv', '--out', folder, '--force'));
      expect(fs.readFileSync(path.join(folder, 'sites.csv'), 'utf8')).to.equal(sites);
      expect(fs.readFileSync(path.join(folder, 'notes.txt'), 'utf8')).to.equal('mine');
      expect(fs.readdirSync(cli.dir).filter((name) => name.endsWith('.tmp'))).to.deep.equal([]);

      const zip = at('keep.zip');
      fs.writeFileSync(zip, 'keep me');
      expect(smp(storeA, 'export', DEMO, '--format', 'redcap', '--out', zip)).to.deep.include({ status: 2, stderr: `smp export: ${zip} exists; add --force to overwrite it\n` });
      expect(fs.readFileSync(zip, 'utf8')).to.equal('keep me');
      ok(smp(storeA, 'export', DEMO, '--format', 'redcap', '--out', zip, '--force'));
      expect(zipEntries(zip).map((f) => f.name)).to.deep.equal(['data_dictionary.csv', 'records.csv', 'study.json']);

      // A single-file format needs a file name; a folder format needs a folder.
      expect(smp(storeA, 'export', DEMO, '--format', 'fhir', '--out', folder, '--force').stderr).to.equal(`smp export: ${folder} is a directory; --out needs a file name\n`);
      fs.writeFileSync(at('plain.txt'), 'x');
      const onPlainFile = smp(storeA, 'export', DEMO, '--format', 'sdtm', '--out', at('plain.txt'), '--force');
      expect(onPlainFile).to.deep.include({ status: 2, stderr: `smp export: ${at('plain.txt')} is a file; --out needs a folder for this format, or a name ending in .zip\n` });
      expect(fs.readFileSync(at('plain.txt'), 'utf8')).to.equal('x');
      // A folder is made with its parents.
      ok(smp(storeA, 'export', DEMO, '--format', 'redcap', '--out', at('nested/deeper/redcap')));
      expect(fs.readdirSync(at('nested/deeper/redcap'))).to.deep.equal(['data_dictionary.csv', 'records.csv', 'study.json']);
    });

    it('refuses an unknown format, an unknown study and an empty --out (exit 2)', () => {
      const format = smp(storeA, 'export', DEMO, '--format', 'xlsx');
      expect(format.status).to.equal(2);
      expect(format.stderr.split('\n')[0]).to.equal('smp export: --format must be json, csv, redcap, sdtm, fhir (got "xlsx")');
      expect(smp(storeA, 'export', 'NOPE-9', '--format', 'csv').stderr).to.equal('smp export: study NOPE-9 does not exist (`smp studies` lists the stored studies)\n');
      expect(fs.existsSync(at('NOPE-9-csv'))).to.equal(false);
      expect(smp(storeA, 'export', DEMO, '--format', 'csv', '--out', '').stderr.split('\n')[0]).to.equal('smp export: --out needs a directory (got an empty string)');
    });
  });

  describe('smp export --deidentify', () => {
    for (const [code, source] of [[DEMO, demo], [COHORT, cohort]] as const) {
      it(`${code}: every format de-identified once with the study's key, the report on stderr, nothing identifying in any file`, () => {
        const key = keys.get(code)!;
        const deidentified = deidentifyBundle(source, key);
        const report = formatDeidentificationReport(deidentified.report);
        expect(deidentified.report.participantCodes).to.equal(source.participants.length);
        expect(deidentified.report.termsReplaced).to.be.greaterThan(0);
        if (code === COHORT) expect(deidentified.report.withdrawalReasonsRemoved).to.be.greaterThan(5);
        for (const format of EXPORT_FORMATS) {
          const folderFormat = format === 'csv' || format === 'redcap' || format === 'sdtm';
          const out = folderFormat ? at(`${code}-${format}-deid.zip`) : at(`${code}-deid.${format}.json`);
          const run = ok(smp(storeA, 'export', code, '--format', format, '--deidentify', '--out', out));
          const files = folderFormat ? zipEntries(out) : [{ name: path.basename(out), content: new Uint8Array(fs.readFileSync(out)) }];
          if (folderFormat && code === DEMO) expect(files.map((f) => f.name), format).to.deep.equal(DEMO_FILE_NAMES[format]);
          expect(run.stderr.split('\n')[0], format).to.equal("De-identified with the study's key:");
          expect(run.stderr, format).to.equal(
            `${report}\nwrote study ${code} (${format === 'json' ? '' : `${format}, `}de-identified) to ${out}` +
              `${folderFormat ? ` (${code}-${format}-deidentified/ with ${files.length} files)` : ''}\n`,
          );
          const scan = leaks(files, source, deidentified.bundle);
          expect(scan.lookedFor.total).to.be.greaterThan(150);
          expect(scan.found, format).to.deep.equal([]);
        }
      });
    }

    it(`${FIXTURE_CODE}: every format de-identified has the committed plain export's shape, each participant's dates moved back by one shift of 1 to 364 days`, () => {
      const fixture = fixtureStudy();
      for (const format of EXPORT_FORMATS) {
        const folderFormat = format === 'csv' || format === 'redcap' || format === 'sdtm';
        const out = folderFormat ? at(`${FIXTURE_CODE}-${format}-deid.zip`) : at(`${FIXTURE_CODE}-deid.${format}.json`);
        const run = ok(smp(storeA, 'export', FIXTURE_CODE, '--format', format, '--deidentify', '--out', out));
        expect(run.stderr, format).to.contain('- codes replaced by pseudonyms: 4 participants, 2 practitioners\n- pigment lots replaced by pseudonyms: 3\n- dates moved back: 22 dates;');
        const files = folderFormat ? zipEntries(out) : [{ name: path.basename(out), content: new Uint8Array(fs.readFileSync(out)) }];
        expectDeidentifiedShape(files, 'all', format, fixture);
        if (format === 'json') expectDeidentifiedFrom(JSON.parse(textOf(files[0]!)), fixture);
        if (format === 'csv' || format === 'redcap') {
          const read = readImport(format, { files });
          if (!read.ok) throw new Error(read.problems.map(formatProblem).join('\n'));
          expectDeidentifiedFrom(read.bundle, fixture);
        }
      }
    });

    it('prints the de-identified bundle on stdout and the report on stderr; its analysis equals the stored study\'s', () => {
      const run = ok(smp(storeA, 'export', COHORT, '--deidentify'));
      expect(JSON.parse(run.stdout)).to.deep.equal(canonicalOrder(deidentifyBundle(cohort, keys.get(COHORT)!).bundle));
      expect(run.stderr).to.equal(`${formatDeidentificationReport(deidentifyBundle(cohort, keys.get(COHORT)!).report)}\n`);
      fs.writeFileSync(at('deid.json'), run.stdout);
      const fromDeidentified = ok(smp(storeA, 'analyze', at('deid.json'), '--by', 'site'));
      const fromStored = ok(smp(storeA, 'analyze', '--study', COHORT, '--by', 'site'));
      expect(fromDeidentified.stdout).to.equal(fromStored.stdout);
      expect(JSON.parse(fromStored.stdout).safety.anyEvent.n).to.be.greaterThan(10);
    });

    it('names the default folder CODE-FORMAT-deidentified', () => {
      const run = ok(smp(storeA, 'export', DEMO, '--format', 'csv', '--deidentify'));
      expect(run.stderr.split('\n').at(-2)).to.match(new RegExp(`^wrote study ${DEMO} \\(csv, de-identified\\) to ${DEMO}-csv-deidentified: study\\.csv, `));
      const participants = csvRecords(fs.readFileSync(at(`${DEMO}-csv-deidentified/participants.csv`), 'utf8'));
      expect(participants).to.have.length(22);
      for (const row of participants) expect(row.participant_code).to.match(/^P-[0-9A-HJKMNP-TV-Z]{13}$/);
    });
  });

  describe('smp import --format csv|redcap', () => {
    it('reads a csv folder back into an empty database: the records equal the original', () => {
      const run = ok(smp(storeB, 'import', '--format', 'csv', at('csv-out')));
      expect(run.stdout).to.equal(
        `imported study ${DEMO}: 2 sites, 4 practitioners, 22 participants, 88 treatment sessions, 1 adverse event, 51 fading assessments, 20 satisfaction surveys\n`,
      );
      expect(canonicalOrder(storedBundle(storeB, DEMO))).to.deep.equal(demo);
      const again = smp(storeB, 'import', '--format', 'csv', at('csv-out'));
      expect(again).to.deep.include({ status: 2, stderr: `smp import: study ${DEMO} already exists; import with --replace to replace it\n` });
    });

    it('reads csv and REDCap zips back with --replace, and the cohort too: the records equal the original', () => {
      for (const zip of ['demo-csv.ZIP', 'demo-redcap.ZIP']) {
        const format = zip.includes('redcap') ? 'redcap' : 'csv';
        expect(ok(smp(storeB, 'import', '--format', format, at(zip), '--replace')).stdout).to.match(new RegExp(`^replaced study ${DEMO}: 2 sites`));
        expect(canonicalOrder(storedBundle(storeB, DEMO)), zip).to.deep.equal(demo);
      }
      for (const format of ['csv', 'redcap'] as const) {
        const out = at(`cohort-${format}.zip`);
        ok(smp(storeA, 'export', COHORT, '--format', format, '--out', out));
        ok(smp(storeB, 'import', '--format', format, out, '--replace'));
        expect(canonicalOrder(storedBundle(storeB, COHORT)), format).to.deep.equal(cohort);
      }
    });

    it("reads a REDCap project's own export folder (REDCap's file names, a BOM, CRLF) whose date of birth gives the birth year", () => {
      const run = ok(smp(storeA, 'import', '--format', 'redcap', path.join(ROOT, 'fixtures/redcap-registry')));
      expect(run.stdout).to.equal('imported study SMP-REG-2023: 2 sites, 2 practitioners, 3 participants, 9 treatment sessions, 1 adverse event, 3 fading assessments, 2 satisfaction surveys\n');
      const stored = storedBundle(storeA, 'SMP-REG-2023');
      expect(stored.participants.map((p) => [p.code, p.birthYear])).to.deep.equal([
        ['1001', 1979],
        ['1002', 1986],
        ['1003', 1958],
      ]);
    });

    it('reads a REDCap project from --dictionary, --data and --study, and a clinic\'s own project through --mapping', () => {
      const folder = at('redcap-out');
      const run = ok(
        smp(storeB, 'import', '--format', 'redcap', '--replace', '--dictionary', path.join(folder, 'data_dictionary.csv'), '--data', path.join(folder, 'records.csv'), '--study', path.join(folder, 'study.json')),
      );
      expect(run.stdout).to.match(new RegExp(`^replaced study ${DEMO}: 2 sites, 4 practitioners, 22 participants`));
      expect(canonicalOrder(storedBundle(storeB, DEMO))).to.deep.equal(demo);

      const clinic = path.join(ROOT, 'fixtures/redcap-clinic');
      const dictionary = path.join(clinic, 'clinic_DataDictionary_2023-06-01.csv');
      const data = path.join(clinic, 'clinic_DATA_2023-06-01_1015.csv');
      const mapping = path.join(ROOT, 'fixtures/redcap-mapping.example.json');
      const imported = ok(smp(storeB, 'import', '--format', 'redcap', '--dictionary', dictionary, '--data', data, '--mapping', mapping));
      expect(imported.stdout).to.match(/^imported study CLINIC-1: \d+ sites?, \d+ practitioners?, 3 participants, /);
      const read = readImport('redcap', {
        redcap: true,
        dictionary: { name: 'dictionary.csv', content: fs.readFileSync(dictionary, 'utf8') },
        data: { name: 'data.csv', content: fs.readFileSync(data, 'utf8') },
        mapping: { name: 'mapping.json', content: fs.readFileSync(mapping, 'utf8') },
      });
      if (!read.ok) throw new Error(read.problems.map(formatProblem).join('\n'));
      const stored = storedBundle(storeB, 'CLINIC-1');
      expect(canonicalOrder(stored)).to.deep.equal(canonicalOrder(read.bundle));
      expect(stored.participants.map((p) => p.code)).to.deep.equal(['C-001', 'C-002', 'C-003']);
    });

    it('shows progress on a terminal, from reading the files to the commit', () => {
      // `script` runs the command on a pseudo-terminal, so stderr is a TTY as in a user's shell.
      const run = spawnSync('script', ['-qec', `"${process.execPath}" "${SMP}" import --format csv "${at('csv-out')}" --replace`, '/dev/null'], {
        env: storeB,
        encoding: 'utf8',
        cwd: cli.dir,
      });
      expect(run.status, run.stdout).to.equal(0);
      const steps = run.stdout.split('\r\x1b[K').map((step) => step.trim()).filter(Boolean);
      expect(steps.slice(0, 3)).to.deep.equal([`reading ${at('csv-out')}…`, 'checking the csv files…', 'validating 22 participants…']);
      expect(steps).to.include('loading 4/7: 88 treatment sessions');
      expect(steps.at(-1)).to.match(new RegExp(`^replaced study ${DEMO}: 2 sites`));
    });

    it('refuses bad csv with every problem at file:row:column (exit 2), writing nothing', () => {
      const source = readFolder(at('csv-out'));
      const bad = source
        .map((file) => {
          if (file.name === 'participants.csv') return editCsv(file, (t) => setCell(t, 1, 'sex', 'M'));
          if (file.name === 'sessions.csv') {
            return editCsv(file, (t) => {
              setCell(t, 0, 'session_date', '2018-02-30');
              setCell(t, 5, 'session_number', '1');
            });
          }
          if (file.name === 'adverse_events.csv') {
            return editCsv(file, (t) => {
              const grade = t.header.indexOf('grade');
              t.header.splice(grade, 1);
              t.rows.forEach((row) => row.splice(grade, 1));
            });
          }
          return file;
        })
        .concat([{ name: 'notes.txt', content: 'not a table' }]);
      const folder = at('bad-csv');
      fs.mkdirSync(folder);
      for (const file of bad) fs.writeFileSync(path.join(folder, file.name), file.content);

      const expected = readImport('csv', { files: bad });
      if (expected.ok) throw new Error('the bad files were accepted');
      const lines = expected.problems.map(formatProblem);
      expect(lines).to.include.members([
        'participants.csv:3:sex: must be one of female, male, other, unknown (got "M")',
        'sessions.csv:2:session_date: 2018-02-30 is not a calendar date',
        'adverse_events.csv:1:grade: column is missing',
      ]);
      expect(lines.some((line) => /^sessions\.csv:7:session_number: session number 1 is already used by sessions\.csv row 6/.test(line))).to.equal(true);
      expect(lines.some((line) => line.startsWith('notes.txt: is not a file of the csv format'))).to.equal(true);

      const fresh = smp(storeB, 'studies');
      for (const args of [[folder], [folder, '--replace']]) {
        const run = smp(storeB, 'import', '--format', 'csv', ...args);
        expect(run.status, args.join(' ')).to.equal(2);
        expect(run.stdout).to.equal('');
        expect(run.stderr).to.equal(`smp import: the csv import has ${lines.length} problems:\n${lines.join('\n')}\n`);
      }
      expect(smp(storeB, 'studies').stdout).to.equal(fresh.stdout);
      expect(canonicalOrder(storedBundle(storeB, DEMO))).to.deep.equal(demo);
    });

    it('refuses bad REDCap records with every problem at file:row:field, naming the files as given, writing nothing', () => {
      const folder = 'bad-redcap';
      fs.mkdirSync(at(folder));
      for (const name of ['data_dictionary.csv', 'study.json']) fs.copyFileSync(at(`redcap-out/${name}`), at(`${folder}/${name}`));
      const records = editCsv({ name: 'records.csv', content: fs.readFileSync(at('redcap-out/records.csv')) }, (t) => {
        setCell(t, 0, 'sex', '7'); // row 2: P01
        setCell(t, 2, 'redcap_repeat_instance', '1'); // row 4: P01's session 2 claims instance 1
        setCell(t, 3, 'session_date', '2018-13-01'); // row 5: P01's session 3
      });
      fs.writeFileSync(at(`${folder}/records.csv`), records.content);
      const dataPath = `${folder}/records.csv`;
      const run = smp(storeB, 'import', '--format', 'redcap', '--replace', '--dictionary', `${folder}/data_dictionary.csv`, '--data', dataPath, '--study', `${folder}/study.json`);
      expect(run.status).to.equal(2);
      expect(run.stdout).to.equal('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[0]).to.match(/^smp import: the redcap import has \d+ problems:$/);
      expect(lines).to.include.members([
        `${dataPath}:2:sex: "7" is not a choice code of sex; the dictionary's codes are 1 (Female), 2 (Male), 3 (Other), 4 (Unknown)`,
        `${dataPath}:4:redcap_repeat_instance: instance 1 of session for record "P01" is already on row 3`,
        `${dataPath}:5:session_date: 2018-13-01 is not a calendar date`,
      ]);
      for (const line of lines.slice(1)) expect(line).to.match(new RegExp(`^${folder}/[a-z_]+\\.(csv|json):\\d+:\\S+: `));
      // The same files as a folder: the problems name the files by their own names.
      const asFolder = smp(storeB, 'import', '--format', 'redcap', '--replace', at(folder));
      expect(asFolder.status).to.equal(2);
      expect(asFolder.stderr).to.equal(run.stderr.replaceAll(`${folder}/`, ''));
      expect(canonicalOrder(storedBundle(storeB, DEMO))).to.deep.equal(demo);
    });

    it('refuses what is not a folder or a zip, a damaged zip, and options that do not go together', () => {
      const fhir = smp(storeB, 'import', '--format', 'csv', at('demo.fhir.json'));
      expect(fhir).to.deep.include({
        status: 2,
        stderr: `smp import: ${at('demo.fhir.json')}: This is a FHIR export, which no import reads: import the json, csv or redcap export of the study instead\n`,
      });
      fs.writeFileSync(at('notes.txt'), 'notes on the study\n');
      const notZip = smp(storeB, 'import', '--format', 'csv', at('notes.txt'));
      expect(notZip).to.deep.include({
        status: 2,
        stderr: `smp import: ${at('notes.txt')} is neither a folder nor a zip archive: give the folder that holds the csv files, or a zip of it\n`,
      });
      fs.writeFileSync(at('damaged.zip'), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(40, 7)]));
      const damaged = smp(storeB, 'import', '--format', 'csv', at('damaged.zip'));
      expect(damaged).to.deep.include({
        status: 2,
        stderr:
          `smp import: ${at('damaged.zip')} is damaged: it cannot be read as a zip archive (its end is missing: the file was cut short); ` +
          'export the study again, or zip the folder again, and import the new file\n',
      });
      expect(smp(storeB, 'import', '--format', 'csv', at('absent'))).to.deep.include({ status: 2, stderr: `smp import: ${at('absent')}: no such file or folder\n` });

      const usage = (args: string[], message: string) => {
        const run = smp(storeB, 'import', ...args);
        expect(run.status, args.join(' ')).to.equal(2);
        expect(run.stderr.split('\n')[0], args.join(' ')).to.equal(`smp import: ${message}`);
        expect(run.stderr).to.contain('Usage: smp import ');
      };
      usage(['--format', 'xml', 'x'], '--format must be json, csv or redcap (got "xml")');
      usage(['--format', 'csv'], 'import --format csv needs exactly one PATH: the folder of the csv tables, or a zip of it');
      usage(['--format', 'csv', '--dictionary', 'd.csv', 'x'], '--dictionary is for --format redcap');
      usage(['x.json', '--mapping', 'm.json'], '--mapping is for --format redcap');
      usage(['--format', 'redcap'], 'import --format redcap needs one PATH (a folder or zip), or --dictionary DICT.csv --data DATA.csv');
      usage(['--format', 'redcap', '--dictionary', 'd.csv'], 'REDCap files given one by one need --dictionary DICT.csv and --data DATA.csv (missing --data)');
      usage(['--format', 'redcap', '--mapping', 'm.json'], 'REDCap files given one by one need --dictionary DICT.csv and --data DATA.csv (missing --dictionary and --data)');
      usage(['--format', 'redcap', 'folder', '--dictionary', 'd.csv', '--data', 'r.csv'], 'give REDCap files either as one folder or zip, or by --dictionary and --data, not both');
      const missing = smp(storeB, 'import', '--format', 'redcap', '--dictionary', at('none.csv'), '--data', at('none2.csv'));
      expect(missing).to.deep.include({ status: 2, stderr: `smp import: ${at('none.csv')}: no such file\n` });
    });
  });

  describe('smp analyze --format csv', () => {
    type Row = Record<(typeof ANALYSIS_CSV_COLUMNS)[number], string>;
    const rowsOf = (text: string) => csvRecords(text) as Row[];
    const find = (rows: Row[], figure: string, method = '', group = 'all') => {
      const found = rows.filter((r) => r.figure === figure && r.group === group && r.method.startsWith(method));
      expect(found, `${figure} ${method}`).to.have.length(1);
      return found[0]!;
    };
    const num = (cell: string) => Number(cell);

    it('writes the tidy table with the 2021 study\'s published figures, as R computes their intervals', () => {
      const run = ok(smp(storeA, 'analyze', '--study', DEMO, '--format', 'csv'));
      expect(run.stdout.split('\r\n')[0]).to.equal('figure,group,n,N,estimate,lower,upper,method');
      const rows = rowsOf(run.stdout);
      expect(new Set(rows.map((r) => r.group))).to.deep.equal(new Set(['all']));

      expect(find(rows, 'participants.enrolled')).to.include({ n: '22', N: '', estimate: '22', method: 'count' });
      expect(find(rows, 'sessions.total')).to.include({ n: '88', estimate: '88' });
      expect(find(rows, 'sessions.durationMinutes.range')).to.include({ n: '88', lower: '120', upper: '240' });
      // 22 of 22 adhere: exact lower bound 0.025^(1/22); Wilson's lower bound for n = N is N / (N + z²).
      const adherence = find(rows, 'sessions.protocolAdherence', 'proportion, Clopper-Pearson');
      expect(adherence).to.include({ n: '22', N: '22', estimate: '1', upper: '1' });
      expect(num(adherence.lower)).to.be.closeTo(0.025 ** (1 / 22), 1e-12);
      const z = 1.959963984540054;
      expect(num(find(rows, 'sessions.protocolAdherence', 'proportion, Wilson').lower)).to.be.closeTo(22 / (22 + z * z), 1e-12);
      // Follow-up from 215 days (P22) to 971 days (P01) after the final session (fixtures/expected-smp-2021.md).
      const followUp = find(rows, 'followUp.months.range');
      expect(num(followUp.lower)).to.be.closeTo(215 / MONTH_DAYS, 1e-12);
      expect(num(followUp.upper)).to.be.closeTo(971 / MONTH_DAYS, 1e-12);
      // Latest fading grade 0 for 15, 1 for 7.
      expect(find(rows, 'fading.latestGrade.0')).to.include({ n: '15', N: '22' });
      expect(find(rows, 'fading.latestGrade.1')).to.include({ n: '7', N: '22' });
      // No serious event: 0/22, exact upper bound 1 − 0.025^(1/22) = 0.15437251281557457.
      const serious = find(rows, 'safety.seriousEvent', 'proportion, Clopper-Pearson');
      expect(serious).to.include({ n: '0', N: '22', estimate: '0', lower: '0' });
      expect(num(serious.upper)).to.be.closeTo(1 - 0.025 ** (1 / 22), 1e-12);
      // One allergic reaction: R binom.test(1, 22)$conf.int = 0.001150148 0.228444398;
      // prop.test(1, 22, correct = FALSE)$conf.int = 0.008069428 0.217980458.
      const allergic = find(rows, 'safety.byCategory.allergic_reaction.participants', 'proportion, Clopper-Pearson');
      expect(allergic).to.include({ n: '1', N: '22' });
      expect(num(allergic.estimate)).to.be.closeTo(1 / 22, 1e-15);
      expect(num(allergic.lower)).to.be.closeTo(0.001150148, 5e-9);
      expect(num(allergic.upper)).to.be.closeTo(0.228444398, 5e-9);
      const wilson = find(rows, 'safety.byCategory.allergic_reaction.participants', 'proportion, Wilson');
      expect(num(wilson.lower)).to.be.closeTo(0.008069428, 5e-9);
      expect(num(wilson.upper)).to.be.closeTo(0.217980458, 5e-9);
      // 16 of 20 very satisfied: R binom.test(16, 20)$conf.int = 0.5633860 0.9426660; 20 of 20 would recommend.
      const verySatisfied = find(rows, 'satisfaction.verySatisfied', 'proportion, Clopper-Pearson');
      expect(verySatisfied).to.include({ n: '16', N: '20', estimate: '0.8' });
      expect(num(verySatisfied.lower)).to.be.closeTo(0.563386, 5e-7);
      expect(num(verySatisfied.upper)).to.be.closeTo(0.942666, 5e-7);
      expect(find(rows, 'satisfaction.distribution.5')).to.include({ n: '16', N: '20', estimate: '0.8' });
      expect(find(rows, 'satisfaction.distribution.4')).to.include({ n: '4', N: '20', estimate: '0.2' });
      const recommend = find(rows, 'satisfaction.wouldRecommend', 'proportion, Clopper-Pearson');
      expect(recommend).to.include({ n: '20', N: '20', estimate: '1', upper: '1' });
      expect(num(recommend.lower)).to.be.closeTo(0.025 ** (1 / 20), 1e-12);
      expect(find(rows, 'costUsd.range')).to.include({ n: '22', lower: '2000', upper: '4000' });
    });

    it('gives the same table for the bundle file, writes it to --out DIR/analysis.csv, and repeats it per subgroup with --by', () => {
      const fromStore = ok(smp(storeA, 'analyze', '--study', DEMO, '--format', 'csv')).stdout;
      expect(ok(smp(storeA, 'analyze', DEMO_FILE, '--format', 'csv')).stdout).to.equal(fromStore);
      const out = at('analysis-out');
      const written = ok(smp(storeA, 'analyze', '--study', DEMO, '--format', 'csv', '--out', out));
      expect(written).to.deep.include({ stdout: '', stderr: `wrote ${path.join(out, 'analysis.csv')}\n` });
      expect(fs.readFileSync(path.join(out, 'analysis.csv'), 'utf8')).to.equal(fromStore);

      const bySite = rowsOf(ok(smp(storeA, 'analyze', '--study', DEMO, '--format', 'csv', '--by', 'site')).stdout);
      expect([...new Set(bySite.map((r) => r.group))]).to.deep.equal(['all', 'site=LON', 'site=MAN']);
      const enrolled = ['site=LON', 'site=MAN'].map((group) => num(find(bySite, 'participants.enrolled', '', group).n));
      expect(enrolled[0]! + enrolled[1]!).to.equal(22);
      expect(enrolled.every((n) => n > 0)).to.equal(true);
      const bad = smp(storeA, 'analyze', '--study', DEMO, '--format', 'xlsx');
      expect(bad.status).to.equal(2);
      expect(bad.stderr.split('\n')[0]).to.equal('smp analyze: --format must be json, md, html or csv (got "xlsx")');
    });
  });

  it('documents the new options in each command\'s --help', () => {
    const help = (command: string) => ok(smp(storeA, command, '--help')).stdout;
    const exportHelp = help('export');
    expect(exportHelp).to.match(/^Usage: smp export CODE \[--format json\|csv\|redcap\|sdtm\|fhir\] \[--out PATH\] \[--deidentify\] \[--force\]\n/);
    for (const option of ['--format F', '--out PATH', '--deidentify', '--force']) expect(exportHelp).to.contain(`\n  ${option} `);
    const importHelp = help('import');
    expect(importHelp).to.contain('smp import --format csv|redcap (FOLDER | FILE.zip) [--replace]');
    expect(importHelp).to.contain('smp import --format redcap --dictionary DICT.csv --data DATA.csv');
    for (const option of ['--format F', '--dictionary DICT.csv', '--data DATA.csv', '--study STUDY.json', '--mapping MAP.json', '--replace', '--code NEW-CODE']) {
      expect(importHelp).to.contain(`\n  ${option}`);
    }
    const analyzeHelp = help('analyze');
    expect(analyzeHelp).to.contain('[--format json|md|html|csv]');
    expect(analyzeHelp).to.contain('figure, group, n, N, estimate, lower, upper, method');
    // The list of commands shows each command's first form only.
    const overview = ok(smp(storeA, '--help')).stdout;
    expect(overview).to.contain('  import FILE.json [--replace] [--code NEW-CODE]\n                                   load a study bundle, or csv or REDCap files (format detected)');
    expect(overview).not.to.contain('smp import --format');
  });
});

/** A folder's files by name. */
function readFolder(folder: string): FormatFile[] {
  return fs.readdirSync(folder).map((name) => ({ name, content: new Uint8Array(fs.readFileSync(path.join(folder, name))) }));
}
