// The csv export's participant tables, which PostgreSQL writes with COPY (PGlite with the
// JavaScript writer), equal the whole-file exporter's text byte for byte, on the cells where
// PostgreSQL's CSV and csv-stringify's differ: text with quotes, commas, CR, LF, formula
// characters behind apostrophes, spaces at either end and characters beyond ASCII; numerics
// with trailing zeros; months since the final session around zero; participants without
// sessions; codes whose code-point order differs from the order they were stored in and from
// a locale's; adverse events equal in every sort key.
import { expect } from 'chai';
import { sql } from 'kysely';
import { unzipFiles } from '../../api/formats/archive.ts';
import { zipTarget, type ExportTarget, type TextOut } from '../../api/formats/export-sink.ts';
import type { StudyBundle } from '../../api/schemas/bundle.ts';
import { exportStoredStudy } from '../../api/services/format-service.ts';
import { streamStoredStudy } from '../../api/services/export-stream-service.ts';
import { importBundle } from '../../api/services/study-bundle-service.ts';
import type { Actor } from '../../api/services/access.ts';
import { generateCohort } from '../../fixtures/generate-cohort.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

const CODE = 'CSV-COPY';
const CREATED_AT = new Date('2024-01-01T00:00:00Z');

/** Text cells whose CSV differs between writers unless handled: each is written by both and compared. */
const AWKWARD_TEXT = [
  'plain',
  'with, comma',
  'with "quotes" inside',
  '"',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\nend\n',
  '=SUM(A1)',
  "'=already guarded",
  "''+two apostrophes",
  "'",
  "'plain apostrophe",
  '-5',
  '+5',
  '@cmd',
  '\tstarts with a tab',
  '\rstarts with CR',
  '  spaces at both ends  ',
  'ünïcödé ✓ 😀',
  'back\\slash \\N',
  '\\.',
  'tail"',
  '"=quoted formula"',
];

/** The cohort with awkward values in every free-text and numeric field the csv tables write. */
function awkwardCohort(): StudyBundle {
  const bundle = generateCohort({ seed: 11, participants: 240, code: CODE });
  let text = 0;
  const nextText = () => AWKWARD_TEXT[text++ % AWKWARD_TEXT.length]!;
  const costs = [12.5, 0, 100, 1234567.89, 0.1, 99.99, 7, null];
  const densities = [7, 0, 10, 3.5, 0.1, null];
  let density = 0;
  bundle.participants.forEach((participant, index) => {
    // Codes whose code-point order is not the stored order nor a locale's (uppercase before lowercase, "." and "_").
    if (index % 7 === 0) participant.code = `${index % 2 === 0 ? 'a' : 'B'}${index}.x_${index % 3}`;
    participant.costUsd = costs[index % costs.length]!;
    if (participant.withdrawnOn !== null) participant.withdrawalReason = nextText();
    for (const session of participant.sessions) session.pigmentLot = nextText();
    for (const event of participant.adverseEvents) event.term = nextText();
    for (const assessment of participant.fadingAssessments) assessment.densityScore = densities[density++ % densities.length]!;
  });
  // Two events equal in onset date, category and term: their stored order decides.
  const withEvent = bundle.participants.find((p) => p.adverseEvents.length > 0 && p.sessions.length > 0)!;
  const [event] = withEvent.adverseEvents;
  withEvent.adverseEvents.push({ ...event!, grade: event!.grade === 1 ? 2 : 1, solicited: !event!.solicited });
  // Stored in reverse order, so participant numbers do not follow codes.
  bundle.participants.reverse();
  return bundle;
}

