// The csv export's participant tables, which PostgreSQL writes with COPY (PGlite with the
// JavaScript writer), equal the whole-file exporter's text byte for byte, on the cells where
// PostgreSQL's CSV and csv-stringify's differ: text with quotes, commas, CR, LF, formula
// characters behind apostrophes, spaces at either end and characters beyond ASCII; numerics
// with trailing zeros; months since the final session around zero; participants without
// sessions; codes whose code-point order differs from the order they were stored in and from
// a locale's; adverse events equal in every sort key.
import { expect } from 'chai';
import { unzipFiles } from '../../api/formats/archive.ts';
import { zipTarget } from '../../api/formats/export-sink.ts';
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
