// `smp import` without --format and POST /studies?format=auto detect the format from the files;
// a file given to the wrong format is told what it is and which format reads it (exit 2, 415), a
// damaged zip that it is damaged (exit 2, 400), with nothing written; and `smp import --code` and
// `?code=` import a study as a new one under another code, everything else unchanged, a code
// that is taken refused by name.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { FormatFile } from '../../api/formats/types.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { exportDownload, exportStudy, type ExportFormat } from '../../api/services/format-service.ts';
import { smallBundle } from '../support/bundles.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { valid } from '../unit/formats/helpers.ts';

const CREATED = new Date('2024-01-01T00:00:00Z');

/** A study exported in `format` as the one file a download gives (a zip for a folder format). */
function downloadOf(bundle: StudyBundle, format: ExportFormat): Uint8Array {
  return exportDownload(exportStudy(bundle, format, { createdAt: CREATED })).bytes;
}

/** A zip cut off half way, as a download that stopped short. */
const truncated = (zip: Uint8Array) => zip.subarray(0, Math.floor(zip.length / 2));

/** A zip whose table of contents (central directory) has its first entry overwritten. */
function corruptDirectory(zip: Uint8Array): Uint8Array {
  const copy = new Uint8Array(zip);
  const end = copy.length - 22; // no archive comment: the end record is the last 22 bytes
  const offset = new DataView(copy.buffer).getUint32(end + 16, true);
  copy.fill(0x20, offset, offset + 16);
  return copy;
}

/** The bundle with only its study code changed, for comparing a copy with its original. */
const recoded = (bundle: StudyBundle, code: string): StudyBundle => canonicalOrder({ ...bundle, study: { ...bundle.study, code } });

