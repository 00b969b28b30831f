// The interchange formats over HTTP, against a real database and the real express app:
// GET /studies/:code/export in every format for each role (an administrator gets everything, a
// clinic its own site, a reviewer de-identified data, once, with the study's key, whatever
// `deidentify` says), and POST /studies?format=csv|redcap as a zip and as multipart form data
// (round trips equal to the original; every bad upload a 4xx with its problems, nothing written;
// clinics and reviewers refused).
//
// The expected exports are committed files (test/fixtures/exports/expected/), read by hand
// against the fixture study and spot-checked below with literal values; they are never made by
// the exporter under test. When a format changes on purpose, rewrite them with
// `npx tsx test/fixtures/exports/regenerate.ts` and review the diff by hand, line by line.
// De-identified exports depend on the store's secret key, so they are checked by shape.
import { expect } from 'chai';
import { sql } from 'kysely';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { unzipFiles, zipFiles } from '../../api/formats/archive.ts';
import type { FormatFile } from '../../api/formats/types.ts';
import { type StudyBundle } from '../../api/schemas/bundle.ts';
import { canonicalOrder } from '../../api/schemas/bundle-order.ts';
import { deidentifyBundle } from '../../api/services/deidentify.ts';
import {
  DEIDENTIFICATION_REPORT_FILE,
  EXPORT_FORMATS,
  exportStudy,
  formatDeidentificationReport,
  readImport,
  type ExportFormat,
} from '../../api/services/format-service.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { apiClient, startTestServer, type ApiClient, type TestServer } from '../support/http.ts';
import { leaks } from '../support/leaks.ts';
import { createTestUser } from '../support/users.ts';
import { csvRecords, editCsv, fileNamed, setCell, textOf, valid } from '../unit/formats/helpers.ts';
import { smallBundle } from '../support/bundles.ts';
import {
  expectDeidentifiedFrom,
  expectDeidentifiedShape,
  expectedText,
  expectFixtureExport,
  FIXTURE_CODE,
  FIXTURE_FILE_NAMES,
  fixtureStudy,
  type FixtureView,
} from '../support/export-fixtures.ts';
import fs from 'node:fs';

const CODE = 'FMT-1';
const CLINIC_SITE = 'S01';
const CONTENT_TYPE: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'application/zip',
  redcap: 'application/zip',
  sdtm: 'application/zip',
  fhir: 'application/fhir+json; charset=utf-8',
};

type Role = 'admin' | 'researcher' | 'clinic' | 'reviewer';

interface Download {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

const withCode = (bundle: StudyBundle, code: string): StudyBundle => ({ ...bundle, study: { ...bundle.study, code } });
const atSite = (bundle: StudyBundle, site: string): StudyBundle => ({ ...bundle, participants: bundle.participants.filter((p) => p.site === site) });

/** The file name of an attachment (`attachment; filename=X` or `filename="X"`). */
function attachmentName(headers: Headers): string {
  const header = headers.get('content-disposition') ?? '';
  expect(header).to.match(/^attachment; filename=/);
  return /filename="?([^";]+)"?/.exec(header)![1]!;
}

/** The files of a download: a zip's entries, or the one file under its attachment name. */
function filesOf(download: Download): FormatFile[] {
  const type = download.headers.get('content-type') ?? '';
  const name = attachmentName(download.headers);
  if (type.startsWith('application/zip')) {
    const { files, problems } = unzipFiles(name, download.bytes);
    expect(problems).to.deep.equal([]);
    return files;
  }
  return [{ name, content: download.bytes }];
}

