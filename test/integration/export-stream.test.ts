// Streamed exports give the bytes of the whole-file exports. The reference is
// test/fixtures/exports/streamed-sha256.json: the SHA-256 of every file of every format, plain
// and de-identified (under a fixed key), of the demo study and a generated 2,000-participant
// cohort, written by the whole-file exporter before exports were streamed. Batches are kept
// small here so that every format crosses many batch boundaries. A clinic's view is compared
// with the whole-file exporter, which still exists (format-service.ts exportStoredStudy).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import { sql } from 'kysely';
import { unzipFiles } from '../../api/formats/archive.ts';
import { singleFileTarget, zipTarget, type ByteSink, type ExportTarget } from '../../api/formats/export-sink.ts';
import type { Actor } from '../../api/services/access.ts';
import { pseudonym } from '../../api/services/deidentify.ts';
import { EXPORT_FORMATS, exportStoredStudy, type ExportFormat } from '../../api/services/format-service.ts';
import { streamStoredStudy, type ExportHeading } from '../../api/services/export-stream-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { freshDb, type TestDb } from '../support/database.ts';

interface Reference {
  name: string;
  files: Record<string, string>;
  report?: Record<string, unknown>;
  warnings: unknown[];
}
const REFERENCE = JSON.parse(fs.readFileSync(new URL('../fixtures/exports/streamed-sha256.json', import.meta.url), 'utf8')) as Record<string, Record<string, Reference>>;
const CREATED_AT = new Date('2024-01-01T00:00:00Z');
const KEY = new Uint8Array(32).fill(0x5a);
const sha = (content: string | Uint8Array) => createHash('sha256').update(content).digest('hex');

/** A target that keeps each file's text, by name, in order; with `concurrentFiles`, one that takes several files at once, as a folder does. */
function memoryTarget(concurrentFiles = false): ExportTarget & { files: Array<{ name: string; text: string }> } {
  const files: Array<{ name: string; text: string }> = [];
  return {
    files,
    concurrentFiles,
    async file(name) {
      const file = { name, text: '' };
      files.push(file);
      return { write: async (text) => void (file.text += text), close: async () => {} };
    },
    finish: async () => {},
  };
}

/** Bytes kept in memory. */
function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return { write: async (bytes) => void chunks.push(bytes.slice()), bytes: () => new Uint8Array(Buffer.concat(chunks)) };
}

async function streamed(db: TestDb, code: string, format: ExportFormat, options: { deidentify?: boolean; actor?: Actor; batchSize?: number; concurrentFiles?: boolean }) {
  const target = memoryTarget(options.concurrentFiles);
  let heading: ExportHeading | undefined;
  await streamStoredStudy(db, code, format, { createdAt: CREATED_AT, batchSize: options.batchSize ?? 7, ...options }, (h) => {
    heading = h;
    return target;
  });
  return { heading: heading!, files: target.files };
}

