// Export and import in every format from the web page, in a real browser on the demo study
// SMP-2021 (2 sites, 22 participants): the Studies page and the dashboard download each format,
// plain or de-identified (a reviewer's always de-identified); each importable download goes back
// in through the import form, detected or chosen, as a new study under another code; and a wrong
// file, a code that is taken, and a file no import reads each get a message that says what the
// file is and what to do, in the page's words. axe-core checks the page; no unexpected error.
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { DRIVER } from '../support/database.ts';
import { expectAccessible, openAs, problemsExcept, startWebApp, type WebApp } from '../support/web-app.ts';

const CODE = 'SMP-2021';
const FORMATS = ['json', 'csv', 'redcap', 'sdtm', 'fhir'] as const;

/** The file each format downloads as, plain and de-identified (names the server gives). */
const FILE_NAMES: Record<(typeof FORMATS)[number], [plain: string, deidentified: string]> = {
  json: [`${CODE}.json`, `${CODE}-deidentified.json`],
  csv: [`${CODE}-csv.zip`, `${CODE}-csv-deidentified.zip`],
  redcap: [`${CODE}-redcap.zip`, `${CODE}-redcap-deidentified.zip`],
  sdtm: [`${CODE}-sdtm.zip`, `${CODE}-sdtm-deidentified.zip`],
  fhir: [`${CODE}.fhir.json`, `${CODE}-deidentified.fhir.json`],
};

interface Downloaded {
  name: string;
  bytes: Buffer;
}

/** Chooses the format and the de-identify box of an export control, clicks Export, and keeps the file. */
async function exportFrom(page: Page, prefix: string, format: string, deidentify: boolean): Promise<Downloaded> {
  await page.locator(`#${prefix}-format`).selectOption(format);
  const box = page.locator(`#${prefix}-deidentify`);
  if ((await box.isChecked()) !== deidentify) await box.setChecked(deidentify);
  const link = page.locator(`#${prefix}-format`).locator('xpath=..').getByRole('link', { name: /^Export/ });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return { name: download.suggestedFilename(), bytes: readFileSync(path!) };
}

/** Sends files through the import form; resolves with the text of its result. */
async function importThrough(page: Page, files: Downloaded[], options: { format?: string; code?: string; replace?: boolean } = {}): Promise<string> {
  await page.locator('#import-files').setInputFiles(files.map((file) => ({ name: file.name, mimeType: 'application/octet-stream', buffer: file.bytes })));
  await page.getByLabel('Format', { exact: true }).selectOption(options.format ?? 'auto');
  await page.getByLabel('Import as a new study with the code (optional)').fill(options.code ?? '');
  await page.getByLabel('Replace the existing study').setChecked(options.replace ?? false);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const result = page.locator('#import-result');
  await result.locator('.ok, .error-box').waitFor();
  return (await result.textContent())!.replace(/\s+/g, ' ').trim();
}