describe(`csv export written by COPY on PostgreSQL, by JavaScript on PGlite (${DRIVER})`, function () {
  this.timeout(120_000);
  let db: TestDb;
  let bundle: StudyBundle;

  before(async () => {
    db = await freshDb();
    bundle = awkwardCohort();
    await importBundle(db, bundle);
  });
  after(() => db.dispose());

  it('the cohort has what the comparison needs: participants without sessions, every awkward text', () => {
    expect(bundle.participants.some((p) => p.sessions.length === 0)).to.equal(true);
    const texts = new Set(bundle.participants.flatMap((p) => [...p.sessions.map((s) => s.pigmentLot), ...p.adverseEvents.map((e) => e.term)]));
    expect(AWKWARD_TEXT.filter((t) => !texts.has(t))).to.deep.equal([]);
  });

  for (const view of ['whole study', "a clinic's sites"] as const) {
    it(`${view}: every file as the whole-file exporter writes it`, async () => {
      const actor: Actor | undefined =
        view === 'whole study' ? undefined : { userId: null, username: 'clinic', role: 'clinic', grants: [{ studyCode: CODE, siteCode: bundle.sites[1]!.code }] };
      const whole = await exportStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT, ...(actor ? { actor } : {}) });
      const files: Array<{ name: string; text: string }> = [];
      await streamStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT, ...(actor ? { actor } : {}) }, () => ({
        async file(name) {
          const file = { name, text: '' };
          files.push(file);
          return { write: async (text) => void (file.text += text), close: async () => {} };
        },
        finish: async () => {},
      }));
      expect(files.map((f) => f.name)).to.deep.equal(whole.files.map((f) => f.name));
      for (const [index, file] of files.entries()) {
        const expected = whole.files[index]!.content as string;
        // Line by line first, so that a difference is shown where it is.
        expect(file.text.split('\r\n'), file.name).to.deep.equal(expected.split('\r\n'));
        expect(file.text === expected, file.name).to.equal(true);
      }
      const sessions = files.find((f) => f.name === 'sessions.csv')!.text;
      // The awkward texts really went through: quoted, doubled quotes, guarded formulas.
      expect(sessions).to.include(',"with ""quotes"" inside",');
      expect(sessions).to.include(",'=SUM(A1),");
      expect(sessions).to.include(",''=already guarded,");
      expect(sessions).to.include(',"line\nbreak",');
    });
  }

  /**
   * A folder-like target (several files at once) that keeps each file's text; `onWrite` runs
   * before each write, given the file's name and its text so far.
   */
  function folderLike(onWrite: (name: string, sofar: string) => Promise<void> | void = () => {}): ExportTarget & { files: Array<{ name: string; text: string }> } {
    const files: Array<{ name: string; text: string }> = [];
    return {
      files,
      concurrentFiles: true,
      async file(name) {
        const file = { name, text: '' };
        files.push(file);
        const out: TextOut = {
          write: async (text) => {
            await onWrite(name, file.text);
            file.text += text;
          },
          writeBytes: async (bytes) => {
            await onWrite(name, file.text);
            file.text += Buffer.from(bytes).toString('utf8');
          },
          close: async () => {},
        };
        return out;
      },
      finish: async () => {},
    };
  }

  /** The export's queries still running or holding a transaction on the database (other than this one). */
  async function leftOver(): Promise<string[]> {
    const { rows } = await sql<{ state: string; query: string }>`
      select state, left(query, 40) as query from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')`.execute(db.kysely);
    return rows.map((row) => `${row.state}: ${row.query}`);
  }

  it('a folder (files written at once): the same files, in the same order; on PostgreSQL the tables are copied side by side', async () => {
    const whole = await exportStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT });
    // On PostgreSQL, participants.csv's first bytes wait (up to 10 s) until sessions.csv has had
    // its first: they can only arrive meanwhile when the two tables are read at once.
    let sessionsBegun: () => void = () => {};
    const sessionsStarted = new Promise<void>((resolve) => (sessionsBegun = resolve));
    let sessionsFirst = false;
    const target = folderLike(async (name, sofar) => {
      if (name === 'sessions.csv') sessionsBegun();
      if (DRIVER === 'postgres' && name === 'participants.csv' && sofar === '') {
        sessionsFirst = await Promise.race([sessionsStarted.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))]);
      }
    });
    await streamStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT }, () => target);
    expect(target.files.map((f) => f.name)).to.deep.equal(whole.files.map((f) => f.name));
    for (const [index, file] of target.files.entries()) expect(file.text === whole.files[index]!.content, file.name).to.equal(true);
    // PGlite writes the tables from one pass over the participants, participants.csv first.
    expect(sessionsFirst).to.equal(DRIVER === 'postgres');
    if (DRIVER === 'postgres') expect(await leftOver()).to.deep.equal([]);
  });

  it('a folder whose file fails: the export fails with that error, every table read stops, nothing is left running', async () => {
    const target = folderLike((name, sofar) => {
      if (name === 'sessions.csv' && sofar !== '') throw new Error('no space left on the device');
    });
    let failure: unknown = null;
    await streamStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT }, () => target).catch((error: unknown) => (failure = error));
    expect((failure as Error | null)?.message).to.equal('no space left on the device');
    if (DRIVER === 'postgres') expect(await leftOver()).to.deep.equal([]);
    // The database serves the next export at once, whole.
    const again = folderLike();
    await streamStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT }, () => again);
    const whole = await exportStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT });
    expect(again.files.map((f) => f.text.length)).to.deep.equal(whole.files.map((f) => (f.content as string).length));
  });

  it('a zip (bytes written as they come) holds the same files', async () => {
    const whole = await exportStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT });
    const chunks: Uint8Array[] = [];
    await streamStoredStudy(db, CODE, 'csv', { createdAt: CREATED_AT }, (h) => zipTarget(h.name, h.createdAt, { write: async (bytes) => void chunks.push(bytes.slice()) }));
    const { files, problems } = unzipFiles('export.zip', new Uint8Array(Buffer.concat(chunks)));
    expect(problems).to.deep.equal([]);
    expect(files.map((f) => f.name)).to.deep.equal(whole.files.map((f) => f.name));
    for (const [index, file] of files.entries()) expect(Buffer.from(file.content).toString('utf8') === whole.files[index]!.content, file.name).to.equal(true);
  });
});