describe('streamed exports', function () {
  this.timeout(300_000);
  let db: TestDb;

  before(async () => {
    db = await freshDb();
    await importBundle(db, JSON.parse(fs.readFileSync('fixtures/smp-2021.json', 'utf8')));
    await importBundle(db, generateCohort({ seed: 1, participants: 2000 }));
    // The fixed key, and the pseudonyms it gives, which the store keeps beside the codes.
    await sql`update study_secret set deid_key = ${KEY}`.execute(db.kysely);
    for (const [table, kind] of [['participant', 'participant'], ['practitioner', 'practitioner']] as const) {
      const rows = await db.kysely.selectFrom(table).select(['study_id', 'code']).execute();
      const values = rows.map((row) => sql`(${row.study_id}::int, ${row.code}::text, ${pseudonym(KEY, kind, row.code)}::text)`);
      await sql`update ${sql.table(table)} t set pseudonym = v.name from (values ${sql.join(values)}) as v(study_id, code, name)
        where t.study_id = v.study_id and t.code = v.code`.execute(db.kysely);
    }
  });
  after(() => db.dispose());

  for (const [code, batchSize] of [['SMP-2021', 3], ['GEN-2000', 173]] as const) {
    for (const format of EXPORT_FORMATS) {
      for (const deidentify of [false, true]) {
        const variant = `${format}${deidentify ? '-deidentified' : ''}`;
        it(`${code} ${variant}: every file byte for byte as the whole-file export wrote it, with its report and warnings`, async () => {
          const reference = REFERENCE[code]![variant]!;
          const { heading, files } = await streamed(db, code, format, { deidentify, batchSize });
          expect(heading.name).to.equal(reference.name);
          expect(Object.fromEntries(files.map((f) => [f.name, sha(f.text)]))).to.deep.equal(reference.files);
          expect(files.map((f) => f.name)).to.deep.equal(Object.keys(reference.files));
          if (heading.fileName !== null) expect([heading.fileName]).to.deep.equal(Object.keys(reference.files));
          expect(heading.deidentification).to.deep.equal(reference.report ?? null);
          expect(heading.warnings).to.deep.equal(reference.warnings);
        });
      }
    }
  }

  for (const [code, batchSize] of [['SMP-2021', 3], ['GEN-2000', 173]] as const) {
    for (const deidentify of [false, true]) {
      const variant = `csv${deidentify ? '-deidentified' : ''}`;
      it(`${code} ${variant} into a target that takes every table at once (a folder): every file byte for byte the same`, async () => {
        const reference = REFERENCE[code]![variant]!;
        const { files } = await streamed(db, code, 'csv', { deidentify, batchSize, concurrentFiles: true });
        expect(Object.fromEntries(files.map((f) => [f.name, sha(f.text)]))).to.deep.equal(reference.files);
        expect(files.map((f) => f.name)).to.deep.equal(Object.keys(reference.files));
      });
    }
  }

  it('a zip of a streamed export holds the same files, stamped with the creation time, and the report when asked', async () => {
    const sink = memorySink();
    await streamStoredStudy(db, 'SMP-2021', 'sdtm', { createdAt: CREATED_AT, deidentify: true, withReport: true }, (h) => zipTarget(h.name, h.createdAt, sink));
    const { files, problems } = unzipFiles('export.zip', sink.bytes());
    expect(problems).to.deep.equal([]);
    const reference = REFERENCE['SMP-2021']!['sdtm-deidentified']!;
    expect(files.map((f) => f.name)).to.deep.equal([...Object.keys(reference.files), 'deidentification-report.txt']);
    for (const file of files.slice(0, -1)) expect(sha(file.content), file.name).to.equal(reference.files[file.name]);
    expect(Buffer.from(files.at(-1)!.content).toString('utf8')).to.match(/^De-identified with the study's key:\n- codes replaced by pseudonyms: 22 participants, 4 practitioners\n/);
  });

  it('a one-file export to a byte sink is the file itself', async () => {
    const sink = memorySink();
    await streamStoredStudy(db, 'SMP-2021', 'fhir', { createdAt: CREATED_AT }, () => singleFileTarget(sink));
    expect(sha(sink.bytes())).to.equal(REFERENCE['SMP-2021']!.fhir!.files['SMP-2021.fhir.json']);
  });

  for (const deidentify of [false, true]) {
    it(`a clinic's view${deidentify ? ', de-identified,' : ''} holds its own site's participants, as the whole-file export does`, async () => {
      const actor: Actor = { userId: null, username: 'lon', role: 'clinic', grants: [{ studyCode: 'GEN-2000', siteCode: 'S02' }] };
      for (const format of EXPORT_FORMATS) {
        const whole = await exportStoredStudy(db, 'GEN-2000', format, { actor, deidentify, createdAt: CREATED_AT });
        const { heading, files } = await streamed(db, 'GEN-2000', format, { actor, deidentify, batchSize: 50 });
        expect(files.map((f) => f.name), format).to.deep.equal(whole.files.map((f) => f.name));
        files.forEach((file, index) => expect(file.text === whole.files[index]!.content, `${format} ${file.name}`).to.equal(true));
        expect(heading.deidentification).to.deep.equal(whole.deidentification);
        expect(heading.warnings).to.deep.equal(whole.warnings);
      }
    });
  }

  it('a study that does not exist is refused before anything is opened', async () => {
    let opened = false;
    const error = await streamStoredStudy(db, 'NOPE-1', 'csv', {}, () => {
      opened = true;
      return memoryTarget();
    }).catch((e: unknown) => e);
    expect(error).to.have.property('message', 'study NOPE-1 does not exist');
    expect(opened).to.equal(false);
  });
});
