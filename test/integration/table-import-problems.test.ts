// csv and REDCap imports report their problems as a bundle import does: the first 1,000 in
// reading order (file, row, column), the true total in the message and the count of the rest,
// whether the problems come from the cells or from the bundle rules checked after them; exit 2
// on the command line, 400 over HTTP with a one-sentence detail; and nothing written.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { zipFiles } from '../../api/formats/archive.ts';
import { writeCsvTables } from '../../api/formats/csv/export.ts';
import { writeRedcapProject } from '../../api/formats/redcap/export.ts';
import type { FormatFile } from '../../api/formats/types.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { useCliWorkspace } from '../support/cli-workspace.ts';
import { DRIVER, freshDb, tableCounts, type TestDb } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { createTestUser } from '../support/users.ts';
import { editCsv, setCell } from '../unit/formats/helpers.ts';


interface BadImport {
  format: 'csv' | 'redcap';
  files: FormatFile[];
  /** Every problem, in reading order, as `file:row:column: message`. */
  expected: string[];
}

const cohort = generateCohort({ participants: 700, seed: 9, code: 'CAP-1' });
const csvFiles = writeCsvTables(cohort);
const redcapFiles = writeRedcapProject(cohort);
const rowOf = (index: number) => index + 2;
const edit = (files: FormatFile[], name: string, change: (table: { header: string[]; rows: string[][] }) => void) =>
  files.map((file) => (file.name === name ? editCsv(file, change) : file));

/** 1,120 cells that are not numbers: 20 birth years, then 1,100 session durations. */
function badCells(): BadImport {
  const expected: string[] = [];
  let files = edit(csvFiles, 'participants.csv', (t) => {
    for (let i = 0; i < 20; i++) {
      setCell(t, i, 'birth_year', 'x');
      expected.push(`participants.csv:${rowOf(i)}:birth_year: must be a whole number (got "x")`);
    }
  });
  files = edit(files, 'sessions.csv', (t) => {
    for (let i = 0; i < 1100; i++) {
      setCell(t, i, 'duration_minutes', 'long');
      expected.push(`sessions.csv:${rowOf(i)}:duration_minutes: must be a whole number (got "long")`);
    }
  });
  return { format: 'csv', files, expected };
}

/**
 * 1,200 problems of the bundle rules and 86 of the cells: 600 participants at an unknown site,
 * and 600 sessions by an unknown practitioner, every seventh of them with a duration that is not
 * a number. In bundle order the two kinds interleave (a participant, then their sessions); in
 * reading order participants.csv comes first.
 */
function badReferences(): BadImport {
  const participants: string[] = [];
  const sessions: string[] = [];
  let files = edit(csvFiles, 'participants.csv', (t) => {
    for (let i = 0; i < 600; i++) {
      setCell(t, i, 'site_code', 'NOPE');
      participants.push(`participants.csv:${rowOf(i)}:site_code: site "NOPE" is not defined in sites`);
    }
  });
  files = edit(files, 'sessions.csv', (t) => {
    for (let i = 0; i < 600; i++) {
      setCell(t, i, 'practitioner_code', 'PR-NONE');
      if (i % 7 === 0) {
        setCell(t, i, 'duration_minutes', 'long');
        sessions.push(`sessions.csv:${rowOf(i)}:duration_minutes: must be a whole number (got "long")`);
      }
      sessions.push(`sessions.csv:${rowOf(i)}:practitioner_code: practitioner "PR-NONE" is not defined in practitioners`);
    }
  });
  return { format: 'csv', files, expected: [...participants, ...sessions] };
}

/** 1,100 session durations in REDCap's records that are not numbers. */
function badRedcapCells(): BadImport {
  const expected: string[] = [];
  const files = edit(redcapFiles, 'records.csv', (t) => {
    const instrument = t.header.indexOf('redcap_repeat_instrument');
    t.rows.forEach((row, i) => {
      if (row[instrument] === 'session' && expected.length < 1100) {
        setCell(t, i, 'session_duration', 'long');
        expected.push(`records.csv:${rowOf(i)}:session_duration: must be a whole number (got "long")`);
      }
    });
  });
  return { format: 'redcap', files, expected };
}

const CASES: Array<[string, () => BadImport]> = [
  ['a csv import with 1,120 bad cells', badCells],
  ['a csv import with 1,200 bundle-rule problems after 86 bad cells', badReferences],
  ['a REDCap import with 1,100 bad cells', badRedcapCells],
];