describe(`browser: export and import in every format (${DRIVER})`, function () {
  this.timeout(240_000);
  let app: WebApp;

  before(async () => {
    app = await startWebApp();
  });
  after(async () => {
    await app?.close();
  });

  it('exports every format from the Studies page, plain and de-identified, and imports each importable one as a new study', async () => {
    const admin = await openAs(app, app.users.admin);
    try {
      const { page } = admin;
      await page.goto(`${app.base}/`);
      await page.locator('table#studies').waitFor();
      const prefix = `export-${CODE}`;
      const downloads: Record<string, Downloaded> = {};
      for (const format of FORMATS) {
        for (const deidentify of [false, true]) {
          const file = await exportFrom(page, prefix, format, deidentify);
          expect(file.name).to.equal(FILE_NAMES[format][deidentify ? 1 : 0]);
          downloads[`${format}${deidentify ? '-deidentified' : ''}`] = file;
        }
      }
      // What each download holds: the bundle, the FHIR Bundle, and the zips' folders.
      expect(JSON.parse(downloads['json']!.bytes.toString('utf8'))).to.deep.include({ format: 'smp-study-bundle/1' });
      expect(JSON.parse(downloads['json']!.bytes.toString('utf8')).participants).to.have.length(22);
      expect(JSON.parse(downloads['fhir']!.bytes.toString('utf8'))).to.include({ resourceType: 'Bundle', type: 'collection' });
      expect(Object.keys(unzipSync(downloads['csv']!.bytes))).to.include(`${CODE}-csv/participants.csv`);
      expect(Object.keys(unzipSync(downloads['redcap']!.bytes))).to.include(`${CODE}-redcap/records.csv`);
      expect(Object.keys(unzipSync(downloads['sdtm']!.bytes))).to.include(`${CODE}-sdtm/dm.json`);
      // A de-identified export carries its report and none of the participant codes.
      const deidentifiedCsv = unzipSync(downloads['csv-deidentified']!.bytes);
      expect(Object.keys(deidentifiedCsv)).to.include(`${CODE}-csv-deidentified/deidentification-report.txt`);
      const plainCodes = JSON.parse(downloads['json']!.bytes.toString('utf8')).participants.map((p: { code: string }) => p.code) as string[];
      const deidentifiedBundle = JSON.parse(downloads['json-deidentified']!.bytes.toString('utf8'));
      expect(deidentifiedBundle.participants.map((p: { code: string }) => p.code).filter((c: string) => plainCodes.includes(c))).to.deep.equal([]);

      // Each importable download goes back in, its format detected, as a new study.
      const imports: Array<[string, string, string | undefined]> = [
        ['json', 'WEB-JSON', undefined],
        ['csv', 'WEB-CSV', undefined],
        ['redcap', 'WEB-REDCAP', undefined],
        ['csv-deidentified', 'WEB-CSV-DEID', 'csv'],
      ];
      for (const [key, code, format] of imports) {
        const text = await importThrough(page, [downloads[key]!], { code, ...(format ? { format } : {}) });
        expect(text).to.equal(`Imported study ${code}.`);
        const row = page.locator('table#studies tbody tr', { has: page.locator('th', { hasText: code }) });
        await row.waitFor();
        expect((await row.locator('td').nth(2).textContent())!.trim()).to.equal('22');
      }
      // The REDCap files chosen one by one, not zipped.
      const redcapFiles = Object.entries(unzipSync(downloads['redcap']!.bytes)).map(([name, bytes]) => ({ name: name.split('/').pop()!, bytes: Buffer.from(bytes) }));
      expect(await importThrough(page, redcapFiles, { code: 'WEB-REDCAP-FILES' })).to.equal('Imported study WEB-REDCAP-FILES.');
      await expectAccessible(page, 'the studies page after imports');
      expect(admin.problems).to.deep.equal([]);
    } finally {
      await admin.close();
    }
  });

  it('a wrong file says what it is and which format to choose; a code that is taken speaks of the checkbox', async () => {
    const admin = await openAs(app, app.users.admin);
    try {
      const { page } = admin;
      await page.goto(`${app.base}/`);
      await page.locator('table#studies').waitFor();
      const prefix = `export-${CODE}`;
      const csvZip = await exportFrom(page, prefix, 'csv', false);
      const sdtmZip = await exportFrom(page, prefix, 'sdtm', false);
      const bundle = await exportFrom(page, prefix, 'json', false);

      const wrong = await importThrough(page, [csvZip], { format: 'json', code: 'WRONG-1' });
      expect(wrong).to.equal('Nothing was imported. This is a zip archive of a csv export: choose the csv format');
      const redcapForCsv = await importThrough(page, [csvZip], { format: 'redcap', code: 'WRONG-2' });
      expect(redcapForCsv).to.equal('Nothing was imported. This is a zip archive of a csv export: choose the csv format');
      const bundleAsCsv = await importThrough(page, [bundle], { format: 'csv', code: 'WRONG-3' });
      expect(bundleAsCsv).to.equal('Nothing was imported. This is a study bundle (smp-study-bundle/1 JSON): choose the json format');
      const unreadable = await importThrough(page, [sdtmZip]);
      expect(unreadable).to.equal(
        'Nothing was imported. This is a zip archive of an SDTM export, which no import reads: import the json, csv or redcap export of the study instead',
      );
      const taken = await importThrough(page, [bundle]);
      expect(taken).to.equal(
        `Nothing was imported. Study ${CODE} already exists: tick “Replace the existing study” to replace it, or give another code under “Import as a new study with the code”.`,
      );
      expect(taken).to.not.include('--replace');
      await expectAccessible(page, 'the studies page with an import refused');
      // Ticking the box replaces the study.
      expect(await importThrough(page, [bundle], { replace: true })).to.equal(`Replaced study ${CODE}.`);
      expect(await page.locator('table#studies tbody tr th', { hasText: /^WRONG-/ }).count()).to.equal(0);
      expect(problemsExcept(admin.problems, 409, 415)).to.deep.equal([]);
    } finally {
      await admin.close();
    }
  });

  it('the dashboard exports every format; a reviewer exports de-identified only', async () => {
    const admin = await openAs(app, app.users.admin);
    try {
      const { page } = admin;
      await page.goto(`${app.base}/studies/${CODE}`);
      await page.locator('#dashboard-export-format').waitFor();
      for (const format of FORMATS) {
        const file = await exportFrom(page, 'dashboard-export', format, format === 'sdtm');
        expect(file.name).to.equal(FILE_NAMES[format][format === 'sdtm' ? 1 : 0]);
        expect(file.bytes.length).to.be.greaterThan(500);
      }
      expect(admin.problems).to.deep.equal([]);
    } finally {
      await admin.close();
    }
    const reviewer = await openAs(app, app.users.reviewer);
    try {
      const { page } = reviewer;
      await page.goto(`${app.base}/studies/${CODE}`);
      const box = page.locator('#dashboard-export-deidentify');
      await box.waitFor();
      expect(await box.isChecked()).to.equal(true);
      expect(await box.isDisabled()).to.equal(true);
      const file = await exportFrom(page, 'dashboard-export', 'csv', true);
      expect(file.name).to.equal(FILE_NAMES.csv[1]);
      expect(Object.keys(unzipSync(file.bytes))).to.include(`${CODE}-csv-deidentified/deidentification-report.txt`);
      await expectAccessible(page, "a reviewer's dashboard");
      expect(reviewer.problems).to.deep.equal([]);
    } finally {
      await reviewer.close();
    }
  });
});