describe(`import: the format detected, wrong or damaged files get a pointer, --code imports as a new study (${DRIVER})`, function () {
  this.timeout(240_000);
  const source = valid(smallBundle('SRC-1'));

  describe('smp import', () => {
    const cli = useCliWorkspace('smp-import-detection-', { migrated: true });
    const { smp } = cli;

    before(() => {
      cli.write('bundle.json', source);
      for (const format of ['csv', 'redcap', 'sdtm'] as const) cli.write(`${format}.zip`, downloadOf(source, format));
      cli.write('fhir.json', downloadOf(source, 'fhir'));
      const csvZip = downloadOf(source, 'csv');
      cli.write('truncated.zip', truncated(csvZip));
      cli.write('corrupt.zip', corruptDirectory(csvZip));
      fs.mkdirSync(path.join(cli.dir, 'redcap'));
      for (const file of exportStudy(source, 'redcap').files) fs.writeFileSync(path.join(cli.dir, 'redcap', file.name), file.content);
    });

    it('says what a wrong file is and which --format reads it (exit 2), writing nothing', () => {
      const cases: Array<[string[], string]> = [
        [['import', '--format', 'json', 'csv.zip'], 'csv.zip: This is a zip archive of a csv export: use the csv format (--format csv)'],
        [['import', '--format', 'json', 'redcap.zip'], 'redcap.zip: This is a zip archive of a REDCap export: use the redcap format (--format redcap)'],
        [['import', '--format', 'json', 'redcap'], 'redcap: This is a folder of a REDCap export: use the redcap format (--format redcap)'],
        [
          ['import', '--format', 'json', 'redcap/records.csv'],
          'redcap/records.csv: This looks like a REDCap export (records.csv): use the redcap format (--format redcap)',
        ],
        [
          ['import', 'redcap/records.csv'],
          'redcap/records.csv: This looks like a REDCap export (records.csv), one file of an export: give the folder that holds all of its files, ' +
            'or a zip of it, or name its files with --format redcap --dictionary DICT.csv --data DATA.csv',
        ],
        [['import', '--format', 'csv', 'redcap.zip'], 'redcap.zip: This is a zip archive of a REDCap export: use the redcap format (--format redcap)'],
        [['import', '--format', 'redcap', 'csv.zip'], 'csv.zip: This is a zip archive of a csv export: use the csv format (--format csv)'],
        [['import', '--format', 'csv', 'bundle.json'], 'bundle.json: This is a study bundle (smp-study-bundle/1 JSON): import it without --format (or with --format json)'],
        [
          ['import', 'sdtm.zip'],
          'sdtm.zip: This is a zip archive of an SDTM export, which no import reads: import the json, csv or redcap export of the study instead',
        ],
        [['import', 'fhir.json'], 'fhir.json: This is a FHIR export, which no import reads: import the json, csv or redcap export of the study instead'],
        [['import', '--format', 'csv', 'fhir.json'], 'fhir.json: This is a FHIR export, which no import reads: import the json, csv or redcap export of the study instead'],
      ];
      for (const [args, message] of cases) {
        const run = smp(...args);
        expect({ args, status: run.status, stderr: run.stderr }).to.deep.equal({ args, status: 2, stderr: `smp import: ${message}\n` });
      }
      const listed = smp('studies');
      expect(listed.stdout).to.contain('no studies');
    });

    it('says a zip is damaged (cut short, or its table of contents corrupt) whatever the format, writing nothing', () => {
      const damaged = {
        'truncated.zip': 'its end is missing: the file was cut short',
        'corrupt.zip': 'its table of contents is corrupt',
      };
      for (const [file, reason] of Object.entries(damaged)) {
        for (const format of [[], ['--format', 'json'], ['--format', 'csv'], ['--format', 'redcap']]) {
          const args = ['import', ...format, file];
          const run = smp(...args);
          expect({ args, status: run.status, stderr: run.stderr }).to.deep.equal({
            args,
            status: 2,
            stderr:
              `smp import: ${file} is damaged: it cannot be read as a zip archive (${reason}); ` +
              'export the study again, or zip the folder again, and import the new file\n',
          });
        }
      }
      expect(smp('studies').stdout).to.contain('no studies');
    });

    it('without --format, detects a bundle, a csv or REDCap zip and a REDCap folder, and imports each', () => {
      const given: Array<[string, string]> = [
        ['bundle.json', 'FOUND-1'],
        ['csv.zip', 'FOUND-2'],
        ['redcap.zip', 'FOUND-3'],
        ['redcap', 'FOUND-4'],
      ];
      for (const [file, code] of given) {
        const run = smp('import', file, '--code', code);
        expect({ file, status: run.status, stderr: run.stderr }).to.deep.equal({ file, status: 0, stderr: '' });
        expect(run.stdout).to.match(new RegExp(`^imported study ${code}: 2 sites, 2 practitioners, 2 participants, `));
        const exported = smp('export', code, '--format', 'json');
        expect(canonicalOrder(JSON.parse(exported.stdout))).to.deep.equal(recoded(source, code));
      }
    });

    it('--code imports a bundle and a csv export as new studies, everything else unchanged', () => {
      const first = smp('import', 'bundle.json', '--code', 'COPY-1');
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout).to.match(/^imported study COPY-1: 2 sites, 2 practitioners, 2 participants, /);
      const second = smp('import', '--format', 'csv', 'csv.zip', '--code', 'COPY-2');
      expect(second.status, second.stderr).to.equal(0);
      expect(second.stdout).to.match(/^imported study COPY-2: /);
      for (const code of ['COPY-1', 'COPY-2']) {
        const exported = smp('export', code, '--format', 'json');
        expect(exported.status, exported.stderr).to.equal(0);
        expect(canonicalOrder(JSON.parse(exported.stdout))).to.deep.equal(recoded(source, code));
      }
      // The study's own code was not taken by either copy.
      expect(smp('export', 'SRC-1').status).to.equal(2);
    });

    it('--code refuses a code that is taken (naming it) and one that is no study code', () => {
      expect(smp('import', 'bundle.json', '--code', 'TAKEN-2').status).to.equal(0);
      const taken = smp('import', '--format', 'csv', 'csv.zip', '--code', 'TAKEN-2');
      expect(taken).to.deep.include({ status: 2, stderr: 'smp import: study TAKEN-2 already exists; choose another --code, or add --replace to replace that study\n' });
      const bad = smp('import', 'bundle.json', '--code', 'copy one');
      expect(bad).to.deep.include({ status: 2, stderr: 'smp import: --code: "copy one" is not a valid study code (2 to 32 capital letters, digits or "-")\n' });
      const empty = smp('import', 'bundle.json', '--code', '');
      expect(empty.status).to.equal(2);
      expect(empty.stderr).to.contain('--code needs a study code');
    });
  });

  describe('POST /studies', () => {
    let db: TestDb;
    let server: TestServer;
    let headers: Record<string, string>;

    before(async () => {
      db = await freshDb();
      server = await startTestServer(db);
      headers = (await createTestUser(db, 'admin')).headers;
    });
    after(async () => {
      await server?.close();
      await db?.dispose();
    });

    async function post(query: string, body: BodyInit, contentType?: string) {
      const response = await fetch(`${server.base}/api/studies${query}`, {
        method: 'POST',
        headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
        body,
      });
      return { status: response.status, body: (await response.json()) as { code?: string; detail?: string; problems?: Array<{ path: string; message: string }> } };
    }
    const form = (files: readonly FormatFile[]) => {
      const data = new FormData();
      for (const file of files) data.append('files', new Blob([typeof file.content === 'string' ? file.content : Buffer.from(file.content)]), file.name);
      return data;
    };
    const stored = async (code: string) => canonicalOrder((await apiClient(server.base, headers).get(`/studies/${code}/bundle`)).body);

    it('format=auto detects a bundle, a csv zip, REDCap files and a zip sent as a form, each under its new code', async () => {
      const sent: Array<[string, BodyInit, string | undefined]> = [
        ['AUTO-1', JSON.stringify(source), 'application/json'],
        ['AUTO-2', Buffer.from(downloadOf(source, 'csv')), 'application/zip'],
        ['AUTO-3', form(exportStudy(source, 'redcap').files), undefined],
        ['AUTO-4', form([{ name: 'SRC-1-csv.zip', content: downloadOf(source, 'csv') }]), undefined],
        ['AUTO-5', form([{ name: 'SRC-1.json', content: JSON.stringify(source) }]), undefined],
      ];
      for (const [code, body, type] of sent) {
        const reply = await post(`?format=auto&code=${code}`, body, type);
        expect({ code, status: reply.status, imported: reply.body.code }).to.deep.equal({ code, status: 201, imported: code });
        expect(await stored(code)).to.deep.equal(recoded(source, code));
      }
    });

    it('a wrong file for the chosen format: 415 with what it is and the format to choose, nothing written', async () => {
      const before = await tableCounts(db);
      const cases: Array<[string, BodyInit, string | undefined, string]> = [
        ['?format=json', Buffer.from(downloadOf(source, 'csv')), 'application/zip', 'This is a zip archive of a csv export: choose the csv format'],
        ['?format=json', form([{ name: 'SRC-1-csv.zip', content: downloadOf(source, 'csv') }]), undefined, 'This is a zip archive of a csv export: choose the csv format'],
        ['?format=csv', form(exportStudy(source, 'redcap').files), undefined, 'This looks like a REDCap export: choose the redcap format'],
        ['?format=redcap', Buffer.from(downloadOf(source, 'csv')), 'application/zip', 'This is a zip archive of a csv export: choose the csv format'],
        ['?format=csv', JSON.stringify(source), 'application/json', 'This is a study bundle (smp-study-bundle/1 JSON): choose the json format'],
        [
          '?format=auto',
          Buffer.from(downloadOf(source, 'sdtm')),
          'application/zip',
          'This is a zip archive of an SDTM export, which no import reads: import the json, csv or redcap export of the study instead',
        ],
        [
          '?format=auto',
          form([{ name: 'SRC-1-fhir.json', content: downloadOf(source, 'fhir') }]),
          undefined,
          'This is a FHIR export, which no import reads: import the json, csv or redcap export of the study instead',
        ],
      ];
      for (const [query, body, type, pointer] of cases) {
        const reply = await post(query, body, type);
        expect({ query, status: reply.status, detail: reply.body.detail, problems: reply.body.problems }).to.deep.equal({
          query,
          status: 415,
          detail: pointer,
          problems: [{ path: 'query.format', message: pointer }],
        });
      }
      expect(await tableCounts(db)).to.deep.equal(before);
    });

    it('a damaged zip: 400 naming the file or the body, saying it cannot be read as a zip, whatever the format; nothing written', async () => {
      const before = await tableCounts(db);
      const csvZip = downloadOf(source, 'csv');
      const damaged = (name: string, reason: string) =>
        `${name} is damaged: it cannot be read as a zip archive (${reason}); export the study again, or zip the folder again, and import the new file`;
      const cut = 'its end is missing: the file was cut short';
      const corrupt = 'its table of contents is corrupt';
      const cases: Array<[string, BodyInit, string | undefined, string, string]> = [];
      for (const format of ['json', 'csv', 'redcap', 'auto']) {
        cases.push([`?format=${format}`, Buffer.from(truncated(csvZip)), 'application/zip', '(body)', damaged('The request body', cut)]);
        cases.push([`?format=${format}`, form([{ name: 'SRC-1-csv.zip', content: corruptDirectory(csvZip) }]), undefined, '(part) files', damaged('SRC-1-csv.zip', corrupt)]);
      }
      for (const [query, body, type, at, message] of cases) {
        const reply = await post(query, body, type);
        expect({ query, status: reply.status, detail: reply.body.detail, problems: reply.body.problems }).to.deep.equal({
          query,
          status: 400,
          detail: message,
          problems: [{ path: at, message }],
        });
      }
      expect(await tableCounts(db)).to.deep.equal(before);
    });

    it('code= that is taken is a conflict naming the code and the way out; a bad code is refused at query.code', async () => {
      expect((await post('?code=TAKEN-1', JSON.stringify(source), 'application/json')).status).to.equal(201);
      const taken = await post('?format=auto&code=TAKEN-1', Buffer.from(downloadOf(source, 'csv')), 'application/zip');
      expect(taken.status).to.equal(409);
      expect(taken.body.detail).to.equal('study TAKEN-1 already exists; import with replace=true to replace it, or with code=NEW-CODE as a new study');
      expect(taken.body.problems).to.deep.equal([{ path: 'study.code', message: 'study TAKEN-1 already exists' }]);
      const bad = await post('?code=taken', JSON.stringify(source), 'application/json');
      expect(bad.status).to.equal(400);
      expect(bad.body.problems).to.deep.equal([{ path: 'query.code', message: '"taken" is not a valid study code (2 to 32 capital letters, digits or "-")' }]);
    });
  });
});