describe(`csv and REDCap imports cap their problems as bundles do (${DRIVER})`, function () {
  this.timeout(300_000);

  describe('over HTTP', () => {
    let db: TestDb;
    let server: TestServer;
    let auth: Record<string, string>;

    before(async () => {
      db = await freshDb();
      server = await startTestServer(db);
      auth = (await createTestUser(db, 'admin')).headers;
    });
    after(async () => {
      await server?.close();
      await db?.dispose();
    });

    async function post(format: string, files: readonly FormatFile[]) {
      const response = await fetch(`${server.base}/api/studies?format=${format}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/zip' },
        body: Buffer.from(zipFiles('upload', files, new Date('2024-01-01T00:00:00Z'))),
      });
      expect(response.headers.get('content-type')).to.contain('application/problem+json');
      return {
        status: response.status,
        body: (await response.json()) as { detail: string; problems: Array<{ path: string; message: string }>; problemsOmitted?: number },
      };
    }
    const writes = async () => ({ ...(await tableCounts(db)), audit: (await db.kysely.selectFrom('audit_event').select('audit_id').execute()).length });

    for (const [name, make] of CASES) {
      it(`answers 400 to ${name}: the first 1,000 problems in reading order, the total and the rest counted; nothing written`, async () => {
        const { format, files, expected } = make();
        const before = await writes();
        const reply = await post(format, files);
        expect(reply.status).to.equal(400);
        expect(reply.body.detail).to.equal(`the ${format} import has ${expected.length.toLocaleString('en')} problems`);
        expect(reply.body.problems.map((p) => `${p.path}: ${p.message}`)).to.deep.equal(expected.slice(0, 1000));
        expect(reply.body.problemsOmitted).to.equal(expected.length - 1000);
        expect(await writes()).to.deep.equal(before);
      });
    }

    it('words the detail as one sentence that counts the problems, as a bundle import does', async () => {
      const two = edit(csvFiles, 'participants.csv', (t) => {
        setCell(t, 0, 'birth_year', 'x');
        setCell(t, 1, 'sex', 'M');
      });
      const reply = await post('csv', two);
      expect(reply.status).to.equal(400);
      expect(reply.body.detail).to.equal('the csv import has 2 problems');
      expect(reply.body.problems).to.deep.equal([
        { path: 'participants.csv:2:birth_year', file: 'participants.csv', row: 2, column: 'birth_year', message: 'must be a whole number (got "x")' },
        { path: 'participants.csv:3:sex', file: 'participants.csv', row: 3, column: 'sex', message: 'must be one of female, male, other, unknown (got "M")' },
      ]);
      expect(reply.body).not.to.have.property('problemsOmitted');

      const one = edit(redcapFiles, 'records.csv', (t) => setCell(t, 0, 'birth_year', 'x'));
      const redcap = await post('redcap', one);
      expect(redcap.status).to.equal(400);
      expect(redcap.body.detail).to.equal('the redcap import has 1 problem');
      expect(redcap.body.problems.map((p) => `${p.path}: ${p.message}`)).to.deep.equal(['records.csv:2:birth_year: must be a whole number (got "x")']);

      // The bundle import's detail, for comparison: the same sentence.
      const bundle = await fetch(`${server.base}/api/studies`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ ...cohort, study: { ...cohort.study, title: '' }, format: 'nope' }),
      });
      expect(((await bundle.json()) as { detail: string }).detail).to.equal('the bundle has 2 problems');
    });
  });

  describe('smp import --format csv|redcap', () => {
    const cli = useCliWorkspace('smp-import-problems-');
    const { smp } = cli;

    for (const [name, make] of CASES) {
      it(`exits 2 on ${name}, listing the first 1,000 problems and counting the rest; nothing written`, () => {
        const { format, files, expected } = make();
        const folder = path.join(cli.dir, name.replace(/[^a-z0-9]+/gi, '-'));
        fs.mkdirSync(folder);
        for (const file of files) fs.writeFileSync(path.join(folder, file.name), file.content);
        const studies = smp('studies');
        expect(studies.status, studies.stderr).to.equal(0);

        const run = smp('import', '--format', format, folder);
        expect(run.status).to.equal(2);
        expect(run.stdout).to.equal('');
        const omitted = expected.length - 1000;
        expect(run.stderr).to.equal(
          `smp import: the ${format} import has ${expected.length.toLocaleString('en')} problems:\n` +
            `${expected.slice(0, 1000).join('\n')}\n… and ${omitted} more problem${omitted === 1 ? '' : 's'}\n`,
        );
        expect(smp('studies')).to.deep.equal(studies);
      });
    }
  });
});