describe(`interchange formats over HTTP (${DRIVER})`, function () {
  this.timeout(300_000);
  let db: TestDb;
  let server: TestServer;
  let original: StudyBundle;
  let key: Uint8Array;
  const fixture = fixtureStudy();
  const headers = {} as Record<Role | 'otherResearcher', Record<string, string>>;
  let admin: ApiClient;

  async function download(role: Role, path: string): Promise<Download> {
    const response = await fetch(`${server.base}/api${path}`, { headers: headers[role] });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  /** POST /studies with a raw body (a zip, form data or text) as `who`. */
  async function upload(who: Role | 'otherResearcher', query: string, body: Uint8Array | FormData | string, contentType?: string, extra: Record<string, string> = {}) {
    const response = await fetch(`${server.base}/api/studies${query}`, {
      method: 'POST',
      headers: { ...headers[who], ...(contentType ? { 'content-type': contentType } : {}), ...extra },
      body: body as BodyInit,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
  }

  const zipOf = (files: readonly FormatFile[], folder = 'upload') => zipFiles(folder, files, new Date('2024-01-01T00:00:00Z'));
  function formOf(parts: Array<[field: string, file: FormatFile]>, fields: Array<[string, string]> = []): FormData {
    const form = new FormData();
    for (const [field, file] of parts) form.append(field, new Blob([typeof file.content === 'string' ? file.content : Buffer.from(file.content)]), file.name);
    for (const [name, value] of fields) form.append(name, value);
    return form;
  }
  const csvFiles = (bundle: StudyBundle) => exportStudy(bundle, 'csv').files;
  const redcapFiles = (bundle: StudyBundle) => exportStudy(bundle, 'redcap').files;

  /** Everything an upload could write: table counts and the audit trail's length. */
  async function written() {
    const { rows } = await sql<{ n: string | number }>`select count(*) as n from audit_event`.execute(db.kysely);
    return { ...(await tableCounts(db)), audit: Number(rows[0]!.n) };
  }

  before(async () => {
    db = await freshDb();
    server = await startTestServer(db);
    original = canonicalOrder(valid(generateCohort({ participants: 80, seed: 31, code: CODE, sites: 3, withdrawalRate: 0.2, adverseEventRate: 0.6 })));
    expect(original.participants.some((p) => p.withdrawalReason !== null)).to.equal(true);
    headers.admin = (await createTestUser(db, 'admin')).headers;
    admin = apiClient(server.base, headers.admin);
    expect((await admin.post('/studies', original)).status).to.equal(201);
    headers.researcher = (await createTestUser(db, 'researcher', [{ studyCode: CODE, siteCode: null }, { studyCode: FIXTURE_CODE, siteCode: null }])).headers;
    headers.otherResearcher = (await createTestUser(db, 'researcher', [{ studyCode: 'OTHER-1', siteCode: null }])).headers;
    expect((await admin.post('/studies', fixture)).status).to.equal(201);
    headers.clinic = (
      await createTestUser(db, 'clinic', [
        { studyCode: CODE, siteCode: CLINIC_SITE },
        { studyCode: FIXTURE_CODE, siteCode: 'LON' },
      ])
    ).headers;
    headers.reviewer = (await createTestUser(db, 'reviewer', [{ studyCode: CODE, siteCode: null }, { studyCode: FIXTURE_CODE, siteCode: null }])).headers;
    const { rows } = await sql<{ deid_key: Uint8Array }>`
      select k.deid_key from study_secret k join study s on s.study_id = k.study_id where s.code = ${CODE}`.execute(db.kysely);
    key = new Uint8Array(rows[0]!.deid_key);
  });
  after(async () => {
    await server?.close();
    await db?.dispose();
  });

  it('describes both in the OpenAPI document: the import\'s three body types and its form parts, the export\'s media types', async () => {
    const document = (await admin.get('/openapi.json')).body;
    const importing = document.paths['/api/studies'].post;
    expect(Object.keys(importing.requestBody.content)).to.deep.equal(['application/json', 'application/zip', 'multipart/form-data']);
    expect(importing.requestBody.content['multipart/form-data'].schema.$ref).to.equal('#/components/schemas/ImportParts');
    expect(Object.keys(document.components.schemas.ImportParts.properties)).to.deep.equal(['files', 'dictionary', 'data', 'study', 'mapping']);
    expect(importing.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).to.deep.equal(['json', 'csv', 'redcap', 'auto']);
    expect(importing.responses['415'].description).to.equal('Body not sent as application/json, application/zip, multipart/form-data');
    const exporting = document.paths['/api/studies/{code}/export'].get;
    expect(Object.keys(exporting.responses['200'].content)).to.deep.equal(['application/json', 'application/fhir+json', 'application/zip']);
    expect(Object.keys(exporting.responses['200'].headers)).to.deep.equal(['Content-Disposition', 'X-Deidentification-Report', 'X-Export-Warnings']);
    expect(exporting.responses['200'].headers['X-Export-Warnings'].description).to.match(/^Present when the format requires what the study lacks/);
    expect(exporting.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).to.deep.equal(['json', 'csv', 'redcap', 'sdtm', 'fhir']);
  });

  it("exports SDTM for a study whose sites have no country, naming each such site in X-Export-Warnings", async () => {
    const bundle = smallBundle('NOCOUNTRY-1');
    bundle.sites[1].country = 'GBR';
    expect((await admin.post('/studies', bundle)).status).to.equal(201);
    const reply = await download('admin', '/studies/NOCOUNTRY-1/export?format=sdtm');
    expect(reply.status).to.equal(200);
    expect(JSON.parse(reply.headers.get('x-export-warnings')!)).to.deep.equal([
      {
        path: 'sites[0].country',
        message: 'site LON has no country, so DM.COUNTRY (required by SDTM) is empty for its 1 participant; give the site its ISO 3166-1 alpha-3 country code',
      },
    ]);
    const dm = csvRecords(textOf(fileNamed(filesOf(reply), 'dm.csv')));
    expect(dm.map((row) => [row.SITEID, row.COUNTRY])).to.deep.equal([
      ['LON', ''],
      ['MAN', 'GBR'],
    ]);
    // Other formats, and a study whose sites all have a country, carry no warning.
    expect((await download('admin', '/studies/NOCOUNTRY-1/export?format=csv')).headers.get('x-export-warnings')).to.equal(null);
    expect((await download('admin', `/studies/${CODE}/export?format=sdtm`)).headers.get('x-export-warnings')).to.equal(null);
  });

  describe('GET /studies/:code/export', () => {
    /** What each caller must receive of the fixture study: the committed view it may see, and whether de-identified with the study's key. */
    const cases: Array<{ role: Role; query: string; view: FixtureView; deidentified: boolean }> = [
      { role: 'admin', query: '', view: 'all', deidentified: false },
      { role: 'researcher', query: '&deidentify=false', view: 'all', deidentified: false },
      { role: 'clinic', query: '', view: 'site-LON', deidentified: false },
      { role: 'reviewer', query: '', view: 'all', deidentified: true },
      { role: 'reviewer', query: '&deidentify=false', view: 'all', deidentified: true },
      { role: 'admin', query: '&deidentify=true', view: 'all', deidentified: true },
      { role: 'clinic', query: '&deidentify=true', view: 'site-LON', deidentified: true },
    ];
    /** The report of a de-identified export of the fixture study, counted by hand from EXP-1.json. */
    const REPORTS: Record<FixtureView, Record<string, number | string>> = {
      // 4 participants, 2 practitioners, lots LOT-1, LOT-2, LOT-3; 22 dates (P01 1 + 4 sessions + 2 + 2 + 1 = 10,
      // P02 2 + 1 = 3, P03 1 + 2 + 2 + 1 + 1 = 7, P04 2); every event's term becomes its category (2); P02's reason goes.
      all: { participantCodes: 4, practitionerCodes: 2, pigmentLots: 3, datesShifted: 22, termsReplaced: 2, withdrawalReasonsRemoved: 1, birthYearsTopCoded: 0 },
      // P01 and P03 only: 2 practitioners are still listed, lots LOT-1 and LOT-2, 17 dates, no withdrawal.
      'site-LON': { participantCodes: 2, practitionerCodes: 2, pigmentLots: 2, datesShifted: 17, termsReplaced: 2, withdrawalReasonsRemoved: 0, birthYearsTopCoded: 0 },
    };
    for (const format of EXPORT_FORMATS) {
      for (const c of cases) {
        it(`${format}: ${c.role}${c.query ? ` with ${c.query.slice(1)}` : ''} gets ${c.view === 'all' ? 'every site' : 'site LON only'}${c.deidentified ? ', de-identified once' : ', equal to the committed files'}`, async () => {
          const reply = await download(c.role, `/studies/${FIXTURE_CODE}/export?format=${format}${c.query}`);
          expect(reply.status, new TextDecoder().decode(reply.bytes).slice(0, 300)).to.equal(200);
          expect(reply.headers.get('content-type')).to.equal(CONTENT_TYPE[format]);
          expect(reply.headers.get('cache-control')).to.equal('no-store');
          const files = filesOf(reply);
          const zipped = format !== 'json' && format !== 'fhir';
          const report = reply.headers.get('x-deidentification-report');
          if (!c.deidentified) {
            expect(attachmentName(reply.headers)).to.equal(zipped ? `${FIXTURE_CODE}-${format}.zip` : FIXTURE_FILE_NAMES[format][0]);
            expectFixtureExport(files, c.view, format);
            expect(report).to.equal(null);
            return;
          }
          expect(attachmentName(reply.headers)).to.equal(zipped ? `${FIXTURE_CODE}-${format}-deidentified.zip` : FIXTURE_FILE_NAMES[format][0]!.replace(FIXTURE_CODE, `${FIXTURE_CODE}-deidentified`));
          const dataFiles = files.filter((f) => f.name !== DEIDENTIFICATION_REPORT_FILE);
          const source = c.view === 'all' ? fixture : atSite(fixture, 'LON');
          expectDeidentifiedShape(dataFiles, c.view, format, source);
          if (format === 'json') expectDeidentifiedFrom(JSON.parse(textOf(files[0]!)), source);
          if (format === 'csv' || format === 'redcap') {
            const read = readImport(format, { files: dataFiles });
            if (!read.ok) throw new Error(JSON.stringify(read.problems));
            expectDeidentifiedFrom(read.bundle, source);
          }
          // Counts and the rule of the shift; nothing derived from the shifts themselves.
          const parsed = JSON.parse(report!);
          expect(Object.keys(parsed)).to.deep.equal([
            'participantCodes', 'practitionerCodes', 'pigmentLots', 'datesShifted', 'dateShift', 'termsReplaced', 'withdrawalReasonsRemoved', 'birthYearsTopCoded',
          ]);
          expect(parsed).to.deep.equal({
            ...REPORTS[c.view],
            dateShift: "each participant's dates are moved back by a secret number of days between 1 and 364, the same for all of that participant's dates",
          });
          if (zipped) {
            expect(files.map((f) => f.name)).to.deep.equal([...FIXTURE_FILE_NAMES[format], DEIDENTIFICATION_REPORT_FILE]);
            expect(textOf(fileNamed(files, DEIDENTIFICATION_REPORT_FILE))).to.equal(`${formatDeidentificationReport(parsed)}\n`);
          }
        });
      }
    }

    it('spot checks of the committed files, read by hand against EXP-1.json', () => {
      const csvLine = (view: FixtureView, format: ExportFormat, name: string, start: string) => expectedText(view, format, name).split('\r\n').find((line) => line.startsWith(start));
      // A formula-like term and reason are neutralised with a leading apostrophe (OWASP), in csv, REDCap and SDTM.
      expect(csvLine('all', 'csv', 'adverse_events.csv', 'EXP-1,P01,')).to.equal(
        'EXP-1,P01,allergic_reaction,"\'=HYPERLINK(""http://example.org"",""open"")",2019-01-08,2,2019-01-15,9,1,0,probable,recovered,1,1',
      );
      expect(csvLine('all', 'csv', 'participants.csv', 'EXP-1,P02,')).to.equal(
        "EXP-1,P02,DUB,female,1975,44,female_pattern_hair_loss,,0,2019-02-01,-3,2019-02-04,2019-02-04,2019-03-01,26,participant_choice,'+Moved abroad,",
      );
      // REDCap codes in the dictionary's order: site DUB 1 LON 2, sex female 1 male 2, cause participant_choice 3.
      expect(csvLine('all', 'redcap', 'records.csv', 'P02,,')).to.equal("P02,,,1,1,1975,2,,0,2019-02-01,2019-03-01,3,'+Moved abroad,,2,,,,,,,,,,,,,,,,,,,,,,,,,,,,");
      expect(csvLine('all', 'redcap', 'records.csv', 'P03,adverse_event,')).to.equal('P03,adverse_event,1,,,,,,,,,,,,,,,,,,,,1,infection,2019-03-20,2019-04-02,3,1,3,1,2,0,2,,,,,,,,,,');
      // DM: the site's country; day 1 is the first session; P04 was never treated.
      expect(csvLine('all', 'sdtm', 'dm.csv', 'EXP-1,DM,EXP-1-DUB-P02,')).to.equal(
        'EXP-1,DM,EXP-1-DUB-P02,P02,2019-02-04,2019-03-01,2019-02-04,2019-02-04,DUB,1975,44,YEARS,F,SMP,Scalp micropigmentation,SMP,Scalp micropigmentation,,IRL',
      );
      expect(csvLine('all', 'sdtm', 'dm.csv', 'EXP-1,DM,EXP-1-DUB-P04,')).to.equal(
        'EXP-1,DM,EXP-1-DUB-P04,P04,,2019-04-10,,,DUB,1968,51,YEARS,U,SMP,Scalp micropigmentation,,,"ASSIGNED, NOT TREATED",IRL',
      );
      // AE: CTCAE v5.0 term and system organ class; onset 2019-03-20 is day 10 after the first session on 2019-03-11.
      expect(csvLine('all', 'sdtm', 'ae.csv', 'EXP-1,AE,EXP-1-LON-P03,')).to.equal(
        'EXP-1,AE,EXP-1-LON-P03,1,infection,Skin infection,INFECTION,,Infections and infestations,Y,3,POSSIBLY RELATED,RECOVERED/RESOLVED,2019-03-20,2019-04-02,10,23',
      );
      // FHIR R4 seriousness codes: P01's event is not serious, P03's is.
      const events = JSON.parse(expectedText('all', 'fhir', 'EXP-1.fhir.json')).entry
        .map((e: { resource: Record<string, any> }) => e.resource)
        .filter((r: { resourceType: string }) => r.resourceType === 'AdverseEvent');
      expect(events.map((r: { seriousness: { coding: Array<{ system: string; code: string }> } }) => r.seriousness.coding[0])).to.deep.equal([
        { system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'Non-serious', display: 'Non-serious' },
        { system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'Serious', display: 'Serious' },
      ]);
      // The clinic's view holds LON's participants only.
      expect(csvRecords(expectedText('site-LON', 'csv', 'participants.csv')).map((r) => r.participant_code)).to.deep.equal(['P01', 'P03']);
    });

    for (const format of EXPORT_FORMATS) {
      it(`${format}: a reviewer's export of a large cohort holds no code, free text, pigment lot or original date`, async () => {
        const reply = await download('reviewer', `/studies/${CODE}/export?format=${format}`);
        expect(reply.status).to.equal(200);
        const scan = leaks(filesOf(reply), original, deidentifyBundle(original, key).bundle);
        expect(scan.lookedFor.total).to.be.greaterThan(300);
        expect(scan.found).to.deep.equal([]);
      });
    }

    it("csv and redcap exports read back as the caller's view: a clinic's holds its site's participants only", async () => {
      for (const format of ['csv', 'redcap'] as const) {
        const clinic = readImport(format, { files: filesOf(await download('clinic', `/studies/${CODE}/export?format=${format}`)) });
        if (!clinic.ok) throw new Error(JSON.stringify(clinic.problems));
        const atClinic = original.participants.filter((p) => p.site === CLINIC_SITE);
        expect(atClinic.length).to.be.within(10, original.participants.length - 10);
        expect(clinic.bundle.participants.map((p) => p.site)).to.deep.equal(atClinic.map(() => CLINIC_SITE));
        expect(canonicalOrder(clinic.bundle)).to.deep.equal(atSite(original, CLINIC_SITE));
        const full = readImport(format, { files: filesOf(await download('admin', `/studies/${CODE}/export?format=${format}`)) });
        expect(full.ok && canonicalOrder(full.bundle)).to.deep.equal(original);
      }
      const dm = JSON.parse(textOf(fileNamed(filesOf(await download('clinic', `/studies/${CODE}/export?format=sdtm`)), 'dm.json')));
      const site = dm.columns.findIndex((column: { name: string }) => column.name === 'SITEID');
      expect(new Set(dm.rows.map((row: unknown[]) => row[site]))).to.deep.equal(new Set([CLINIC_SITE]));
      const fhir = JSON.parse(textOf(filesOf(await download('clinic', `/studies/${CODE}/export?format=fhir`))[0]!));
      const patients = fhir.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient');
      expect(patients.length).to.equal(atSite(original, CLINIC_SITE).participants.length);
    });

    it("a reviewer's export uses the same pseudonyms as the reviewer's bundle and participant pages (de-identified once, not twice)", async () => {
      const exported = JSON.parse(new TextDecoder().decode((await download('reviewer', `/studies/${CODE}/export?format=json`)).bytes));
      const bundle = JSON.parse(new TextDecoder().decode((await download('reviewer', `/studies/${CODE}/bundle`)).bytes));
      expect(exported).to.deep.equal(bundle);
      const { rows } = await sql<{ pseudonym: string }>`
        select p.pseudonym from participant p join study s on s.study_id = p.study_id where s.code = ${CODE} order by p.pseudonym`.execute(db.kysely);
      expect(exported.participants.map((p: { code: string }) => p.code).sort()).to.deep.equal(rows.map((r) => r.pseudonym));
    });

    it('refuses an unknown format, an unknown option, a study out of scope and an anonymous caller', async () => {
      const bad = await admin.get(`/studies/${CODE}/export?format=xlsx&deidentify=yes`);
      expect(bad.status).to.equal(400);
      expect(bad.body.problems).to.deep.equal([
        { path: 'query.format', message: 'must be json, csv, redcap, sdtm or fhir (got "xlsx")' },
        { path: 'query.deidentify', message: 'must be true or false' },
      ]);
      expect((await admin.get(`/studies/${CODE}/export?format=csv&zip=1`)).status).to.equal(400);
      expect((await admin.get('/studies/NOPE-1/export?format=csv')).status).to.equal(404);
      expect((await download('clinic', '/studies/OTHER-1/export?format=csv')).status).to.equal(404);
      expect((await fetch(`${server.base}/api/studies/${CODE}/export?format=csv`)).status).to.equal(401);
    });
  });

  describe('POST /studies?format=csv|redcap', () => {
    const expectStored = async (code: string, bundle: StudyBundle) => {
      const stored = await admin.get(`/studies/${code}/bundle`);
      expect(stored.status).to.equal(200);
      expect(canonicalOrder(stored.body)).to.deep.equal(canonicalOrder(bundle));
    };

    it('imports csv as a zip and as multipart form data, equal to the original', async () => {
      const zipped = withCode(original, 'CSV-ZIP');
      const asZip = await upload('admin', '?format=csv', zipOf(csvFiles(zipped), 'CSV-ZIP-csv'), 'application/zip');
      expect(asZip.status, JSON.stringify(asZip.body)).to.equal(201);
      expect(asZip.headers.get('location')).to.equal('/api/studies/CSV-ZIP');
      expect(asZip.body).to.deep.include({ code: 'CSV-ZIP', replaced: false });
      expect(asZip.body.counts.participant).to.equal(original.participants.length);
      await expectStored('CSV-ZIP', zipped);

      const parted = withCode(original, 'CSV-PARTS');
      const asParts = await upload('admin', '?format=csv', formOf(csvFiles(parted).map((f) => ['files', f])));
      expect(asParts.status, JSON.stringify(asParts.body)).to.equal(201);
      await expectStored('CSV-PARTS', parted);
    });

    it('imports a REDCap project as a zip and as multipart parts, equal to the original', async () => {
      const zipped = withCode(original, 'RC-ZIP');
      const asZip = await upload('admin', '?format=redcap', zipOf(redcapFiles(zipped)), 'application/zip');
      expect(asZip.status, JSON.stringify(asZip.body)).to.equal(201);
      await expectStored('RC-ZIP', zipped);

      const parted = withCode(original, 'RC-PARTS');
      const files = redcapFiles(parted);
      const form = formOf([
        ['dictionary', fileNamed(files, 'data_dictionary.csv')],
        ['data', fileNamed(files, 'records.csv')],
        ['study', fileNamed(files, 'study.json')],
      ]);
      const asParts = await upload('admin', '?format=redcap', form);
      expect(asParts.status, JSON.stringify(asParts.body)).to.equal(201);
      await expectStored('RC-PARTS', parted);
    });

    it("imports a clinic's own REDCap project through a mapping part, and reports its unmapped fields at their row and column", async () => {
      const fixture = (name: string): FormatFile => ({ name, content: new Uint8Array(fs.readFileSync(new URL(`../../fixtures/redcap-clinic/${name}`, import.meta.url))) });
      const dictionary = fixture('clinic_DataDictionary_2023-06-01.csv');
      const data = fixture('clinic_DATA_2023-06-01_1015.csv');
      const mappingText = fs.readFileSync(new URL('../../fixtures/redcap-mapping.example.json', import.meta.url), 'utf8');
      const strict = JSON.parse(mappingText);
      strict.ignore = ['consent_signed'];
      const before = await written();
      const refused = await upload('admin', '?format=redcap', formOf([['dictionary', dictionary], ['data', data], ['mapping', { name: 'mapping.json', content: JSON.stringify(strict) }]]));
      expect(refused.status).to.equal(400);
      expect(refused.body.problems.map((p: { path: string }) => p.path)).to.deep.equal([
        'clinic_DATA_2023-06-01_1015.csv:1:referral_source',
        'clinic_DATA_2023-06-01_1015.csv:11:redcap_repeat_instrument',
      ]);
      expect(refused.body.problems[0]).to.include({ file: 'clinic_DATA_2023-06-01_1015.csv', row: 1, column: 'referral_source' });
      expect(await written()).to.deep.equal(before);

      const imported = await upload('admin', '?format=redcap', formOf([['dictionary', dictionary], ['data', data], ['mapping', { name: 'redcap-mapping.example.json', content: mappingText }]]));
      expect(imported.status, JSON.stringify(imported.body)).to.equal(201);
      expect(imported.body.code).to.equal('CLINIC-1');
      const stored = await admin.get('/studies/CLINIC-1/bundle');
      expect(stored.body.participants.map((p: { code: string; site: string }) => [p.code, p.site])).to.deep.equal([
        ['C-001', 'LON'],
        ['C-002', 'LDS'],
        ['C-003', 'LDS'],
      ]);
    });

    it('replaces a study with replace=true for its researcher, keeping the replaced study and the reason in the audit trail', async () => {
      const changed = { ...original, study: { ...original.study, title: 'Replaced from csv' }, participants: original.participants.slice(0, 30) };
      const conflict = await upload('researcher', '?format=csv', zipOf(csvFiles(changed)), 'application/zip');
      expect(conflict.status).to.equal(409);
      expect(conflict.body.problems).to.deep.equal([{ path: 'study.code', message: `study ${CODE} already exists` }]);
      const replaced = await upload('researcher', '?format=csv&replace=true', formOf(csvFiles(changed).map((f) => ['files', f])), undefined, {
        'x-change-reason': encodeURIComponent('Corrected export from the clinic’s spreadsheet'),
      });
      expect(replaced.status, JSON.stringify(replaced.body)).to.equal(200);
      expect(replaced.body).to.deep.include({ code: CODE, replaced: true });
      await expectStored(CODE, changed);
      const audit = await admin.get(`/studies/${CODE}/audit?entity=study`);
      const entry = audit.body.items.find((e: { action: string }) => e.action === 'replace');
      expect(entry).to.deep.include({ action: 'replace', reason: 'Corrected export from the clinic’s spreadsheet', bundleAvailable: true });
      expect(entry.user.role).to.equal('researcher');
      expect(entry.after).to.deep.include({ title: 'Replaced from csv' });
      const kept = await admin.get(`/studies/${CODE}/audit/${entry.id}/bundle`);
      expect(canonicalOrder(kept.body)).to.deep.equal(original);
      // Put the original back for the other tests.
      expect((await admin.post('/studies?replace=true', original)).status).to.equal(200);
    });

    it('reads a large upload on a worker thread, with the same result', async () => {
      const cohort = canonicalOrder(valid(generateCohort({ participants: 400, seed: 5, code: 'CSV-BIG' })));
      const files = csvFiles(cohort);
      expect(files.reduce((n, f) => n + textOf(f).length, 0)).to.be.greaterThan(3 * 64 * 1024);
      const reply = await upload('admin', '?format=csv', formOf(files.map((f) => ['files', f])));
      expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).to.equal(201);
      await expectStored('CSV-BIG', cohort);
      // A large bad upload reports its problems the same way.
      const bad = files.map((f) => (f.name === 'sessions.csv' ? editCsv(f, (t) => setCell(t, 2, 'session_date', '2021-02-30')) : f));
      const refused = await upload('admin', '?format=csv', zipOf(bad), 'application/zip');
      expect(refused.status).to.equal(400);
      expect(refused.body.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`)).to.include(
        'sessions.csv:4:session_date: 2021-02-30 is not a calendar date',
      );
    });

    describe('bad uploads: a 4xx with every problem, and nothing written', () => {
      let before: Awaited<ReturnType<typeof written>>;
      let small: TestServer;
      beforeEach(async () => {
        before = await written();
      });
      afterEach(async () => {
        expect(await written()).to.deep.equal(before);
      });
      after(async () => {
        await small?.close();
      });

      const problemsOf = (reply: { body: { problems: Array<{ path: string; message: string }> } }) => reply.body.problems.map((p) => `${p.path}: ${p.message}`);

      it('a body that is not a zip', async () => {
        const reply = await upload('admin', '?format=csv', 'participant_code,site_code\nP1,S01\n', 'application/zip');
        expect(reply.status).to.equal(400);
        expect(reply.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(problemsOf(reply)).to.deep.equal(['(body): is not a zip archive: give the zip of an export, or the files it holds']);
      });

      it('a zip without a table, and one with a bad cell: each problem at its file, row and column', async () => {
        const bundle = withCode(original, 'BAD-1');
        const missing = await upload('admin', '?format=csv', zipOf(csvFiles(bundle).filter((f) => f.name !== 'surveys.csv')), 'application/zip');
        expect(missing.status).to.equal(400);
        expect(problemsOf(missing)).to.deep.equal(['surveys.csv: is missing (every table is needed, with its header row even when it has no rows)']);
        const badCells = csvFiles(bundle).map((f) =>
          f.name === 'participants.csv' ? editCsv(f, (t) => setCell(t, 1, 'birth_year', 'nineteen-eighty')) : f,
        );
        const bad = await upload('admin', '?format=csv', formOf(badCells.map((f) => ['files', f])));
        expect(bad.status).to.equal(400);
        expect(bad.body.problems).to.have.length(1);
        expect(bad.body.problems[0]).to.include({ path: 'participants.csv:3:birth_year', file: 'participants.csv', row: 3, column: 'birth_year' });
      });

      it('REDCap parts: a missing data part, an unknown part, a part sent twice, a field that is not a file', async () => {
        const files = redcapFiles(withCode(original, 'BAD-2'));
        const reply = await upload(
          'admin',
          '?format=redcap',
          formOf(
            [
              ['dictionary', fileNamed(files, 'data_dictionary.csv')],
              ['study', fileNamed(files, 'study.json')],
              ['study', fileNamed(files, 'study.json')],
              ['notes', { name: 'notes.txt', content: 'hello' }],
            ],
            [['comment', 'from the clinic']],
          ),
        );
        expect(reply.status).to.equal(400);
        // The body's own problems first (a field is not a file), then the parts' roles.
        expect(problemsOf(reply)).to.deep.equal(['(part) comment: is not a file: send files only (the options go in the query)']);
        const again = await upload(
          'admin',
          '?format=redcap',
          formOf([
            ['dictionary', fileNamed(files, 'data_dictionary.csv')],
            ['study', fileNamed(files, 'study.json')],
            ['study', fileNamed(files, 'study.json')],
            ['notes', { name: 'notes.txt', content: 'hello' }],
          ]),
        );
        expect(again.status).to.equal(400);
        expect(problemsOf(again)).to.deep.equal([
          '(part) study: is sent twice (study.json and study.json)',
          '(part) notes: is not a part of a REDCap import (its parts are dictionary, data, study, mapping)',
          '(part) data: is missing: the REDCap records export is needed',
        ]);
      });

      it('csv parts under another name, a file sent twice, no files at all', async () => {
        const files = csvFiles(withCode(original, 'BAD-3'));
        const reply = await upload('admin', '?format=csv', formOf([...files.map((f): [string, FormatFile] => ['files', f]), ['extra', files[0]!], ['files', files[1]!]]));
        expect(reply.status).to.equal(400);
        expect(problemsOf(reply)).to.deep.equal([
          '(part) extra: is not a part of a csv import: send each table as a part named files',
          '(part) files: sites.csv is sent twice',
        ]);
        const empty = await upload('admin', '?format=csv', formOf([]));
        expect(empty.status).to.equal(400);
      });

      it('a malformed form, too many files, an unknown media type, and a body that does not match the format', async () => {
        const noBoundary = await upload('admin', '?format=csv', 'x', 'multipart/form-data');
        expect(noBoundary.status).to.equal(400);
        expect(problemsOf(noBoundary)).to.deep.equal(['(header) Content-Type: multipart/form-data needs a boundary parameter']);
        const cut = await upload('admin', '?format=csv', '--b\r\ncontent-disposition: form-data; name="files"; filename="a.csv"\r\n\r\nabc', 'multipart/form-data; boundary=b');
        expect(cut.status).to.equal(400);
        expect(problemsOf(cut)[0]).to.match(/^\(body\): is not well-formed multipart\/form-data/);
        const many = await upload('admin', '?format=csv', formOf(Array.from({ length: 33 }, (_, i): [string, FormatFile] => ['files', { name: `t${i}.csv`, content: 'a\n1\n' }])));
        expect(many.status).to.equal(400);
        expect(problemsOf(many)).to.deep.equal(['(body): has more than 32 files']);
        const csvText = await upload('admin', '?format=csv', 'a,b\n1,2\n', 'text/csv');
        expect(csvText.status).to.equal(415);
        expect(csvText.body.detail).to.equal('the request body must be one of application/json, application/zip, multipart/form-data, not text/csv');
        const zipWithoutFormat = await upload('admin', '', zipOf(csvFiles(original)), 'application/zip');
        expect(zipWithoutFormat.status).to.equal(415);
        expect(zipWithoutFormat.body.detail).to.equal('This is a zip archive of a csv export: choose the csv format');
        expect(problemsOf(zipWithoutFormat)).to.deep.equal(['query.format: This is a zip archive of a csv export: choose the csv format']);
        const jsonAsCsv = await upload('admin', '?format=csv', JSON.stringify(withCode(original, 'BAD-4')), 'application/json');
        expect(jsonAsCsv.status).to.equal(415);
        expect(problemsOf(jsonAsCsv)).to.deep.equal(['query.format: This is a study bundle (smp-study-bundle/1 JSON): choose the json format']);
        const noBody = await fetch(`${server.base}/api/studies?format=redcap`, { method: 'POST', headers: headers.admin });
        expect(noBody.status).to.equal(400);
        expect((await noBody.json()).problems).to.deep.equal([{ path: '(body)', message: 'is missing: send the files as a zip or as multipart/form-data' }]);
        const unknownFormat = await upload('admin', '?format=sdtm', zipOf(csvFiles(original)), 'application/zip');
        expect(unknownFormat.status).to.equal(400);
        expect(problemsOf(unknownFormat)).to.deep.equal(['query.format: must be json, csv, redcap or auto (got "sdtm")']);
      });

      it('a body over the import limit: zip, multipart, and multipart sent in chunks without a length', async () => {
        small = await startTestServer(db, { importLimitBytes: 10_000 });
        const files = csvFiles(withCode(original, 'BIG-1'));
        const zip = zipOf(files);
        expect(zip.length).to.be.greaterThan(10_000);
        const post = (body: BodyInit, contentType?: string) =>
          fetch(`${small.base}/api/studies?format=csv`, {
            method: 'POST',
            headers: { ...headers.admin, ...(contentType ? { 'content-type': contentType } : {}) },
            body,
            duplex: 'half',
          } as RequestInit);
        const expectTooLarge = async (response: Response) => {
          expect(response.status).to.equal(413);
          const body = await response.json();
          expect(body.problems).to.deep.equal([{ path: '(body)', message: 'is over the 10,000-byte limit' }]);
        };
        await expectTooLarge(await post(Buffer.from(zip), 'application/zip'));
        const form = formOf(files.map((f) => ['files', f]));
        await expectTooLarge(await post(form));
        // The same form streamed: no Content-Length, so the limit is counted as the bytes arrive.
        const encoded = new Response(form);
        const type = encoded.headers.get('content-type')!;
        const bytes = new Uint8Array(await encoded.arrayBuffer());
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 8192) controller.enqueue(bytes.slice(at, at + 8192));
            controller.close();
          },
        });
        await expectTooLarge(await post(stream, type));
        // Under the limit the same server imports (a small study).
        const tiny = withCode({ ...original, participants: original.participants.slice(0, 2) }, 'TINY-1');
        const ok = await post(Buffer.from(zipOf(csvFiles(tiny))), 'application/zip');
        expect(ok.status).to.equal(201);
        before = await written();
      });

      it('clinic and reviewer imports are refused (403) whatever the body holds, even over another study', async () => {
        const bundle = withCode(original, 'BAD-5');
        for (const role of ['clinic', 'reviewer'] as const) {
          const asZip = await upload(role, '?format=csv', zipOf(csvFiles(bundle)), 'application/zip');
          expect(asZip.status, role).to.equal(403);
          expect(asZip.body.detail).to.equal('your role may not import studies: only administrators and researchers do');
          const asParts = await upload(role, '?format=redcap&replace=true', formOf([['dictionary', { name: 'x.csv', content: 'not a dictionary' }]]));
          expect(asParts.status, role).to.equal(403);
          const notAZip = await upload(role, '?format=csv', 'junk', 'application/zip');
          expect(notAZip.status, role).to.equal(403);
        }
        // A researcher creates no study, and replaces only those granted to them.
        expect((await upload('researcher', '?format=csv', zipOf(csvFiles(bundle)), 'application/zip')).status).to.equal(403);
        expect((await upload('otherResearcher', '?format=csv&replace=true', zipOf(csvFiles(original)), 'application/zip')).status).to.equal(403);
      });
    });
  });
});
